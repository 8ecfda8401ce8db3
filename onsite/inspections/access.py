"""Who may do what with inspections and findings: one helper per object type, shared by the
pages and the API. Objects of another center, or not visible to the user, are a 404."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db.models import Q, QuerySet

from onsite.accounts.models import Role, User
from onsite.core.models import Center, get_for_center
from onsite.inspections.models import (
    Answer,
    AnswerPhoto,
    Finding,
    FindingQuerySet,
    ImprovementProposal,
    Inspection,
    InspectionQuerySet,
)
from onsite.org.models import Membership, Zone

# Everyone who works with inspections (auditors read the audit trail instead).
READERS = (
    Role.ADMIN,
    Role.LEADER,
    Role.OFFICE,
    Role.SUPERVISOR,
    Role.GROUP_LEADER,
    Role.MEMBER,
    Role.STAFF,
    Role.VIEWER,
)
# Writers: the same people minus the read-only cross-center viewer.
WRITERS = tuple(r for r in READERS if r != Role.VIEWER)
# They see every inspection of the center.
OVERSEERS = (
    Role.ADMIN,
    Role.LEADER,
    Role.OFFICE,
    Role.SUPERVISOR,
    Role.GROUP_LEADER,
    Role.VIEWER,
)
IMPROVERS = (Role.ADMIN, Role.LEADER, Role.OFFICE, Role.SUPERVISOR, Role.GROUP_LEADER)
SETTINGS_EDITORS = (Role.ADMIN, Role.OFFICE)


def sees_everything(user: User) -> bool:
    return user.has_role(*OVERSEERS)


def can_write(user: User) -> bool:
    return user.has_role(*WRITERS) and not user.is_cross_center_viewer


def can_improve(user: User) -> bool:
    return user.has_role(*IMPROVERS) and not user.is_cross_center_viewer


def can_edit_settings(user: User) -> bool:
    return user.has_role(*SETTINGS_EDITORS) and not user.is_cross_center_viewer


def near_zone(user: User, prefix: str = "zone__") -> Q:
    """Zones a person works in: owns, belongs to their unit, or covered by their working
    group."""
    q = Q(**{f"{prefix}owner": user})
    if user.unit_id is not None:
        q |= Q(**{f"{prefix}unit_id": user.unit_id})
    q |= Q(**{f"{prefix}unit__coverage__group__memberships__user": user})
    return q


def is_near(user: User, zone: Zone) -> bool:
    if zone.owner_id == user.pk or (zone.unit_id is not None and zone.unit_id == user.unit_id):
        return True
    return (
        zone.unit_id is not None
        and Membership.objects.filter(user=user, group__coverages__unit_id=zone.unit_id).exists()
    )


def zones_to_pick(user: User, center: Center | None, *, query: str = "") -> QuerySet[Zone]:
    """Active zones this person may start an inspection on, by code: every zone for the
    supervision section, the zones they work in for everyone else (self-checks)."""
    rows = Zone.objects.filter(center=center, is_active=True)
    if not user.has_role(Role.SUPERVISOR):
        rows = rows.filter(pk__in=Zone.objects.filter(near_zone(user, prefix="")).values("pk"))
    if query:
        rows = rows.filter(
            Q(code__icontains=query)
            | Q(name__icontains=query)
            | Q(unit__name__icontains=query)
            | Q(unit__code__icontains=query)
        )
    return rows.select_related("unit", "area_type").order_by("code")


def startable_kinds(user: User, zone: Zone) -> list[str]:
    """The kinds of inspection this person may start on the zone from the pages (acceptance
    inspections are started by the programme's rounds)."""
    if user.is_cross_center_viewer or zone.center_id != user.center_id or not zone.is_active:
        return []
    kinds: list[str] = []
    if user.has_role(Role.SUPERVISOR):
        kinds.append(Inspection.Kind.SUPERVISION)
    if user.has_role(*WRITERS) and is_near(user, zone):
        kinds.append(Inspection.Kind.SELF_CHECK)
    return kinds


Sealer = Callable[[User], "QuerySet[Any]"]
"""Answers the ids (a `values("inspection_id")` query) of inspections sealed from `user`."""
_sealers: list[Sealer] = []


def register_sealer(sealer: Sealer) -> None:
    """An app above inspections seals some inspections from some people (the programme's
    blind scoring: acceptance sheets of a round still open, from everyone but their rater).
    It registers here in its AppConfig.ready, so inspections never imports it."""
    if sealer not in _sealers:
        _sealers.append(sealer)


def unsealed(rows: InspectionQuerySet, user: User) -> InspectionQuerySet:
    for sealer in _sealers:
        rows = rows.exclude(pk__in=sealer(user))
    return rows


def visible_inspections(user: User, center: Center | None) -> InspectionQuerySet:
    rows = Inspection.objects.filter(center=center)
    if sees_everything(user):
        return unsealed(rows, user)
    others = Q(~Q(kind=Inspection.Kind.ACCEPTANCE) & near_zone(user))
    return rows.filter(Q(inspector=user) | others).distinct()


def get_inspection(user: User, center: Center | None, pk: int) -> Inspection:
    return get_for_center(
        visible_inspections(user, center).select_related(
            "zone__area_type",
            "zone__owner",
            "zone__unit",
            "inspector",
            "standard_version__standard",
        ),
        center,
        pk=pk,
    )


def can_edit(user: User, inspection: Inspection) -> bool:
    """A draft is answered by its inspector, or by someone who could have started the same
    kind on the zone (two supervisors, or the owner and a working-group member)."""
    if not inspection.is_draft or not can_write(user):
        return False
    if inspection.inspector_id == user.pk:
        return True
    if inspection.kind == Inspection.Kind.ACCEPTANCE:
        return False  # blind scoring: a rater's sheet is theirs alone
    return inspection.kind in startable_kinds(user, inspection.zone)


def get_answer(user: User, center: Center | None, pk: int) -> Answer:
    return get_for_center(
        Answer.objects.filter(inspection__in=visible_inspections(user, center)).select_related(
            "inspection__zone"
        ),
        center,
        pk=pk,
    )


def get_photo(user: User, center: Center | None, pk: int) -> AnswerPhoto:
    return get_for_center(
        AnswerPhoto.objects.filter(
            answer__inspection__in=visible_inspections(user, center)
        ).select_related("answer__inspection__zone"),
        center,
        pk=pk,
    )


def visible_findings(user: User, center: Center | None) -> FindingQuerySet:
    rows = Finding.objects.filter(center=center)
    if sees_everything(user):
        return rows
    return rows.filter(Q(inspection__inspector=user) | Q(person=user) | near_zone(user)).distinct()


def get_finding(user: User, center: Center | None, pk: int) -> Finding:
    return get_for_center(
        visible_findings(user, center).select_related(
            "zone__area_type",
            "zone__owner",
            "inspection__inspector",
            "answer",
            "proposal",
            "person",
        ),
        center,
        pk=pk,
    )


def get_proposal(center: Center | None, pk: int) -> ImprovementProposal:
    return get_for_center(
        ImprovementProposal.objects.select_related("area_type", "draft", "created_by"),
        center,
        pk=pk,
    )
