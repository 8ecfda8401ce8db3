"""Rectification (整改) of findings, and the working-day calendar its due dates count in.

A `Rectification` belongs to one finding and goes open → submitted (after-photos and a note)
→ closed (verified), or back from submitted to open when the verifier returns it with a
reason. Every move writes a `Transition` row: that row is the history. Overdue is computed
(open and past its due date), never stored; escalation is recorded once (`escalated_at`).

Working days: the State Council announces each year's holidays and make-up working days
(调休), and `chinesecalendar` only knows the years up to its release. So the calendar is data:
`CalendarDay` rows hold the exceptions to "Monday to Friday" (a holiday on a weekday, a
make-up working day at a weekend), `CalendarYear` says whether a year is confirmed. A year
without a row counts Monday to Friday and its due dates are shown as provisional."""

from __future__ import annotations

import datetime
import secrets
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from onsite.core.models import CenterQuerySet, CenterScoped
from onsite.core.transitions import Moves, TransitionRecord
from onsite.inspections.models import Finding, Severity
from onsite.org.models import Zone

if TYPE_CHECKING:
    from django.db.models.fields.related_descriptors import RelatedManager

    from onsite.accounts.models import User


class CalendarYear(models.Model):
    """One year of the national calendar: confirmed once its notice is entered (or the
    package knew it). Shared by every center of a deployment: the calendar is national."""

    class Source(models.TextChoices):
        PACKAGE = "package", _("chinesecalendar package")
        MANUAL = "manual", _("Entered by an admin")

    year = models.PositiveSmallIntegerField(_("year"), unique=True)
    source = models.CharField(_("source"), max_length=8, choices=Source.choices)
    is_confirmed = models.BooleanField(_("confirmed"), default=False)
    note = models.CharField(_("note"), max_length=200, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("calendar year")
        verbose_name_plural = _("calendar years")
        ordering = ["year"]

    def __str__(self) -> str:
        return str(self.year)


# The names `chinesecalendar` gives its days (English), as the calendar page shows them.
PACKAGE_DAY_NAMES = {
    "New Year's Day": _("New Year's Day"),
    "Spring Festival": _("Spring Festival"),
    "Tomb-sweeping Day": _("Tomb-sweeping Day"),
    "Labour Day": _("Labour Day"),
    "Dragon Boat Festival": _("Dragon Boat Festival"),
    "Mid-autumn Festival": _("Mid-autumn Festival"),
    "National Day": _("National Day"),
    "Anti-Fascist 70th Day": _("Anti-Fascist War Victory Day"),
}


class CalendarDay(models.Model):
    """An exception to Monday–Friday: a public holiday on a weekday (`is_working_day` False)
    or a make-up working day at a weekend (调休, `is_working_day` True)."""

    day = models.DateField(_("date"), unique=True)
    is_working_day = models.BooleanField(_("working day"))
    name = models.CharField(_("name"), max_length=50, blank=True)
    source = models.CharField(_("source"), max_length=8, choices=CalendarYear.Source.choices)

    class Meta:
        verbose_name = _("calendar day")
        verbose_name_plural = _("calendar days")
        ordering = ["day"]

    def __str__(self) -> str:
        return f"{self.day} {'work' if self.is_working_day else 'off'}"

    @property
    def label(self) -> str:
        """The name in the reader's language: the package's names are translated, a name an
        admin typed is shown as typed."""
        return str(PACKAGE_DAY_NAMES.get(self.name, self.name))


class RectificationQuerySet(CenterQuerySet["Rectification"]):
    def open(self) -> RectificationQuerySet:
        return self.filter(status=Rectification.Status.OPEN)

    def pending(self) -> RectificationQuerySet:
        """Not closed yet: open or waiting for verification. Named states, not "not
        closed": an IN list reads the (center, status, due_on) index, a NOT reads every row."""
        return self.filter(status__in=[Rectification.Status.OPEN, Rectification.Status.SUBMITTED])

    def overdue(self, on: datetime.date | None = None) -> RectificationQuerySet:
        """Open (never submitted, or returned) and past its due date."""
        day = on or timezone.localdate()
        return self.filter(status=Rectification.Status.OPEN, due_on__lt=day)

    def assigned_to(self, user: User) -> RectificationQuerySet:
        return self.filter(assignee=user)


class Rectification(CenterScoped):
    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        SUBMITTED = "submitted", _("Submitted")
        CLOSED = "closed", _("Verified and closed")

    finding = models.OneToOneField(
        Finding, on_delete=models.CASCADE, related_name="rectification", verbose_name=_("finding")
    )
    zone = models.ForeignKey(
        Zone, on_delete=models.PROTECT, related_name="rectifications", verbose_name=_("zone")
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="rectifications",
        verbose_name=_("assigned to"),
    )
    severity = models.CharField(_("severity"), max_length=8, choices=Severity.choices)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.OPEN
    )
    due_on = models.DateField(_("due"))
    # True while the due date was counted in a year the calendar has not confirmed.
    due_is_provisional = models.BooleanField(_("provisional due date"), default=False)
    note = models.TextField(_("what was done"), blank=True)
    return_reason = models.TextField(_("reason for return"), blank=True)
    times_returned = models.PositiveSmallIntegerField(_("times returned"), default=0)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("verified by"),
    )
    escalated_at = models.DateTimeField(_("escalated at"), null=True, blank=True)
    # The day its assignee was last told it is due on the next working day (once a day).
    reminded_on = models.DateField(_("reminded on"), null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    objects = RectificationQuerySet.as_manager()

    if TYPE_CHECKING:
        transitions: RelatedManager[Transition]
        photos: RelatedManager[RectificationPhoto]

    class Meta:
        verbose_name = _("rectification")
        verbose_name_plural = _("rectifications")
        ordering = ["center", "due_on", "pk"]
        indexes = [
            models.Index(fields=["center", "status", "due_on"]),
            models.Index(
                fields=["center", "assignee", "status", "due_on"], name="rectification_mine_idx"
            ),
            models.Index(fields=["center", "due_on", "id"], name="rectification_due_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["open", "submitted", "closed"]),
                name="rectification_status_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.zone.code} · {self.get_status_display()} · {self.due_on}"

    def is_overdue(self, on: datetime.date | None = None) -> bool:
        day = on or timezone.localdate()
        return self.status == self.Status.OPEN and self.due_on < day

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.OPEN

    @property
    def is_submitted(self) -> bool:
        return self.status == self.Status.SUBMITTED

    @property
    def is_closed(self) -> bool:
        return self.status == self.Status.CLOSED


class Transition(TransitionRecord):
    """The history of a rectification: who did what, from which status to which, and why."""

    STATUS = Rectification.Status

    class Action(models.TextChoices):
        ASSIGNED = "assigned", _("Assigned")
        SUBMITTED = "submitted", _("Submitted")
        RETURNED = "returned", _("Returned")
        VERIFIED = "verified", _("Verified")
        ESCALATED = "escalated", _("Escalated as overdue")
        REASSIGNED = "reassigned", _("Reassigned")

    rectification = models.ForeignKey(
        Rectification, on_delete=models.CASCADE, related_name="transitions"
    )
    action = models.CharField(_("action"), max_length=12, choices=Action.choices)
    # The base's fields as this table has always had them (no migration).
    from_status = models.CharField(max_length=10, blank=True)
    to_status = models.CharField(max_length=10)

    class Meta:
        verbose_name = _("rectification step")
        verbose_name_plural = _("rectification steps")
        ordering = ["rectification", "at", "pk"]

    def __str__(self) -> str:
        return f"{self.rectification_id}: {self.action}"


# The workflow's moves: hand in an open one; return or verify a submitted one. Reassigning
# and escalating keep the status (any but closed).
MOVES = Moves(
    {
        Rectification.Status.OPEN: {Rectification.Status.SUBMITTED},
        Rectification.Status.SUBMITTED: {Rectification.Status.OPEN, Rectification.Status.CLOSED},
    }
)


def photo_path(instance: RectificationPhoto, filename: str) -> str:
    stamp = timezone.now()
    return f"rectification/{instance.center_id}/{stamp:%Y/%m}/{secrets.token_hex(8)}-{filename}"


class RectificationPhoto(CenterScoped):
    """An after-photo. `attempt` numbers the submissions, so a returned rectification keeps
    the photos of each try."""

    rectification = models.ForeignKey(
        Rectification, on_delete=models.CASCADE, related_name="photos"
    )
    attempt = models.PositiveSmallIntegerField(default=1)
    image = models.FileField(_("photo"), upload_to=photo_path)
    thumbnail = models.FileField(upload_to=photo_path)
    width = models.PositiveIntegerField(default=0)
    height = models.PositiveIntegerField(default=0)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("after-photo")
        verbose_name_plural = _("after-photos")
        ordering = ["rectification", "attempt", "uploaded_at", "pk"]

    def __str__(self) -> str:
        return f"photo {self.pk} of rectification {self.rectification_id}"
