"""The programme (标准化现场管理建设): waves (pilot, rollout), each unit's progress through the
phases with exit gates, peer acceptance rounds (成果验收) with their raters, rankings (评比)
and cards (流动红旗, 黄牌, 红牌) and the interview list (约谈).

Writes go through `onsite.programme.services`; who may do what is in `access`."""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext, ngettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from onsite.core.models import Center, CenterQuerySet, CenterScoped
from onsite.core.transitions import Moves, TransitionRecord
from onsite.org.models import Group, Unit, Zone

if TYPE_CHECKING:
    from django.db.models.fields.related_descriptors import RelatedManager

    from onsite.inspections.models import Inspection


class Phase(models.TextChoices):
    """The four steps of the source document, then sustain (素养)."""

    SORT = "sort", pgettext_lazy("5S phase", "Sort")
    SET_IN_ORDER = "set_in_order", _("Set in order")
    SHINE = "shine", _("Shine")
    STANDARDIZE = "standardize", _("Standardize")
    SUSTAIN = "sustain", _("Sustain")


PHASES: list[str] = list(Phase.values)

# The checks an acceptance round of a phase rates, by the pillar of each check (a standard's
# clauses and item checks each carry one of `standards.Pillar`): the phase's own pillar;
# visual management (目视化) is how things are set in order; standardize (清洁) keeps the
# first three as standards, so it rates them again with its own and safety; sustain rates all.
_FIRST_THREE = ("sort", "set_in_order", "visual", "shine")
PHASE_PILLARS: dict[str, tuple[str, ...]] = {
    "sort": ("sort",),
    "set_in_order": ("set_in_order", "visual"),
    "shine": ("shine",),
    "standardize": (*_FIRST_THREE, "standardize", "safety"),
    "sustain": (*_FIRST_THREE, "standardize", "safety", "sustain"),
}


def next_phase(phase: str) -> str | None:
    index = PHASES.index(phase)
    return PHASES[index + 1] if index + 1 < len(PHASES) else None


class Programme(CenterScoped):
    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        RUNNING = "running", _("Running")
        FINISHED = "finished", _("Finished")

    name = models.CharField(_("name"), max_length=100)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PLANNED
    )
    note = models.TextField(_("note"), blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    version = models.PositiveIntegerField(default=1)

    if TYPE_CHECKING:
        waves: RelatedManager[Wave]
        rounds: RelatedManager[AcceptanceRound]

    class Meta:
        verbose_name = _("programme")
        verbose_name_plural = _("programmes")
        ordering = ["center", "-starts_on", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["center", "name"], name="programme_name_unique"),
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=models.F("starts_on")),
                name="programme_dates_ordered",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Wave(CenterScoped):
    """试点 (pilot: chosen units) or 全面推行 (rollout: the rest), with planned dates."""

    class Kind(models.TextChoices):
        PILOT = "pilot", _("Pilot")
        ROLLOUT = "rollout", _("Rollout")

    programme = models.ForeignKey(
        Programme, on_delete=models.CASCADE, related_name="waves", verbose_name=_("programme")
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=100)
    position = models.PositiveSmallIntegerField(_("order"), default=0)
    planned_start = models.DateField(_("planned start"))
    planned_end = models.DateField(_("planned end"))
    version = models.PositiveIntegerField(default=1)

    if TYPE_CHECKING:
        plans: RelatedManager[WavePhase]
        members: RelatedManager[WaveUnit]

    class Meta:
        verbose_name = _("wave")
        verbose_name_plural = _("waves")
        ordering = ["programme", "position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["programme", "name"], name="wave_name_unique"),
            models.CheckConstraint(
                condition=Q(planned_end__gte=models.F("planned_start")),
                name="wave_dates_ordered",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class WavePhase(CenterScoped):
    """The planned dates of one phase in one wave (the timeline's planned bars)."""

    wave = models.ForeignKey(Wave, on_delete=models.CASCADE, related_name="plans")
    phase = models.CharField(_("phase"), max_length=16, choices=Phase.choices)
    planned_start = models.DateField(_("planned start"))
    planned_end = models.DateField(_("planned end"))

    class Meta:
        verbose_name = _("planned phase")
        verbose_name_plural = _("planned phases")
        constraints = [
            models.UniqueConstraint(fields=["wave", "phase"], name="wave_phase_unique"),
            models.CheckConstraint(
                condition=Q(planned_end__gte=models.F("planned_start")),
                name="wave_phase_dates_ordered",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.wave} · {self.get_phase_display()}"


class WaveUnit(CenterScoped):
    """A unit takes part in the programme in exactly one of its waves."""

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="+")
    wave = models.ForeignKey(Wave, on_delete=models.CASCADE, related_name="members")
    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="+")

    class Meta:
        verbose_name = _("wave unit")
        verbose_name_plural = _("wave units")
        constraints = [
            models.UniqueConstraint(fields=["programme", "unit"], name="wave_unit_once"),
        ]

    def __str__(self) -> str:
        return f"{self.wave} · {self.unit}"


class ProgressStatus(models.TextChoices):
    NOT_STARTED = "not_started", _("Not started")
    IN_PROGRESS = "in_progress", _("In progress")
    AWAITING = "awaiting", _("Awaiting acceptance")
    ACCEPTED = "accepted", _("Accepted")


class PhaseProgress(CenterScoped):
    """Where one unit stands in one phase. Moves only through `services` transition
    functions, each writing a `PhaseTransition`."""

    Status = ProgressStatus

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="progress")
    unit = models.ForeignKey(
        Unit, on_delete=models.CASCADE, related_name="phase_progress", verbose_name=_("unit")
    )
    phase = models.CharField(_("phase"), max_length=16, choices=Phase.choices)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.NOT_STARTED
    )
    started_on = models.DateField(_("started on"), null=True, blank=True)
    submitted_on = models.DateField(_("awaiting acceptance since"), null=True, blank=True)
    accepted_on = models.DateField(_("accepted on"), null=True, blank=True)
    # The gate as it stood when the phase was accepted (conditions and whether each held).
    gate = models.JSONField(_("exit gate at acceptance"), default=dict, blank=True)
    overridden = models.BooleanField(_("accepted by override"), default=False)
    version = models.PositiveIntegerField(default=1)

    if TYPE_CHECKING:
        transitions: RelatedManager[PhaseTransition]

    class Meta:
        verbose_name = _("phase progress")
        verbose_name_plural = _("phase progress")
        ordering = ["programme", "unit", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "unit", "phase"], name="phase_progress_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.unit} · {self.get_phase_display()}: {self.get_status_display()}"

    @property
    def phase_index(self) -> int:
        return PHASES.index(self.phase)

    def move_to(
        self,
        to: str,
        *,
        on: datetime.date,
        gate: dict[str, Any] | None = None,
        is_override: bool = False,
    ) -> tuple[str, list[str]]:
        """The one rule of a phase's move, unsaved: checks it (`PHASE_MOVES`, Conflict) and
        sets the dates of the new status. Returns the status before and the fields changed
        (the services save them with the version; the generator in bulk)."""
        before = self.status
        PHASE_MOVES.check(before, to)
        self.status = to
        fields = ["status"]
        if to == ProgressStatus.IN_PROGRESS and self.started_on is None:
            self.started_on = on
            fields.append("started_on")
        if to == ProgressStatus.AWAITING:
            self.submitted_on = on
            fields.append("submitted_on")
        if to == ProgressStatus.ACCEPTED:
            self.accepted_on = on
            self.overridden = is_override
            self.gate = gate or {}
            fields += ["accepted_on", "overridden", "gate"]
            if self.started_on is None:
                self.started_on = on
                fields.append("started_on")
        return before, fields


PHASE_MOVES = Moves(
    {
        ProgressStatus.NOT_STARTED: {ProgressStatus.IN_PROGRESS, ProgressStatus.ACCEPTED},
        ProgressStatus.IN_PROGRESS: {ProgressStatus.AWAITING, ProgressStatus.ACCEPTED},
        ProgressStatus.AWAITING: {ProgressStatus.ACCEPTED, ProgressStatus.IN_PROGRESS},
    }
)
"""A phase's moves: started (by hand, with its wave, or when the previous one is accepted),
put up for acceptance, accepted (its gate passes, or by override, even before it started),
and back in progress when a round did not accept it. An accepted phase stays accepted."""


class PhaseTransition(CenterScoped, TransitionRecord):
    """The history of a unit's phase: who moved it, from what to what, when and why."""

    STATUS = ProgressStatus

    progress = models.ForeignKey(
        PhaseProgress, on_delete=models.CASCADE, related_name="transitions"
    )
    # The fields as they were before the shared base (no migration): a phase's statuses are
    # at most 12 characters, its first row has a from-status, and `by` may be blank.
    from_status = models.CharField(max_length=12, choices=ProgressStatus.choices)
    to_status = models.CharField(max_length=12, choices=ProgressStatus.choices)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    is_override = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("phase transition")
        verbose_name_plural = _("phase transitions")
        ordering = ["progress", "at", "pk"]

    def __str__(self) -> str:
        return f"{self.progress_id}: {self.from_status} → {self.to_status}"


class SignOff(CenterScoped):
    """特批 with a second signature: one person asks (with the reason), a different person
    of the leadership approves. For starting a rollout wave before the pilot has passed or
    before its planned start (`wave`), or accepting a phase whose gate does not pass
    (`progress`)."""

    class Kind(models.TextChoices):
        WAVE_START = "wave_start", _("Start the wave early")
        PHASE = "phase", _("Accept the phase by override")

    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    wave = models.ForeignKey(
        "Wave", on_delete=models.CASCADE, null=True, blank=True, related_name="sign_offs"
    )
    progress = models.ForeignKey(
        PhaseProgress, on_delete=models.CASCADE, null=True, blank=True, related_name="sign_offs"
    )
    reason = models.TextField(_("reason"), max_length=2000)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(_("requested at"), default=timezone.now)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)

    class Meta:
        verbose_name = _("sign-off")
        verbose_name_plural = _("sign-offs")
        constraints = [
            # The second signature is another person's, in the database too.
            models.CheckConstraint(
                condition=Q(approved_by__isnull=True) | ~Q(approved_by=models.F("requested_by")),
                name="sign_off_two_people",
            ),
            models.CheckConstraint(
                condition=Q(kind="wave_start", wave__isnull=False, progress__isnull=True)
                | Q(kind="phase", progress__isnull=False, wave__isnull=True),
                name="sign_off_one_subject",
            ),
            # A double submit asks once: one pending request per wave / phase.
            models.UniqueConstraint(
                fields=["wave"],
                condition=Q(approved_by__isnull=True, wave__isnull=False),
                name="sign_off_one_pending_wave",
            ),
            models.UniqueConstraint(
                fields=["progress"],
                condition=Q(approved_by__isnull=True, progress__isnull=False),
                name="sign_off_one_pending_phase",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.reason[:40]}"

    @property
    def is_approved(self) -> bool:
        return self.approved_by_id is not None


class ExitGate(CenterScoped):
    """The conditions a unit must meet to leave a phase, set by the center per phase. A
    center without a row uses the defaults (`ExitGate.for_center`)."""

    phase = models.CharField(_("phase"), max_length=16, choices=Phase.choices)
    score_required = models.BooleanField(_("average score at least the minimum"), default=True)
    min_score = models.PositiveSmallIntegerField(
        _("minimum average score (%)"),
        null=True,
        blank=True,
        validators=[MaxValueValidator(100)],
        help_text=_("Empty: the center's pass mark."),
    )
    score_weeks = models.PositiveSmallIntegerField(
        _("over the last weeks"),
        default=4,
        validators=[MinValueValidator(1), MaxValueValidator(26)],
    )
    no_overdue_required = models.BooleanField(_("no overdue rectification"), default=True)
    acceptance_required = models.BooleanField(
        _("accepted in a peer acceptance round"), default=True
    )
    red_tags_required = models.BooleanField(
        _("no red tag past its holding time (sort phase)"), default=True
    )
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("exit gate")
        verbose_name_plural = _("exit gates")
        ordering = ["center", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["center", "phase"], name="exit_gate_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.center_id}: {self.phase}"

    @classmethod
    def for_center(cls, center: Center | int) -> dict[str, ExitGate]:
        center_id = center if isinstance(center, int) else center.pk
        found = {g.phase: g for g in cls.objects.filter(center_id=center_id)}
        return {p: found.get(p) or cls(center_id=center_id, phase=p) for p in PHASES}


class RoundQuerySet(CenterQuerySet["AcceptanceRound"]):
    def open(self) -> RoundQuerySet:
        return self.filter(status=AcceptanceRound.Status.OPEN)

    def closed(self) -> RoundQuerySet:
        return self.filter(status=AcceptanceRound.Status.CLOSED)


class AcceptanceRound(CenterScoped):
    """成果验收: the office picks units and a phase; raters from other working groups score
    them blind; closing the round aggregates, ranks and issues cards."""

    class Status(models.TextChoices):
        OPEN = "open", pgettext_lazy("acceptance round", "Open")
        CLOSED = "closed", _("Closed")

    programme = models.ForeignKey(
        Programme, on_delete=models.PROTECT, related_name="rounds", verbose_name=_("programme")
    )
    number = models.PositiveSmallIntegerField(_("number"))
    name = models.CharField(_("name"), max_length=100)
    phase = models.CharField(_("phase"), max_length=16, choices=Phase.choices)
    min_raters = models.PositiveSmallIntegerField(
        _("raters per unit"), default=2, validators=[MinValueValidator(1), MaxValueValidator(10)]
    )
    seed = models.PositiveIntegerField(_("seed"))
    status = models.CharField(
        _("status"), max_length=8, choices=Status.choices, default=Status.OPEN
    )
    due_on = models.DateField(_("rate by"), null=True, blank=True)
    opened_at = models.DateTimeField(_("opened at"), default=timezone.now)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # The assignment's facts: pool, load bounds, reused pairs, group directions.
    plan = models.JSONField(default=dict, blank=True)
    reliability = models.DecimalField(
        _("inter-rater reliability (ICC)"), max_digits=4, decimal_places=2, null=True, blank=True
    )
    pass_mark = models.PositiveSmallIntegerField(_("pass mark (%)"), null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    objects = RoundQuerySet.as_manager()

    if TYPE_CHECKING:
        entries: RelatedManager[RoundUnit]
        assignments: RelatedManager[Assignment]

    class Meta:
        verbose_name = _("acceptance round")
        verbose_name_plural = _("acceptance rounds")
        ordering = ["center", "-opened_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["programme", "number"], name="round_number_unique"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def full_name(self) -> str:
        """The name with its programme's (names are numbered per programme, so "整理 第1轮"
        alone is ambiguous); select_related("programme") in lists."""
        return f"{self.programme.name} · {self.name}"

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.OPEN

    @property
    def is_closed(self) -> bool:
        return self.status == self.Status.CLOSED


class RoundUnit(CenterScoped):
    """A unit in a round and, once closed, its result."""

    round = models.ForeignKey(AcceptanceRound, on_delete=models.CASCADE, related_name="entries")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    score = models.DecimalField(
        _("score (%)"), max_digits=5, decimal_places=1, null=True, blank=True
    )
    ratings = models.PositiveSmallIntegerField(
        pgettext_lazy("acceptance round", "ratings"), default=0
    )
    trimmed = models.BooleanField(_("highest and lowest dropped"), default=False)
    spread = models.DecimalField(_("spread"), max_digits=5, decimal_places=1, null=True, blank=True)
    agreement = models.DecimalField(
        _("agreement"), max_digits=3, decimal_places=2, null=True, blank=True
    )
    rank = models.PositiveSmallIntegerField(_("rank"), null=True, blank=True)
    accepted = models.BooleanField(_("accepted"), null=True, blank=True)

    class Meta:
        verbose_name = _("unit in a round")
        verbose_name_plural = _("units in a round")
        ordering = ["round", "rank", "unit__code"]
        constraints = [
            models.UniqueConstraint(fields=["round", "unit"], name="round_unit_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.round} · {self.unit}"


class Assignment(CenterScoped):
    """One rater rates one unit in a round, with the acceptance checklist of each of its
    zones (a `RatingSheet` per zone). Their score is kept from everyone until the round
    closes."""

    round = models.ForeignKey(AcceptanceRound, on_delete=models.CASCADE, related_name="assignments")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    rater = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="rating_assignments",
        verbose_name=_("rater"),
    )
    rater_group = models.ForeignKey(
        Group, on_delete=models.PROTECT, related_name="+", verbose_name=_("rater's group")
    )
    reused = models.BooleanField(_("same pair as last round"), default=False)
    score = models.DecimalField(
        _("score (%)"), max_digits=5, decimal_places=1, null=True, blank=True
    )  # set when the round closes
    is_outlier = models.BooleanField(_("outlier"), default=False)

    if TYPE_CHECKING:
        sheets: RelatedManager[RatingSheet]

    class Meta:
        verbose_name = _("rater assignment")
        verbose_name_plural = _("rater assignments")
        ordering = ["round", "unit__code", "rater__username"]
        constraints = [
            models.UniqueConstraint(fields=["round", "unit", "rater"], name="assignment_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.rater} → {self.unit}"


class RatingSheet(CenterScoped):
    """A rater's acceptance inspection of one zone of the unit they rate."""

    assignment = models.ForeignKey(Assignment, on_delete=models.CASCADE, related_name="sheets")
    zone = models.ForeignKey(Zone, on_delete=models.PROTECT, related_name="+")
    inspection: models.OneToOneField[Inspection, Inspection] = models.OneToOneField(
        "inspections.Inspection", on_delete=models.PROTECT, related_name="rating_sheet"
    )

    class Meta:
        verbose_name = _("rating sheet")
        verbose_name_plural = _("rating sheets")
        constraints = [
            models.UniqueConstraint(fields=["assignment", "zone"], name="rating_sheet_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.assignment} · {self.zone.code}"


class MonthlyRanking(CenterScoped):
    """The month's ranking as published (评比): frozen so cards and the interview list keep
    their meaning."""

    month = models.DateField(_("month"))  # the first day
    published_at = models.DateTimeField(_("published at"), default=timezone.now)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    if TYPE_CHECKING:
        rows: RelatedManager[MonthlyResult]

    class Meta:
        verbose_name = _("monthly ranking")
        verbose_name_plural = _("monthly rankings")
        ordering = ["center", "-month"]
        constraints = [
            models.UniqueConstraint(fields=["center", "month"], name="monthly_ranking_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m}"


class MonthlyResult(CenterScoped):
    ranking = models.ForeignKey(MonthlyRanking, on_delete=models.CASCADE, related_name="rows")
    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="+")
    score = models.DecimalField(_("score (%)"), max_digits=5, decimal_places=1)
    rank = models.PositiveSmallIntegerField(_("rank"))
    sources = models.PositiveSmallIntegerField(_("scores counted"))

    class Meta:
        verbose_name = _("monthly result")
        verbose_name_plural = _("monthly results")
        ordering = ["ranking", "rank", "unit__code"]
        constraints = [
            models.UniqueConstraint(fields=["ranking", "unit"], name="monthly_result_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.ranking} #{self.rank} {self.unit}"


class CardQuerySet(CenterQuerySet["Card"]):
    def in_force(self) -> CardQuerySet:
        return self.filter(revoked_at__isnull=True)

    def flag_holders(self) -> CardQuerySet:
        """The rotating red flag where it is now."""
        return self.in_force().filter(kind=Card.Kind.RED_FLAG, handed_on_at__isnull=True)


class Card(CenterScoped):
    """流动红旗 (the rotating red flag: held until the next ranking hands it on), 黄牌 yellow
    card, 红牌 red card. Each has a cause, a reason, its issuer and date."""

    class Kind(models.TextChoices):
        RED_FLAG = "red_flag", _("Rotating red flag")
        YELLOW = "yellow", _("Yellow card")
        RED = "red", _("Red card")

    class Cause(models.TextChoices):
        ROUND_TOP = "round_top", _("Top of an acceptance round")
        ROUND_BOTTOM = "round_bottom", _("Bottom of an acceptance round")
        MONTH_TOP = "month_top", _("Top of the monthly ranking")
        MONTH_BOTTOM = "month_bottom", _("Bottom of the monthly ranking")
        OVERDUE = "overdue", _("Overdue rectification")
        REPEAT = "repeat", _("Repeated finding")
        MANUAL = "manual", _("Issued by hand")

    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="cards")
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    cause = models.CharField(_("cause"), max_length=14, choices=Cause.choices)
    reason = models.TextField(_("reason"), blank=True)  # typed by hand, or a note
    params: models.JSONField[dict[str, Any], dict[str, Any]] = models.JSONField(
        default=dict, blank=True
    )
    round = models.ForeignKey(
        AcceptanceRound, on_delete=models.SET_NULL, null=True, blank=True, related_name="cards"
    )
    month = models.DateField(_("month"), null=True, blank=True)
    # What earned it (e.g. "overdue:rect:12"), so issuing again never doubles a card.
    source_key = models.CharField(max_length=60, blank=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("issued by"),
    )
    issued_on = models.DateField(_("issued on"), default=timezone.localdate)
    handed_on_at = models.DateField(_("flag handed on"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    revoke_reason = models.TextField(_("why revoked"), blank=True)

    objects = CardQuerySet.as_manager()

    class Meta:
        verbose_name = _("card")
        verbose_name_plural = _("cards")
        ordering = ["center", "-issued_on", "-pk"]
        indexes = [models.Index(fields=["center", "unit", "-issued_on"])]
        constraints = [
            models.UniqueConstraint(
                fields=["center", "source_key"],
                condition=~Q(source_key=""),
                name="card_source_once",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.unit}"

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None

    @property
    def is_lifted(self) -> bool:
        """Revoked by the rule, not by a person: an overdue card whose items are all closed."""
        return self.is_revoked and "lifted" in (self.params or {})

    @property
    def lift_reason(self) -> str:
        """Why the rule lifted the card, in the active language."""
        lifted = (self.params or {}).get("lifted") or {}
        return ngettext(
            "Lifted on %(on)s: the %(count)s overdue rectification it was issued for is closed.",
            "Lifted on %(on)s: all %(count)s overdue rectifications it was issued for are closed.",
            int(lifted.get("items") or 0),
        ) % {"on": lifted.get("on", ""), "count": lifted.get("items") or 0}

    @property
    def revoke_text(self) -> str:
        """Why it was revoked, in the reader's language when the rule lifted it."""
        return self.lift_reason if self.is_lifted else self.revoke_reason

    @property
    def description(self) -> str:
        """Why, in the reader's language (the facts are kept as params)."""
        p = self.params or {}
        texts: dict[str, str] = {
            self.Cause.ROUND_TOP.value: gettext("Ranked first in %(round)s with %(score)s%%."),
            self.Cause.ROUND_BOTTOM.value: gettext(
                "Ranked last of %(count)s units in %(round)s with %(score)s%%."
            ),
            self.Cause.MONTH_TOP.value: gettext("Ranked first in %(month)s with %(score)s%%."),
            self.Cause.MONTH_BOTTOM.value: gettext(
                "Ranked last of %(count)s units in %(month)s with %(score)s%%."
            ),
            self.Cause.OVERDUE.value: ngettext(
                "%(count)s rectification past its due date, “%(finding)s” at %(zone)s, due "
                "%(due)s.",
                "%(count)s rectifications past their due date, the oldest “%(finding)s” at "
                "%(zone)s, due %(due)s.",
                int(p.get("count") or 0),
            ),
            self.Cause.REPEAT.value: ngettext(
                "%(count)s finding repeated within %(days)s days, “%(finding)s” at %(zone)s on "
                "%(found)s.",
                "%(count)s findings repeated within %(days)s days, the latest “%(finding)s” at "
                "%(zone)s on %(found)s.",
                int(p.get("count") or 0),
            ),
        }
        text = texts.get(self.cause)
        if text is None:
            return self.reason
        try:
            described = text % p
        except (KeyError, TypeError, ValueError):
            described = self.get_cause_display()
        return f"{described} {self.reason}".strip()


class Interview(CenterScoped):
    """约谈: a unit at the bottom of the monthly ranking two months running."""

    class Status(models.TextChoices):
        PENDING = "pending", _("To hold")
        HELD = "held", _("Held")

    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="+")
    month = models.DateField(_("month"))  # the second month at the bottom
    previous_month = models.DateField(_("previous month"))
    status = models.CharField(
        _("status"), max_length=8, choices=Status.choices, default=Status.PENDING
    )
    created_at = models.DateTimeField(default=timezone.now)
    held_on = models.DateField(_("held on"), null=True, blank=True)
    held_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    note = models.TextField(_("note"), blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("interview")
        verbose_name_plural = _("interviews")
        ordering = ["center", "status", "-month", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["center", "unit", "month"], name="interview_once"),
        ]

    def __str__(self) -> str:
        return f"{self.unit} {self.month:%Y-%m}"
