"""Read-side filters and page contents of inspections, shared by the pages and the API (no
writes, no access decisions: the rows come in already scoped by `access`)."""

from __future__ import annotations

import datetime
from typing import Any, TypeVar

from django.db.models import Count, Max, Prefetch, QuerySet
from django.utils import timezone

from onsite.accounts.models import User
from onsite.equipment.models import Equipment
from onsite.inspections.models import (
    Answer,
    AnswerPhoto,
    Band,
    Finding,
    FindingQuerySet,
    Inspection,
    InspectionQuerySet,
)
from onsite.org.models import Zone
from onsite.standards.models import Pillar

RECURRING_WINDOW_DAYS = 90


def people_of(zone: Zone) -> QuerySet[User]:
    """Who a person check of `zone` may concern: the active staff of the zone's unit (of the
    whole center for a zone without a unit), by name."""
    rows = User.objects.filter(center_id=zone.center_id, is_active=True)
    if zone.unit_id is not None:
        rows = rows.filter(unit_id=zone.unit_id)
    return rows.select_related("unit").order_by("full_name", "username")


def equipment_of(zone: Zone) -> QuerySet[Equipment]:
    """What an "equipment works" check of `zone` may name: its equipment in use."""
    return Equipment.objects.filter(zone=zone, is_active=True).order_by("kind", "pk")


def pickers(inspection: Inspection, answers: list[Answer]) -> dict[str, list[Any]]:
    """The choices of a checklist's person checks (`people`) and equipment checks
    (`equipment`); no query for a checklist without such checks."""
    people = any(a.is_about_a_person for a in answers)
    equipment = any(a.is_about_equipment for a in answers)
    return {
        "people": list(people_of(inspection.zone)) if people else [],
        "equipment": list(equipment_of(inspection.zone)) if equipment else [],
    }


ZoneRows = TypeVar("ZoneRows", InspectionQuerySet, FindingQuerySet)


def picked_filters(get: Any, names: tuple[str, ...]) -> tuple[dict[str, str], str]:
    """The list filters a request picked, and the query string that keeps them."""
    picked = {n: get.get(n, "") for n in names}
    return picked, "&".join(f"{k}={v}" for k, v in picked.items() if v)


def of_zone_code(rows: ZoneRows, code: str) -> ZoneRows:
    """Rows of the zone with this code; a code with a NUL matches no zone (and PostgreSQL
    refuses to compare text with one: filtering on it would be a 500)."""
    if "\x00" in code:
        return rows.none()
    return rows.filter(zone__code=code[:32])


def filter_inspections(rows: InspectionQuerySet, picked: dict[str, str]) -> InspectionQuerySet:
    if picked.get("kind") in Inspection.Kind.values:
        rows = rows.filter(kind=picked["kind"])
    if picked.get("status") in Inspection.Status.values:
        rows = rows.filter(status=picked["status"])
    if picked.get("band") in Band.values:
        rows = rows.filter(band=picked["band"])
    if picked.get("zone"):
        rows = of_zone_code(rows, picked["zone"])
    return rows


def count_findings(page: Any) -> None:
    """Findings per inspection, counted for the page's rows only: counting them in the list's
    query grouped the whole history before the page was cut."""
    counts = dict(
        Finding.objects.filter(inspection__in=[i.pk for i in page])
        .order_by()
        .values("inspection_id")
        .annotate(n=Count("pk"))
        .values_list("inspection_id", "n")
    )
    for inspection in page:
        inspection.finding_count = counts.get(inspection.pk, 0)


def filter_findings(rows: FindingQuerySet, picked: dict[str, str]) -> FindingQuerySet:
    if picked.get("repeat") == "1":
        rows = rows.filter(is_repeat=True)
    if picked.get("open") == "1":
        rows = rows.exclude(rectification__status="closed")
    if picked.get("pillar") in Pillar.values:
        rows = rows.filter(pillar=picked["pillar"])
    if picked.get("zone"):
        rows = of_zone_code(rows, picked["zone"])
    return rows


def checklist_answers(inspection: Inspection) -> list[Answer]:
    return list(
        inspection.answers.select_related("person", "equipment").prefetch_related(
            Prefetch("photos", queryset=AnswerPhoto.objects.order_by("uploaded_at", "pk"))
        )
    )


def sections(answers: list[Answer]) -> list[tuple[str, str, list[Answer]]]:
    """The checklist by pillar, in the pillars' order."""
    return [
        (p.value, str(p.label), [a for a in answers if a.pillar == p.value])
        for p in Pillar
        if any(a.pillar == p.value for a in answers)
    ]


def pillar_rows(inspection: Inspection) -> list[tuple[str, Any, float]]:
    scores = inspection.pillar_scores or {}
    return [(p.value, p.label, scores[p.value]) for p in Pillar if p.value in scores]


def recent_findings(center: Any) -> FindingQuerySet:
    since = timezone.localdate() - datetime.timedelta(days=RECURRING_WINDOW_DAYS)
    return Finding.objects.filter(center=center, found_on__gte=since)


def recurring_groups(findings: FindingQuerySet) -> list[Any]:
    """Checks failed twice or more, per area type: candidates for improving the standard."""
    return list(
        findings.values("zone__area_type_id", "zone__area_type__name", "check_key")
        .annotate(
            times=Count("pk"),
            zones=Count("zone", distinct=True),
            last=Max("found_on"),
            sample=Max("answer__text"),
            proposed=Max("proposal_id"),
        )
        .filter(times__gte=2)
        .order_by("-times", "check_key")[:100]
    )


def recurring_findings(findings: FindingQuerySet, *, area_type: str, key: str) -> list[Finding]:
    """The recent findings of one check on one area type (its id as posted)."""
    type_id = int(area_type) if area_type.isdigit() else None
    return list(
        findings.filter(zone__area_type_id=type_id, check_key=key[:60]).select_related(
            "zone__area_type", "answer"
        )
    )


def zone_drafts_and_recent(
    rows: InspectionQuerySet, zone: Any
) -> tuple[QuerySet[Inspection], QuerySet[Inspection]]:
    """A zone's open drafts (newest first) and its last submitted inspections."""
    drafts = rows.drafts().filter(zone=zone).select_related("inspector").order_by("-started_at")
    recent = rows.submitted().filter(zone=zone).select_related("inspector")
    return drafts[:10], recent.order_by("-inspected_on", "-pk")[:5]
