"""Inspections (检查): a checklist generated from a zone's effective standard, answered on a
phone, scored, and turned into findings.

An `Inspection` keeps the `StandardVersion` it used and a snapshot of its checklist (one
`Answer` per check: the requirement text, pillar, weight and points are copied), so a result
stays explainable after the standard changes. Each failed answer becomes a `Finding` when the
inspection is submitted; a finding of the same check on the same zone within the center's
repeat window (30 days by default) is a repeat and its deduction is doubled. Writes go through
`onsite.inspections.services`."""

from __future__ import annotations

import datetime
import secrets
from collections.abc import Iterable
from decimal import Decimal
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from onsite.core.models import Center, CenterQuerySet, CenterScoped
from onsite.equipment.models import Equipment
from onsite.org.models import AreaType, Zone
from onsite.standards.models import Clause, Pillar, StandardVersion

if TYPE_CHECKING:
    from django.db.models.fields.related_descriptors import RelatedManager


class Band(models.TextChoices):
    GREEN = "green", _("Green")
    YELLOW = "yellow", _("Yellow")
    RED = "red", _("Red")


class Severity(models.TextChoices):
    """How urgent a finding is; it sets the rectification's due date."""

    FIX_NOW = "fix_now", _("Fix now")
    SERIOUS = "serious", _("Serious")
    GENERAL = "general", _("General")


class InspectionSettings(CenterScoped):
    """Scoring and deadline settings of one center. A center without a row uses the
    defaults (`InspectionSettings.for_center` returns an unsaved row then)."""

    pass_mark = models.PositiveSmallIntegerField(
        _("pass mark (%)"), default=80, validators=[MaxValueValidator(100)]
    )
    green_from = models.PositiveSmallIntegerField(
        _("green from (%)"), default=80, validators=[MaxValueValidator(100)]
    )
    yellow_from = models.PositiveSmallIntegerField(
        _("yellow from (%)"), default=60, validators=[MaxValueValidator(100)]
    )
    repeat_window_days = models.PositiveSmallIntegerField(
        _("repeat window (days)"),
        default=30,
        validators=[MinValueValidator(1), MaxValueValidator(365)],
        help_text=_("A check failed again on the same zone within this many days is a repeat."),
    )
    repeat_factor = models.PositiveSmallIntegerField(
        _("repeat deduction factor"),
        default=2,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
    )
    serious_days = models.PositiveSmallIntegerField(
        _("working days to fix a serious finding"),
        default=2,
        validators=[MinValueValidator(1), MaxValueValidator(60)],
    )
    general_days = models.PositiveSmallIntegerField(
        _("working days to fix a general finding"),
        default=5,
        validators=[MinValueValidator(1), MaxValueValidator(60)],
    )
    remind_days = models.PositiveSmallIntegerField(
        _("working days of notice before a deadline"),
        default=2,
        validators=[MinValueValidator(1), MaxValueValidator(20)],
        help_text=_(
            "Rectifications and item filings due (or lapsing) within this many working days "
            "are reminded once to the person who must act."
        ),
    )
    photo_check = models.BooleanField(
        _("Photo check suggestions"),
        default=False,
        help_text=_(
            "Counter and desk photos are compared with the zone's standard and reference photo; "
            "what looks wrong comes back as draft findings that a person confirms or dismisses. "
            "Nothing is deducted automatically."
        ),
    )
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("inspection settings")
        verbose_name_plural = _("inspection settings")
        constraints = [
            models.UniqueConstraint(fields=["center"], name="inspection_settings_one_per_center"),
            models.CheckConstraint(
                condition=Q(yellow_from__lte=models.F("green_from")),
                name="inspection_settings_bands_ordered",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.center_id}: pass {self.pass_mark}%"

    @classmethod
    def for_center(cls, center: Center | int) -> InspectionSettings:
        center_id = center if isinstance(center, int) else center.pk
        found = cls.objects.filter(center_id=center_id).first()
        return found if found is not None else cls(center_id=center_id)

    def band_for(self, score: Decimal | float | None) -> str:
        if score is None:
            return ""
        if score >= self.green_from:
            return Band.GREEN
        if score >= self.yellow_from:
            return Band.YELLOW
        return Band.RED

    def working_days_for(self, severity: str) -> int:
        """Working days allowed to fix a finding of `severity`; 0 means the same day."""
        if severity == Severity.FIX_NOW:
            return 0
        if severity == Severity.SERIOUS:
            return self.serious_days
        return self.general_days


class InspectionQuerySet(CenterQuerySet["Inspection"]):
    def drafts(self) -> InspectionQuerySet:
        return self.filter(status=Inspection.Status.DRAFT)

    def submitted(self) -> InspectionQuerySet:
        return self.filter(status=Inspection.Status.SUBMITTED)


class Inspection(CenterScoped):
    class Kind(models.TextChoices):
        SELF_CHECK = "self_check", _("Self-check")
        SUPERVISION = "supervision", _("Supervision check")
        ACCEPTANCE = "acceptance", _("Acceptance")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted")

    zone = models.ForeignKey(
        Zone, on_delete=models.PROTECT, related_name="inspections", verbose_name=_("zone")
    )
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    standard_version = models.ForeignKey(
        StandardVersion,
        on_delete=models.PROTECT,
        related_name="inspections",
        verbose_name=_("standard version"),
    )
    inspector = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="inspections",
        verbose_name=_("inspector"),
    )
    inspected_on = models.DateField(_("date"), default=timezone.localdate)
    note = models.TextField(_("note"), blank=True)
    started_at = models.DateTimeField(_("started at"), default=timezone.now)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    # Filled when submitted (a draft's running score is computed, not stored).
    score = models.DecimalField(
        _("score (%)"), max_digits=5, decimal_places=1, null=True, blank=True
    )
    points_earned = models.DecimalField(max_digits=9, decimal_places=1, null=True, blank=True)
    points_possible = models.DecimalField(max_digits=9, decimal_places=1, null=True, blank=True)
    pillar_scores = models.JSONField(
        _("score per pillar"), default=dict, blank=True
    )  # {"sort": 92.5, ...}: percentages, N/A-only pillars left out
    band = models.CharField(_("band"), max_length=6, choices=Band.choices, blank=True)
    pass_mark = models.PositiveSmallIntegerField(
        _("pass mark (%)"), null=True, blank=True
    )  # the center's setting when submitted, so history keeps its meaning
    passed = models.BooleanField(_("passed"), null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    objects = InspectionQuerySet.as_manager()

    if TYPE_CHECKING:
        answers: RelatedManager[Answer]
        findings: RelatedManager[Finding]

    class Meta:
        verbose_name = _("inspection")
        verbose_name_plural = _("inspections")
        ordering = ["center", "-inspected_on", "-pk"]
        indexes = [
            models.Index(fields=["center", "zone", "status", "-inspected_on"]),
            models.Index(fields=["center", "inspector", "status"]),
            # The lists' order: the newest page is read off the index, whatever the history.
            models.Index(fields=["center", "-inspected_on", "-id"], name="inspection_list_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.zone.code} {self.get_kind_display()} {self.inspected_on}"

    @property
    def is_draft(self) -> bool:
        return self.status == self.Status.DRAFT

    @property
    def is_submitted(self) -> bool:
        return self.status == self.Status.SUBMITTED


class Answer(CenterScoped):
    """One check of an inspection's checklist and its answer. The check is a snapshot of the
    clause or item rule it came from; `key` identifies the same check across inspections and
    versions ("clause:<code>" or "items:<aspect>") for repeat findings."""

    class Source(models.TextChoices):
        CLAUSE = "clause", _("Clause")
        ITEMS_ALLOWED = "items_allowed", _("Only allowed items")
        ITEMS_QUANTITY = "items_quantity", _("Fixed quantity")
        ITEMS_PLACE = "items_place", _("Fixed position and container")
        ITEMS_EDGE = "items_edge", _("Edge distance")

    class Result(models.TextChoices):
        PASS = "pass", _("Pass")
        FAIL = "fail", _("Fail")
        NOT_APPLICABLE = "na", _("Not applicable")

    # Redeclared only to free Center.answer_set for surveys' Answer.
    center = models.ForeignKey(
        Center, on_delete=models.CASCADE, related_name="+", verbose_name=_("service center")
    )
    inspection = models.ForeignKey(
        Inspection, on_delete=models.CASCADE, related_name="answers", verbose_name=_("inspection")
    )
    key = models.CharField(_("check"), max_length=60)
    source = models.CharField(_("source"), max_length=16, choices=Source.choices)
    clause = models.ForeignKey(
        Clause, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    pillar = models.CharField(_("pillar"), max_length=16, choices=Pillar.choices)
    position = models.PositiveSmallIntegerField(_("order"), default=0)
    text = models.TextField(_("requirement"))
    check_method = models.TextField(_("how to check"), blank=True)
    weight = models.PositiveSmallIntegerField(_("weight"), default=1)
    max_points = models.PositiveSmallIntegerField(_("maximum points"), default=10)
    photo_required = models.BooleanField(_("photo required"), default=False)
    # What the check is about (the clause's subject, copied): a failed person check names
    # the staff member it concerns, one of the zone's unit.
    subject = models.CharField(
        _("what it checks"),
        max_length=10,
        choices=Clause.Subject.choices,
        default=Clause.Subject.ZONE,
    )
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("person concerned"),
    )
    # A failed "equipment works" check: the equipment that does not work (a fault is opened
    # for it when the inspection is submitted).
    equipment = models.ForeignKey(
        Equipment,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("equipment"),
    )
    result = models.CharField(_("result"), max_length=4, choices=Result.choices, blank=True)
    deduction = models.DecimalField(
        _("deduction"),
        max_digits=5,
        decimal_places=1,
        default=Decimal(0),
        validators=[MinValueValidator(Decimal(0))],
    )
    severity = models.CharField(
        _("severity"), max_length=8, choices=Severity.choices, default=Severity.GENERAL
    )
    note = models.TextField(_("note"), blank=True)
    # Set on submit: repeat of an earlier finding, deduction multiplied (capped at max points).
    is_repeat = models.BooleanField(_("repeat"), default=False)
    applied_deduction = models.DecimalField(
        _("applied deduction"), max_digits=5, decimal_places=1, null=True, blank=True
    )
    updated_at = models.DateTimeField(auto_now=True)

    if TYPE_CHECKING:
        photos: RelatedManager[AnswerPhoto]

    class Meta:
        verbose_name = _("answer")
        verbose_name_plural = _("answers")
        ordering = ["inspection", "position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["inspection", "key"], name="answer_key_unique"),
            models.CheckConstraint(
                condition=Q(result__in=["", "pass", "fail", "na"]), name="answer_result_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.key}: {self.result or '-'}"

    @property
    def is_answered(self) -> bool:
        return bool(self.result)

    @property
    def is_failed(self) -> bool:
        return self.result == self.Result.FAIL

    @property
    def is_about_a_person(self) -> bool:
        return self.subject == Clause.Subject.PERSON

    @property
    def is_about_equipment(self) -> bool:
        return self.subject == Clause.Subject.EQUIPMENT

    @property
    def possible(self) -> Decimal:
        return Decimal(self.weight * self.max_points)


def photo_path(instance: models.Model, filename: str) -> str:
    stamp = timezone.now()
    return (
        f"inspections/{instance.center_id}/{stamp:%Y/%m}/"  # type: ignore[attr-defined]
        f"{secrets.token_hex(8)}-{filename}"
    )


class AnswerPhoto(CenterScoped):
    """A photo taken for one check (several per check). Stored as our own re-encoding
    (`onsite.core.images.clean_photo`) and served only through an access-checked view."""

    answer = models.ForeignKey(Answer, on_delete=models.CASCADE, related_name="photos")
    image = models.FileField(_("photo"), upload_to=photo_path)
    thumbnail = models.FileField(upload_to=photo_path)
    width = models.PositiveIntegerField(default=0)
    height = models.PositiveIntegerField(default=0)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("inspection photo")
        verbose_name_plural = _("inspection photos")
        ordering = ["answer", "uploaded_at", "pk"]

    def __str__(self) -> str:
        return f"photo {self.pk} of answer {self.answer_id}"


class ImprovementProposal(CenterScoped):
    """提升: a finding or a recurring failed check turned into a proposal to revise the
    standard. It opens (or joins) a draft of the area type's standard, which links back here."""

    area_type = models.ForeignKey(
        AreaType, on_delete=models.PROTECT, related_name="+", verbose_name=_("area type")
    )
    check_key = models.CharField(_("check"), max_length=60)
    check_text = models.TextField(_("requirement"), blank=True)
    proposal = models.TextField(_("what to change and why"))
    draft = models.ForeignKey(
        StandardVersion,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("standard draft"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    if TYPE_CHECKING:
        findings: RelatedManager[Finding]

    class Meta:
        verbose_name = _("improvement proposal")
        verbose_name_plural = _("improvement proposals")
        ordering = ["center", "-created_at"]

    def __str__(self) -> str:
        return f"{self.check_key}: {self.proposal[:40]}"


def repeat_window(on: datetime.date, *, window_days: int) -> tuple[datetime.date, datetime.date]:
    """The days (first and last, both included) an earlier finding of the same check on the
    same zone makes a finding found `on` a repeat."""
    return on - datetime.timedelta(days=window_days), on


class FindingQuerySet(CenterQuerySet["Finding"]):
    def repeats_of(
        self, *, zone: Zone, keys: Iterable[str], on: datetime.date, window_days: int
    ) -> FindingQuerySet:
        """Earlier findings of these checks on the same zone within the window."""
        first, last = repeat_window(on, window_days=window_days)
        return self.filter(
            zone=zone, check_key__in=list(keys), found_on__gte=first, found_on__lte=last
        )


class Finding(CenterScoped):
    """问题: a failed check of a submitted inspection. Its rectification (整改) lives in
    `onsite.rectification`."""

    inspection = models.ForeignKey(
        Inspection, on_delete=models.CASCADE, related_name="findings", verbose_name=_("inspection")
    )
    answer = models.OneToOneField(
        Answer, on_delete=models.CASCADE, related_name="finding", verbose_name=_("check")
    )
    zone = models.ForeignKey(
        Zone, on_delete=models.PROTECT, related_name="findings", verbose_name=_("zone")
    )
    check_key = models.CharField(_("check"), max_length=60)
    pillar = models.CharField(_("pillar"), max_length=16, choices=Pillar.choices)
    text = models.TextField(_("what is wrong"))
    severity = models.CharField(_("severity"), max_length=8, choices=Severity.choices)
    deduction = models.DecimalField(_("deduction"), max_digits=5, decimal_places=1)
    is_repeat = models.BooleanField(_("repeat"), default=False)
    repeat_of = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="repeats",
        verbose_name=_("repeat of"),
    )
    found_on = models.DateField(_("found on"))
    # A person check's finding: the staff member it concerns (who fixes it, and on whose home
    # page it shows). It still counts for the zone and so for the zone's unit.
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="findings",
        verbose_name=_("person concerned"),
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    proposal = models.ForeignKey(
        ImprovementProposal,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="findings",
        verbose_name=_("improvement proposal"),
    )

    objects = FindingQuerySet.as_manager()

    class Meta:
        verbose_name = _("finding")
        verbose_name_plural = _("findings")
        ordering = ["center", "-found_on", "-pk"]
        indexes = [
            models.Index(fields=["center", "zone", "check_key", "found_on"]),
            models.Index(fields=["center", "-found_on", "-id"], name="finding_list_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.zone.code} · {self.text[:40]}"
