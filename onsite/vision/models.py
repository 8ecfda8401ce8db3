"""The photo check in the flow (照片检查): a zone's reference photo, one analysis per inspection
photo, and the draft findings it proposes, which a person accepts or dismisses.

Nothing here deducts anything: an accepted draft fails its check through the inspections
services, as a person's own fail would. The pure analysis (`analyse.py`, `compare.py`,
`detector.py`) knows no database; `services.py` builds its rules from the standard and stores
its result."""

from __future__ import annotations

import secrets
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from onsite.core.models import CenterQuerySet, CenterScoped
from onsite.inspections.models import Answer, AnswerPhoto, Finding
from onsite.org.models import Zone
from onsite.vision.labels import KINDS

if TYPE_CHECKING:
    from django.db.models.fields.related_descriptors import RelatedManager


def reference_path(instance: models.Model, filename: str) -> str:
    stamp = timezone.now()
    return (
        f"vision/{instance.center_id}/{stamp:%Y/%m}/"  # type: ignore[attr-defined]
        f"{secrets.token_hex(8)}-{filename}"
    )


class ReferenceQuerySet(CenterQuerySet["ReferencePhoto"]):
    def current(self, zone: Zone) -> ReferencePhoto | None:
        """The zone's reference: its latest active photo, of the zone's own center only."""
        return (
            self.filter(center_id=zone.center_id, zone=zone, is_active=True)
            .order_by("-taken_at", "-pk")
            .first()
        )


class ReferencePhoto(CenterScoped):
    """参照照片: the compliant layout of a zone, taken through the app. A new one replaces the
    earlier ones (they stay, inactive, as history). `has_markers`: the printed position markers
    were found in it when it was taken."""

    zone = models.ForeignKey(
        Zone, on_delete=models.CASCADE, related_name="reference_photos", verbose_name=_("zone")
    )
    image = models.FileField(_("photo"), upload_to=reference_path)
    thumbnail = models.FileField(upload_to=reference_path)
    width = models.PositiveIntegerField(default=0)
    height = models.PositiveIntegerField(default=0)
    has_markers = models.BooleanField(_("position markers found"), default=False)
    taken_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("taken by"),
    )
    taken_at = models.DateTimeField(_("taken at"), default=timezone.now)
    is_active = models.BooleanField(_("in use"), default=True)

    objects = ReferenceQuerySet.as_manager()

    class Meta:
        verbose_name = _("reference photo")
        verbose_name_plural = _("reference photos")
        ordering = ["center", "zone", "-taken_at", "-pk"]
        indexes = [models.Index(fields=["zone", "is_active", "-taken_at"])]

    def __str__(self) -> str:
        return f"{self.zone.code} · {self.taken_at:%Y-%m-%d}"


class PhotoAnalysis(CenterScoped):
    """The photo check of one inspection photo, run by the task worker after the photo is
    stored (the inspection never waits for it). Deleted with its photo."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")
        SKIPPED = "skipped", _("Skipped")

    photo = models.OneToOneField(
        AnswerPhoto, on_delete=models.CASCADE, related_name="analysis", verbose_name=_("photo")
    )
    status = models.CharField(
        _("status"), max_length=8, choices=Status.choices, default=Status.QUEUED
    )
    reference = models.ForeignKey(
        ReferencePhoto,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("reference photo"),
    )
    alignment = models.CharField(_("alignment"), max_length=20, blank=True)
    edge_mm = models.PositiveIntegerField(_("minimum edge distance (mm)"), null=True, blank=True)
    seconds = models.FloatField(_("seconds"), null=True, blank=True)
    model_name = models.CharField(_("model"), max_length=120, blank=True)
    # A message id (gettext_noop), shown in the reader's language; never a stack trace.
    error = models.CharField(_("error"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    if TYPE_CHECKING:
        drafts: RelatedManager[DraftFinding]

    class Meta:
        verbose_name = _("photo analysis")
        verbose_name_plural = _("photo analyses")
        ordering = ["center", "-created_at"]

    def __str__(self) -> str:
        return f"analysis of photo {self.photo_id}: {self.status}"

    @property
    def is_queued(self) -> bool:
        return self.status == self.Status.QUEUED


class DraftQuerySet(CenterQuerySet["DraftFinding"]):
    def proposed(self) -> DraftQuerySet:
        return self.filter(status=DraftFinding.Status.PROPOSED)


class DraftFinding(CenterScoped):
    """What the photo check saw that looks wrong, as a suggestion: accepted, it fails its check
    (a finding once the inspection is submitted); dismissed, it is kept for the office's
    acceptance rates. The box is in fractions of the photo, top-left origin."""

    class Kind(models.TextChoices):
        NOT_ALLOWED = "not_allowed", _("Item not allowed here")
        OVER_QUANTITY = "over_quantity", _("More than the allowed quantity")
        TOO_CLOSE = "too_close", _("Too close to the edge")
        ADDED = "added", _("Added compared with the reference")
        MISSING = "missing", _("Missing compared with the reference")
        MOVED = "moved", _("Moved compared with the reference")

    class Status(models.TextChoices):
        PROPOSED = "proposed", pgettext_lazy("photo check", "Proposed")
        ACCEPTED = "accepted", pgettext_lazy("photo check", "Accepted")
        DISMISSED = "dismissed", _("Dismissed")

    analysis = models.ForeignKey(
        PhotoAnalysis, on_delete=models.CASCADE, related_name="drafts", verbose_name=_("analysis")
    )
    answer = models.ForeignKey(
        Answer, on_delete=models.CASCADE, related_name="draft_findings", verbose_name=_("check")
    )
    kind = models.CharField(_("kind"), max_length=14, choices=Kind.choices)
    item = models.CharField(_("item"), max_length=20, blank=True)  # a labels.KINDS key
    x = models.FloatField()
    y = models.FloatField()
    w = models.FloatField()
    h = models.FloatField()
    score = models.FloatField(_("confidence"))
    measured_mm = models.PositiveIntegerField(_("measured (mm)"), null=True, blank=True)
    count = models.PositiveSmallIntegerField(_("count"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PROPOSED
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    finding = models.ForeignKey(
        Finding,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("finding"),
    )
    version = models.PositiveIntegerField(default=1)

    objects = DraftQuerySet.as_manager()

    class Meta:
        verbose_name = _("draft finding")
        verbose_name_plural = _("draft findings")
        ordering = ["analysis", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(x__gte=0, y__gte=0, w__gte=0, h__gte=0, x__lte=1, y__lte=1),
                name="draft_box_in_photo",
            ),
        ]
        indexes = [models.Index(fields=["center", "status", "kind"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.item}".strip()

    @property
    def is_proposed(self) -> bool:
        return self.status == self.Status.PROPOSED

    def describe(self) -> str:
        """What the draft says, in the active language ("Item not allowed here: bottle")."""
        name = str(KINDS.get(self.item, self.item)) if self.item else ""
        if self.kind == self.Kind.NOT_ALLOWED:
            return _("Item not allowed here: %(item)s") % {"item": name or _("an item")}
        if self.kind == self.Kind.OVER_QUANTITY:
            if self.count:
                return _("More than allowed: %(item)s (%(count)d seen)") % {
                    "item": name,
                    "count": self.count,
                }
            return _("More than allowed: %(item)s") % {"item": name}
        if self.kind == self.Kind.TOO_CLOSE:
            required = self.analysis.edge_mm
            return _("%(item)s %(mm)d mm from the counter's edge (at least %(required)s)") % {
                "item": name or _("An item"),
                "mm": self.measured_mm or 0,
                "required": required if required is not None else "—",
            }
        if self.kind == self.Kind.ADDED:
            if name:
                return _("More than in the reference photo: %(item)s") % {"item": name}
            return str(_("An item more than in the reference photo"))
        if self.kind == self.Kind.MISSING:
            return str(_("Missing compared with the reference photo"))
        if name:
            return _("Moved compared with the reference photo: %(item)s") % {"item": name}
        return str(_("Moved compared with the reference photo"))
