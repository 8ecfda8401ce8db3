"""Synthetic programme of a generated center: the pilot wave (督查科 and five windows) over the
first third of the programme, the rollout wave for every other unit after it, the programme
running half as long again as the history (so at its end the rollout is under way and every
phase state is present). The acceptance rounds are the acceptance inspections the inspections
generator wrote (first working days of March, June, September, December): one round per wave
and quarter for the phase most of its units are in, an assignment per rater and unit with a
rating sheet per inspected zone. A closed round carries the results `close_round` computes
(trimmed mean, spread, agreement, rank, outliers, reliability), its red flag and yellow card,
and moves each unit on (accepted, or back in progress); a round still running at the end
stays open with its units awaiting acceptance. Every completed month is published as the
monthly ranking (`month_scores`) with its cards and the interview list."""

from __future__ import annotations

import datetime
import random
from collections import Counter, defaultdict
from collections.abc import Collection
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from onsite.accounts.models import Role, User
from onsite.core.generate import at_time, bulk, period, working_days
from onsite.core.models import Center
from onsite.core.months import next_month, previous_month
from onsite.core.ranking import competition_ranks
from onsite.inspections.models import Inspection, InspectionSettings
from onsite.org.models import Membership, Unit
from onsite.programme import results
from onsite.programme.demo import NAME, PILOT_UNITS
from onsite.programme.gates import (
    ACCEPTANCE,
    NO_OVERDUE,
    RED_TAGS,
    SCORE,
    Condition,
    GateResult,
)
from onsite.programme.models import (
    PHASES,
    AcceptanceRound,
    Assignment,
    Card,
    Interview,
    MonthlyRanking,
    MonthlyResult,
    Phase,
    PhaseProgress,
    PhaseTransition,
    Programme,
    ProgressStatus,
    RatingSheet,
    RoundUnit,
    Wave,
    WavePhase,
    WaveUnit,
)
from onsite.programme.queries import month_scores
from onsite.programme.services.common import PLANNED_PHASES
from onsite.programme.services.plan import split_dates
from onsite.programme.services.rankings import month_earns_cards, month_failing, ranking_cards

PHASE_NAMES = {"sort": "整理", "set_in_order": "整顿", "shine": "清扫", "standardize": "清洁",
               "sustain": "素养"}  # fmt: skip
CLOSE_AFTER = 3  # working days from a round's last rating day to its closing
NOT_READY = 0.1  # of units in a phase, left out of a round
REQUESTING = 0.3  # of units in progress at the end that have asked for acceptance
S = ProgressStatus


@dataclass
class _Unit:
    unit: Unit
    wave: str
    phase: int = 0  # index in PHASES of the current phase
    rows: dict[str, PhaseProgress] = field(default_factory=dict)


@dataclass
class _Context:
    center: Center
    programme: Programme
    office: int
    counts: Counter[str]
    rng: random.Random
    transitions: list[PhaseTransition] = field(default_factory=list)
    flags: list[Card] = field(default_factory=list)


def generate(
    center: Center, *, years: float, rng: random.Random, until: datetime.date
) -> dict[str, int]:
    counts: Counter[str] = Counter()
    start, end = period(years=years, until=until)
    office = (
        User.objects.filter(center=center, role_grants__role=Role.OFFICE).order_by("pk").first()
    )
    units = list(Unit.objects.filter(center=center).order_by("kind", "position"))
    if office is None or not units:
        return {}
    finish = start + (end - start) * 3 // 2
    programme = bulk(
        Programme,
        [Programme(center=center, name=NAME, starts_on=start, ends_on=finish,
                   status=Programme.Status.RUNNING, created_at=at_time(start, rng),
                   note="以督查科及5个窗口为试点，分整理、整顿、清扫、清洁4个阶段实施，再全面推行。")],
        counts=counts,
    )[0]  # fmt: skip
    thirds = split_dates(start, finish, 3)
    spans = {Wave.Kind.PILOT: thirds[0], Wave.Kind.ROLLOUT: (thirds[1][0], finish)}
    waves = bulk(
        Wave,
        [Wave(center=center, programme=programme, kind=kind, name=name, position=i,
              planned_start=spans[kind][0], planned_end=spans[kind][1])
         for i, (kind, name) in enumerate([(Wave.Kind.PILOT, "试点"), (Wave.Kind.ROLLOUT, "全面推行")])],
        counts=counts,
    )  # fmt: skip
    bulk(
        WavePhase,
        [WavePhase(center=center, wave=wave, phase=phase, planned_start=s, planned_end=e)
         for wave in waves
         for phase, (s, e) in zip(PLANNED_PHASES, split_dates(wave.planned_start, wave.planned_end, 4), strict=True)],
        counts=counts,
    )  # fmt: skip
    wave_of = {w.kind: w for w in waves}
    taking = [
        _Unit(u, Wave.Kind.PILOT if u.code in PILOT_UNITS else Wave.Kind.ROLLOUT) for u in units
    ]
    bulk(
        WaveUnit,
        [WaveUnit(center=center, programme=programme, wave=wave_of[t.wave], unit=t.unit)
         for t in taking],
        counts=counts,
    )  # fmt: skip
    progress = bulk(
        PhaseProgress,
        [PhaseProgress(center=center, programme=programme, unit=t.unit, phase=phase)
         for t in taking for phase in PHASES],
        counts=counts,
    )  # fmt: skip
    by_unit = {t.unit.pk: t for t in taking}
    for row in progress:
        by_unit[row.unit_id].rows[row.phase] = row
    ctx = _Context(center, programme, office.pk, counts, rng)
    days = working_days(start, until + datetime.timedelta(days=30))
    events = sorted(_rounds(center, days, until), key=lambda r: r.opens)
    starts = {kind: wave.planned_start for kind, wave in wave_of.items()}
    for kind, day in starts.items():  # each wave starts its first phase on its planned start
        if day <= until:
            for t in taking:
                if t.wave == kind:
                    _move(ctx, t, S.IN_PROGRESS, day, note="阶段启动。")
    settings = InspectionSettings.for_center(center)
    for event in events:
        for kind in (Wave.Kind.PILOT, Wave.Kind.ROLLOUT):
            members = [t for t in taking if t.wave == kind and starts[kind] < event.first]
            _round(ctx, event, members, wave_name=wave_of[kind].name, pass_mark=settings.pass_mark,
                   until=until)  # fmt: skip
    # A few units still in progress have asked for acceptance in the next round.
    for t in taking:
        row = t.rows[PHASES[t.phase]]
        if row.phase == Phase.SUSTAIN or row.status != S.IN_PROGRESS or row.started_on is None:
            continue
        if rng.random() < REQUESTING:
            asked = row.started_on + datetime.timedelta(days=(until - row.started_on).days // 2)
            _move(ctx, t, S.AWAITING, asked, note="申请阶段验收。")
    PhaseProgress.objects.bulk_update(
        progress, ["status", "started_on", "submitted_on", "accepted_on", "gate", "version"]
    )
    bulk(PhaseTransition, ctx.transitions, counts=counts)
    _rankings(ctx, start=start, until=until)
    _hand_on_flags(ctx.flags)
    return dict(counts)


@dataclass
class _Sheet:
    inspection: int
    zone: int
    unit: int
    rater: int
    day: datetime.date
    earned: Decimal | None
    possible: Decimal | None


@dataclass
class _Event:
    """One quarter's acceptance inspections: when the round opened and closed."""

    opens: datetime.date
    first: datetime.date  # the first rating day
    closes: datetime.date
    sheets: list[_Sheet]


def _rounds(center: Center, days: list[datetime.date], until: datetime.date) -> list[_Event]:
    quarters: dict[tuple[int, int], list[_Sheet]] = defaultdict(list)
    rows = (
        Inspection.objects.filter(
            center=center, kind=Inspection.Kind.ACCEPTANCE, zone__unit__isnull=False
        )
        .order_by("pk")
        .values_list("pk", "zone_id", "zone__unit_id", "inspector_id", "inspected_on",
                     "points_earned", "points_possible")
    )  # fmt: skip
    for pk, zone, unit, rater, day, earned, possible in rows:
        quarters[(day.year, day.month)].append(_Sheet(pk, zone, unit, rater, day, earned, possible))
    events = []
    for sheets in quarters.values():
        first = min(s.day for s in sheets)
        last = max(s.day for s in sheets)
        later = [d for d in days if d > last]
        closes = later[min(CLOSE_AFTER, len(later)) - 1] if later else last
        events.append(_Event(first - datetime.timedelta(days=3), first, closes, sheets))
    return events


def _move(
    ctx: _Context,
    t: _Unit,
    to: str,
    day: datetime.date,
    *,
    by: int | None = -1,
    note: str = "",
    gate: dict[str, Any] | None = None,
) -> None:
    """`move_phase` on the unsaved row: the same move (`PhaseProgress.move_to`), a version
    more, and the history row."""
    row = t.rows[PHASES[t.phase]]
    before, _fields = row.move_to(to, on=day, gate=gate)
    row.version += 1
    ctx.transitions.append(
        PhaseTransition(center=ctx.center, progress=row, from_status=before, to_status=to,
                        by_id=ctx.office if by == -1 else by, at=at_time(day, ctx.rng), note=note)
    )  # fmt: skip


def _round(
    ctx: _Context,
    event: _Event,
    members: list[_Unit],
    *,
    wave_name: str,
    pass_mark: int,
    until: datetime.date,
) -> None:
    ready = [
        t
        for t in members
        if PHASES[t.phase] != Phase.SUSTAIN
        and t.rows[PHASES[t.phase]].status in (S.IN_PROGRESS, S.AWAITING)
    ]
    rated = {s.unit for s in event.sheets}
    # The office leaves out a few units that have not finished the phase's work yet.
    ready = [t for t in ready if t.unit.pk in rated and ctx.rng.random() >= NOT_READY]
    if not ready:
        return
    phase = Counter(PHASES[t.phase] for t in ready).most_common(1)[0][0]
    entries = sorted((t for t in ready if PHASES[t.phase] == phase), key=lambda t: t.unit.code)
    started = max(t.rows[phase].started_on or event.opens for t in entries)
    opens = min(max(event.opens, started), event.first)
    is_open = event.closes > until
    number = AcceptanceRound.objects.filter(programme=ctx.programme).count() + 1
    name = f"第{number}轮成果验收 · {PHASE_NAMES[phase]}（{wave_name}）"
    round_ = bulk(
        AcceptanceRound,
        [AcceptanceRound(
            center=ctx.center, programme=ctx.programme, number=number, name=name, phase=phase,
            min_raters=2, seed=ctx.rng.randrange(1_000_000),
            status=AcceptanceRound.Status.OPEN if is_open else AcceptanceRound.Status.CLOSED,
            due_on=event.closes, opened_at=at_time(opens, ctx.rng), opened_by_id=ctx.office,
            closed_at=None if is_open else at_time(event.closes, ctx.rng, start_hour=15),
            closed_by_id=None if is_open else ctx.office, pass_mark=pass_mark,
        )],
        counts=ctx.counts,
    )[0]  # fmt: skip
    for t in entries:
        if t.rows[phase].status == S.IN_PROGRESS:
            _move(ctx, t, S.AWAITING, opens, note=f"列入{name}。")
    unit_ids = {t.unit.pk for t in entries}
    group_of = dict(
        Membership.objects.filter(group__center=ctx.center, group_kind="working").values_list(
            "user_id", "group_id"
        )
    )
    sheets = [s for s in event.sheets if s.unit in unit_ids and s.rater in group_of]
    pairs = sorted({(s.unit, s.rater) for s in sheets})
    assignments = bulk(
        Assignment,
        [Assignment(center=ctx.center, round=round_, unit_id=unit, rater_id=rater,
                    rater_group_id=group_of[rater]) for unit, rater in pairs],
        counts=ctx.counts,
    )  # fmt: skip
    assignment_of = {(a.unit_id, a.rater_id): a for a in assignments}
    bulk(
        RatingSheet,
        [RatingSheet(center=ctx.center, assignment=assignment_of[(s.unit, s.rater)],
                     zone_id=s.zone, inspection_id=s.inspection) for s in sheets],
        counts=ctx.counts,
    )  # fmt: skip
    loads = Counter(rater for _unit, rater in pairs)
    round_.plan = {"pool": len(set(group_of)), "min_load": min(loads.values(), default=0),
                   "max_load": max(loads.values(), default=0), "reused": 0, "directions": []}  # fmt: skip
    rows = [RoundUnit(center=ctx.center, round=round_, unit=t.unit) for t in entries]
    if not is_open:
        _close(ctx, round_, rows, entries, sheets, assignments, pass_mark=pass_mark,
               day=event.closes)  # fmt: skip
    AcceptanceRound.objects.filter(pk=round_.pk).update(
        plan=round_.plan, reliability=round_.reliability
    )
    bulk(RoundUnit, rows, counts=ctx.counts)


def _close(
    ctx: _Context,
    round_: AcceptanceRound,
    rows: list[RoundUnit],
    entries: list[_Unit],
    sheets: list[_Sheet],
    assignments: list[Assignment],
    *,
    pass_mark: int,
    day: datetime.date,
) -> None:
    """What `close_round` computes, on the generated sheets (all of them submitted: the
    inspections generator rates every zone of a unit)."""
    parts: dict[tuple[int, int], list[tuple[Decimal | None, Decimal | None]]] = defaultdict(list)
    for s in sheets:
        parts[(s.unit, s.rater)].append((s.earned, s.possible))
    by_unit: dict[int, dict[int, Decimal]] = defaultdict(dict)
    for a in assignments:
        a.score = results.weighted_score(parts[(a.unit_id, a.rater_id)])
        if a.score is not None:
            by_unit[a.unit_id][a.rater_id] = a.score
    figures = {t.unit.pk: results.unit_figures(by_unit.get(t.unit.pk, {})) for t in entries}
    ranked = competition_ranks({u: f.score for u, f in figures.items() if f.score is not None})
    for row in rows:
        f = figures[row.unit_id]
        row.score, row.ratings, row.trimmed = f.score, f.ratings, f.trimmed
        row.spread, row.agreement, row.rank = f.spread, f.agreement, ranked.get(row.unit_id)
        row.accepted = (
            f.score is not None and f.ratings >= round_.min_raters and f.score >= pass_mark
        )
    for a in assignments:
        a.is_outlier = a.rater_id in figures[a.unit_id].outliers
    Assignment.objects.bulk_update(assignments, ["score", "is_outlier"])
    round_.reliability = results.reliability({u: list(s.values()) for u, s in by_unit.items()})
    scored = [(r, t) for r, t in zip(rows, entries, strict=True) if r.rank is not None]
    _cards(ctx, [(t.unit, r.score, r.rank) for r, t in scored], top=Card.Cause.ROUND_TOP,
           failing={t.unit.pk for r, t in scored if not r.accepted},
           bottom=Card.Cause.ROUND_BOTTOM, on=day, key=f"round:{round_.pk}",
           params={"round": round_.name}, round_=round_)  # fmt: skip
    for row, t in zip(rows, entries, strict=True):
        phase = PHASES[t.phase]
        if row.accepted:
            zones = len({s.zone for s in sheets if s.unit == t.unit.pk})
            gate = _gate(phase, day, row.score, round_.name, pass_mark, zones)
            _move(ctx, t, S.ACCEPTED, day, note=round_.name, gate=gate)
            t.phase += 1
            _move(ctx, t, S.IN_PROGRESS, day, note="进入下一阶段。")
        else:
            _move(ctx, t, S.IN_PROGRESS, day, note=f"未通过{round_.name}。")


def _gate(
    phase: str,
    on: datetime.date,
    score: Decimal | None,
    round_name: str,
    pass_mark: int,
    zones: int,
) -> dict[str, Any]:
    """The gate snapshot `accept_phase` stores: every condition held."""
    conditions = [
        Condition(SCORE, True, {"weeks": 4, "min": pass_mark, "average": str(score),
                                "zones": zones, "of": zones}),
        Condition(NO_OVERDUE, True, {"overdue": 0}),
        Condition(ACCEPTANCE, True, {"round": round_name, "score": str(score)}),
    ]  # fmt: skip
    if phase == Phase.SORT:
        conditions.append(Condition(RED_TAGS, True))
    return GateResult(phase=phase, conditions=tuple(conditions), evaluated_on=on).as_json()


def _cards(
    ctx: _Context,
    scored: list[tuple[Unit, Decimal | None, int | None]],
    *,
    failing: Collection[int],
    top: str,
    bottom: str,
    on: datetime.date,
    key: str,
    params: dict[str, Any],
    round_: AcceptanceRound | None = None,
    month: datetime.date | None = None,
) -> None:
    """`issue_ranking_cards` in bulk: the same cards (`ranking_cards`); the flags are handed
    on at the end (`_hand_on_flags`)."""
    cards = ranking_cards(
        center_id=ctx.center.pk,
        scored=scored,
        failing=failing,
        top=top,
        bottom=bottom,
        by_id=ctx.office,
        on=on,
        key=key,
        params=params,
        round_=round_,
        month=month,
    )
    saved = bulk(Card, cards, counts=ctx.counts)
    ctx.flags += [c for c in saved if c.kind == Card.Kind.RED_FLAG]


def _rankings(ctx: _Context, *, start: datetime.date, until: datetime.date) -> None:
    """Every month of the history that has ended, published on the next month's first day."""
    month = next_month(start) if start.day > 1 else start
    last_bottom: set[int] = set()
    interviews: list[Interview] = []
    while next_month(month) <= until:
        published = next_month(month)
        rows = month_scores(center=ctx.center, month=month)
        if not rows:
            month, last_bottom = published, set()
            continue
        ranking = bulk(
            MonthlyRanking,
            [MonthlyRanking(center=ctx.center, month=month, published_by_id=ctx.office,
                            published_at=at_time(published, ctx.rng))],
            counts=ctx.counts,
        )[0]  # fmt: skip
        bulk(
            MonthlyResult,
            [MonthlyResult(center=ctx.center, ranking=ranking, unit=r.unit, score=r.score,
                           rank=r.rank, sources=r.sources) for r in rows],
            counts=ctx.counts,
        )  # fmt: skip
        label = f"{month:%Y-%m}"
        if not month_earns_cards(ctx.center.pk, len(rows)):  # too few units scored
            month, last_bottom = published, set()
            continue
        _cards(ctx, [(r.unit, r.score, r.rank) for r in rows], top=Card.Cause.MONTH_TOP,
               failing=month_failing(ctx.center.pk, rows),
               bottom=Card.Cause.MONTH_BOTTOM, on=published, key=f"month:{label}",
               params={"month": label}, month=month)  # fmt: skip
        last_rank = max(r.rank for r in rows)
        bottom = {r.unit.pk for r in rows if r.rank == last_rank and len(rows) > 1}
        for unit in sorted(bottom & last_bottom):
            held = next_month(published) <= until
            interviews.append(
                Interview(center=ctx.center, unit_id=unit, month=month,
                          previous_month=previous_month(month),
                          status=Interview.Status.HELD if held else Interview.Status.PENDING,
                          held_on=published + datetime.timedelta(days=7) if held else None,
                          held_by_id=ctx.office if held else None,
                          note="约谈窗口负责人，制定整改计划。" if held else "",
                          created_at=at_time(published, ctx.rng))
            )  # fmt: skip
        last_bottom = bottom
        month = published
    bulk(Interview, interviews, counts=ctx.counts)


def _hand_on_flags(flags: list[Card]) -> None:
    """The rotating red flag stays with its holders until the next one is issued."""
    flags.sort(key=lambda c: (c.issued_on, c.pk))
    latest = flags[-1].issued_on if flags else None
    moved = []
    for card in flags:
        later = [f.issued_on for f in flags if f.issued_on > card.issued_on]
        if later and card.issued_on != latest:
            card.handed_on_at = min(later)
            moved.append(card)
    Card.objects.bulk_update(moved, ["handed_on_at"])
