"""Execution standards (执行标准) as data.

One `Standard` per area type; its `StandardVersion`s go draft → published → retired, and the
database allows exactly one published version per standard (hence per area type). A version
holds `Clause`s (by pillar) and `ItemRule`s (三易三定: which item, how many, where, in what,
how far from the edge, how marked). Items come from a per-center catalogue (`Item`, with
aliases). A zone may keep an item its standard does not allow through an approved
`ItemFiling` (报备) until its end date. Read them through `onsite.standards.queries`.

Layout coordinates are millimetres from the top-left corner of the area's plan; the bottom
edge of the plan is the front edge (the side facing the public at a counter)."""

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

from onsite.core.models import CenterQuerySet, CenterScoped
from onsite.core.transitions import Moves, TransitionRecord
from onsite.org.models import AreaType, Zone
from onsite.vision.labels import KIND_CHOICES

if TYPE_CHECKING:
    from django.db.models.fields.related_descriptors import RelatedManager

# The source document is cut off just before the figure ("最外沿离外边缘至……"): this is our
# default, stored on every version so each center can set its own.
DEFAULT_EDGE_DISTANCE_MM = 50

VISION_KINDS = list(KIND_CHOICES)
"""The photo check's kinds (value, label) for forms and services of this app, which may not
import the vision app themselves."""


class Pillar(models.TextChoices):
    """The five S plus the two practices the source document adds (目视化管理, 安全)."""

    SORT = "sort", pgettext_lazy("5S phase", "Sort")
    SET_IN_ORDER = "set_in_order", _("Set in order")
    SHINE = "shine", _("Shine")
    STANDARDIZE = "standardize", _("Standardize")
    SUSTAIN = "sustain", _("Sustain")
    VISUAL = "visual", _("Visual management")
    SAFETY = "safety", _("Safety")


class Standard(CenterScoped):
    """The execution standard of one area type. Its content lives in versions."""

    area_type = models.OneToOneField(
        AreaType, on_delete=models.PROTECT, related_name="standard", verbose_name=_("area type")
    )
    title = models.CharField(_("title"), max_length=100)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    if TYPE_CHECKING:
        versions: RelatedManager[StandardVersion]

    class Meta:
        verbose_name = _("execution standard")
        verbose_name_plural = _("execution standards")
        ordering = ["center", "area_type__position", "area_type__code"]

    def __str__(self) -> str:
        return self.title


class VersionQuerySet(CenterQuerySet["StandardVersion"]):
    def published(self) -> VersionQuerySet:
        return self.filter(status=StandardVersion.Status.PUBLISHED)

    def drafts(self) -> VersionQuerySet:
        return self.filter(status=StandardVersion.Status.DRAFT)


class StandardVersion(CenterScoped):
    """One edition of a standard. Only drafts are edited; publishing retires the previous
    published version. Inspections keep a reference to the version they used."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")
        RETIRED = "retired", _("Retired")

    standard = models.ForeignKey(
        Standard, on_delete=models.CASCADE, related_name="versions", verbose_name=_("standard")
    )
    number = models.PositiveIntegerField(_("version number"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    based_on = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="revisions",
        verbose_name=_("based on"),
    )
    note = models.TextField(_("what changed and why"), blank=True)
    source_url = models.CharField(_("source"), max_length=300, blank=True)
    # The plan this version draws (copied from the area type when the draft opens, so an old
    # version keeps the size it was written for).
    width_mm = models.PositiveIntegerField(
        _("width (mm)"), default=1600, validators=[MinValueValidator(100)]
    )
    depth_mm = models.PositiveIntegerField(
        _("depth (mm)"), default=700, validators=[MinValueValidator(100)]
    )
    default_edge_distance_mm = models.PositiveIntegerField(
        _("default minimum edge distance (mm)"),
        default=DEFAULT_EDGE_DISTANCE_MM,
        validators=[MaxValueValidator(1000)],
        help_text=_(
            "Distance from an item's outer edge to the edge of the area, used where an item "
            "rule does not set its own. Configurable per center."
        ),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("published by"),
    )
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    retired_at = models.DateTimeField(_("retired at"), null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    objects = VersionQuerySet.as_manager()

    if TYPE_CHECKING:
        clauses: RelatedManager[Clause]
        item_rules: RelatedManager[ItemRule]

    class Meta:
        verbose_name = _("standard version")
        verbose_name_plural = _("standard versions")
        ordering = ["standard", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["standard", "number"], name="version_number_unique"),
            # Exactly one published version per standard, i.e. per area type.
            models.UniqueConstraint(
                fields=["standard"],
                condition=Q(status="published"),
                name="one_published_version_per_standard",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.standard} v{self.number}"

    @property
    def is_draft(self) -> bool:
        return self.status == self.Status.DRAFT

    @property
    def is_published(self) -> bool:
        return self.status == self.Status.PUBLISHED


class Clause(CenterScoped):
    """One requirement of a version: what to check, how, and what it weighs. `subject` says
    what it checks: the zone itself (the default), a person on post (GB/T 36112-2018 staff
    requirements: badge, dress, on post, absence cover), whose failure is tied to the staff
    member it concerns, or whether a piece of the zone's equipment works."""

    class Subject(models.TextChoices):
        ZONE = "zone", _("The zone")
        PERSON = "person", _("A person on post")
        EQUIPMENT = "equipment", _("Equipment works")

    standard_version = models.ForeignKey(
        StandardVersion,
        on_delete=models.CASCADE,
        related_name="clauses",
        verbose_name=_("standard version"),
    )
    # Stable across versions (copied into each new draft) so versions can be compared.
    code = models.CharField(_("code"), max_length=20)
    pillar = models.CharField(_("pillar"), max_length=16, choices=Pillar.choices)
    position = models.PositiveSmallIntegerField(_("order"), default=0)
    text = models.TextField(_("requirement"))
    check_method = models.TextField(_("how to check"), blank=True)
    weight = models.PositiveSmallIntegerField(
        _("weight"), default=1, validators=[MinValueValidator(1), MaxValueValidator(100)]
    )
    max_points = models.PositiveSmallIntegerField(
        _("maximum points"), default=10, validators=[MinValueValidator(1), MaxValueValidator(100)]
    )
    photo_required = models.BooleanField(_("photo required"), default=False)
    subject = models.CharField(
        _("what it checks"), max_length=10, choices=Subject.choices, default=Subject.ZONE
    )
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("clause")
        verbose_name_plural = _("clauses")
        ordering = ["standard_version", "position", "code"]
        constraints = [
            models.UniqueConstraint(fields=["standard_version", "code"], name="clause_code_unique"),
            models.CheckConstraint(
                condition=Q(subject__in=["zone", "person", "equipment"]),
                name="clause_subject_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.text[:40]}"


class Item(CenterScoped):
    """An entry of the center's item catalogue (水杯, 显示器 ...). Aliases help people and the
    photo check find the same item under another name."""

    code = models.SlugField(_("code"), max_length=32)
    name = models.CharField(_("name"), max_length=50)
    aliases = models.JSONField(_("aliases"), default=list, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    # What the photo check's detector calls it; blank: the detector does not know this item.
    vision_kind = models.CharField(
        _("photo check kind"),
        max_length=20,
        choices=KIND_CHOICES,
        blank=True,
        help_text=_(
            "The kind of item the photo check recognises as this one; empty if it does not "
            "recognise it (then only the comparison with the reference photo checks it)."
        ),
    )

    class Meta:
        verbose_name = _("item")
        verbose_name_plural = _("items")
        ordering = ["center", "name"]
        constraints = [
            models.UniqueConstraint(fields=["center", "code"], name="item_code_unique"),
            models.UniqueConstraint(fields=["center", "name"], name="item_name_unique"),
        ]

    def __str__(self) -> str:
        return self.name

    def is_called(self, name: str) -> bool:
        wanted = name.strip().casefold()
        return wanted in {self.name.casefold(), *(str(a).casefold() for a in self.aliases)}


class ItemRule(CenterScoped):
    """三易三定 for one item in one version. Items without a rule are not allowed unless filed."""

    class Kind(models.TextChoices):
        ALLOWED = "allowed", _("Allowed")
        REQUIRED = "required", _("Required")
        BANNED = "banned", _("Banned")

    class Marking(models.TextChoices):
        NONE = "none", _("None")
        SHADOW = "shadow", _("Shadow outline")
        COLOUR = "colour", _("Colour")

    standard_version = models.ForeignKey(
        StandardVersion,
        on_delete=models.CASCADE,
        related_name="item_rules",
        verbose_name=_("standard version"),
    )
    item = models.ForeignKey(
        Item, on_delete=models.PROTECT, related_name="rules", verbose_name=_("item")
    )
    kind = models.CharField(_("rule"), max_length=10, choices=Kind.choices, default=Kind.ALLOWED)
    max_quantity = models.PositiveSmallIntegerField(
        _("maximum quantity"), null=True, blank=True, help_text=_("Empty: no limit.")
    )
    # 定位: the item's slot on the plan, in mm from the plan's top-left corner.
    slot_x_mm = models.PositiveIntegerField(_("slot x (mm)"), null=True, blank=True)
    slot_y_mm = models.PositiveIntegerField(_("slot y (mm)"), null=True, blank=True)
    slot_w_mm = models.PositiveIntegerField(
        _("slot width (mm)"), null=True, blank=True, validators=[MinValueValidator(1)]
    )
    slot_h_mm = models.PositiveIntegerField(
        _("slot depth (mm)"), null=True, blank=True, validators=[MinValueValidator(1)]
    )
    container = models.CharField(_("container"), max_length=50, blank=True)
    min_edge_distance_mm = models.PositiveIntegerField(
        _("minimum edge distance (mm)"),
        null=True,
        blank=True,
        validators=[MaxValueValidator(1000)],
        help_text=_("Empty: the version's default."),
    )
    marking = models.CharField(
        _("marking"), max_length=10, choices=Marking.choices, default=Marking.NONE
    )
    marking_colour = models.CharField(_("marking colour"), max_length=20, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)
    position = models.PositiveSmallIntegerField(_("order"), default=0)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("item rule")
        verbose_name_plural = _("item rules")
        ordering = ["standard_version", "position", "item__name"]
        constraints = [
            models.UniqueConstraint(fields=["standard_version", "item"], name="item_rule_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.item} · {self.get_kind_display()}"

    @property
    def has_slot(self) -> bool:
        return None not in (self.slot_x_mm, self.slot_y_mm, self.slot_w_mm, self.slot_h_mm)

    def edge_distance_mm(self) -> int:
        """The minimum edge distance that applies: the rule's own or the version's default."""
        if self.min_edge_distance_mm is not None:
            return self.min_edge_distance_mm
        return self.standard_version.default_edge_distance_mm


class FilingQuerySet(CenterQuerySet["ItemFiling"]):
    def active(self, on: datetime.date | None = None) -> FilingQuerySet:
        """Approved filings whose validity covers `on` (today by default)."""
        day = on or timezone.localdate()
        return self.filter(
            status=ItemFiling.Status.APPROVED, valid_from__lte=day, valid_to__gte=day
        )

    def pending(self) -> FilingQuerySet:
        return self.filter(status=ItemFiling.Status.REQUESTED)


class ItemFiling(CenterScoped):
    """报备: a zone keeps an item its standard does not allow, approved by the office for a
    period. An approved filing expires after `valid_to` (no job needed: validity is a date
    range, `is_expired` and `FilingQuerySet.active` read it).

    The item is a catalogue `Item`, or, for something the catalogue lacks (a personal medicine
    box, a temporary sign), a name typed by the filer (`item_name`, with an optional
    description): an off-catalogue filing. The office may add such an item to the catalogue
    when it approves the filing; the filing then points at the new item and keeps the name
    it was filed under. Read the item's name through `item_label`."""

    class Status(models.TextChoices):
        REQUESTED = "requested", _("Requested")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    zone = models.ForeignKey(
        Zone, on_delete=models.CASCADE, related_name="item_filings", verbose_name=_("zone")
    )
    item = models.ForeignKey(
        Item,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="filings",
        verbose_name=_("item"),
    )
    # An item not in the catalogue: its name as the filer typed it (kept after the office
    # adds it to the catalogue, as a record of what was asked).
    item_name = models.CharField(_("item not in the catalogue"), max_length=50, blank=True)
    item_description = models.CharField(_("item description"), max_length=300, blank=True)
    quantity = models.PositiveSmallIntegerField(
        _("quantity"), default=1, validators=[MinValueValidator(1), MaxValueValidator(99)]
    )
    reason = models.TextField(_("reason"))
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid until"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.REQUESTED
    )
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("filed by"),
    )
    filed_at = models.DateTimeField(_("filed at"), auto_now_add=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("reviewed by"),
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    review_comment = models.TextField(_("review comment"), blank=True)
    version = models.PositiveIntegerField(default=1)

    objects = FilingQuerySet.as_manager()

    if TYPE_CHECKING:
        transitions: RelatedManager[FilingTransition]

    class Meta:
        verbose_name = _("item filing")
        verbose_name_plural = _("item filings")
        ordering = ["center", "-filed_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_to__gte=models.F("valid_from")), name="filing_dates_ordered"
            ),
            models.CheckConstraint(
                condition=Q(item__isnull=False) | ~Q(item_name=""), name="filing_names_its_item"
            ),
        ]
        indexes = [models.Index(fields=["zone", "status", "valid_to"])]

    def __str__(self) -> str:
        return f"{self.zone.code} · {self.item_label} × {self.quantity}"

    @property
    def item_label(self) -> str:
        """The item's name: the catalogue's, or the one typed for an off-catalogue item."""
        return self.item.name if self.item_id and self.item else self.item_name

    @property
    def is_off_catalogue(self) -> bool:
        """Filed as an item the catalogue lacks (and not added to it since)."""
        return self.item_id is None

    def is_expired(self, on: datetime.date | None = None) -> bool:
        day = on or timezone.localdate()
        return self.status == self.Status.APPROVED and self.valid_to < day

    def is_active(self, on: datetime.date | None = None) -> bool:
        day = on or timezone.localdate()
        return self.status == self.Status.APPROVED and self.valid_from <= day <= self.valid_to

    @property
    def state(self) -> str:
        """The status a person sees: an approved filing past its end date reads "expired"."""
        return "expired" if self.is_expired() else self.status

    @property
    def state_label(self) -> str:
        return str(_("Expired")) if self.is_expired() else self.get_status_display()


class FilingTransition(TransitionRecord):
    """The history of a filing: who moved it from which status to which, when, and why."""

    STATUS = ItemFiling.Status

    filing = models.ForeignKey(ItemFiling, on_delete=models.CASCADE, related_name="transitions")
    # The filing's statuses are short: the columns keep their width (no migration).
    from_status = models.CharField(max_length=10, blank=True)
    to_status = models.CharField(max_length=10)

    class Meta:
        ordering = ["filing", "at", "pk"]

    def __str__(self) -> str:
        return f"{self.filing_id}: {self.from_status} → {self.to_status}"


FILING_MOVES = Moves(
    {
        ItemFiling.Status.REQUESTED: {
            ItemFiling.Status.APPROVED,
            ItemFiling.Status.REJECTED,
            ItemFiling.Status.WITHDRAWN,
        },
        ItemFiling.Status.APPROVED: {ItemFiling.Status.WITHDRAWN},
    }
)
"""A filing's allowed moves: the office decides a request; its filer withdraws it, or ends an
approved filing early."""
