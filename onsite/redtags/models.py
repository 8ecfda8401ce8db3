"""The red-tag register (红牌作战) of the sort phase (整理).

Anyone working in a zone tags an item judged unneeded; the tag waits in the holding list
until the programme office decides what happens to it. A tag is `held` → `decided` (with a
disposition) or `withdrawn` (tagged by mistake); every move leaves a `RedTagTransition`."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from onsite.core.models import Center, CenterQuerySet, CenterScoped
from onsite.core.transitions import Moves, TransitionRecord

DEFAULT_HOLDING_DAYS = 30


class RedTagPolicy(CenterScoped):
    """The center's settings for red tags (one row per center; defaults when missing)."""

    holding_days = models.PositiveSmallIntegerField(
        _("holding time (days)"),
        default=DEFAULT_HOLDING_DAYS,
        validators=[MinValueValidator(1), MaxValueValidator(365)],
        help_text=_("How long a tagged item waits in the holding list before it is overdue."),
    )
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("red-tag settings")
        verbose_name_plural = _("red-tag settings")
        constraints = [
            models.UniqueConstraint(fields=["center"], name="red_tag_policy_one_per_center"),
            models.CheckConstraint(
                condition=Q(holding_days__gte=1, holding_days__lte=365),
                name="red_tag_policy_holding_days_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.center}: {self.holding_days}"

    @classmethod
    def for_center(cls, center: Center) -> RedTagPolicy:
        """The saved settings, or the defaults (unsaved) when the center has none yet."""
        return cls.objects.filter(center=center).first() or cls(center=center)


class Phase(models.TextChoices):
    """The programme phase a tag was made in (the four steps of the pilot, then sustain)."""

    SORT = "sort", pgettext_lazy("5S phase", "Sort")
    SET_IN_ORDER = "set_in_order", _("Set in order")
    SHINE = "shine", _("Shine")
    STANDARDIZE = "standardize", _("Standardize")
    SUSTAIN = "sustain", _("Sustain")


class Reason(models.TextChoices):
    NOT_USED = "not_used", _("Not used for a month")
    BROKEN = "broken", _("Broken or expired")
    DUPLICATE = "duplicate", _("Duplicate")
    PERSONAL = "personal", _("Personal item")
    NOT_IN_STANDARD = "not_in_standard", _("Not in the standard")
    EXCESS = "excess", _("More than the fixed quantity")
    OTHER = "other", _("Other")


class Disposition(models.TextChoices):
    DISCARD = "discard", _("Discard")
    RETURN_TO_STORE = "return_to_store", _("Return to the store")
    TRANSFER = "transfer", _("Transfer to another unit")
    KEEP_ELSEWHERE = "keep_elsewhere", _("Keep elsewhere")
    KEEP_FILED = "keep_filed", _("Keep, with a filing")


REMOVING = (
    Disposition.DISCARD,
    Disposition.RETURN_TO_STORE,
    Disposition.TRANSFER,
    Disposition.KEEP_ELSEWHERE,
)
"""Decisions that take the item out of the zone: they free its space."""


class RedTagQuerySet(CenterQuerySet["RedTag"]):
    def held(self) -> RedTagQuerySet:
        return self.filter(status=RedTag.Status.HELD)

    def overdue(self, *, today: date | None = None) -> RedTagQuerySet:
        """Still undecided after the holding time."""
        return self.held().filter(hold_until__lt=today or timezone.localdate())

    def decided(self) -> RedTagQuerySet:
        return self.filter(status=RedTag.Status.DECIDED)

    def incoming(self, unit_id: int | None) -> RedTagQuerySet:
        """Transfers to the unit `unit_id` that it has not confirmed yet (none for no unit)."""
        return self.decided().filter(
            decision=Disposition.TRANSFER,
            transfer_to_id=unit_id or -1,
            transfer_received_at__isnull=True,
        )


class RedTag(CenterScoped):
    class Status(models.TextChoices):
        HELD = "held", _("In the holding list")
        DECIDED = "decided", _("Decided")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    zone = models.ForeignKey(
        "org.Zone", on_delete=models.PROTECT, related_name="red_tags", verbose_name=_("zone")
    )
    # The zone's unit when tagged (or the tagger's, for a shared area): figures are per unit.
    unit = models.ForeignKey(
        "org.Unit",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="red_tags",
        verbose_name=_("unit"),
    )
    phase = models.CharField(_("phase"), max_length=14, choices=Phase.choices, default=Phase.SORT)
    item = models.ForeignKey(
        "standards.Item",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="red_tags",
        verbose_name=_("catalogue item"),
    )
    item_name = models.CharField(_("item"), max_length=100)
    supply = models.ForeignKey(
        "supplies.Supply",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="red_tags",
        verbose_name=_("store supply"),
        help_text=_("If the item is a supply of the store, returning it adds to the stock."),
    )
    quantity = models.PositiveIntegerField(_("quantity"), default=1)
    reason = models.CharField(_("reason"), max_length=16, choices=Reason.choices)
    proposal = models.CharField(
        _("proposed disposition"), max_length=16, choices=Disposition.choices
    )
    note = models.CharField(_("note"), max_length=300, blank=True)
    footprint = models.DecimalField(
        _("space taken (m²)"),
        max_digits=6,
        decimal_places=2,
        default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0"))],
        help_text=_("Desk, shelf or floor space the item takes; freed when it leaves the zone."),
    )
    photo = models.ImageField(_("photo"), upload_to="redtags/%Y/%m/", blank=True)
    thumbnail = models.ImageField(upload_to="redtags/%Y/%m/", blank=True)
    tagged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="red_tags",
        verbose_name=_("tagged by"),
    )
    tagged_at = models.DateTimeField(_("tagged at"), default=timezone.now, db_index=True)
    # Fixed when tagged (the date printed on the tag), so a later change of the center's
    # holding time does not move the date on tags already hanging.
    hold_until = models.DateField(_("hold until"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.HELD
    )
    decision = models.CharField(
        _("decision"), max_length=16, choices=Disposition.choices, blank=True
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_note = models.CharField(_("decision note"), max_length=300, blank=True)
    # 调剂: the unit of the same center a "transfer" sends the item to; its people confirm
    # receipt (or refuse it, which puts the tag back in the holding list).
    transfer_to = models.ForeignKey(
        "org.Unit",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="incoming_transfers",
        verbose_name=_("receiving unit"),
    )
    transfer_received_at = models.DateTimeField(_("received at"), null=True, blank=True)
    transfer_received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("received by"),
    )
    store_return = models.OneToOneField(
        "supplies.SupplyReturn",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="red_tag",
        verbose_name=_("return to the store"),
    )
    version = models.PositiveIntegerField(default=1)

    objects = RedTagQuerySet.as_manager()

    class Meta:
        verbose_name = _("red tag")
        verbose_name_plural = _("red tags")
        ordering = ["-tagged_at", "-pk"]
        indexes = [
            models.Index(fields=["center", "status", "hold_until"], name="red_tag_holding"),
            models.Index(fields=["unit", "status"], name="red_tag_unit_status"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gte=1), name="red_tag_quantity_positive"),
            models.CheckConstraint(
                condition=Q(footprint__gte=0), name="red_tag_footprint_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(status="decided", decided_at__isnull=False) & ~Q(decision="")
                | (~Q(status="decided") & Q(decision="")),
                name="red_tag_decision_iff_decided",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.item_name}"

    @property
    def number(self) -> str:
        """The number printed on the tag."""
        return f"RT-{self.pk:05d}" if self.pk else "RT-"

    def is_overdue(self, today: date | None = None) -> bool:
        return self.status == self.Status.HELD and self.hold_until < (today or timezone.localdate())

    @property
    def days_left(self) -> int:
        return (self.hold_until - timezone.localdate()).days

    @property
    def awaits_receipt(self) -> bool:
        """A transfer decided and not yet confirmed by the receiving unit."""
        return (
            self.status == self.Status.DECIDED
            and self.decision == Disposition.TRANSFER
            and self.transfer_to_id is not None
            and self.transfer_received_at is None
        )

    @property
    def frees_space(self) -> bool:
        return self.status == self.Status.DECIDED and self.decision in REMOVING

    @staticmethod
    def hold_until_for(tagged_on: date, holding_days: int) -> date:
        return tagged_on + timedelta(days=holding_days)


MOVES = Moves(
    {
        RedTag.Status.HELD: (RedTag.Status.DECIDED, RedTag.Status.WITHDRAWN),
        RedTag.Status.DECIDED: (RedTag.Status.HELD,),
    }
)
"""A tag waits in the holding list until it is decided or withdrawn; then it stays, except a
transfer the receiving unit refuses, which goes back to the holding list to be decided again."""


class RedTagTransition(TransitionRecord):
    """History of a tag: who moved it from which status to which, with what decision.
    The fields keep their first definitions (choices, a protected `by`, a short note)."""

    STATUS = RedTag.Status

    tag = models.ForeignKey(RedTag, on_delete=models.CASCADE, related_name="transitions")
    from_status = models.CharField(max_length=10, choices=RedTag.Status.choices, blank=True)
    to_status = models.CharField(max_length=10, choices=RedTag.Status.choices)
    decision = models.CharField(max_length=16, choices=Disposition.choices, blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    note = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["at", "pk"]
