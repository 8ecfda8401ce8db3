"""Who may see and move rectifications: one helper per object type, shared by the pages and
the API. Objects of another center, or not visible to the user, are a 404."""

from __future__ import annotations

from django.db.models import Q

from onsite.accounts.models import Role, User
from onsite.core.models import Center, get_for_center
from onsite.inspections.access import READERS, WRITERS, near_zone, sees_everything
from onsite.rectification.models import Rectification, RectificationPhoto, RectificationQuerySet

__all__ = ["READERS", "WRITERS"]

VERIFIERS = (Role.ADMIN, Role.OFFICE, Role.SUPERVISOR)
CALENDAR_EDITORS = (Role.ADMIN,)


def visible_rectifications(user: User, center: Center | None) -> RectificationQuerySet:
    rows = Rectification.objects.filter(center=center)
    if sees_everything(user):
        return rows
    return rows.filter(
        Q(assignee=user) | Q(finding__inspection__inspector=user) | near_zone(user)
    ).distinct()


def listed_rectifications(
    user: User, center: Center | None, *, mine: bool
) -> RectificationQuerySet:
    """What a list shows: everything the user may see, or only what is assigned to them.
    Their own are always visible, so "mine" skips the visibility test and its DISTINCT,
    and the (center, assignee, status, due_on) index answers it whatever the history."""
    if mine:
        return Rectification.objects.filter(center=center, assignee=user)
    return visible_rectifications(user, center)


def get_rectification(user: User, center: Center | None, pk: int) -> Rectification:
    return get_for_center(
        visible_rectifications(user, center).select_related(
            "zone__area_type",
            "zone__owner",
            "zone__center",
            "assignee",
            "closed_by",
            "finding__answer",
            "finding__inspection__inspector",
        ),
        center,
        pk=pk,
    )


def get_photo(user: User, center: Center | None, pk: int) -> RectificationPhoto:
    return get_for_center(
        RectificationPhoto.objects.filter(
            rectification__in=visible_rectifications(user, center)
        ).select_related("rectification"),
        center,
        pk=pk,
    )


def is_fixer(user: User, rectification: Rectification) -> bool:
    """The assignee or the zone owner: adds after-photos and submits."""
    return not user.is_cross_center_viewer and user.pk in {
        rectification.assignee_id,
        rectification.zone.owner_id,
    }


def can_fix(user: User, rectification: Rectification) -> bool:
    return rectification.is_open and is_fixer(user, rectification)


def is_verifier(user: User, rectification: Rectification) -> bool:
    """The inspector who found it, or the supervision section / office / admin; never the
    person who fixed it."""
    if user.is_cross_center_viewer or user.pk == rectification.assignee_id:
        return False
    return user.has_role(*VERIFIERS) or (rectification.finding.inspection.inspector_id == user.pk)


def can_verify(user: User, rectification: Rectification) -> bool:
    return rectification.is_submitted and is_verifier(user, rectification)


def can_reassign(user: User, rectification: Rectification) -> bool:
    """The supervision section, office and admin hand an unfinished one to someone else."""
    return (
        not rectification.is_closed
        and user.has_role(*VERIFIERS)
        and not user.is_cross_center_viewer
    )


def can_edit_calendar(user: User) -> bool:
    return user.has_role(*CALENDAR_EDITORS) and not user.is_cross_center_viewer
