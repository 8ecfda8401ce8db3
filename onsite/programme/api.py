"""JSON API of the programme: programmes, waves, phase progress and exit gates, acceptance
rounds and their assignments (blind until closed), rankings, cards and the interview list.
Each write calls the same act as its page (`actions`: check, then do); a refusal travels to
`config/api.py`, which answers it (403, 404, 409 stale or wrong state, 422 invalid)."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Annotated, Any

from ninja import Field, Query, Router, Schema

from onsite.core.api import documented, idempotency_key
from onsite.core.models import Center, get_for_center
from onsite.core.months import this_month
from onsite.core.types import OnsiteRequest
from onsite.org.models import Unit, Zone
from onsite.programme import access, actions, queries, services
from onsite.programme.explain import describe_plan
from onsite.programme.gates import GateResult
from onsite.programme.models import (
    PHASES,
    AcceptanceRound,
    Assignment,
    Card,
    Interview,
    Phase,
    PhaseProgress,
    Programme,
    RoundUnit,
    Wave,
)

router = Router(tags=["programme"])


NO_NUL = r"^[^\x00]*$"
"""Text of the API: PostgreSQL stores no NUL character, so none gets in."""
Code = Annotated[str, Field(max_length=32, pattern=NO_NUL)]


# --- programmes and waves ------------------------------------------------------------------


class ProgrammeIn(Schema):
    name: str = Field(..., min_length=1, max_length=100, pattern=NO_NUL)
    starts_on: datetime.date
    ends_on: datetime.date | None = None
    note: str = Field("", max_length=2000, pattern=NO_NUL)


class ProgrammeOut(Schema):
    id: int
    name: str
    starts_on: datetime.date
    ends_on: datetime.date | None
    status: str
    note: str
    version: int


class WavePhaseOut(Schema):
    phase: str
    planned_start: datetime.date
    planned_end: datetime.date


class ProgrammeWaveOut(Schema):
    id: int
    kind: str
    name: str
    planned_start: datetime.date
    planned_end: datetime.date
    phases: list[WavePhaseOut]
    units: list[str] = Field(..., description="Codes of the units in the wave")
    version: int


class TimelineRowOut(Schema):
    wave: str
    phase: str
    planned_start: datetime.date | None
    planned_end: datetime.date | None
    actual_start: datetime.date | None
    actual_end: datetime.date | None = Field(None, description="None while units are in it")
    accepted: int
    units: int
    late: bool


def _programme_out(p: Programme) -> ProgrammeOut:
    return ProgrammeOut(
        id=p.pk,
        name=p.name,
        starts_on=p.starts_on,
        ends_on=p.ends_on,
        status=p.status,
        note=p.note,
        version=p.version,
    )


@router.get("/programmes", response=documented(list[ProgrammeOut]), summary="Programmes")
def programme_list(request: OnsiteRequest) -> list[ProgrammeOut]:
    center = access.reader_center(request)
    rows = Programme.objects.filter(center=center).order_by("-starts_on", "-pk")
    return [_programme_out(p) for p in rows]


@router.post(
    "/programmes", response=documented(ProgrammeOut), summary="Create a programme and its waves"
)
def programme_create(request: OnsiteRequest, payload: ProgrammeIn) -> ProgrammeOut:
    actions.check_create_programme(request)
    programme = actions.do_create_programme(
        request,
        name=payload.name.strip(),
        starts_on=payload.starts_on,
        ends_on=payload.ends_on,
        note=payload.note,
        submission_key=idempotency_key(request),
    )
    return _programme_out(programme)


@router.get("/programmes/{pk}", response=documented(ProgrammeOut), summary="A programme")
def programme_detail(request: OnsiteRequest, pk: int) -> ProgrammeOut:
    center = access.reader_center(request)
    return _programme_out(access.get_programme(center, pk))


@router.get(
    "/programmes/{pk}/waves", response=documented(list[ProgrammeWaveOut]), summary="Its waves"
)
def wave_list(request: OnsiteRequest, pk: int) -> list[ProgrammeWaveOut]:
    center = access.reader_center(request)
    programme = access.get_programme(center, pk)
    units = queries.wave_units(programme)
    waves = programme.waves.prefetch_related("plans").order_by("position", "pk")
    return [_wave_out(w, units.get(w.pk, [])) for w in waves]


def _wave_out(w: Wave, units: list[str]) -> ProgrammeWaveOut:
    return ProgrammeWaveOut(
        id=w.pk,
        kind=w.kind,
        name=w.name,
        planned_start=w.planned_start,
        planned_end=w.planned_end,
        phases=[
            WavePhaseOut(phase=p.phase, planned_start=p.planned_start, planned_end=p.planned_end)
            for p in sorted(w.plans.all(), key=lambda p: PHASES.index(p.phase))
        ],
        units=units,
        version=w.version,
    )


@router.get(
    "/programmes/{pk}/timeline",
    response=documented(list[TimelineRowOut]),
    summary="Planned against actual, per wave and phase",
)
def timeline(request: OnsiteRequest, pk: int) -> list[TimelineRowOut]:
    center = access.reader_center(request)
    programme = access.get_programme(center, pk)
    return [
        TimelineRowOut(
            wave=r.wave,
            phase=r.phase,
            planned_start=r.planned_start,
            planned_end=r.planned_end,
            actual_start=r.actual_start,
            actual_end=r.actual_end,
            accepted=r.accepted,
            units=r.units,
            late=r.is_late,
        )
        for r in queries.timeline(programme)
    ]


# --- phase progress and gates --------------------------------------------------------------


class PhaseProgressOut(Schema):
    id: int
    programme: int
    unit: str
    phase: str
    status: str
    started_on: datetime.date | None
    submitted_on: datetime.date | None
    accepted_on: datetime.date | None
    overridden: bool
    version: int


class GateConditionOut(Schema):
    code: str = Field(..., description="score, no_overdue, acceptance or red_tags")
    holds: bool
    label: str
    detail: str


class ExitGateOut(Schema):
    unit: str
    phase: str | None
    status: str | None
    passes: bool | None
    evaluated_on: datetime.date | None
    conditions: list[GateConditionOut]


class ProgressFilter(Schema):
    programme: int | None = None
    unit: str | None = Field(None, max_length=32, pattern=NO_NUL)


class OverrideIn(Schema):
    reason: str = Field(..., min_length=4, max_length=2000, pattern=NO_NUL)
    version: int


def _progress_out(p: PhaseProgress) -> PhaseProgressOut:
    return PhaseProgressOut(
        id=p.pk,
        programme=p.programme_id,
        unit=p.unit.code,
        phase=p.phase,
        status=p.status,
        started_on=p.started_on,
        submitted_on=p.submitted_on,
        accepted_on=p.accepted_on,
        overridden=p.overridden,
        version=p.version,
    )


def _gate_out(unit: Unit, progress: PhaseProgress | None, gate: GateResult | None) -> ExitGateOut:
    return ExitGateOut(
        unit=unit.code,
        phase=progress.phase if progress else (gate.phase if gate else None),
        status=progress.status if progress else None,
        passes=gate.passes if gate else None,
        evaluated_on=gate.evaluated_on if gate else None,
        conditions=[
            GateConditionOut(code=c.code, holds=c.holds, label=c.label, detail=c.detail)
            for c in (gate.conditions if gate else ())
        ],
    )


@router.get(
    "/progress", response=documented(list[PhaseProgressOut]), summary="Phase progress of units"
)
def progress_list(request: OnsiteRequest, filters: Query[ProgressFilter]) -> list[PhaseProgressOut]:
    center = access.reader_center(request)
    programme = (
        access.get_programme(center, filters.programme)
        if filters.programme
        else access.current_programme(center)
    )
    if programme is None:
        return []
    rows = PhaseProgress.objects.filter(programme=programme).select_related("unit")
    if filters.unit:
        rows = rows.filter(unit__code=filters.unit)
    ordered = sorted(rows, key=lambda p: (p.unit.code, PHASES.index(p.phase)))
    return [_progress_out(p) for p in ordered]


@router.get(
    "/units/{code}/gate",
    response=documented(ExitGateOut),
    summary="The exit gate of the unit's current phase, condition by condition",
)
def unit_gate(request: OnsiteRequest, code: str) -> ExitGateOut:
    center = access.reader_center(request)
    unit = access.get_unit(center, access.code_of(code))
    panel = queries.unit_panel(unit, access.current_programme(center))
    return _gate_out(unit, panel.current, panel.gate)


@router.post(
    "/progress/{pk}/check",
    response=documented(ExitGateOut),
    summary="Check the exit gate; the phase is accepted if it passes",
)
def progress_check(request: OnsiteRequest, pk: int) -> ExitGateOut:
    progress = access.get_progress(request.center, pk)
    actions.check_check_gate(request, progress)
    result = actions.do_check_gate(request, progress)
    return _gate_out(progress.unit, progress, result)


@router.post(
    "/progress/{pk}/override",
    response=documented(PhaseProgressOut),
    summary=(
        "Ask to accept a phase although its gate does not pass (reason recorded); a different "
        "member of the leadership approves it on the unit's page"
    ),
)
def progress_override(request: OnsiteRequest, pk: int, payload: OverrideIn) -> PhaseProgressOut:
    progress = access.get_progress(request.center, pk)
    reason, version = payload.reason, payload.version
    actions.check_override_phase(request, progress, reason=reason, version=version)
    return _progress_out(
        actions.do_override_phase(request, progress, reason=reason, version=version)
    )


# --- rounds and assignments ----------------------------------------------------------------


class RoundIn(Schema):
    programme: int | None = Field(
        None, ge=1, description="The programme (default: the running one, else the latest)"
    )
    phase: Phase
    units: list[Code] = Field(..., min_length=1, max_length=200, description="Unit codes")
    min_raters: int = Field(2, ge=1, le=10)
    seed: int | None = Field(None, ge=0, le=999_999)
    name: str = Field("", max_length=100, pattern=NO_NUL)
    due_on: datetime.date | None = None


class PlanProblemOut(Schema):
    constraint: str
    text: str


class PlanRowOut(Schema):
    unit: str
    raters: list[str]


class AssignmentPlanOut(Schema):
    ok: bool
    seed: int
    problems: list[PlanProblemOut]
    rows: list[PlanRowOut]
    pool: int = Field(..., description="Working-group members allowed to rate some unit")
    min_load: int
    max_load: int
    reused: int = Field(..., description="Pairs repeated from the last round")


class RoundEntryOut(Schema):
    unit: str
    score: Decimal | None = Field(None, description="Hidden (null) until the round closes")
    ratings: int | None
    trimmed: bool | None
    spread: Decimal | None
    agreement: Decimal | None
    rank: int | None
    accepted: bool | None


class AcceptanceRoundOut(Schema):
    id: int
    programme: int
    number: int
    name: str
    phase: str
    status: str
    min_raters: int
    seed: int
    due_on: datetime.date | None
    opened_at: datetime.datetime
    closed_at: datetime.datetime | None
    reliability: Decimal | None
    pass_mark: int | None
    entries: list[RoundEntryOut]
    version: int


class RoundCloseIn(Schema):
    version: int = Field(..., description="The version the closer saw (409 `stale` if not)")
    confirm: bool = Field(
        False,
        description="Close although ratings are missing (else 409 `incomplete_sheets`); "
        "the missing ratings do not count",
    )


class RaterAssignmentOut(Schema):
    id: int
    round: int
    unit: str
    rater: str
    rater_group: str
    zones: int
    submitted: int
    score: Decimal | None = Field(None, description="The rater's own, else null until closed")
    is_outlier: bool | None


class RatingSheetIn(Schema):
    zone: str = Field(..., max_length=32, pattern=NO_NUL)


class RatingSheetOut(Schema):
    assignment: int
    zone: str
    inspection: int = Field(..., description="Answer it with the inspections API")
    status: str


def _entry_out(e: RoundUnit, *, closed: bool) -> RoundEntryOut:
    """A unit's result, blind (null) until the round closes."""
    return RoundEntryOut(
        unit=e.unit.code,
        score=e.score if closed else None,
        ratings=e.ratings if closed else None,
        trimmed=e.trimmed if closed else None,
        spread=e.spread if closed else None,
        agreement=e.agreement if closed else None,
        rank=e.rank if closed else None,
        accepted=e.accepted if closed else None,
    )


def _round_out(round_: AcceptanceRound) -> AcceptanceRoundOut:
    rows = round_.entries.select_related("unit").order_by("rank", "unit__code")
    entries = [_entry_out(e, closed=round_.is_closed) for e in rows]
    return AcceptanceRoundOut(
        id=round_.pk,
        programme=round_.programme_id,
        number=round_.number,
        name=round_.name,
        phase=round_.phase,
        status=round_.status,
        min_raters=round_.min_raters,
        seed=round_.seed,
        due_on=round_.due_on,
        opened_at=round_.opened_at,
        closed_at=round_.closed_at,
        reliability=round_.reliability,
        pass_mark=round_.pass_mark,
        entries=entries,
        version=round_.version,
    )


@router.get("/rounds", response=documented(list[AcceptanceRoundOut]), summary="Acceptance rounds")
def round_list(request: OnsiteRequest) -> list[AcceptanceRoundOut]:
    center = access.reader_center(request)
    return [_round_out(r) for r in queries.round_rows(center)[:100]]


@router.post(
    "/rounds/preview",
    response=documented(AssignmentPlanOut),
    summary="The rater assignment a round would get, or which rule cannot hold and why",
)
def round_preview(request: OnsiteRequest, payload: RoundIn) -> AssignmentPlanOut:
    center = actions.check_preview_round(request)
    units = actions.units_of(center, payload.units)
    seed = payload.seed if payload.seed is not None else services.new_seed()
    plan = services.plan_round(center=center, units=units, min_raters=payload.min_raters, seed=seed)
    return _plan_out(describe_plan(plan, units=units))


def _plan_out(described: dict[str, Any]) -> AssignmentPlanOut:
    return AssignmentPlanOut(
        ok=described["ok"],
        seed=described["seed"],
        problems=[PlanProblemOut(**p) for p in described["problems"]],
        rows=[PlanRowOut(unit=u.code, raters=names) for u, names in described["rows"]],
        pool=described["pool"],
        min_load=described["min_load"],
        max_load=described["max_load"],
        reused=described["reused"],
    )


@router.post(
    "/rounds",
    response=documented(AcceptanceRoundOut),
    summary="Open an acceptance round (409 `infeasible` says which assignment rule cannot hold)",
)
def round_open(request: OnsiteRequest, payload: RoundIn) -> AcceptanceRoundOut:
    programme = actions.check_open_round(request, payload.programme)
    round_ = actions.do_open_round(
        request,
        programme,
        phase=payload.phase,
        units=actions.units_of(programme.center, payload.units),
        min_raters=payload.min_raters,
        seed=payload.seed,
        name=payload.name,
        due_on=payload.due_on,
        submission_key=idempotency_key(request),
    )
    return _round_out(round_)


@router.get("/rounds/{pk}", response=documented(AcceptanceRoundOut), summary="A round")
def round_detail(request: OnsiteRequest, pk: int) -> AcceptanceRoundOut:
    center = access.reader_center(request)
    return _round_out(access.get_round(center, pk))


@router.post(
    "/rounds/{pk}/close",
    response=documented(AcceptanceRoundOut),
    summary="Close: scores, ranking, cards, exit gates (as the page: its version, and `confirm` "
    "when ratings are missing)",
)
def round_close(request: OnsiteRequest, pk: int, payload: RoundCloseIn) -> AcceptanceRoundOut:
    round_ = access.get_round(request.center, pk)
    actions.check_close_round(request, round_, version=payload.version, confirm=payload.confirm)
    return _round_out(actions.do_close_round(request, round_, version=payload.version))


def _assignment_out(
    request: OnsiteRequest, a: Assignment, state: services.SheetState
) -> RaterAssignmentOut:
    sees = access.sees_scores(request.user, a.round, a)
    own = a.rater_id == request.user.pk
    score = a.score
    if own and a.round.is_open:
        score = services.rater_scores([a]).get(a.pk)
    return RaterAssignmentOut(
        id=a.pk,
        round=a.round_id,
        unit=a.unit.code,
        rater=a.rater.username,
        rater_group=a.rater_group.name,
        zones=state.zones,
        submitted=state.submitted,
        score=score if sees else None,
        is_outlier=a.is_outlier if sees and a.round.is_closed else None,
    )


@router.get(
    "/rounds/{pk}/assignments",
    response=documented(list[RaterAssignmentOut]),
    summary="Who rates what: all for the office, a rater's own for a rater; scores blind",
)
def round_assignments(request: OnsiteRequest, pk: int) -> list[RaterAssignmentOut]:
    center = access.reader_center(request)
    round_ = access.get_round(center, pk)
    rows = round_.assignments.select_related("round", "unit", "rater", "rater_group")
    if not request.user.has_role(*access.RESULT_READERS):
        rows = rows.filter(rater=request.user)
    assignments = list(rows.order_by("unit__code", "rater__username"))
    states = services.sheet_states(assignments)
    return [_assignment_out(request, a, states[a.pk]) for a in assignments]


@router.get("/assignments/{pk}", response=documented(RaterAssignmentOut), summary="One assignment")
def assignment_detail(request: OnsiteRequest, pk: int) -> RaterAssignmentOut:
    center = access.reader_center(request)
    assignment = access.get_assignment(request.user, center, pk)
    return _assignment_out(request, assignment, services.sheet_states([assignment])[pk])


@router.post(
    "/assignments/{pk}/sheets",
    response=documented(RatingSheetOut),
    summary="Start (or get) the rater's acceptance inspection of one zone of the unit",
)
def sheet_start(request: OnsiteRequest, pk: int, payload: RatingSheetIn) -> RatingSheetOut:
    assignment = access.get_assignment(request.user, request.center, pk)
    zone = get_for_center(Zone.objects.all(), request.center, code=payload.zone)
    actions.check_start_sheet(request, assignment, zone=zone)
    inspection = actions.do_start_sheet(request, assignment, zone=zone)
    return RatingSheetOut(
        assignment=assignment.pk, zone=zone.code, inspection=inspection.pk, status=inspection.status
    )


# --- rankings, cards, interviews -----------------------------------------------------------


class RankOut(Schema):
    rank: int
    unit: str
    name: str
    score: Decimal
    sources: int | None = None


class MonthlyRankingOut(Schema):
    month: str
    published: bool
    rows: list[RankOut]


class MonthIn(Schema):
    month: str = Field(..., pattern=r"^(19|20)\d{2}-(0[1-9]|1[0-2])$", description="YYYY-MM")


class MonthFilter(Schema):
    month: str | None = Field(
        None, pattern=r"^(19|20)\d{2}-(0[1-9]|1[0-2])$", description="YYYY-MM"
    )


class ProgrammeCardOut(Schema):
    id: int
    unit: str
    kind: str
    cause: str
    reason: str = Field(..., description="In the caller's language")
    issued_by: str | None
    issued_on: datetime.date
    round: int | None
    holds_flag: bool
    revoked_at: datetime.datetime | None
    revoke_reason: str


class CardIn(Schema):
    unit: str = Field(..., max_length=32, pattern=NO_NUL)
    kind: Card.Kind
    reason: str = Field(..., min_length=4, max_length=2000, pattern=NO_NUL)


class CardRevokeIn(Schema):
    reason: str = Field(..., min_length=4, max_length=2000, pattern=NO_NUL)


class CardFilter(Schema):
    unit: str = Field("", max_length=32, pattern=NO_NUL)
    kind: str = Field("", max_length=10, pattern=NO_NUL)
    show: str = Field("in_force", description="in_force, revoked or all", pattern=NO_NUL)


class InterviewOut(Schema):
    id: int
    unit: str
    month: str
    previous_month: str
    status: str
    held_on: datetime.date | None
    note: str


@router.get(
    "/rounds/{pk}/ranking",
    response=documented(list[RankOut]),
    summary="The round's ranking (empty until it closes)",
)
def round_ranking(request: OnsiteRequest, pk: int) -> list[RankOut]:
    center = access.reader_center(request)
    round_ = access.get_round(center, pk)
    if not round_.is_closed:
        return []
    return [
        RankOut(rank=e.rank, unit=e.unit.code, name=e.unit.name, score=e.score)
        for e in round_.entries.select_related("unit").order_by("rank", "unit__code")
        if e.rank is not None and e.score is not None
    ]


def _month(text: str | None) -> datetime.date:
    if not text:
        return this_month()
    return datetime.date(int(text[:4]), int(text[5:7]), 1)


def _rank_out(r: queries.MonthRow) -> RankOut:
    return RankOut(
        rank=r.rank, unit=r.unit.code, name=r.unit.name, score=r.score, sources=r.sources
    )


def _month_out(center: Center, month: datetime.date) -> MonthlyRankingOut:
    """The month as published, or as it stands."""
    published, rows = queries.month_ranking(center=center, month=month)
    return MonthlyRankingOut(
        month=f"{month:%Y-%m}",
        published=published is not None,
        rows=[_rank_out(r) for r in rows],
    )


@router.get(
    "/rankings/monthly",
    response=documented(MonthlyRankingOut),
    summary="The month's ranking: as published, or as it stands",
)
def monthly_ranking(request: OnsiteRequest, filters: Query[MonthFilter]) -> MonthlyRankingOut:
    center = access.reader_center(request)
    return _month_out(center, _month(filters.month))


@router.post(
    "/rankings/monthly",
    response=documented(MonthlyRankingOut),
    summary="Publish the month: red flag, yellow card, interview list",
)
def monthly_publish(request: OnsiteRequest, payload: MonthIn) -> MonthlyRankingOut:
    month = _month(payload.month)
    center = actions.check_publish_month(request, month=month)
    actions.do_publish_month(request, month=month)
    return _month_out(center, month)


def _card_out(c: Card) -> ProgrammeCardOut:
    return ProgrammeCardOut(
        id=c.pk,
        unit=c.unit.code,
        kind=c.kind,
        cause=c.cause,
        reason=c.description,
        issued_by=c.issued_by.username if c.issued_by else None,
        issued_on=c.issued_on,
        round=c.round_id,
        holds_flag=c.kind == Card.Kind.RED_FLAG and c.handed_on_at is None and not c.is_revoked,
        revoked_at=c.revoked_at,
        revoke_reason=c.revoke_text,
    )


@router.get("/cards", response=documented(list[ProgrammeCardOut]), summary="Cards")
def card_list(request: OnsiteRequest, filters: Query[CardFilter]) -> list[ProgrammeCardOut]:
    center = access.reader_center(request)
    rows = queries.cards_of(center, kind=filters.kind, unit=filters.unit, show=filters.show)
    return [_card_out(c) for c in rows[:200]]


@router.post("/cards", response=documented(ProgrammeCardOut), summary="Issue a card by hand")
def card_create(request: OnsiteRequest, payload: CardIn) -> ProgrammeCardOut:
    actions.check_issue_card(request, kind=payload.kind, reason=payload.reason)
    unit = get_for_center(Unit.objects.all(), request.center, code=payload.unit)
    card = actions.do_issue_card(
        request,
        unit=unit,
        kind=payload.kind,
        reason=payload.reason,
        submission_key=idempotency_key(request),
    )
    return _card_out(card)


@router.post("/cards/{pk}/revoke", response=documented(ProgrammeCardOut), summary="Revoke a card")
def card_revoke(request: OnsiteRequest, pk: int, payload: CardRevokeIn) -> ProgrammeCardOut:
    card = access.get_card(request.center, pk)
    actions.check_revoke_card(request, card, reason=payload.reason)
    return _card_out(actions.do_revoke_card(request, card, reason=payload.reason))


@router.get(
    "/interviews", response=documented(list[InterviewOut]), summary="The interview list (约谈)"
)
def interview_list(request: OnsiteRequest) -> list[InterviewOut]:
    center = access.reader_center(request, access.RESULT_READERS)
    return [
        InterviewOut(
            id=i.pk,
            unit=i.unit.code,
            month=f"{i.month:%Y-%m}",
            previous_month=f"{i.previous_month:%Y-%m}",
            status=i.status,
            held_on=i.held_on,
            note=i.note,
        )
        for i in Interview.objects.filter(center=center)
        .select_related("unit")
        .order_by("status", "-month", "unit__code")[:200]
    ]
