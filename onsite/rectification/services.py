"""Writes of rectification (整改): opening one per finding, after-photos, the workflow
open → submitted → closed (or returned to open), and overdue escalation. These are the
`do_*` of `onsite.rectification.actions`.

Every move checks it is allowed from the current status (`MOVES`), then goes through
`_move`, which saves with the optimistic version and writes the `Transition` row (the
history). A refused move raises a typed refusal (Conflict for the state or a stale version,
Invalid for the input)."""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable, Iterator
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Q
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from onsite.accounts.models import Role, User
from onsite.accounts.uploads import daily_quota
from onsite.audit.services import record_event
from onsite.core.concurrency import claim_submission, existing_submission, run_once, save_versioned
from onsite.core.images import clean_photo
from onsite.core.models import Center
from onsite.core.refusals import Conflict, Invalid
from onsite.inspections.models import Finding, InspectionSettings
from onsite.notifications.reminders import Deadline, DeadlineKind, send_due_reminders
from onsite.notifications.services import notify
from onsite.org.models import Group, Membership, Zone
from onsite.rectification.calendar import WorkingDays, add_working_days
from onsite.rectification.models import (
    MOVES,
    CalendarDay,
    CalendarYear,
    Rectification,
    RectificationPhoto,
    Transition,
)
from onsite.rectification.signals import rectification_closed

MAX_AFTER_PHOTOS = 6


def _url(rectification: Rectification) -> str:
    return reverse("rectification:rectification-detail", args=[rectification.pk])


def open_rectifications(
    *,
    findings: Iterable[Finding],
    by: User,
    settings: InspectionSettings,
    request: HttpRequest | None = None,
) -> list[Rectification]:
    """One rectification per finding, assigned to the zone owner (a person check's finding:
    to the person it concerns), due by severity. Called when an inspection is submitted,
    inside its transaction (zones selected with owner)."""
    created: list[Rectification] = []
    for finding in findings:
        due = add_working_days(finding.found_on, settings.working_days_for(finding.severity))
        created.append(
            Rectification.objects.create(
                center_id=finding.center_id,
                finding=finding,
                zone=finding.zone,
                assignee=finding.person if finding.person_id else finding.zone.owner,
                severity=finding.severity,
                due_on=due.day,
                due_is_provisional=due.is_provisional,
            )
        )
    Transition.objects.bulk_create(
        Transition(
            rectification=r,
            action=Transition.Action.ASSIGNED,
            to_status=r.status,
            by=by,
            note=r.assignee.display_name if r.assignee else "",
        )
        for r in created
    )
    by_assignee: dict[User | None, list[Rectification]] = defaultdict(list)
    for r in created:
        by_assignee[r.assignee].append(r)
    for assignee, items in by_assignee.items():
        first = items[0]
        if assignee is None:
            notify(
                center=first.zone.center,
                users=office_people(first.zone.center),
                kind="rectification.unassigned",
                message=gettext_noop(
                    "Findings on %(zone)s with no zone owner to fix them: %(count)s."
                ),
                params={"count": len(items), "zone": first.zone.name},
                url=_url(first),
            )
            continue
        notify(
            center=first.zone.center,
            users=[assignee],
            kind="rectification.assigned",
            message=gettext_noop(
                "Findings to fix on %(zone)s: %(count)s; the first is due %(due)s."
            ),
            params={
                "count": len(items),
                "zone": first.zone.name,
                "due": min(r.due_on for r in items).isoformat(),
            },
            url=reverse("rectification:rectification-list") + "?mine=1"
            if len(items) > 1
            else _url(first),
        )
    return created


def on_inspection_submitted(
    sender: Any,
    *,
    findings: list[Finding],
    by: User,
    settings: InspectionSettings,
    request: HttpRequest | None = None,
    **kwargs: Any,
) -> None:
    """The receiver of `inspection_submitted`: a rectification for each new finding."""
    open_rectifications(findings=findings, by=by, settings=settings, request=request)


def _move(
    rectification: Rectification,
    *,
    action: str,
    to: str,
    by: User | None,
    expected_version: int,
    fields: list[str],
    note: str = "",
) -> Transition:
    old = rectification.status
    rectification.status = to
    save_versioned(rectification, expected_version=expected_version, fields=["status", *fields])
    return Transition.objects.create(
        rectification=rectification,
        action=action,
        from_status=old,
        to_status=to,
        by=by,
        note=note,
    )


def _already(*, by: User, scope: str, key: str, rectification: Rectification) -> bool:
    return bool(key) and existing_submission(user=by, scope=scope, key=key) == str(rectification.pk)


def _claim(*, by: User, scope: str, key: str, rectification: Rectification) -> None:
    if key:
        claim_submission(
            center=rectification.zone.center,
            user=by,
            scope=scope,
            key=key,
            object_id=str(rectification.pk),
        )


@transaction.atomic
def add_after_photo(
    *,
    rectification: Rectification,
    by: User,
    upload: UploadedFile[bytes],
    submission_key: str = "",
    request: HttpRequest | None = None,
) -> RectificationPhoto:
    """Adds an after-photo to the current attempt. Raises Invalid (with the photo check's
    message) for anything that is not a real image within the limits or the person's daily
    quota, Conflict unless the rectification is open. A resend with the same key (a phone's
    outbox that never heard the answer) gets the first photo and stores nothing again."""
    return run_once(
        center=rectification.zone.center,
        by=by,
        scope=PHOTO_SCOPE,
        key=submission_key,
        model=RectificationPhoto,
        create=lambda: _store_after_photo(rectification, by, upload, request),
    )


def _store_after_photo(
    rectification: Rectification,
    by: User,
    upload: UploadedFile[bytes],
    request: HttpRequest | None,
) -> RectificationPhoto:
    if not rectification.is_open:
        raise Conflict(_("Photos can be added only while the rectification is open."))
    attempt = rectification.times_returned + 1
    if (
        RectificationPhoto.objects.filter(rectification=rectification, attempt=attempt).count()
        >= MAX_AFTER_PHOTOS
    ):
        raise Conflict(
            _("At most %(n)d after-photos per submission.") % {"n": MAX_AFTER_PHOTOS},
            code="photo_limit",
        )
    try:
        photo = clean_photo(upload, quota=daily_quota(by))
    except ValidationError as exc:
        raise Invalid.from_validation(exc) from exc
    stored = RectificationPhoto.objects.create(
        center_id=rectification.center_id,
        rectification=rectification,
        attempt=attempt,
        image=photo.image,
        thumbnail=photo.thumbnail,
        width=photo.width,
        height=photo.height,
        uploaded_by=by,
    )
    record_event(
        request,
        action="rectification.photo_added",
        obj=rectification,
        actor=by,
        center=rectification.zone.center,
        detail={"photo": stored.pk, "attempt": attempt},
    )
    return stored


@transaction.atomic
def remove_after_photo(
    *, photo: RectificationPhoto, by: User, request: HttpRequest | None = None
) -> None:
    rectification = photo.rectification
    if not rectification.is_open:
        raise Conflict(_("Photos can be removed only while the rectification is open."))
    photo.image.delete(save=False)
    photo.thumbnail.delete(save=False)
    photo.delete()
    record_event(
        request,
        action="rectification.photo_removed",
        obj=rectification,
        actor=by,
        center=rectification.zone.center,
    )


PHOTO_SCOPE = "rectification.photo"
SUBMIT_SCOPE = "rectification.submit"
RETURN_SCOPE = "rectification.return"
VERIFY_SCOPE = "rectification.verify"
REASSIGN_SCOPE = "rectification.reassign"


@transaction.atomic
def submit_rectification(
    *,
    rectification: Rectification,
    by: User,
    note: str,
    expected_version: int,
    submission_key: str = "",
    request: HttpRequest | None = None,
) -> Rectification:
    """The owner reports the fix: at least one after-photo of this attempt and a note."""
    if _already(by=by, scope=SUBMIT_SCOPE, key=submission_key, rectification=rectification):
        rectification.refresh_from_db()
        return rectification
    MOVES.check(
        rectification.status,
        Rectification.Status.SUBMITTED,
        _("This rectification is not open; it cannot be submitted."),
    )
    note = note.strip()
    if not note:
        raise Invalid(_("Describe what was done."))
    attempt = rectification.times_returned + 1
    if not RectificationPhoto.objects.filter(rectification=rectification, attempt=attempt).exists():
        raise Conflict(_("Add at least one after-photo before submitting."), code="no_photo")
    rectification.note = note
    rectification.submitted_at = timezone.now()
    _move(
        rectification,
        action=Transition.Action.SUBMITTED,
        to=Rectification.Status.SUBMITTED,
        by=by,
        expected_version=expected_version,
        fields=["note", "submitted_at"],
        note=note,
    )
    _claim(by=by, scope=SUBMIT_SCOPE, key=submission_key, rectification=rectification)
    record_event(
        request,
        action="rectification.submitted",
        obj=rectification,
        actor=by,
        center=rectification.zone.center,
        detail={"attempt": attempt},
    )
    inspector = rectification.finding.inspection.inspector
    notify(
        center=rectification.zone.center,
        users=[inspector] if inspector.pk != by.pk else verifiers(rectification.zone.center),
        kind="rectification.submitted",
        message=gettext_noop("The rectification on %(zone)s was submitted for verification."),
        params={"zone": rectification.zone.name},
        url=_url(rectification),
    )
    return rectification


@transaction.atomic
def return_rectification(
    *,
    rectification: Rectification,
    by: User,
    reason: str,
    expected_version: int,
    submission_key: str = "",
    request: HttpRequest | None = None,
) -> Rectification:
    """The verifier is not satisfied: back to open with a reason; the due date stays."""
    if _already(by=by, scope=RETURN_SCOPE, key=submission_key, rectification=rectification):
        rectification.refresh_from_db()
        return rectification
    MOVES.check(
        rectification.status,
        Rectification.Status.OPEN,
        _("Only a submitted rectification can be returned."),
    )
    reason = reason.strip()
    if not reason:
        raise Invalid(_("Give the reason for returning it."))
    rectification.return_reason = reason
    rectification.times_returned += 1
    _move(
        rectification,
        action=Transition.Action.RETURNED,
        to=Rectification.Status.OPEN,
        by=by,
        expected_version=expected_version,
        fields=["return_reason", "times_returned"],
        note=reason,
    )
    _claim(by=by, scope=RETURN_SCOPE, key=submission_key, rectification=rectification)
    record_event(
        request,
        action="rectification.returned",
        obj=rectification,
        actor=by,
        center=rectification.zone.center,
        detail={"reason": reason[:200]},
    )
    notify(
        center=rectification.zone.center,
        users=[rectification.assignee],
        kind="rectification.returned",
        message=gettext_noop("Your rectification on %(zone)s was returned: %(reason)s"),
        params={"zone": rectification.zone.name, "reason": reason[:120]},
        url=_url(rectification),
    )
    return rectification


def reassignable_people(rectification: Rectification) -> list[User]:
    """Who can take a rectification over: active people of the center who work there (not
    cross-center viewers), the zone's unit first. Two queries."""
    zone = rectification.zone
    people = User.objects.filter(center_id=zone.center_id, is_active=True).exclude(
        pk=rectification.assignee_id or 0
    )
    return sorted(
        people.select_related("unit"),
        key=lambda u: (u.unit_id != zone.unit_id, u.unit.code if u.unit else "~", u.username),
    )


@transaction.atomic
def reassign_rectification(
    *,
    rectification: Rectification,
    to: User,
    by: User,
    reason: str,
    expected_version: int,
    submission_key: str = "",
    request: HttpRequest | None = None,
) -> Rectification:
    """Hands an unfinished rectification to someone else (the fixer rotated out, is away, or
    the wrong person was given it). The status and due date stay; both people are told."""
    if _already(by=by, scope=REASSIGN_SCOPE, key=submission_key, rectification=rectification):
        rectification.refresh_from_db()
        return rectification
    if rectification.is_closed:
        raise Conflict(_("A verified rectification cannot be reassigned."))
    if to.center_id != rectification.zone.center_id or not to.is_active:
        raise Invalid(_("Choose an active person of this center."))
    if to.pk == rectification.assignee_id:
        raise Invalid(_("This person already has it."))
    reason = reason.strip()
    if not reason:
        raise Invalid(_("Give the reason for reassigning it."))
    before = rectification.assignee
    rectification.assignee = to
    _move(
        rectification,
        action=Transition.Action.REASSIGNED,
        to=rectification.status,
        by=by,
        expected_version=expected_version,
        fields=["assignee"],
        note=reason,
    )
    _claim(by=by, scope=REASSIGN_SCOPE, key=submission_key, rectification=rectification)
    record_event(
        request,
        action="rectification.reassigned",
        obj=rectification,
        actor=by,
        center=rectification.zone.center,
        detail={"from": before.pk if before else None, "to": to.pk, "reason": reason[:200]},
    )
    notify(
        center=rectification.zone.center,
        users=[to],
        kind="rectification.assigned",
        message=gettext_noop("A rectification on %(zone)s was handed to you: %(reason)s"),
        params={"zone": rectification.zone.name, "reason": reason[:120]},
        url=_url(rectification),
    )
    if before is not None and before.is_active:
        notify(
            center=rectification.zone.center,
            users=[before],
            kind="rectification.reassigned",
            message=gettext_noop("Your rectification on %(zone)s was handed to %(person)s."),
            params={"zone": rectification.zone.name, "person": str(to)},
            url=_url(rectification),
        )
    return rectification


@transaction.atomic
def verify_rectification(
    *,
    rectification: Rectification,
    by: User,
    expected_version: int,
    note: str = "",
    submission_key: str = "",
    request: HttpRequest | None = None,
) -> Rectification:
    if _already(by=by, scope=VERIFY_SCOPE, key=submission_key, rectification=rectification):
        rectification.refresh_from_db()
        return rectification
    MOVES.check(
        rectification.status,
        Rectification.Status.CLOSED,
        _("Only a submitted rectification can be verified."),
    )
    rectification.closed_at = timezone.now()
    rectification.closed_by = by
    _move(
        rectification,
        action=Transition.Action.VERIFIED,
        to=Rectification.Status.CLOSED,
        by=by,
        expected_version=expected_version,
        fields=["closed_at", "closed_by"],
        note=note.strip(),
    )
    _claim(by=by, scope=VERIFY_SCOPE, key=submission_key, rectification=rectification)
    rectification_closed.send(sender=Rectification, rectification=rectification, request=request)
    record_event(
        request,
        action="rectification.verified",
        obj=rectification,
        actor=by,
        center=rectification.zone.center,
    )
    notify(
        center=rectification.zone.center,
        users=[rectification.assignee],
        kind="rectification.verified",
        message=gettext_noop("Your rectification on %(zone)s was verified and closed."),
        params={"zone": rectification.zone.name},
        url=_url(rectification),
    )
    return rectification


def office_people(center: Center) -> list[User]:
    """The programme office: members of office groups and holders of the office role."""
    return list(
        User.objects.filter(center=center, is_active=True)
        .filter(
            Q(role_grants__role=Role.OFFICE)
            | Q(memberships__group__kind=Group.Kind.OFFICE, memberships__group__center=center)
        )
        .distinct()
    )


def verifiers(center: Center) -> list[User]:
    return list(
        User.objects.filter(
            center=center, is_active=True, role_grants__role=Role.SUPERVISOR
        ).distinct()
    )


def promotion_leaders(zone: Zone) -> list[User]:
    """Leaders of the promotion group above the working group that covers the zone's unit."""
    if zone.unit_id is None:
        return []
    return list(
        User.objects.filter(
            is_active=True,
            memberships__role=Membership.Role.LEADER,
            memberships__group__kind=Group.Kind.PROMOTION,
            memberships__group__children__coverages__unit_id=zone.unit_id,
        ).distinct()
    )


@transaction.atomic
def escalate_overdue(*, center: Center | None = None, on: datetime.date | None = None) -> int:
    """Tells the promotion-group leader and the office about each rectification that went
    overdue and was not escalated yet (once per rectification; a returned one that goes
    overdue again is not escalated twice). Returns how many were escalated."""
    day = on or timezone.localdate()
    due = (
        Rectification.objects.overdue(day)
        .filter(escalated_at__isnull=True)
        .select_related("zone", "zone__center", "assignee")
        .order_by("center_id", "due_on", "pk")
    )
    if center is not None:
        due = due.filter(center=center)
    count = 0
    office_by_center: dict[int, list[User]] = {}
    for rectification in due:
        zone = rectification.zone
        claimed = Rectification.objects.filter(
            pk=rectification.pk, escalated_at__isnull=True
        ).update(escalated_at=timezone.now())
        if not claimed:  # another worker got it
            continue
        if zone.center_id not in office_by_center:
            office_by_center[zone.center_id] = office_people(zone.center)
        leaders = promotion_leaders(zone)
        Transition.objects.create(
            rectification=rectification,
            action=Transition.Action.ESCALATED,
            from_status=rectification.status,
            to_status=rectification.status,
            by=None,
            note=", ".join(u.display_name for u in leaders),
        )
        record_event(
            None,
            action="rectification.escalated",
            obj=rectification,
            center=zone.center,
            detail={"due_on": rectification.due_on.isoformat()},
        )
        notify(
            center=zone.center,
            users=[*leaders, *office_by_center[zone.center_id], rectification.assignee],
            kind="rectification.overdue",
            message=gettext_noop(
                "Overdue: the rectification on %(zone)s was due %(due)s and is not done."
            ),
            params={"zone": zone.name, "due": rectification.due_on.isoformat()},
            url=_url(rectification),
        )
        count += 1
    return count


DUE_SOON_ONE = gettext_noop("Due soon: your rectification on %(zone)s is due %(due)s.")
DUE_SOON_MANY = gettext_noop(
    "Due soon: %(count)s of your rectifications are due by %(due)s, the first on %(zone)s."
)


def due_rectifications(day: datetime.date, last: datetime.date) -> Iterator[Deadline]:
    """Open rectifications with an assignee due after `day` up to `last` (a deadline kind of
    `onsite.notifications.reminders`, registered in `RectificationConfig.ready`). A submitted
    or closed one waits on nobody's fix and is not reminded; one due today was told
    `rectification.assigned` the same day or is the escalation's business tomorrow."""
    rows = (
        Rectification.objects.open()
        .filter(due_on__gt=day, due_on__lte=last, assignee__isnull=False)
        .select_related("zone", "zone__center", "assignee")
        .order_by("center_id", "assignee_id", "due_on", "pk")
    )
    for rectification in rows:
        yield Deadline(
            center=rectification.zone.center,
            object_id=rectification.pk,
            due_on=rectification.due_on,
            users=[rectification.assignee] if rectification.assignee else [],
            params={"zone": rectification.zone.name},
            url=_url(rectification),
        )


RECTIFICATION_DUE_SOON = DeadlineKind(
    kind="rectification.due_soon",
    due=due_rectifications,
    one=DUE_SOON_ONE,
    many=DUE_SOON_MANY,
    list_url=lambda: reverse("rectification:rectification-list") + "?mine=1",
)


def remind_due_soon(
    *,
    center: Center | None = None,
    on: datetime.date | None = None,
    kinds: Iterable[str] | None = None,
) -> int:
    """The daily reminders before deadlines, of every registered kind (rectifications, item
    filings, …): what is due within each center's notice (`InspectionSettings.remind_days`
    working days, from the working-day calendar) is reminded once per item and due date.
    Returns how many items were reminded."""
    day = on or timezone.localdate()
    default: int = InspectionSettings._meta.get_field("remind_days").get_default()
    rows = InspectionSettings.objects.all()
    if center is not None:
        rows = rows.filter(center=center)
    notice = dict(rows.values_list("center_id", "remind_days"))
    longest = max([default, *notice.values()])
    calendar = WorkingDays(day, day + datetime.timedelta(days=longest * 2 + 30))
    horizons = {n: calendar.add(day, n).day for n in {default, *notice.values()}}
    return send_due_reminders(
        on=day,
        horizon=lambda center_id: horizons[notice.get(center_id, default)],
        furthest=horizons[longest],
        center=center,
        kinds=kinds,
    )


# --- the working-day calendar ----------------------------------------------------------------


def _year_row(year: int, *, by: User) -> CalendarYear:
    row, _created = CalendarYear.objects.get_or_create(
        year=year, defaults={"source": CalendarYear.Source.MANUAL, "is_confirmed": False}
    )
    row.source = CalendarYear.Source.MANUAL  # an admin's word wins over later package loads
    row.updated_by = by
    row.updated_at = timezone.now()
    row.save(update_fields=["source", "updated_by", "updated_at"])
    return row


@transaction.atomic
def set_calendar_day(
    *,
    day: datetime.date,
    is_working_day: bool,
    name: str,
    by: User,
    request: HttpRequest | None = None,
) -> None:
    """Records a holiday or a make-up working day. A day set to what Monday–Friday already
    says is no exception, so its row goes."""
    _year_row(day.year, by=by)
    if is_working_day == (day.weekday() < 5):
        CalendarDay.objects.filter(day=day).delete()
    else:
        CalendarDay.objects.update_or_create(
            day=day,
            defaults={
                "is_working_day": is_working_day,
                "name": name.strip()[:50],
                "source": CalendarYear.Source.MANUAL,
            },
        )
    record_event(
        request,
        action="rectification.calendar_day_set",
        actor=by,
        detail={"day": day.isoformat(), "working": is_working_day, "name": name[:50]},
    )


@transaction.atomic
def remove_calendar_day(
    *, day: datetime.date, by: User, request: HttpRequest | None = None
) -> None:
    _year_row(day.year, by=by)
    CalendarDay.objects.filter(day=day).delete()
    record_event(
        request,
        action="rectification.calendar_day_removed",
        actor=by,
        detail={"day": day.isoformat()},
    )


@transaction.atomic
def confirm_year(
    *, year: int, by: User, confirmed: bool = True, request: HttpRequest | None = None
) -> CalendarYear:
    """An admin says the year's holidays and make-up days match the State Council notice."""
    row = _year_row(year, by=by)
    row.is_confirmed = confirmed
    row.save(update_fields=["is_confirmed"])
    record_event(
        request,
        action="rectification.calendar_year_confirmed",
        actor=by,
        detail={"year": year, "confirmed": confirmed},
    )
    return row
