"""Equipment of the zones (GB/T 36112-2018 设施设备): what stands in a zone (评价器, 高拍仪,
printer …) with its asset number, and its faults.

A `FaultReport` is opened by anyone of the zone's unit (or by a failed "equipment works"
check of an inspection), logged by the office while it is repaired (`RepairEntry`: who, when,
what) and closed once repaired. Every move writes a `FaultTransition` (the history). At most
one fault of a piece of equipment is open at a time: a second report joins the first. Writes
go through `onsite.equipment.actions`."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from onsite.core.models import CenterQuerySet, CenterScoped
from onsite.core.transitions import Moves, TransitionRecord
from onsite.org.models import Zone

if TYPE_CHECKING:
    from django.db.models.fields.related_descriptors import RelatedManager


class EquipmentQuerySet(CenterQuerySet["Equipment"]):
    def active(self) -> EquipmentQuerySet:
        return self.filter(is_active=True)


class Equipment(CenterScoped):
    class Kind(models.TextChoices):
        RATING_DEVICE = "rating_device", _("Rating device")
        DOC_CAMERA = "doc_camera", _("Document camera")
        PRINTER = "printer", _("Printer")
        PC = "pc", _("Computer")
        QUEUE_DISPLAY = "queue_display", _("Queue display")
        OTHER = "other", _("Other")

    zone = models.ForeignKey(
        Zone, on_delete=models.PROTECT, related_name="equipment", verbose_name=_("zone")
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=60, blank=True)
    asset_number = models.CharField(_("asset number"), max_length=40, blank=True)
    is_active = models.BooleanField(_("in use"), default=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    version = models.PositiveIntegerField(default=1)

    objects = EquipmentQuerySet.as_manager()

    if TYPE_CHECKING:
        faults: RelatedManager[FaultReport]

    class Meta:
        verbose_name = _("equipment")
        verbose_name_plural = _("equipment")
        ordering = ["center", "zone__code", "kind", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["center", "asset_number"],
                condition=~Q(asset_number=""),
                name="equipment_asset_number_unique",
            ),
            models.CheckConstraint(
                condition=Q(
                    kind__in=[
                        "rating_device",
                        "doc_camera",
                        "printer",
                        "pc",
                        "queue_display",
                        "other",
                    ]
                ),
                name="equipment_kind_valid",
            ),
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        """What a person reads: the kind, its own name and the asset number."""
        parts = [str(self.get_kind_display())]
        if self.name:
            parts.append(self.name)
        if self.asset_number:
            parts.append(self.asset_number)
        return " · ".join(parts)


class FaultQuerySet(CenterQuerySet["FaultReport"]):
    def still_open(self) -> FaultQuerySet:
        return self.exclude(status=FaultReport.Status.CLOSED)


class FaultReport(CenterScoped):
    class Status(models.TextChoices):
        OPEN = "open", _("Reported")
        REPAIRING = "repairing", _("Being repaired")
        CLOSED = "closed", _("Repaired and closed")

    MOVES = Moves(
        {
            Status.OPEN: {Status.REPAIRING, Status.CLOSED},
            Status.REPAIRING: {Status.CLOSED},
        }
    )

    equipment = models.ForeignKey(
        Equipment, on_delete=models.PROTECT, related_name="faults", verbose_name=_("equipment")
    )
    zone = models.ForeignKey(
        Zone, on_delete=models.PROTECT, related_name="equipment_faults", verbose_name=_("zone")
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.OPEN
    )
    description = models.TextField(_("what is wrong"))
    photo = models.ImageField(_("photo"), upload_to="equipment/%Y/%m/", blank=True)
    thumbnail = models.ImageField(upload_to="equipment/%Y/%m/", blank=True)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="equipment_faults",
        verbose_name=_("reported by"),
    )
    reported_at = models.DateTimeField(_("reported at"), default=timezone.now)
    # Opened by a failed "equipment works" check: the inspection's id (inspections sit above
    # this app, so a plain number, shown as a link).
    inspection_id = models.PositiveIntegerField(_("inspection"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("closed by"),
    )
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    objects = FaultQuerySet.as_manager()

    if TYPE_CHECKING:
        entries: RelatedManager[RepairEntry]
        transitions: RelatedManager[FaultTransition]

    class Meta:
        verbose_name = _("fault report")
        verbose_name_plural = _("fault reports")
        ordering = ["center", "-reported_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["equipment"],
                condition=~Q(status="closed"),
                name="equipment_one_open_fault",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["open", "repairing", "closed"]),
                name="equipment_fault_status_valid",
            ),
        ]
        indexes = [models.Index(fields=["center", "status", "-reported_at"])]

    def __str__(self) -> str:
        return f"{self.equipment} · {self.get_status_display()}"

    @property
    def is_closed(self) -> bool:
        return self.status == self.Status.CLOSED


class RepairEntry(models.Model):
    """One line of the repair log: who did what, when."""

    fault = models.ForeignKey(
        FaultReport, on_delete=models.CASCADE, related_name="entries", verbose_name=_("fault")
    )
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("by")
    )
    at = models.DateTimeField(_("when"), default=timezone.now)
    what = models.TextField(pgettext_lazy("equipment repair", "what was done"))

    class Meta:
        verbose_name = _("repair log entry")
        verbose_name_plural = _("repair log entries")
        ordering = ["fault", "at", "pk"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d} {self.what[:40]}"


class FaultTransition(TransitionRecord):
    STATUS = FaultReport.Status

    fault = models.ForeignKey(FaultReport, on_delete=models.CASCADE, related_name="transitions")

    class Meta:
        ordering = ["fault", "at", "pk"]
