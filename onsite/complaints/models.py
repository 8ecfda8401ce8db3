"""差评 cases: every citizen rating of 1 (非常不满意) or 2 (不满意) of a window opens a case
(GB/T 39735 好差评). The case carries a copy of the rating's identity (`rating_id` is the
dashboards' CitizenRating pk, copied, not a foreign key: this app sits below dashboards) and
goes open → verified (核实) → review (the outcome: fixed, explained or appealed) → revisit
(approved; 回访 the citizen) → closed, or back from review to verified when the office returns
it. Every move writes a `Transition` row. Overdue is computed (not closed, past `due_on`);
escalation is recorded once (`escalated_at`)."""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from onsite.core.models import Center, CenterQuerySet, CenterScoped
from onsite.core.transitions import Moves, TransitionRecord
from onsite.org.models import Unit

if TYPE_CHECKING:
    from django.db.models.fields.related_descriptors import RelatedManager

# Ratings at or below this open a case (1 非常不满意, 2 不满意).
BAD_UP_TO = 2
DEFAULT_DUE_DAYS = 5


class ComplaintSettings(CenterScoped):
    """A center's rules for 差评 cases: how many working days a case has to be closed."""

    due_days = models.PositiveSmallIntegerField(
        _("working days to close a case"),
        default=DEFAULT_DUE_DAYS,
        validators=[MinValueValidator(1), MaxValueValidator(60)],
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("complaint settings")
        verbose_name_plural = _("complaint settings")
        constraints = [
            models.UniqueConstraint(fields=["center"], name="complaint_settings_one_per_center"),
        ]

    def __str__(self) -> str:
        return f"{self.center_id}: {self.due_days}"

    @classmethod
    def for_center(cls, center: Center) -> ComplaintSettings:
        row, _created = cls.objects.get_or_create(center=center)
        return row


class ComplaintQuerySet(CenterQuerySet["Complaint"]):
    def pending(self) -> ComplaintQuerySet:
        return self.exclude(status=Complaint.Status.CLOSED)

    def overdue(self, on: datetime.date | None = None) -> ComplaintQuerySet:
        day = on or timezone.localdate()
        return self.filter(status__in=Complaint.PENDING_STATUSES, due_on__lt=day)


class Complaint(CenterScoped):
    class Status(models.TextChoices):
        OPEN = "open", pgettext_lazy("complaint status", "To verify")
        VERIFIED = "verified", pgettext_lazy("complaint status", "Verified")
        REVIEW = "review", pgettext_lazy("complaint status", "Under review")
        REVISIT = "revisit", pgettext_lazy("complaint status", "Follow-up call")
        CLOSED = "closed", pgettext_lazy("complaint status", "Closed")

    class Outcome(models.TextChoices):
        FIX = "fix", pgettext_lazy("complaint outcome", "Fixed")
        EXPLAIN = "explain", pgettext_lazy("complaint outcome", "Explained")
        APPEAL = "appeal", pgettext_lazy("complaint outcome", "Appealed")

    class Satisfied(models.TextChoices):
        YES = "yes", pgettext_lazy("citizen satisfied", "Satisfied")
        NO = "no", pgettext_lazy("citizen satisfied", "Not satisfied")
        UNREACHED = "unreached", pgettext_lazy("citizen satisfied", "Not reached")

    PENDING_STATUSES = (Status.OPEN, Status.VERIFIED, Status.REVIEW, Status.REVISIT)

    # The rating's identity, copied (dashboards' CitizenRating pk and what it said).
    rating_id = models.PositiveBigIntegerField(_("rating"))
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="complaints", verbose_name=_("window")
    )
    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="complaints",
        verbose_name=_("staff member rated"),
    )
    rated_at = models.DateTimeField(_("rated at"))
    level = models.PositiveSmallIntegerField(
        _("rating"), validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    case_number = models.CharField(_("case number"), max_length=64, blank=True)
    item_code = models.CharField(_("service item code"), max_length=64, blank=True)
    item_name = models.CharField(_("service item"), max_length=200, blank=True)
    reason = models.CharField(_("reason for the bad rating"), max_length=200, blank=True)
    comment = models.TextField(_("citizen's comment"), blank=True)

    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.OPEN
    )
    findings = models.TextField(_("verification findings"), blank=True)
    verified_at = models.DateTimeField(_("verified at"), null=True, blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+", verbose_name=_("verified by"),
    )  # fmt: skip
    outcome = models.CharField(_("outcome"), max_length=8, choices=Outcome.choices, blank=True)
    action = models.TextField(_("what was done"), blank=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    review_note = models.TextField(_("review note"), blank=True)
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+", verbose_name=_("reviewed by"),
    )  # fmt: skip
    times_returned = models.PositiveSmallIntegerField(_("times returned"), default=0)
    revisited_at = models.DateTimeField(_("follow-up call at"), null=True, blank=True)
    revisited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+", verbose_name=_("follow-up call by"),
    )  # fmt: skip
    citizen_satisfied = models.CharField(
        _("citizen satisfied"), max_length=10, choices=Satisfied.choices, blank=True
    )
    revisit_note = models.TextField(_("follow-up call note"), blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    due_on = models.DateField(_("due"))
    due_is_provisional = models.BooleanField(_("provisional due date"), default=False)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    escalated_at = models.DateTimeField(_("escalated at"), null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    objects = ComplaintQuerySet.as_manager()

    if TYPE_CHECKING:
        transitions: RelatedManager[Transition]

    class Meta:
        verbose_name = _("complaint case")
        verbose_name_plural = _("complaint cases")
        ordering = ["center", "due_on", "pk"]
        indexes = [
            models.Index(fields=["center", "status", "due_on"], name="complaint_status_idx"),
            models.Index(fields=["center", "unit", "status"], name="complaint_unit_idx"),
            models.Index(fields=["center", "created_at"], name="complaint_created_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["center", "rating_id"], name="complaint_one_per_rating"
            ),
            models.CheckConstraint(
                condition=Q(status__in=["open", "verified", "review", "revisit", "closed"]),
                name="complaint_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(level__gte=1, level__lte=5), name="complaint_level_1_to_5"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.unit} · {self.get_status_display()} · {self.due_on}"

    def is_overdue(self, on: datetime.date | None = None) -> bool:
        day = on or timezone.localdate()
        return self.status != self.Status.CLOSED and self.due_on < day

    @property
    def is_closed(self) -> bool:
        return self.status == self.Status.CLOSED

    @property
    def was_revisited(self) -> bool:
        """A 回访 that reached the citizen (an unreached call is recorded but does not count)."""
        return self.revisited_at is not None and self.citizen_satisfied in (
            self.Satisfied.YES,
            self.Satisfied.NO,
        )


class Transition(TransitionRecord):
    """The history of a case: who did what, from which status to which, and why."""

    STATUS = Complaint.Status

    class Action(models.TextChoices):
        OPENED = "opened", pgettext_lazy("complaint step", "Opened")
        VERIFIED = "verified", pgettext_lazy("complaint step", "Verified")
        SUBMITTED = "submitted", pgettext_lazy("complaint step", "Outcome submitted")
        APPROVED = "approved", pgettext_lazy("complaint step", "Approved")
        RETURNED = "returned", pgettext_lazy("complaint step", "Returned")
        REVISITED = "revisited", pgettext_lazy("complaint step", "Follow-up call recorded")
        CLOSED = "closed", pgettext_lazy("complaint step", "Closed")
        ESCALATED = "escalated", pgettext_lazy("complaint step", "Escalated as overdue")

    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="transitions")
    action = models.CharField(_("action"), max_length=12, choices=Action.choices)

    class Meta:
        verbose_name = _("complaint step")
        verbose_name_plural = _("complaint steps")
        ordering = ["complaint", "at", "pk"]

    def __str__(self) -> str:
        return f"{self.complaint_id}: {self.action}"


MOVES = Moves(
    {
        Complaint.Status.OPEN: {Complaint.Status.VERIFIED},
        Complaint.Status.VERIFIED: {Complaint.Status.REVIEW},
        Complaint.Status.REVIEW: {Complaint.Status.REVISIT, Complaint.Status.VERIFIED},
        Complaint.Status.REVISIT: {Complaint.Status.CLOSED},
    }
)
