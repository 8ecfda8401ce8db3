"""Synthetic inspections of a generated center: every working day a morning self-check of
nine zones in ten by their owners, supervision checks of a few zones a day by the supervision
section, and four acceptance rounds a year (two raters from other working groups per unit,
rating each of its zones) — about 25,000 inspections and 750,000 answers per center-year.
Each answer is a snapshot of the checklist (`build_checklist`) of the version published that
day; failures come from a per-zone quality that improves as the programme goes on, with
repeats inside the center's repeat window doubled and the scores added up by the scoring
rules `submit_inspection` applies (`onsite.inspections.scoring`), findings for
every failure, photos where a check needs one, and a few drafts left open on the last day.

Rows go in month by month through COPY (`onsite.core.generate.copy_rows`)."""

from __future__ import annotations

import datetime
import io
import random
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from PIL import Image, ImageDraw

from onsite.accounts.models import Role, User
from onsite.core.generate import IdPool, at_time, copy_rows, period, weighted, working_days
from onsite.core.models import Center
from onsite.inspections.checklist import CheckSpec, build_checklist
from onsite.inspections.models import (
    Answer,
    AnswerPhoto,
    Finding,
    Inspection,
    InspectionSettings,
    Severity,
    repeat_window,
)
from onsite.inspections.scoring import Tally, deduction_for, repeated
from onsite.org.models import Membership, Zone
from onsite.standards.models import StandardVersion
from onsite.standards.queries import EffectiveStandard, version_contents

SELF_CHECK_SHARE = 0.9  # of zones self-checked on a working day
SUPERVISIONS_PER_DAY = 8
ACCEPTANCE_RATERS = 2
DRAFTS_ON_LAST_DAY = 6
NA_SHARE = 0.01
PHOTO = "generated/inspection-photo.jpg"
THUMBNAIL = "generated/inspection-thumbnail.jpg"
FAILURE_NOTES = [
    "台面有私人物品", "物品未按定置图摆放", "数量超过规定", "标识脱落", "有灰尘",
    "电源线未收纳", "资料未归位", "宣传资料过期", "垃圾桶已满", "未佩戴工作牌",
]  # fmt: skip
SEVERITIES = [(Severity.GENERAL, 7.0), (Severity.SERIOUS, 2.5), (Severity.FIX_NOW, 0.5)]
KIND_FACTOR: dict[str, float] = {
    Inspection.Kind.SELF_CHECK: 0.7,  # people are kinder to their own zone
    Inspection.Kind.SUPERVISION: 1.4,
    Inspection.Kind.ACCEPTANCE: 1.0,
}


@dataclass
class _Zone:
    zone: Zone
    owner: int
    quality: float  # failure probability per check at the start of the history
    raters: list[int]  # working-group members outside the zone's own group


@dataclass
class _Versions:
    """The published editions of one area type, oldest first: (version, from, to)."""

    spans: list[tuple[StandardVersion, datetime.date, datetime.date]]

    def on(self, day: datetime.date) -> StandardVersion | None:
        for version, start, end in self.spans:
            if start <= day < end:
                return version
        return self.spans[-1][0] if self.spans and day >= self.spans[-1][1] else None


class _State:
    """What carries over from month to month: ids, the last finding per zone and check (for
    repeats) and the running counts."""

    def __init__(self) -> None:
        self.last_finding: dict[tuple[int, str], tuple[int, datetime.date]] = {}
        self.counts: Counter[str] = Counter()
        self.inspection_ids = IdPool(Inspection, block=5_000)
        self.answer_ids = IdPool(Answer, block=100_000)
        self.finding_ids = IdPool(Finding, block=5_000)


def generate(
    center: Center, *, years: float, rng: random.Random, until: datetime.date
) -> dict[str, int]:
    start, end = period(years=years, until=until)
    days = working_days(start, end)
    if not days:
        return {}
    settings = InspectionSettings.for_center(center)
    zones = _zones(center, rng)
    versions = _timeline(center, start, end)
    checklists = _checklists(versions)
    supervisors = list(
        User.objects.filter(center=center, role_grants__role=Role.SUPERVISOR)
        .order_by("pk")
        .values_list("pk", flat=True)
    ) or [z.owner for z in zones[:1]]
    _ensure_photo_files()
    rounds = _acceptance_days(days)
    state = _State()
    total_days = max(1, (days[-1] - start).days)
    for month in _months(days):
        plan = _plan_month(month, zones, supervisors, rounds, rng, last_day=days[-1])
        plan = [p for p in plan if p.zone.zone.area_type_id in versions]
        _write(center, plan, versions, checklists, settings, state, rng, start=start,
               total_days=total_days)  # fmt: skip
    return dict(state.counts)


def _zones(center: Center, rng: random.Random) -> list[_Zone]:
    zones = list(
        Zone.objects.filter(center=center, is_active=True, owner__isnull=False)
        .select_related("area_type")
        .order_by("code")
    )
    group_of_unit = dict(
        Zone.objects.filter(center=center, unit__coverage__isnull=False).values_list(
            "unit_id", "unit__coverage__group_id"
        )
    )
    members = list(
        Membership.objects.filter(group__center=center, group_kind="working")
        .order_by("pk")
        .values_list("user_id", "group_id")
    )
    result = []
    for zone in zones:
        owner = zone.owner_id or 0  # the query keeps owned zones only
        own = group_of_unit.get(zone.unit_id or 0)
        raters = [user for user, group in members if group != own] or [owner]
        result.append(_Zone(zone, owner, _quality(rng), raters))
    return result


def _quality(rng: random.Random) -> float:
    """A zone's failure rate per check: most are kept well, some struggle, a few are a mess
    (so the heat map shows every band, and the programme's progress shows in the trend)."""
    kind = rng.random()
    if kind < 0.85:
        return rng.uniform(0.004, 0.04)
    if kind < 0.97:
        return rng.uniform(0.08, 0.2)
    return rng.uniform(0.3, 0.45)


def _timeline(center: Center, start: datetime.date, end: datetime.date) -> dict[int, _Versions]:
    """Area type id → its published editions over the history."""
    rows = (
        StandardVersion.objects.filter(
            center=center,
            status__in=[StandardVersion.Status.PUBLISHED, StandardVersion.Status.RETIRED],
            published_at__isnull=False,
        )
        .select_related("standard")
        .order_by("standard_id", "number")
    )
    timeline: dict[int, _Versions] = {}
    for version in rows:
        assert version.published_at is not None  # noqa: S101 - filtered above
        opened = version.published_at.date()
        closed = version.retired_at.date() if version.retired_at else end + datetime.timedelta(1)
        spans = timeline.setdefault(version.standard.area_type_id, _Versions([])).spans
        spans.append((version, min(opened, start) if not spans else opened, closed))
    return timeline


def _checklists(timeline: dict[int, _Versions]) -> dict[int, list[CheckSpec]]:
    """Version id → its checklist (the zone's filings are left out: few zones have any)."""
    checklists = {}
    for versions in timeline.values():
        for version, opened, _closed in versions.spans:
            clauses, rules = version_contents(version)
            effective = EffectiveStandard(
                zone=Zone(), on=opened, version=version, clauses=clauses, item_rules=rules
            )
            checklists[version.pk] = build_checklist(effective)
    return checklists


def _ensure_photo_files() -> None:
    """Two real JPEGs every generated photo row points at, so photo pages show something.
    They have their own random stream: whether they exist must not change the data."""
    rng = random.Random(0)  # noqa: S311 - a picture, nothing secret
    for name, size in ((PHOTO, (1280, 960)), (THUMBNAIL, (320, 240))):
        if default_storage.exists(name):
            continue
        image = Image.new("RGB", size, (228, 224, 214))
        draw = ImageDraw.Draw(image)
        for _ in range(12):
            x, y = rng.randrange(size[0]), rng.randrange(size[1])
            draw.rectangle([x, y, x + size[0] // 8, y + size[1] // 10], outline=(90, 110, 140))
        buffer = io.BytesIO()
        image.save(buffer, "JPEG", quality=80)
        default_storage.save(name, ContentFile(buffer.getvalue()))


def _acceptance_days(days: Sequence[datetime.date]) -> set[datetime.date]:
    """Acceptance rounds: the first five working days of March, June, September and
    December (those that fall inside the history)."""
    chosen: set[datetime.date] = set()
    for year in sorted({d.year for d in days}):
        for month in (3, 6, 9, 12):
            first = datetime.date(year, month, 1)
            chosen.update(working_days(first, first + datetime.timedelta(days=14))[:5])
    return chosen & set(days)


def _months(days: Sequence[datetime.date]) -> Iterator[list[datetime.date]]:
    month: list[datetime.date] = []
    for day in days:
        if month and (day.year, day.month) != (month[0].year, month[0].month):
            yield month
            month = []
        month.append(day)
    if month:
        yield month


@dataclass
class _Planned:
    zone: _Zone
    kind: str
    inspector: int
    day: datetime.date
    draft: bool = False


def _plan_month(
    month: list[datetime.date],
    zones: list[_Zone],
    supervisors: list[int],
    rounds: set[datetime.date],
    rng: random.Random,
    *,
    last_day: datetime.date,
) -> list[_Planned]:
    plan: list[_Planned] = []
    in_round = [d for d in month if d in rounds]
    for day in month:
        for zone in zones:
            if rng.random() < SELF_CHECK_SHARE:
                plan.append(_Planned(zone, Inspection.Kind.SELF_CHECK, zone.owner, day))
        for zone in rng.sample(zones, min(SUPERVISIONS_PER_DAY, len(zones))):
            plan.append(_Planned(zone, Inspection.Kind.SUPERVISION, rng.choice(supervisors), day))
    if in_round:
        # The same raters rate every zone of a unit: the programme's round assignments
        # (onsite/programme/generate.py) are one rater and one unit with a sheet per zone.
        raters_of: dict[int, list[int]] = {}
        for zone in zones:
            unit = zone.zone.unit_id or -zone.zone.pk
            if unit not in raters_of:
                raters_of[unit] = rng.sample(zone.raters, min(ACCEPTANCE_RATERS, len(zone.raters)))
            for rater in raters_of[unit]:
                plan.append(_Planned(zone, Inspection.Kind.ACCEPTANCE, rater, rng.choice(in_round)))
    plan.sort(key=lambda p: (p.day, p.kind != Inspection.Kind.SELF_CHECK))
    if month[-1] == last_day:
        for planned in [p for p in plan if p.day == last_day][-DRAFTS_ON_LAST_DAY:]:
            planned.draft = True
    return plan


def _write(
    center: Center,
    plan: list[_Planned],
    timeline: dict[int, _Versions],
    checklists: dict[int, list[CheckSpec]],
    settings: InspectionSettings,
    state: _State,
    rng: random.Random,
    *,
    start: datetime.date,
    total_days: int,
) -> None:
    inspections: list[dict[str, Any]] = []
    answers: list[dict[str, Any]] = []
    photos: list[dict[str, Any]] = []
    findings: list[dict[str, Any]] = []
    for planned in plan:
        version = timeline[planned.zone.zone.area_type_id].on(planned.day)
        if version is None:
            continue
        inspection_id = state.inspection_ids.take()
        started = at_time(planned.day, rng, start_hour=8, end_hour=11)
        submitted = started + datetime.timedelta(minutes=rng.randint(4, 25))
        zone = planned.zone
        # Quality improves as the programme goes on: failures halve over the history.
        progress = (planned.day - start).days / total_days
        fail_rate = zone.quality * KIND_FACTOR[planned.kind] * (1 - 0.5 * progress)
        draft = planned.draft
        takes_findings = planned.kind != Inspection.Kind.ACCEPTANCE and not draft
        tally = Tally()
        new_findings: list[tuple[str, int]] = []
        for spec in checklists[version.pk]:
            answer_id = state.answer_ids.take()
            result, deduction, severity, note = "pass", Decimal(0), Severity.GENERAL, ""
            draw = rng.random()
            if draft and draw < 0.5:
                result = ""
            elif draw < fail_rate:
                result = "fail"
                severity = weighted(rng, SEVERITIES)
                if rng.random() < 0.3:
                    deduction = Decimal(rng.randint(1, spec.max_points))
                note = rng.choice(FAILURE_NOTES)
            elif spec.source == Answer.Source.CLAUSE and draw > 1 - NA_SHARE:
                result = "na"
            applied: Decimal | None = None
            repeat_of = None
            if not draft:  # what submit_inspection applies, by the same rules
                applied = deduction_for(result=result, deduction=deduction,
                                        max_points=spec.max_points)  # fmt: skip
                earlier = state.last_finding.get((zone.zone.pk, spec.key))
                if (
                    result == "fail"
                    and takes_findings
                    and earlier
                    and _is_repeat(earlier[1], planned.day, settings)
                ):
                    repeat_of = earlier[0]
                    applied = repeated(applied, factor=settings.repeat_factor,
                                       max_points=spec.max_points)  # fmt: skip
                tally.add(result=result, weight=spec.weight, max_points=spec.max_points,
                          lost=applied, pillar=spec.pillar)  # fmt: skip
            answers.append(
                {
                    "id": answer_id, "center_id": center.pk, "inspection_id": inspection_id,
                    "key": spec.key, "source": spec.source,
                    "clause_id": spec.clause.pk if spec.clause else None, "pillar": spec.pillar,
                    "position": spec.position, "text": spec.text,
                    "check_method": spec.check_method, "weight": spec.weight,
                    "max_points": spec.max_points, "photo_required": spec.photo_required,
                    "result": result, "deduction": deduction, "severity": severity,
                    "note": note, "is_repeat": repeat_of is not None,
                    "applied_deduction": applied, "updated_at": submitted,
                }
            )  # fmt: skip
            if result and (spec.photo_required or result == "fail"):
                for _ in range(2 if result == "fail" and rng.random() < 0.4 else 1):
                    photos.append(
                        {
                            "center_id": center.pk, "answer_id": answer_id, "image": PHOTO,
                            "thumbnail": THUMBNAIL, "width": 1280, "height": 960,
                            "uploaded_by_id": planned.inspector, "uploaded_at": submitted,
                        }
                    )  # fmt: skip
            if result == "fail" and takes_findings:
                finding_id = state.finding_ids.take()
                new_findings.append((spec.key, finding_id))
                findings.append(
                    {
                        "id": finding_id, "center_id": center.pk,
                        "inspection_id": inspection_id, "answer_id": answer_id,
                        "zone_id": zone.zone.pk, "check_key": spec.key, "pillar": spec.pillar,
                        "text": note or spec.text, "severity": severity, "deduction": applied,
                        "is_repeat": repeat_of is not None, "repeat_of_id": repeat_of,
                        "found_on": planned.day, "created_at": submitted, "proposal_id": None,
                    }
                )  # fmt: skip
        # This inspection's findings are the "earlier finding" of the next ones.
        for key, finding_id in new_findings:
            state.last_finding[(zone.zone.pk, key)] = (finding_id, planned.day)
        score = tally.score(settings)
        inspections.append(
            {
                "id": inspection_id, "center_id": center.pk, "zone_id": zone.zone.pk,
                "kind": planned.kind, "status": "draft" if draft else "submitted",
                "standard_version_id": version.pk, "inspector_id": planned.inspector,
                "inspected_on": planned.day, "note": "", "started_at": started,
                "submitted_at": None if draft else submitted,
                "score": None if draft else score.percent,
                "points_earned": None if draft else score.earned,
                "points_possible": None if draft else score.possible,
                "pillar_scores": {} if draft else score.pillars,
                "band": "" if draft else score.band,
                "pass_mark": None if draft else settings.pass_mark,
                "passed": None if draft else score.passed,
                "version": 1 if draft else 2,
            }
        )  # fmt: skip
    copy_rows(Inspection, inspections, counts=state.counts)
    copy_rows(Answer, answers, counts=state.counts)
    copy_rows(AnswerPhoto, photos, counts=state.counts)
    copy_rows(Finding, findings, counts=state.counts)


def _is_repeat(earlier: datetime.date, on: datetime.date, settings: InspectionSettings) -> bool:
    first, last = repeat_window(on, window_days=settings.repeat_window_days)
    return first <= earlier <= last
