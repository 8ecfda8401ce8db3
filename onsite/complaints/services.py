"""Writes of 差评 cases: opening one per bad rating (idempotent on the rating), the moves
open → verified → review → revisit → closed (review can return to verified), the center's
deadline, overdue escalation and reminders. These are the `do_*` of
`onsite.complaints.actions`.

Every move checks it is allowed from the current status (`MOVES`), then goes through `_move`,
which saves with the optimistic version (a stale one is a Conflict, code `stale`) and writes
the `Transition` row. A replayed submission key gets the first answer. Notifications go
through `notify`, after the commit."""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from onsite.accounts.models import Role, User
from onsite.audit.services import record_event
from onsite.complaints.models import (
    BAD_UP_TO,
    MOVES,
    Complaint,
    ComplaintSettings,
    Transition,
)
from onsite.core.concurrency import claim_submission, existing_submission, save_versioned
from onsite.core.models import Center
from onsite.core.refusals import Conflict, Invalid
from onsite.notifications.reminders import Deadline, DeadlineKind
from onsite.notifications.services import notify
from onsite.org.models import Group, Unit
from onsite.rectification.calendar import add_working_days

VERIFY_SCOPE = "complaints.verify"
SUBMIT_SCOPE = "complaints.submit"
REVIEW_SCOPE = "complaints.review"
REVISIT_SCOPE = "complaints.revisit"
CLOSE_SCOPE = "complaints.close"


def _url(complaint: Complaint) -> str:
    return reverse("complaints:complaint-detail", args=[complaint.pk])


def window_people(unit: Unit) -> list[User]:
    """Who answers for a window: its active staff (its lead among them)."""
    return list(User.objects.filter(center_id=unit.center_id, unit=unit, is_active=True))


def reviewers(center: Center) -> list[User]:
    """The programme office (role or office group) and the center admins."""
    return list(
        User.objects.filter(center=center, is_active=True)
        .filter(
            Q(role_grants__role__in=[Role.OFFICE, Role.ADMIN])
            | Q(memberships__group__kind=Group.Kind.OFFICE, memberships__group__center=center)
        )
        .distinct()
    )


def open_complaint(
    *,
    center: Center,
    rating_id: int,
    unit: Unit,
    rated_at: datetime.datetime,
    level: int,
    case_number: str = "",
    item_code: str = "",
    item_name: str = "",
    staff: User | None = None,
    reason: str = "",
    comment: str = "",
    actor: User | None = None,
) -> tuple[Complaint, bool]:
    """Opens the case of one bad rating (level 1 or 2), due the center's number of working
    days after the day of the rating. Idempotent on (center, rating_id): a second call, or a concurrent one that lost the
    race, returns the existing case and False. Raises ValueError for a level above 2 or a
    window of another center."""
    if not 1 <= level <= BAD_UP_TO:
        raise ValueError(f"only ratings 1 to {BAD_UP_TO} open a case, not {level}")
    if unit.center_id != center.pk or (staff is not None and staff.center_id != center.pk):
        raise ValueError("the window and the staff member must be of the case's center")
    existing = Complaint.objects.filter(center=center, rating_id=rating_id).first()
    if existing is not None:
        return existing, False
    try:
        with transaction.atomic():
            complaint = _create(
                center=center, rating_id=rating_id, unit=unit, rated_at=rated_at, level=level,
                case_number=case_number, item_code=item_code, item_name=item_name, staff=staff,
                reason=reason, comment=comment, actor=actor,
            )  # fmt: skip
    except IntegrityError:  # a concurrent import opened it between the read and the write
        return Complaint.objects.get(center=center, rating_id=rating_id), False
    return complaint, True


def _create(*, center: Center, unit: Unit, actor: User | None, **fields: Any) -> Complaint:
    settings = ComplaintSettings.for_center(center)
    # The citizen's clock: the working days count from the day of the rating.
    due = add_working_days(timezone.localdate(fields["rated_at"]), settings.due_days)
    complaint = Complaint.objects.create(
        center=center, unit=unit, due_on=due.day, due_is_provisional=due.is_provisional, **fields
    )
    Transition.objects.create(
        complaint=complaint, action=Transition.Action.OPENED, to_status=complaint.status, by=actor
    )
    record_event(
        None,
        action="complaints.opened",
        obj=complaint,
        actor=actor,
        center=center,
        detail={"rating": complaint.rating_id, "level": complaint.level},
    )
    notify(
        center=center,
        users=window_people(unit),
        kind="complaints.opened",
        message=gettext_noop(
            "A bad citizen rating of %(unit)s opened a case; verify it by %(due)s."
        ),
        params={"unit": unit.name, "due": complaint.due_on.isoformat()},
        url=_url(complaint),
    )
    return complaint


def _move(
    complaint: Complaint,
    *,
    action: str,
    to: str,
    by: User | None,
    expected_version: int,
    fields: list[str],
    note: str = "",
) -> Transition:
    old = complaint.status
    complaint.status = to
    save_versioned(complaint, expected_version=expected_version, fields=["status", *fields])
    return Transition.objects.create(
        complaint=complaint, action=action, from_status=old, to_status=to, by=by, note=note
    )


def _already(*, by: User, scope: str, key: str, complaint: Complaint) -> bool:
    if key and existing_submission(user=by, scope=scope, key=key) == str(complaint.pk):
        complaint.refresh_from_db()
        return True
    return False


def _claim(*, by: User, scope: str, key: str, complaint: Complaint) -> None:
    if key:
        claim_submission(
            center=complaint.center, user=by, scope=scope, key=key, object_id=str(complaint.pk)
        )


def _required(text: str, message: Any) -> str:
    text = text.strip()
    if not text:
        raise Invalid(message)
    return text


@transaction.atomic
def verify_complaint(
    *,
    complaint: Complaint,
    by: User,
    findings: str,
    expected_version: int,
    submission_key: str = "",
    request: HttpRequest | None = None,
) -> Complaint:
    """The window says what it found when it checked the rating (核实情况)."""
    if _already(by=by, scope=VERIFY_SCOPE, key=submission_key, complaint=complaint):
        return complaint
    MOVES.check(complaint.status, Complaint.Status.VERIFIED, _("Only a new case can be verified."))
    complaint.findings = _required(findings, _("Say what the verification found."))
    complaint.verified_at = timezone.now()
    complaint.verified_by = by
    _move(
        complaint, action=Transition.Action.VERIFIED, to=Complaint.Status.VERIFIED, by=by,
        expected_version=expected_version, fields=["findings", "verified_at", "verified_by"],
        note=complaint.findings,
    )  # fmt: skip
    _claim(by=by, scope=VERIFY_SCOPE, key=submission_key, complaint=complaint)
    record_event(request, action="complaints.verified", obj=complaint, actor=by,
                 center=complaint.center)  # fmt: skip
    return complaint


@transaction.atomic
def submit_outcome(
    *,
    complaint: Complaint,
    by: User,
    outcome: str,
    action: str,
    expected_version: int,
    submission_key: str = "",
    request: HttpRequest | None = None,
) -> Complaint:
    """The window hands in what it did: fixed it, explained it, or appeals the rating (with
    the ground). The office reviews it."""
    if _already(by=by, scope=SUBMIT_SCOPE, key=submission_key, complaint=complaint):
        return complaint
    MOVES.check(
        complaint.status,
        Complaint.Status.REVIEW,
        _("Only a verified case can be handed in for review."),
    )
    if outcome not in Complaint.Outcome.values:
        raise Invalid(_("Choose fixed, explained or appealed."))
    complaint.outcome = outcome
    complaint.action = _required(action, _("Say what was done, the explanation or the ground."))
    complaint.submitted_at = timezone.now()
    _move(
        complaint, action=Transition.Action.SUBMITTED, to=Complaint.Status.REVIEW, by=by,
        expected_version=expected_version, fields=["outcome", "action", "submitted_at"],
        note=complaint.action,
    )  # fmt: skip
    _claim(by=by, scope=SUBMIT_SCOPE, key=submission_key, complaint=complaint)
    record_event(request, action="complaints.submitted", obj=complaint, actor=by,
                 center=complaint.center, detail={"outcome": outcome})  # fmt: skip
    notify(
        center=complaint.center,
        users=reviewers(complaint.center),
        kind="complaints.submitted",
        message=gettext_noop("The bad-rating case of %(unit)s is waiting for your review."),
        params={"unit": complaint.unit.name},
        url=_url(complaint),
    )
    return complaint


@transaction.atomic
def review_complaint(
    *,
    complaint: Complaint,
    by: User,
    approve: bool,
    note: str,
    expected_version: int,
    submission_key: str = "",
    request: HttpRequest | None = None,
) -> Complaint:
    """The office approves the outcome (the case goes to the 回访) or returns it to the window
    with a reason (back to verified; the due date stays)."""
    if _already(by=by, scope=REVIEW_SCOPE, key=submission_key, complaint=complaint):
        return complaint
    to = Complaint.Status.REVISIT if approve else Complaint.Status.VERIFIED
    MOVES.check(complaint.status, to, _("Only a case under review can be reviewed."))
    note = note.strip()
    if not approve:
        note = _required(note, _("Give the reason for returning it."))
        complaint.times_returned += 1
    complaint.review_note = note
    complaint.reviewed_at = timezone.now()
    complaint.reviewed_by = by
    _move(
        complaint,
        action=Transition.Action.APPROVED if approve else Transition.Action.RETURNED,
        to=to, by=by, expected_version=expected_version, note=note,
        fields=["review_note", "reviewed_at", "reviewed_by", "times_returned"],
    )  # fmt: skip
    _claim(by=by, scope=REVIEW_SCOPE, key=submission_key, complaint=complaint)
    record_event(
        request, action="complaints.approved" if approve else "complaints.returned",
        obj=complaint, actor=by, center=complaint.center, detail={"note": note[:200]},
    )  # fmt: skip
    notify(
        center=complaint.center,
        users=window_people(complaint.unit),
        kind="complaints.approved" if approve else "complaints.returned",
        message=gettext_noop("The bad-rating case of %(unit)s was approved.")
        if approve
        else gettext_noop("The bad-rating case of %(unit)s was returned: %(reason)s"),
        params={"unit": complaint.unit.name, "reason": note[:120]},
        url=_url(complaint),
    )
    return complaint


@transaction.atomic
def record_revisit(
    *,
    complaint: Complaint,
    by: User,
    satisfied: str,
    note: str,
    expected_version: int,
    submission_key: str = "",
    request: HttpRequest | None = None,
) -> Complaint:
    """The office records its follow-up call (回访) to the citizen: satisfied, not satisfied,
    or not reached. A later call replaces an earlier one until the case is closed."""
    if _already(by=by, scope=REVISIT_SCOPE, key=submission_key, complaint=complaint):
        return complaint
    if complaint.status != Complaint.Status.REVISIT:
        raise Conflict(_("A follow-up call is recorded once the outcome is approved."))
    if satisfied not in Complaint.Satisfied.values:
        raise Invalid(_("Say whether the citizen was satisfied or could not be reached."))
    complaint.citizen_satisfied = satisfied
    complaint.revisit_note = note.strip()
    complaint.revisited_at = timezone.now()
    complaint.revisited_by = by
    _move(
        complaint, action=Transition.Action.REVISITED, to=complaint.status, by=by,
        expected_version=expected_version, note=complaint.revisit_note,
        fields=["citizen_satisfied", "revisit_note", "revisited_at", "revisited_by"],
    )  # fmt: skip
    _claim(by=by, scope=REVISIT_SCOPE, key=submission_key, complaint=complaint)
    record_event(request, action="complaints.revisited", obj=complaint, actor=by,
                 center=complaint.center, detail={"satisfied": satisfied})  # fmt: skip
    return complaint


@transaction.atomic
def close_complaint(
    *,
    complaint: Complaint,
    by: User,
    expected_version: int,
    note: str = "",
    submission_key: str = "",
    request: HttpRequest | None = None,
) -> Complaint:
    """Closes an approved case once its follow-up call is recorded (reached or not)."""
    if _already(by=by, scope=CLOSE_SCOPE, key=submission_key, complaint=complaint):
        return complaint
    MOVES.check(
        complaint.status, Complaint.Status.CLOSED, _("Only an approved case can be closed.")
    )
    if complaint.revisited_at is None:
        raise Conflict(_("Record the follow-up call before closing."), code="no_revisit")
    complaint.closed_at = timezone.now()
    _move(
        complaint, action=Transition.Action.CLOSED, to=Complaint.Status.CLOSED, by=by,
        expected_version=expected_version, fields=["closed_at"], note=note.strip(),
    )  # fmt: skip
    _claim(by=by, scope=CLOSE_SCOPE, key=submission_key, complaint=complaint)
    record_event(request, action="complaints.closed", obj=complaint, actor=by,
                 center=complaint.center)  # fmt: skip
    notify(
        center=complaint.center,
        users=window_people(complaint.unit),
        kind="complaints.closed",
        message=gettext_noop("The bad-rating case of %(unit)s was closed."),
        params={"unit": complaint.unit.name},
        url=_url(complaint),
    )
    return complaint


@transaction.atomic
def update_settings(
    *,
    center: Center,
    by: User,
    due_days: int,
    expected_version: int,
    request: HttpRequest | None = None,
) -> ComplaintSettings:
    """Sets the working days a new case has (open cases keep their due date)."""
    if not 1 <= due_days <= 60:
        raise Invalid(_("Choose between 1 and 60 working days."))
    row = ComplaintSettings.for_center(center)
    before = row.due_days
    row.due_days = due_days
    row.updated_by = by
    row.updated_at = timezone.now()
    save_versioned(row, expected_version=expected_version,
                   fields=["due_days", "updated_by", "updated_at"])  # fmt: skip
    record_event(request, action="complaints.settings_changed", obj=row, actor=by,
                 center=center, detail={"from": before, "to": due_days})  # fmt: skip
    return row


@transaction.atomic
def escalate_overdue(*, center: Center | None = None, on: datetime.date | None = None) -> int:
    """Tells the office, the admins and the window about each case past its due date that is
    not closed and was not escalated yet (once per case). Returns how many were escalated."""
    day = on or timezone.localdate()
    due = (
        Complaint.objects.overdue(day)
        .filter(escalated_at__isnull=True)
        .select_related("unit", "center")
        .order_by("center_id", "due_on", "pk")
    )
    if center is not None:
        due = due.filter(center=center)
    count = 0
    office: dict[int, list[User]] = {}
    for complaint in due:
        claimed = Complaint.objects.filter(pk=complaint.pk, escalated_at__isnull=True).update(
            escalated_at=timezone.now()
        )
        if not claimed:  # another worker got it
            continue
        if complaint.center_id not in office:
            office[complaint.center_id] = reviewers(complaint.center)
        Transition.objects.create(
            complaint=complaint, action=Transition.Action.ESCALATED,
            from_status=complaint.status, to_status=complaint.status, by=None,
        )  # fmt: skip
        record_event(None, action="complaints.escalated", obj=complaint, center=complaint.center,
                     detail={"due_on": complaint.due_on.isoformat()})  # fmt: skip
        notify(
            center=complaint.center,
            users=[*office[complaint.center_id], *window_people(complaint.unit)],
            kind="complaints.overdue",
            message=gettext_noop(
                "Overdue: the bad-rating case of %(unit)s was due %(due)s and is not closed."
            ),
            params={"unit": complaint.unit.name, "due": complaint.due_on.isoformat()},
            url=_url(complaint),
        )
        count += 1
    return count


def on_daily_run(sender: Any, *, on: datetime.date | None = None, **kwargs: Any) -> int:
    """The receiver of rectification's `daily_run`."""
    return escalate_overdue(on=on)


def due_complaints(day: datetime.date, last: datetime.date) -> Iterator[Deadline]:
    """Cases not closed, due after `day` up to `last` (a deadline kind of
    `onsite.notifications.reminders`): the window is reminded while the next step is its own
    (to verify, to hand in), the office while it waits on the review or the 回访."""
    rows = (
        Complaint.objects.pending()
        .filter(due_on__gt=day, due_on__lte=last)
        .select_related("unit", "center")
        .order_by("center_id", "unit_id", "due_on", "pk")
    )
    people: dict[int, list[User]] = {}
    office: dict[int, list[User]] = {}
    for complaint in rows:
        if complaint.status in (Complaint.Status.OPEN, Complaint.Status.VERIFIED):
            if complaint.unit_id not in people:
                people[complaint.unit_id] = window_people(complaint.unit)
            users = people[complaint.unit_id]
        else:
            if complaint.center_id not in office:
                office[complaint.center_id] = reviewers(complaint.center)
            users = office[complaint.center_id]
        yield Deadline(
            center=complaint.center,
            object_id=complaint.pk,
            due_on=complaint.due_on,
            users=users,
            params={"unit": complaint.unit.name},
            url=_url(complaint),
        )


COMPLAINT_DUE_SOON = DeadlineKind(
    kind="complaints.due_soon",
    due=due_complaints,
    one=gettext_noop("Due soon: the bad-rating case of %(unit)s is due %(due)s."),
    many=gettext_noop(
        "Due soon: %(count)s bad-rating cases are due by %(due)s, the first of %(unit)s."
    ),
    list_url=lambda: reverse("complaints:complaint-list"),
)
