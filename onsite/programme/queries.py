"""Read-side figures of the programme for pages, the API and other apps. Each function runs a
fixed number of queries whatever the number of units, rounds or cards."""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.utils import timezone

from onsite.accounts.models import User
from onsite.core.months import month_end, month_start
from onsite.core.ranking import competition_ranks
from onsite.inspections.models import Inspection
from onsite.org.models import Unit
from onsite.programme.gates import GateResult, evaluate_gate
from onsite.programme.models import (
    PHASES,
    AcceptanceRound,
    Assignment,
    Card,
    Interview,
    MonthlyRanking,
    Phase,
    PhaseProgress,
    PhaseTransition,
    Programme,
    ProgressStatus,
    RoundUnit,
    SignOff,
    Wave,
    WaveUnit,
)
from onsite.programme.results import one_place

# --- the monthly ranking -------------------------------------------------------------------


@dataclass(frozen=True)
class MonthRow:
    unit: Unit
    score: Decimal
    rank: int
    sources: int


def month_scores(*, center: Any, month: datetime.date) -> list[MonthRow]:
    """The month's ranking, the one source of a unit's monthly score and rank: the programme
    publishes it (`MonthlyRanking`) and the dashboard ranks by it (docs/dashboards.md, "One
    ranking"). A unit's score is the mean of its zones' supervision inspections in the month
    and its results in acceptance rounds closed in the month (each counts once); units without
    any are not ranked. Three queries."""
    first = month_start(month)
    last = month_end(first)
    scores: dict[int, list[Decimal]] = defaultdict(list)
    for unit_id, score in Inspection.objects.filter(
        center=center,
        kind=Inspection.Kind.SUPERVISION,
        status=Inspection.Status.SUBMITTED,
        inspected_on__gte=first,
        inspected_on__lte=last,
        zone__unit__isnull=False,
        score__isnull=False,
    ).values_list("zone__unit_id", "score"):
        if score is not None:
            scores[unit_id].append(score)
    for unit_id, score in RoundUnit.objects.filter(
        center=center,
        round__status=AcceptanceRound.Status.CLOSED,
        round__closed_at__date__gte=first,
        round__closed_at__date__lte=last,
        score__isnull=False,
    ).values_list("unit_id", "score"):
        if score is not None:
            scores[unit_id].append(score)
    means = {unit: one_place(sum(values) / len(values)) for unit, values in scores.items()}
    ranked = competition_ranks(means)
    units = Unit.objects.in_bulk(list(means))
    return sorted(
        (MonthRow(units[u], means[u], ranked[u], len(scores[u])) for u in means if u in units),
        key=lambda row: (row.rank, row.unit.code),
    )


def month_ranking(
    *, center: Any, month: datetime.date
) -> tuple[MonthlyRanking | None, list[MonthRow]]:
    """The month's ranking as every page, the API and the dashboard show it: as published
    (the frozen rows of `MonthlyRanking`), or as it stands (`month_scores`) until then."""
    published = MonthlyRanking.objects.filter(center=center, month=month_start(month)).first()
    if published is None:
        return None, month_scores(center=center, month=month)
    return published, [
        MonthRow(r.unit, r.score, r.rank, r.sources)
        for r in published.rows.select_related("unit").order_by("rank", "unit__code")
    ]


# --- the programme at a glance -------------------------------------------------------------


@dataclass
class UnitRow:
    unit: Unit
    cells: list[PhaseProgress]
    current: PhaseProgress | None = None
    holds_flag: bool = False

    @property
    def accepted(self) -> int:
        return sum(c.status == ProgressStatus.ACCEPTED for c in self.cells)


@dataclass
class WaveBlock:
    wave: Wave
    rows: list[UnitRow] = field(default_factory=list)

    @property
    def counts(self) -> dict[str, int]:
        """Units per phase they are in now (the first phase not accepted)."""
        found = dict.fromkeys(PHASES, 0)
        found["done"] = 0
        for row in self.rows:
            if row.current is None:
                found["done"] += 1
            else:
                found[row.current.phase] += 1
        return found


def current_of(cells: list[PhaseProgress]) -> PhaseProgress | None:
    return next((c for c in cells if c.status != ProgressStatus.ACCEPTED), None)


def progress_matrix(programme: Programme) -> list[WaveBlock]:
    """Every wave with its units and their five phases. Four queries."""
    waves = {w.pk: WaveBlock(w) for w in programme.waves.order_by("position", "pk")}
    members = list(
        WaveUnit.objects.filter(programme=programme)
        .select_related("unit")
        .order_by("unit__kind", "unit__position", "unit__code")
    )
    cells: dict[int, dict[str, PhaseProgress]] = defaultdict(dict)
    for progress in PhaseProgress.objects.filter(programme=programme):
        cells[progress.unit_id][progress.phase] = progress
    flags = set(
        Card.objects.filter(center_id=programme.center_id)
        .flag_holders()
        .values_list("unit_id", flat=True)
    )
    for member in members:
        row_cells = [cells[member.unit_id][p] for p in PHASES if p in cells[member.unit_id]]
        for cell in row_cells:
            cell.unit = member.unit  # no query per cell when a template reads it
        waves[member.wave_id].rows.append(
            UnitRow(member.unit, row_cells, current_of(row_cells), member.unit_id in flags)
        )
    return list(waves.values())


# --- the timeline: planned against actual --------------------------------------------------


@dataclass(frozen=True)
class TimelineRow:
    wave: str
    phase: str
    phase_label: str
    planned_start: datetime.date | None
    planned_end: datetime.date | None
    actual_start: datetime.date | None
    actual_end: datetime.date | None  # None while not every unit is accepted
    accepted: int
    units: int

    @property
    def is_late(self) -> bool:
        if self.planned_end is None or self.units == 0:
            return False
        if self.actual_end is not None:
            return self.actual_end > self.planned_end
        return timezone.localdate() > self.planned_end


def timeline(programme: Programme) -> list[TimelineRow]:
    """Per wave and phase: the planned span, and the actual one (first unit started → last
    unit accepted). Three queries."""
    waves = list(programme.waves.prefetch_related("plans").order_by("position", "pk"))
    wave_of = dict(WaveUnit.objects.filter(programme=programme).values_list("unit_id", "wave_id"))
    stats: dict[tuple[int, str], dict[str, Any]] = defaultdict(
        lambda: {"start": None, "end": None, "accepted": 0, "units": 0}
    )
    for unit_id, phase, status, started, accepted in PhaseProgress.objects.filter(
        programme=programme, unit_id__in=list(wave_of)
    ).values_list("unit_id", "phase", "status", "started_on", "accepted_on"):
        entry = stats[(wave_of[unit_id], phase)]
        entry["units"] += 1
        if started and (entry["start"] is None or started < entry["start"]):
            entry["start"] = started
        if status == ProgressStatus.ACCEPTED:
            entry["accepted"] += 1
            if accepted and (entry["end"] is None or accepted > entry["end"]):
                entry["end"] = accepted
    rows = []
    for wave in waves:
        plans = {p.phase: p for p in wave.plans.all()}
        for phase in PHASES:
            entry = stats[(wave.pk, phase)]
            plan = plans.get(phase)
            done = entry["units"] > 0 and entry["accepted"] == entry["units"]
            rows.append(
                TimelineRow(
                    wave=wave.name,
                    phase=phase,
                    phase_label=str(Phase(phase).label),
                    planned_start=plan.planned_start if plan else None,
                    planned_end=plan.planned_end if plan else None,
                    actual_start=entry["start"],
                    actual_end=entry["end"] if done else None,
                    accepted=entry["accepted"],
                    units=entry["units"],
                )
            )
    return rows


def timeline_chart(programme: Programme, rows: list[TimelineRow]) -> dict[str, Any]:
    """The chart's data as day offsets from the programme's start (ECharts stacks a
    transparent offset bar and a visible length bar: a Gantt chart)."""
    today = timezone.localdate()
    origin = programme.starts_on
    dates = [
        d
        for r in rows
        for d in (r.planned_start, r.planned_end, r.actual_start, r.actual_end)
        if d is not None
    ]
    if dates:
        origin = min([origin, *dates])

    def span(start: datetime.date | None, end: datetime.date | None) -> list[int | None]:
        if start is None:
            return [None, None]
        return [(start - origin).days, ((end or start) - start).days + 1]

    return {
        "origin": origin.isoformat(),
        "today": (today - origin).days,
        "labels": [f"{r.wave} · {r.phase_label}" for r in rows],
        "planned": [span(r.planned_start, r.planned_end) for r in rows],
        "actual": [
            span(r.actual_start, r.actual_end or (today if r.actual_start else None)) for r in rows
        ],
        "ongoing": [r.actual_start is not None and r.actual_end is None for r in rows],
    }


# --- one unit ------------------------------------------------------------------------------


@dataclass
class UnitPanel:
    programme: Programme | None
    wave: Wave | None
    cells: list[PhaseProgress]
    current: PhaseProgress | None
    gate: GateResult | None
    cards: list[Card]
    holds_flag: bool
    interviews: list[Interview]


def unit_panel(unit: Unit, programme: Programme | None, *, with_gate: bool = True) -> UnitPanel:
    """What the unit's page shows of the programme: its phases, the current phase's exit
    gate, its cards and a pending interview."""
    cards = list(
        Card.objects.filter(center_id=unit.center_id, unit=unit)
        .select_related("issued_by", "revoked_by", "round")
        .order_by("-issued_on", "-pk")[:20]
    )
    interviews = list(
        Interview.objects.filter(
            center_id=unit.center_id, unit=unit, status=Interview.Status.PENDING
        )
    )
    holds_flag = any(
        c.kind == Card.Kind.RED_FLAG and c.handed_on_at is None and not c.is_revoked for c in cards
    )
    if programme is None:
        return UnitPanel(None, None, [], None, None, cards, holds_flag, interviews)
    member = WaveUnit.objects.filter(programme=programme, unit=unit).select_related("wave").first()
    by_phase = {p.phase: p for p in PhaseProgress.objects.filter(programme=programme, unit=unit)}
    cells = [by_phase[p] for p in PHASES if p in by_phase]
    for cell in cells:
        cell.unit = unit
    current = current_of(cells)
    gate = None
    if with_gate and current is not None and current.status != ProgressStatus.NOT_STARTED:
        gate = evaluate_gate(current)
    elif current is None and cells:
        gate = GateResult.from_json(cells[-1].gate)
    return UnitPanel(
        programme,
        member.wave if member else None,
        cells,
        current,
        gate,
        cards,
        holds_flag,
        interviews,
    )


def my_assignments(user: User, center: Any) -> list[Any]:
    """The open rounds' units this person rates."""
    return list(
        Assignment.objects.filter(
            center=center, rater=user, round__status=AcceptanceRound.Status.OPEN
        )
        .select_related("round__programme", "unit")
        .order_by("round__opened_at", "unit__code")
    )


def round_rows(center: Any, *, status: str = "") -> Any:
    rows = AcceptanceRound.objects.filter(center=center).select_related("programme")
    if status in AcceptanceRound.Status.values:
        rows = rows.filter(status=status)
    return rows.order_by("-opened_at", "-pk")


def cards_of(center: Any, *, kind: str = "", unit: str = "", show: str = "in_force") -> Any:
    rows = Card.objects.filter(center=center).select_related(
        "unit", "issued_by", "revoked_by", "round"
    )
    if kind in Card.Kind.values:
        rows = rows.filter(kind=kind)
    if unit:
        rows = rows.filter(unit__code=unit[:32].replace("\x00", ""))
    if show == "in_force":
        rows = rows.in_force()
    elif show == "revoked":
        rows = rows.filter(revoked_at__isnull=False)
    return rows.order_by("-issued_on", "-pk")


def units_at(programme: Programme, phase: str) -> Any:
    """Units whose `phase` is in progress or awaiting acceptance: the ones a round can take."""
    # One filter() call: the three conditions hold for the same progress row.
    return Unit.objects.filter(
        phase_progress__programme=programme,
        phase_progress__phase=phase,
        phase_progress__status__in=[ProgressStatus.IN_PROGRESS, ProgressStatus.AWAITING],
    ).order_by("kind", "position", "code")


def units_elsewhere(wave: Wave) -> dict[int, str]:
    """The programme's units in another wave, with that wave's name (the wave form says
    where a unit would come from)."""
    return dict(
        WaveUnit.objects.filter(programme_id=wave.programme_id)
        .exclude(wave=wave)
        .values_list("unit_id", "wave__name")
    )


def phase_history(programme: Programme | None, unit: Unit) -> list[PhaseTransition]:
    """The unit's latest moves through the programme's phases, newest first."""
    if programme is None:
        return []
    return list(
        PhaseTransition.objects.filter(progress__programme=programme, progress__unit=unit)
        .select_related("by", "progress")
        .order_by("-at", "-pk")[:50]
    )


def wave_units(programme: Programme) -> dict[int, list[str]]:
    """The codes of each wave's units, by wave id."""
    units: dict[int, list[str]] = defaultdict(list)
    for wave_id, code in (
        WaveUnit.objects.filter(programme=programme)
        .order_by("unit__code")
        .values_list("wave_id", "unit__code")
    ):
        units[wave_id].append(code)
    return units


def sign_offs_of(progress: PhaseProgress | None = None, wave: Wave | None = None) -> list[Any]:
    """The overrides asked for a phase or a wave, newest first (both signatures)."""
    if progress is None and wave is None:
        return []
    subject = {"progress": progress} if progress is not None else {"wave": wave}
    return list(
        SignOff.objects.filter(**subject)
        .select_related("requested_by", "approved_by")
        .order_by("-requested_at", "-pk")
    )
