"""Who may see and move 差评 cases: one helper per object type, shared by the pages and the
API. A case of another center, or not visible to the user, is a 404.

- The window's people (staff whose unit is the case's window, its lead among them) verify the
  rating and submit the outcome (fixed / explained / appealed).
- The programme office and the center admin review (approve or return), record the 回访 and
  close; they also set the center's deadline.
- The leadership, supervision section, promotion-group leaders and cross-center viewers read
  every case of the center; anyone else reads only their own window's cases."""

from __future__ import annotations

from onsite.accounts.models import Role, User
from onsite.complaints.models import Complaint, ComplaintQuerySet
from onsite.core.models import Center, get_for_center
from onsite.core.roles import MANAGERS

READERS = (*sorted(MANAGERS), Role.MEMBER, Role.STAFF, Role.VIEWER)
WRITERS = tuple(r for r in READERS if r != Role.VIEWER)
REVIEWERS = (Role.ADMIN, Role.OFFICE)
OVERSEERS = (*sorted(MANAGERS), Role.VIEWER)
SETTINGS_EDITORS = REVIEWERS


def sees_everything(user: User) -> bool:
    return user.has_role(*OVERSEERS)


def visible_complaints(user: User, center: Center | None) -> ComplaintQuerySet:
    rows = Complaint.objects.filter(center=center)
    if sees_everything(user):
        return rows
    if not user.unit_id:
        return rows.none()
    return rows.filter(unit_id=user.unit_id)


def get_complaint(user: User, center: Center | None, pk: int) -> Complaint:
    return get_for_center(
        visible_complaints(user, center).select_related(
            "unit", "center", "staff", "verified_by", "reviewed_by", "revisited_by"
        ),
        center,
        pk=pk,
    )


def is_window_unit_member(user: User) -> bool:
    """Works at a window (a writer with a unit): answers that window's cases."""
    return not user.is_cross_center_viewer and user.has_role(*WRITERS) and bool(user.unit_id)


def is_window_person(user: User, complaint: Complaint) -> bool:
    """Works at the rated window (its lead included): verifies and submits the outcome."""
    return (
        not user.is_cross_center_viewer
        and user.has_role(*WRITERS)
        and user.unit_id is not None
        and user.unit_id == complaint.unit_id
    )


def is_reviewer(user: User) -> bool:
    """The programme office or the center admin: reviews, calls the citizen back, closes."""
    return not user.is_cross_center_viewer and user.has_role(*REVIEWERS)


def can_verify(user: User, complaint: Complaint) -> bool:
    return complaint.status == Complaint.Status.OPEN and is_window_person(user, complaint)


def can_submit(user: User, complaint: Complaint) -> bool:
    return complaint.status == Complaint.Status.VERIFIED and is_window_person(user, complaint)


def can_review(user: User, complaint: Complaint) -> bool:
    return complaint.status == Complaint.Status.REVIEW and is_reviewer(user)


def can_revisit(user: User, complaint: Complaint) -> bool:
    return complaint.status == Complaint.Status.REVISIT and is_reviewer(user)


def can_edit_settings(user: User) -> bool:
    return is_reviewer(user)
