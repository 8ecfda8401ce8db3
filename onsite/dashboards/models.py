"""Visual management (目视化管理): citizen ratings (好差评), the center's weights of the combined
index, daily roll-ups that keep the dashboards' cost flat as history grows, and background
report and export jobs with their progress.

The roll-ups (`UnitDay`, `CheckDay`) are derived data: `onsite.dashboards.rollups.refresh`
rewrites whole days from the source tables, so they can always be rebuilt."""

from __future__ import annotations

import secrets
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from onsite.core.models import BackgroundJob, Center, CenterScoped
from onsite.org.models import AreaType, Unit


class Level(models.IntegerChoices):
    """The national five levels of 政务服务“好差评” (GB/T 39735): 3 to 5 count as good."""

    VERY_SATISFIED = 5, _("Very satisfied")
    SATISFIED = 4, _("Satisfied")
    BASICALLY_SATISFIED = 3, _("Basically satisfied")
    DISSATISFIED = 2, _("Dissatisfied")
    VERY_DISSATISFIED = 1, _("Very dissatisfied")


GOOD_FROM = 3  # 好评: basically satisfied or better; 差评: dissatisfied or worse


def ratings_import_path(instance: RatingImport, filename: str) -> str:
    return f"dashboards/{instance.center_id}/ratings/{secrets.token_hex(8)}-{filename}"


class RatingImport(CenterScoped):
    """One imported file (or API batch) of citizen ratings. Its checksum makes importing the
    same file twice a no-op that points at the first import."""

    class Source(models.TextChoices):
        FILE = "file", _("File")
        API = "api", _("API")

    source = models.CharField(_("source"), max_length=4, choices=Source.choices)
    filename = models.CharField(_("file"), max_length=200, blank=True)
    checksum = models.CharField(max_length=64)
    rows = models.PositiveIntegerField(_("ratings"), default=0)
    first_day = models.DateField(_("from"), null=True, blank=True)
    last_day = models.DateField(_("to"), null=True, blank=True)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("imported by"),
    )
    imported_at = models.DateTimeField(_("imported at"), default=timezone.now)

    class Meta:
        verbose_name = _("ratings import")
        verbose_name_plural = _("ratings imports")
        ordering = ["center", "-imported_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["center", "checksum"], name="rating_import_once"),
        ]

    def __str__(self) -> str:
        return self.filename or f"{self.get_source_display()} {self.imported_at:%Y-%m-%d}"


class Channel(models.TextChoices):
    """Where the citizen rated (the national system's 评价渠道)."""

    PC = "pc", _("Online (PC)")
    MOBILE = "mobile", _("Mobile app")
    QR = "qr", _("QR code")
    HALL = "hall", _("Hall rating device")
    SMS = "sms", _("Text message")
    PHONE = "phone", _("Telephone")
    OTHER = "other", _("Other terminal")


class CitizenRatingQuerySet(models.QuerySet["CitizenRating"]):
    def counted(self) -> CitizenRatingQuerySet:
        """The ratings every figure counts: real and valid. A default rating (no rating given
        in time, recorded as 基本满意 by the system) and one the system marked invalid are kept,
        listed and exported, but never count as a citizen's verdict."""
        return self.filter(is_default=False, is_valid=True)

    def not_counted(self) -> CitizenRatingQuerySet:
        """The rest: default or invalid ratings (listed and exported, in no figure)."""
        return self.filter(Q(is_default=True) | Q(is_valid=False))

    def bad(self) -> CitizenRatingQuerySet:
        """差评: counted ratings below 基本满意 (dissatisfied or very dissatisfied)."""
        return self.counted().filter(rating__lt=GOOD_FROM)


class CitizenRating(CenterScoped):
    """好差评: one citizen's rating of a window on a day, on one dimension (blank: overall),
    in the national system's shape (GB/T 39735, 一次一评/一事一评): the case (办件编号) and the
    service item rated, the department, channel and staff member, the reason and comment, and
    whether it was a default rating or marked invalid. A case is imported once per dimension,
    whichever file brings it (`rating_case_once`)."""

    unit = models.ForeignKey(
        Unit, on_delete=models.CASCADE, related_name="citizen_ratings", verbose_name=_("window")
    )
    rated_on = models.DateField(_("date"))
    rated_at = models.DateTimeField(_("time"), null=True, blank=True)
    rating = models.PositiveSmallIntegerField(_("rating"), choices=Level.choices)
    dimension = models.CharField(_("dimension"), max_length=50, blank=True)
    case_number = models.CharField(_("case number"), max_length=64, blank=True)
    item_code = models.CharField(_("service item code"), max_length=64, blank=True)
    item_name = models.CharField(_("service item"), max_length=200, blank=True)
    department = models.CharField(_("department"), max_length=100, blank=True)
    channel = models.CharField(_("channel"), max_length=8, choices=Channel.choices, blank=True)
    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="citizen_ratings",
        verbose_name=_("staff member"),
    )
    staff_name = models.CharField(_("staff member"), max_length=100, blank=True)
    reason_code = models.CharField(_("reason code"), max_length=20, blank=True)
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    comment = models.TextField(_("comment"), blank=True)
    is_default = models.BooleanField(_("default rating"), default=False)
    is_valid = models.BooleanField(_("valid"), default=True)
    batch = models.ForeignKey(
        RatingImport, on_delete=models.CASCADE, related_name="ratings", verbose_name=_("import")
    )

    objects = CitizenRatingQuerySet.as_manager()

    class Meta:
        verbose_name = _("citizen rating")
        verbose_name_plural = _("citizen ratings")
        ordering = ["center", "-rated_on", "pk"]
        indexes = [
            models.Index(fields=["center", "rated_on"]),
            models.Index(fields=["center", "unit", "rated_on"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(rating__gte=1, rating__lte=5), name="citizen_rating_1_to_5"
            ),
            models.UniqueConstraint(
                fields=["center", "case_number", "dimension"],
                condition=~Q(case_number=""),
                name="rating_case_once",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.unit_id} {self.rated_on} {self.rating}"

    @property
    def is_good(self) -> bool:
        return self.rating >= GOOD_FROM

    @property
    def is_bad(self) -> bool:
        """A 差评 that counts (see CitizenRatingQuerySet.bad)."""
        return self.rating < GOOD_FROM and self.is_valid and not self.is_default


class RatingDimensions(CenterScoped):
    """The center's list of rating dimensions (评价维度), versioned: a new list takes effect
    from its day and never rewrites an older one, so ratings imported under the old list stay
    as they were. A rating's dimension must be on the list in force on its day (blank:
    overall); a center without a list takes any dimension."""

    version = models.PositiveIntegerField(_("version"))
    valid_from = models.DateField(_("valid from"))
    names = models.JSONField(_("dimensions"), default=list)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("rating dimensions")
        verbose_name_plural = _("rating dimensions")
        ordering = ["center", "-valid_from", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["center", "version"], name="rating_dimensions_version"),
        ]

    def __str__(self) -> str:
        return f"v{self.version} {self.valid_from}: {', '.join(self.names)}"


# The combined index: (key, label) of each part, in the order pages show them.
COMPONENTS: list[tuple[str, Any]] = [
    ("audit", _("Audit score")),
    ("timeliness", _("Rectification on time")),
    ("repeats", _("Free of repeat findings")),
    ("ratings", _("Citizen ratings")),
    ("proposals", _("Proposals adopted")),
    ("cards", _("Free of cards")),
]
COMPONENT_KEYS = [key for key, _label in COMPONENTS]
DEFAULT_WEIGHTS = {
    "audit": 40,
    "timeliness": 20,
    "repeats": 10,
    "ratings": 20,
    "proposals": 5,
    "cards": 5,
}


def _weight(label: Any, key: str) -> models.PositiveSmallIntegerField[Any, Any]:
    return models.PositiveSmallIntegerField(
        label, default=DEFAULT_WEIGHTS[key], validators=[MaxValueValidator(100)]
    )


class IndexWeights(CenterScoped):
    """How much each part counts in the center's combined index. A center without a row uses
    the defaults (`for_center` returns an unsaved row then)."""

    audit = _weight(_("Audit score"), "audit")
    timeliness = _weight(_("Rectification on time"), "timeliness")
    repeats = _weight(_("Free of repeat findings"), "repeats")
    ratings = _weight(_("Citizen ratings"), "ratings")
    proposals = _weight(_("Proposals adopted"), "proposals")
    cards = _weight(_("Free of cards"), "cards")
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("index weights")
        verbose_name_plural = _("index weights")
        constraints = [
            models.UniqueConstraint(fields=["center"], name="index_weights_one_per_center"),
            models.CheckConstraint(
                condition=Q(audit__gt=0)
                | Q(timeliness__gt=0)
                | Q(repeats__gt=0)
                | Q(ratings__gt=0)
                | Q(proposals__gt=0)
                | Q(cards__gt=0),
                name="index_weights_not_all_zero",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.center_id}: " + " ".join(f"{k}={v}" for k, v in self.as_dict().items())

    @classmethod
    def for_center(cls, center: Center | int) -> IndexWeights:
        center_id = center if isinstance(center, int) else center.pk
        found = cls.objects.filter(center_id=center_id).first()
        return found if found is not None else cls(center_id=center_id)

    def as_dict(self) -> dict[str, int]:
        return {key: int(getattr(self, key)) for key in COMPONENT_KEYS}


# --- roll-ups --------------------------------------------------------------------------------


class UnitDay(models.Model):
    """One day of one unit (or of the zones that belong to no unit, `unit` empty): what
    happened that day, summed. Rewritten whole by the roll-up refresh."""

    center = models.ForeignKey(Center, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    unit = models.ForeignKey(
        Unit, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    inspections = models.PositiveIntegerField(default=0)
    score_sum = models.DecimalField(max_digits=12, decimal_places=1, default=Decimal(0))
    # Supervision checks and acceptance inspections together: the independent audits (kept
    # for the API's `audits`; the pages show each kind by itself, below).
    audits = models.PositiveIntegerField(default=0)
    audit_sum = models.DecimalField(max_digits=12, decimal_places=1, default=Decimal(0))
    # Each kind of inspection counted as what it is: 督查 (supervision) and 验收 (acceptance
    # sheets of a programme round); self-checks are the rest of `inspections`.
    supervisions = models.PositiveIntegerField(default=0)
    supervision_sum = models.DecimalField(max_digits=12, decimal_places=1, default=Decimal(0))
    acceptances = models.PositiveIntegerField(default=0)
    acceptance_sum = models.DecimalField(max_digits=12, decimal_places=1, default=Decimal(0))
    # Failed checks of acceptance sheets (they make no finding, so `findings` misses them).
    acceptance_failures = models.PositiveIntegerField(default=0)
    passed = models.PositiveIntegerField(default=0)
    findings = models.PositiveIntegerField(default=0)
    repeat_findings = models.PositiveIntegerField(default=0)
    # Rectifications due that day, and how many of them had been handed in by then.
    due = models.PositiveIntegerField(default=0)
    on_time = models.PositiveIntegerField(default=0)
    filings = models.PositiveIntegerField(default=0)
    # Citizen ratings by level (r1 = very dissatisfied … r5 = very satisfied).
    r1 = models.PositiveIntegerField(default=0)
    r2 = models.PositiveIntegerField(default=0)
    r3 = models.PositiveIntegerField(default=0)
    r4 = models.PositiveIntegerField(default=0)
    r5 = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("daily unit figures")
        verbose_name_plural = _("daily unit figures")
        indexes = [models.Index(fields=["center", "day"])]
        constraints = [
            models.UniqueConstraint(
                fields=["center", "day", "unit"],
                condition=Q(unit__isnull=False),
                name="unit_day_once",
            ),
            models.UniqueConstraint(
                fields=["center", "day"], condition=Q(unit__isnull=True), name="unit_day_none_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.center_id} {self.day} {self.unit_id}"


class CheckDay(models.Model):
    """How often one check of one area type's standard failed on a day (the Pareto chart),
    as findings (self-checks and supervision) or on acceptance sheets, one row for each."""

    class Source(models.TextChoices):
        FINDING = "finding", _("Finding")
        ACCEPTANCE = "acceptance", _("Acceptance")

    center = models.ForeignKey(Center, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    area_type = models.ForeignKey(AreaType, on_delete=models.CASCADE, related_name="+")
    check_key = models.CharField(max_length=60)
    label = models.TextField(blank=True)
    pillar = models.CharField(max_length=16, blank=True)
    source = models.CharField(max_length=12, choices=Source.choices, default=Source.FINDING)
    failures = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("daily check failures")
        verbose_name_plural = _("daily check failures")
        indexes = [models.Index(fields=["center", "day"])]
        constraints = [
            models.UniqueConstraint(
                fields=["center", "day", "area_type", "check_key", "source"],
                name="check_day_source_once",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.center_id} {self.day} {self.check_key}"


class RollupState(models.Model):
    """When a center's roll-ups were last brought up to date, and whether a refresh is queued."""

    center = models.OneToOneField(Center, on_delete=models.CASCADE, related_name="+")
    refreshed_at = models.DateTimeField(null=True, blank=True)
    queued_at = models.DateTimeField(null=True, blank=True)
    days_refreshed = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("roll-up state")
        verbose_name_plural = _("roll-up states")

    def __str__(self) -> str:
        return f"{self.center_id}: {self.refreshed_at}"


# --- background reports and exports ------------------------------------------------------


def job_file_path(instance: ReportJob, filename: str) -> str:
    stamp = timezone.now()
    return f"dashboards/{instance.center_id}/{stamp:%Y/%m}/{secrets.token_hex(8)}-{filename}"


class ReportJob(BackgroundJob):
    """A report or export made by the task worker; the page polls its progress."""

    class Kind(models.TextChoices):
        CENTER_REPORT = "center_report", _("Monthly report of the center (PDF)")
        UNIT_REPORT = "unit_report", _("Monthly report of a unit (PDF)")
        INSPECTIONS = "inspections", _("Inspections")
        FINDINGS = "findings", _("Findings")
        RECTIFICATIONS = "rectifications", _("Rectifications")
        RANKING = "ranking", _("Ranking")
        RATINGS = "ratings", _("Citizen ratings")

    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    month_from = models.DateField(_("from month"))
    month_to = models.DateField(_("to month"))
    unit = models.ForeignKey(
        Unit,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("unit"),
    )
    file = models.FileField(upload_to=job_file_path, blank=True)
    rows = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        verbose_name = _("report job")
        verbose_name_plural = _("report jobs")
        ordering = ["center", "-requested_at", "-pk"]
        indexes = [models.Index(fields=["center", "requested_by", "-requested_at"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(month_to__gte=models.F("month_from")), name="report_job_months_ordered"
            ),
            models.CheckConstraint(
                condition=Q(progress__lte=100), name="report_job_progress_at_most_100"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.month_from:%Y-%m}"

    @property
    def is_pdf(self) -> bool:
        return self.kind in {self.Kind.CENTER_REPORT, self.Kind.UNIT_REPORT}
