"""Supplies circulation (物资领用流转): the catalogue, the center store's stock with its fixed
minimum and maximum (定量), requisitions by units, returns and stock counts.

The store's stock is one number per supply (`Supply.on_hand`). It changes only through
`services`, always with a conditional UPDATE, and every change leaves a `Movement` row: the
ledger from which consumption per unit is read."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from onsite.core.models import CenterQuerySet, CenterScoped
from onsite.core.transitions import Moves, TransitionRecord


class Supply(CenterScoped):
    """A catalogued consumable kept in the center store (paper, toner, pens, ink pads ...)."""

    class Category(models.TextChoices):
        PAPER = "paper", _("Paper")
        TONER = "toner", _("Toner and ink")
        STATIONERY = "stationery", _("Stationery")
        INK_PAD = "ink_pad", _("Ink pads and seals")
        FORM = "form", _("Printed forms")
        BROCHURE = "brochure", _("Brochures")
        CLEANING = "cleaning", _("Cleaning supplies")
        OTHER = "other", _("Other")

    code = models.SlugField(_("code"), max_length=32)
    name = models.CharField(_("name"), max_length=100)
    category = models.CharField(
        _("category"), max_length=12, choices=Category.choices, default=Category.OTHER
    )
    measure = models.CharField(_("unit of measure"), max_length=10)
    unit_price = models.DecimalField(
        _("unit price (yuan)"), max_digits=9, decimal_places=2, default=Decimal("0")
    )
    on_hand = models.PositiveIntegerField(_("in store"), default=0)
    min_level = models.PositiveIntegerField(_("minimum level"), default=0)
    max_level = models.PositiveIntegerField(_("maximum level"), default=0)
    is_active = models.BooleanField(_("active"), default=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("supply")
        verbose_name_plural = _("supplies")
        ordering = ["center", "category", "code"]
        constraints = [
            models.UniqueConstraint(fields=["center", "code"], name="supply_code_unique"),
            models.CheckConstraint(condition=Q(on_hand__gte=0), name="supply_stock_not_negative"),
            models.CheckConstraint(
                condition=Q(max_level=0) | Q(min_level__lte=models.F("max_level")),
                name="supply_min_not_above_max",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_low(self) -> bool:
        return self.on_hand < self.min_level

    @property
    def reorder_quantity(self) -> int:
        """What brings the store back to its maximum (0 when no maximum is set)."""
        return max(self.max_level - self.on_hand, 0) if self.max_level else 0


class MovementQuerySet(CenterQuerySet["Movement"]):
    def consumption(self) -> MovementQuerySet:
        """Issues to units and returns from units: their sum (negated) is what units used."""
        return self.filter(kind__in=[Movement.Kind.ISSUE, Movement.Kind.RETURN], unit__isnull=False)


class Movement(CenterScoped):
    """One change of the store's stock: the ledger. `quantity` is signed (an issue is
    negative) and `balance` is the stock right after it."""

    class Kind(models.TextChoices):
        RECEIPT = "receipt", _("Receipt")
        ISSUE = "issue", _("Issue")
        RETURN = "return", _("Return")
        COUNT = "count", _("Count adjustment")

    supply = models.ForeignKey(
        Supply, on_delete=models.PROTECT, related_name="movements", verbose_name=_("supply")
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    quantity = models.IntegerField(_("quantity"))
    balance = models.PositiveIntegerField(_("balance"))
    # Price when it moved, so consumption in yuan does not change when the price does.
    unit_price = models.DecimalField(_("unit price"), max_digits=9, decimal_places=2)
    unit = models.ForeignKey(
        "org.Unit",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="supply_movements",
        verbose_name=_("unit"),
    )
    line = models.ForeignKey(
        "RequisitionLine",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="movements",
    )
    supply_return = models.OneToOneField(
        "SupplyReturn", on_delete=models.PROTECT, null=True, blank=True, related_name="movement"
    )
    count_line = models.OneToOneField(
        "StockCountLine", on_delete=models.PROTECT, null=True, blank=True, related_name="movement"
    )
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="supply_movements",
        verbose_name=_("by"),
    )
    at = models.DateTimeField(_("at"), default=timezone.now, db_index=True)
    note = models.CharField(_("note"), max_length=200, blank=True)

    objects = MovementQuerySet.as_manager()

    class Meta:
        verbose_name = _("stock movement")
        verbose_name_plural = _("stock movements")
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["center", "kind", "at"], name="movement_center_kind_at")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.supply} {self.quantity:+d}"


class RequisitionQuerySet(CenterQuerySet["Requisition"]):
    def open(self) -> RequisitionQuerySet:
        return self.filter(status__in=Requisition.OPEN_STATUSES)


class Requisition(CenterScoped):
    """A unit asks the store for supplies: request → approve → issue (in parts if need be)."""

    class Status(models.TextChoices):
        # A context keeps these words apart from other apps' (a filing's "approved" ...).
        SUBMITTED = "submitted", pgettext_lazy("requisition", "Submitted")
        APPROVED = "approved", pgettext_lazy("requisition", "Approved")
        PARTLY_ISSUED = "partly_issued", pgettext_lazy("requisition", "Partly issued")
        ISSUED = "issued", pgettext_lazy("requisition", "Issued")
        CLOSED = "closed", pgettext_lazy("requisition", "Closed")
        REJECTED = "rejected", pgettext_lazy("requisition", "Rejected")
        CANCELLED = "cancelled", pgettext_lazy("requisition", "Cancelled")

    OPEN_STATUSES = (Status.SUBMITTED, Status.APPROVED, Status.PARTLY_ISSUED)

    unit = models.ForeignKey(
        "org.Unit", on_delete=models.PROTECT, related_name="requisitions", verbose_name=_("unit")
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="requisitions",
        verbose_name=_("requested by"),
    )
    requested_at = models.DateTimeField(_("requested at"), default=timezone.now, db_index=True)
    purpose = models.CharField(_("purpose"), max_length=200, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.SUBMITTED
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
    decision_note = models.CharField(_("decision note"), max_length=200, blank=True)
    version = models.PositiveIntegerField(default=1)

    objects = RequisitionQuerySet.as_manager()

    class Meta:
        verbose_name = _("requisition")
        verbose_name_plural = _("requisitions")
        ordering = ["-requested_at", "-pk"]

    def __str__(self) -> str:
        return f"#{self.pk} {self.unit}"

    @property
    def can_approve(self) -> bool:
        return MOVES.allows(self.status, self.Status.APPROVED)

    @property
    def can_issue(self) -> bool:
        return MOVES.allows(self.status, self.Status.ISSUED)

    @property
    def can_cancel(self) -> bool:
        return MOVES.allows(self.status, self.Status.CANCELLED)

    @property
    def can_close(self) -> bool:
        return MOVES.allows(self.status, self.Status.CLOSED)


_S = Requisition.Status
MOVES = Moves(
    {
        _S.SUBMITTED: (_S.APPROVED, _S.REJECTED, _S.CANCELLED),
        _S.APPROVED: (_S.PARTLY_ISSUED, _S.ISSUED, _S.CANCELLED),
        _S.PARTLY_ISSUED: (_S.PARTLY_ISSUED, _S.ISSUED, _S.CLOSED),
    }
)
"""A requisition's allowed moves: approve or reject, issue (in parts), cancel, close."""


class RequisitionLine(models.Model):
    requisition = models.ForeignKey(Requisition, on_delete=models.CASCADE, related_name="lines")
    supply = models.ForeignKey(
        Supply, on_delete=models.PROTECT, related_name="requisition_lines", verbose_name=_("supply")
    )
    requested = models.PositiveIntegerField(_("requested"))
    approved = models.PositiveIntegerField(_("approved"), null=True, blank=True)
    issued = models.PositiveIntegerField(_("issued"), default=0)

    class Meta:
        verbose_name = _("requisition line")
        verbose_name_plural = _("requisition lines")
        ordering = ["requisition", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["requisition", "supply"], name="requisition_line_supply_unique"
            ),
            models.CheckConstraint(condition=Q(requested__gte=1), name="requisition_line_positive"),
            models.CheckConstraint(
                condition=Q(approved__isnull=True, issued=0)
                | Q(approved__isnull=False, issued__lte=models.F("approved")),
                name="requisition_line_issued_within_approved",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.supply} × {self.requested}"

    @property
    def outstanding(self) -> int:
        return max((self.approved or 0) - self.issued, 0)


class RequisitionTransition(TransitionRecord):
    """The history of a requisition: who moved it from which status to which, and why.
    The fields keep their first definitions (choices, a protected `by`, a short note)."""

    STATUS = Requisition.Status

    requisition = models.ForeignKey(
        Requisition, on_delete=models.CASCADE, related_name="transitions"
    )
    from_status = models.CharField(max_length=16, choices=Requisition.Status.choices, blank=True)
    to_status = models.CharField(max_length=16, choices=Requisition.Status.choices)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    note = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["at", "pk"]


class SupplyReturn(CenterScoped):
    """Supplies brought back to the store: unused stock, or a red-tagged item whose decision
    was "return to the store". Adds to the stock and counts against the unit's consumption."""

    class Source(models.TextChoices):
        UNUSED = "unused", _("Unused supplies")
        RED_TAG = "red_tag", _("Red-tagged item")

    supply = models.ForeignKey(
        Supply, on_delete=models.PROTECT, related_name="returns", verbose_name=_("supply")
    )
    unit = models.ForeignKey(
        "org.Unit",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="supply_returns",
        verbose_name=_("unit"),
    )
    quantity = models.PositiveIntegerField(_("quantity"))
    source = models.CharField(
        _("source"), max_length=10, choices=Source.choices, default=Source.UNUSED
    )
    note = models.CharField(_("note"), max_length=200, blank=True)
    returned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="supply_returns",
        verbose_name=_("recorded by"),
    )
    returned_at = models.DateTimeField(_("returned at"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("return")
        verbose_name_plural = _("returns")
        ordering = ["-returned_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gte=1), name="supply_return_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.supply} × {self.quantity}"


class StockCount(CenterScoped):
    """A physical count of the store (盘点). Every difference from the books is explained."""

    counted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="stock_counts",
        verbose_name=_("counted by"),
    )
    counted_at = models.DateTimeField(_("counted at"), default=timezone.now)
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("stock count")
        verbose_name_plural = _("stock counts")
        ordering = ["-counted_at", "-pk"]

    def __str__(self) -> str:
        return f"#{self.pk}"


class StockCountLine(models.Model):
    count = models.ForeignKey(StockCount, on_delete=models.CASCADE, related_name="lines")
    supply = models.ForeignKey(
        Supply, on_delete=models.PROTECT, related_name="count_lines", verbose_name=_("supply")
    )
    expected = models.PositiveIntegerField(_("on the books"))
    counted = models.PositiveIntegerField(_("counted"))
    explanation = models.CharField(_("explanation"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("count line")
        verbose_name_plural = _("count lines")
        ordering = ["count", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["count", "supply"], name="count_line_supply_unique"),
            models.CheckConstraint(
                condition=Q(counted=models.F("expected")) | ~Q(explanation=""),
                name="count_difference_explained",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.supply}: {self.expected} → {self.counted}"

    @property
    def difference(self) -> int:
        return self.counted - self.expected
