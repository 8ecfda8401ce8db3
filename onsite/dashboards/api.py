"""JSON API of visual management: the dashboard's figures, the heat map, the ranking and
scorecards, citizen ratings (read and import) and report/export jobs. Same queries, services
and access rules as the pages."""

from __future__ import annotations

import datetime
from typing import Annotated, Any, Literal

from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Field, Header, Path, Query, Router, Schema, Status
from ninja.responses import codes_4xx
from pydantic import StringConstraints

from onsite.core.api import IdempotencyKey, documented
from onsite.core.models import Center
from onsite.core.types import OnsiteRequest
from onsite.dashboards import access, actions, jobs, queries
from onsite.dashboards.models import COMPONENT_KEYS, Level, ReportJob
from onsite.dashboards.ratings import RatingImportError, error_rows
from onsite.org.models import Unit

router = Router(tags=["dashboards"])

Month = Annotated[str, StringConstraints(pattern=r"^\d{4}-\d{2}$")]
MONTH_HELP = "A month as YYYY-MM (default: this month; a month to come means this month)."


def _unit(center: Center, code: str) -> Unit:
    """A unit of the caller's center; another center's is a 404."""
    return access.get_unit(center, code[:32])


# --- figures ---------------------------------------------------------------------------------


class DashTotalsOut(Schema):
    inspections: int
    average_score: float | None
    audits: int = Field(
        ...,
        description="Supervision checks and acceptance sheets together (kept as it was; "
        "`supervisions` and `acceptances` count each kind by itself)",
    )
    audit_score: float | None = Field(
        ..., description="Mean score of `audits`: supervision and acceptance together"
    )
    supervisions: int = Field(..., description="Supervision checks (督查) only")
    supervision_score: float | None = Field(..., description="Mean score of the supervisions")
    acceptances: int = Field(..., description="Acceptance sheets (验收) of programme rounds")
    acceptance_score: float | None = Field(..., description="Mean score of the acceptances")
    self_checks: int = Field(..., description="Self-checks (自查)")
    acceptance_failures: int = Field(
        ...,
        description="Failed checks on acceptance sheets (they make no finding, so `findings` "
        "leaves them out)",
    )
    pass_rate: float | None
    findings: int
    repeat_findings: int
    rectifications_due: int
    rectifications_on_time: int
    on_time_rate: float | None
    filings: int
    ratings: int
    rating_mean: float | None
    good_rate: float | None = Field(..., description="Share rated basically satisfied or better")
    ratings_by_level: dict[str, int] = Field(..., description="Level 1–5 → count")


def _totals(totals: queries.Totals) -> DashTotalsOut:
    return DashTotalsOut(
        inspections=totals.inspections,
        average_score=totals.avg_score,
        audits=totals.audits,
        audit_score=totals.audit_score,
        supervisions=totals.supervisions,
        supervision_score=totals.supervision_score,
        acceptances=totals.acceptances,
        acceptance_score=totals.acceptance_score,
        self_checks=totals.self_checks,
        acceptance_failures=totals.acceptance_failures,
        pass_rate=totals.pass_rate,
        findings=totals.findings,
        repeat_findings=totals.repeat_findings,
        rectifications_due=totals.due,
        rectifications_on_time=totals.on_time,
        on_time_rate=totals.on_time_rate,
        filings=totals.filings,
        ratings=totals.ratings,
        rating_mean=totals.rating_mean,
        good_rate=totals.good_rate,
        ratings_by_level={str(level): count for level, _label, count in totals.by_level()},
    )


class DashTrendPointOut(Schema):
    month: str
    average_score: float | None
    audit_score: float | None = Field(
        ..., description="Supervision and acceptance together, as in `DashTotalsOut`"
    )
    supervision_score: float | None = Field(..., description="Supervision checks only")
    rating_mean: float | None


class DashParetoOut(Schema):
    check: str
    area_type: str
    text: str
    source: str = Field(
        ...,
        description="finding (failed on a self-check or supervision: a finding to rectify) or "
        "acceptance (failed on acceptance sheets); a check failed both ways is two entries",
    )
    failures: int
    share: float = Field(..., description="% of the month's failures (findings + acceptance)")
    cumulative: float


class DashWaveOut(Schema):
    name: str
    units: int
    phases: dict[str, int] = Field(
        ..., description="Phase → units in it now; 'done' = all accepted"
    )


class DashSurveyOut(Schema):
    id: int
    title: str
    is_open: bool
    answered: int
    audience: int
    rate: float | None


class DashRankOut(Schema):
    rank: int | None
    unit: str
    name: str
    score: float | None = Field(
        None, description="The month's score in the programme's ranking (what ranks the unit)"
    )
    index: float | None
    components: dict[str, float | None]


class DashFiguresOut(Schema):
    month: str
    this_month: DashTotalsOut
    last_month: DashTotalsOut
    trend: list[DashTrendPointOut]
    open_rectifications: int
    overdue_rectifications: int
    pending_filings: int
    programme: str
    waves: list[DashWaveOut]
    survey: DashSurveyOut | None
    acknowledgement_required: int = Field(
        ...,
        description="People (active, of this center, each once) who must acknowledge at "
        "least one published standard",
    )
    acknowledgement_done: int = Field(
        ..., description="Of those, the people who acknowledged every standard they must"
    )
    pareto: list[DashParetoOut]
    ranking: list[DashRankOut]


def _rank(row: queries.ScoreRow) -> DashRankOut:
    return DashRankOut(
        rank=row.rank,
        unit=row.unit.code,
        name=row.unit.name,
        score=row.score,
        index=row.index,
        components={key: row.components.get(key) for key in COMPONENT_KEYS},
    )


def _trend(series: list[tuple[datetime.date, queries.Totals]]) -> list[DashTrendPointOut]:
    return [
        DashTrendPointOut(
            month=f"{m:%Y-%m}",
            average_score=t.avg_score,
            audit_score=t.audit_score,
            supervision_score=t.supervision_score,
            rating_mean=t.rating_mean,
        )
        for m, t in series
    ]


def _survey(survey: queries.SurveyFigure | None) -> DashSurveyOut | None:
    if survey is None:
        return None
    return DashSurveyOut(
        id=survey.pk,
        title=survey.title,
        is_open=survey.is_open,
        answered=survey.answered,
        audience=survey.audience,
        rate=survey.rate,
    )


def _pareto(row: queries.ParetoRow) -> DashParetoOut:
    return DashParetoOut(
        check=row.check_key,
        area_type=row.area_type,
        text=row.label,
        source=row.source,
        failures=row.failures,
        share=row.share,
        cumulative=row.cumulative,
    )


@router.get("/figures", response=documented(DashFiguresOut), summary="The dashboard's figures")
def figures(request: OnsiteRequest, month: Query[Month | None] = None) -> DashFiguresOut:
    center = actions.check_read(request)
    first = queries.parse_month(month)
    board = queries.dashboard(center, first)
    return DashFiguresOut(
        month=f"{first:%Y-%m}",
        this_month=_totals(board.current),
        last_month=_totals(board.previous),
        trend=_trend(board.trend),
        open_rectifications=board.pending_rectifications,
        overdue_rectifications=board.overdue_rectifications,
        pending_filings=board.pending_filings,
        programme=board.programme,
        waves=[
            DashWaveOut(name=w.name, units=w.units, phases={p: n for p, _l, n in w.counts})
            for w in board.waves
        ],
        survey=_survey(board.survey),
        acknowledgement_required=board.acknowledgement_required,
        acknowledgement_done=board.acknowledgement_done,
        pareto=[_pareto(row) for row in board.pareto],
        ranking=[_rank(row) for row in board.ranking.rows],
    )


# --- heat map --------------------------------------------------------------------------------


class DashHeatZoneOut(Schema):
    code: str
    name: str
    x: int = Field(..., description="decimetres from the left")
    y: int = Field(..., description="decimetres from the top")
    width: int
    height: int
    owner: str | None
    unit: str | None
    score: float | None
    band: str = Field(..., description="green, yellow, red, or '' when never inspected")
    inspected_on: datetime.date | None
    open_findings: int


class DashHeatFloorOut(Schema):
    level: int
    name: str


class DashHeatMapOut(Schema):
    month: str
    as_of: datetime.date
    floor: DashHeatFloorOut | None
    floors: list[DashHeatFloorOut]
    width: int | None
    height: int | None
    green_from: int
    yellow_from: int
    zones: list[DashHeatZoneOut]


def _zone(cell: queries.ZoneCell) -> DashHeatZoneOut:
    zone = cell.zone
    return DashHeatZoneOut(
        code=zone.code,
        name=zone.name,
        x=zone.x,
        y=zone.y,
        width=zone.width,
        height=zone.height,
        owner=zone.owner.display_name if zone.owner else None,
        unit=zone.unit.code if zone.unit else None,
        score=cell.score,
        band=cell.band,
        inspected_on=cell.inspected_on,
        open_findings=cell.open_findings,
    )


@router.get("/heatmap", response=documented(DashHeatMapOut), summary="The hall heat map")
def heatmap(
    request: OnsiteRequest,
    month: Query[Month | None] = None,
    floor: Query[int | None] = None,
) -> DashHeatMapOut:
    center = actions.check_read(request)
    heat = queries.heat_map(center, month=queries.parse_month(month), level=floor)
    here = heat.floor
    return DashHeatMapOut(
        month=f"{heat.month:%Y-%m}",
        as_of=heat.as_of,
        floor=DashHeatFloorOut(level=here.level, name=here.name) if here else None,
        floors=[DashHeatFloorOut(level=f.level, name=f.name) for f in heat.floors],
        width=here.width if here else None,
        height=here.height if here else None,
        green_from=heat.green_from,
        yellow_from=heat.yellow_from,
        zones=[_zone(cell) for cell in heat.cells],
    )


# --- ranking and scorecards ----------------------------------------------------------------


class DashRankingOut(Schema):
    month: str
    weights: dict[str, int]
    ranked: list[DashRankOut]
    not_ranked: list[str] = Field(..., description="Codes of the units not ranked this month")
    not_ranked_because: dict[str, str] = Field(
        ...,
        description="Why each unit is not ranked: no_inspection, or no_audit (no supervision "
        "check and no acceptance round closed in the month)",
    )


@router.get(
    "/ranking",
    response=documented(DashRankingOut),
    summary="The month's ranking, with the combined index",
)
def ranking(request: OnsiteRequest, month: Query[Month | None] = None) -> DashRankingOut:
    center = actions.check_read(request)
    board = queries.ranking(center, queries.parse_month(month))
    return DashRankingOut(
        month=f"{board.month:%Y-%m}",
        weights=board.weights.as_dict(),
        ranked=[_rank(row) for row in board.rows],
        not_ranked=[row.unit.code for row in board.unranked],
        not_ranked_because={row.unit.code: row.unranked_because for row in board.unranked},
    )


class DashScorecardOut(Schema):
    unit: str
    name: str
    month: str
    rank: int | None
    ranked_units: int
    index: float | None
    components: dict[str, float | None]
    totals: DashTotalsOut
    cards: dict[str, int]
    proposals_adopted: int
    history: list[DashTrendPointOut]


@router.get(
    "/scorecards/{code}", response=documented(DashScorecardOut), summary="One unit's scorecard"
)
def scorecard(
    request: OnsiteRequest, code: str, month: Query[Month | None] = None
) -> DashScorecardOut:
    center = actions.check_read(request)
    unit = _unit(center, code)
    card = queries.unit_card(center, unit, queries.parse_month(month))
    row = card.row
    return DashScorecardOut(
        unit=unit.code,
        name=unit.name,
        month=f"{card.month:%Y-%m}",
        rank=row.rank if row else None,
        ranked_units=card.ranked,
        index=row.index if row else None,
        components={key: (row.components.get(key) if row else None) for key in COMPONENT_KEYS},
        totals=_totals(row.totals if row else queries.Totals()),
        cards=row.cards if row else {},
        proposals_adopted=row.proposals if row else 0,
        history=_trend(card.history),
    )


# --- citizen ratings -------------------------------------------------------------------------


class DashUnitRatingsOut(Schema):
    unit: str
    name: str
    ratings: int
    mean: float | None
    good_rate: float | None
    by_level: dict[str, int]


class DashRatingsOut(Schema):
    month: str
    levels: dict[str, str] = Field(..., description="Level 1–5 → its name")
    units: list[DashUnitRatingsOut]


@router.get("/ratings", response=documented(DashRatingsOut), summary="Citizen ratings of a month")
def ratings(request: OnsiteRequest, month: Query[Month | None] = None) -> DashRatingsOut:
    center = actions.check_read(request)
    first = queries.parse_month(month)
    totals = queries.month_totals_by_unit(center, first)
    units = Unit.objects.filter(center=center, pk__in=[pk for pk in totals if pk is not None])
    return DashRatingsOut(
        month=f"{first:%Y-%m}",
        levels={str(level.value): str(level.label) for level in Level},
        units=[
            DashUnitRatingsOut(
                unit=unit.code,
                name=unit.name,
                ratings=totals[unit.pk].ratings,
                mean=totals[unit.pk].rating_mean,
                good_rate=totals[unit.pk].good_rate,
                by_level={str(v): n for v, _l, n in totals[unit.pk].by_level()},
            )
            for unit in units.order_by("kind", "position", "code")
            if totals[unit.pk].ratings
        ],
    )


def _text(limit: int, description: str) -> Any:
    return Field(None, max_length=limit, description=description)


class DashRatingIn(Schema):
    date: Annotated[str, StringConstraints(max_length=40)] = Field(
        ..., description="The day (2025-11-03) or the moment (2025-11-03 14:20) of the rating"
    )
    window: Annotated[str, StringConstraints(max_length=100)] = Field(
        ..., description="The unit's code or name"
    )
    rating: int | Annotated[str, StringConstraints(max_length=40)] = Field(
        ..., description="1–5, or a level name (非常满意 … 非常不满意)"
    )
    dimension: Annotated[str, StringConstraints(max_length=200)] = ""
    case: str | None = _text(64, "办件编号: a case is imported once per dimension")
    item_code: str | None = _text(64, "事项编码")
    item_name: str | None = _text(200, "事项名称")
    department: str | None = _text(100, "The department of the service item")
    channel: str | None = _text(40, "pc, mobile, qr, hall, sms, phone, other (or 移动端 …)")
    staff: str | None = _text(100, "The staff member rated: username or full name")
    reason_code: str | None = _text(20, "差评原因编码")
    reason: str | None = _text(200, "差评原因")
    comment: str | None = _text(2000, "评价意见")
    default: bool | None = Field(None, description="A default rating (no rating given in time)")
    valid: bool | None = Field(None, description="False: marked invalid by the rating system")


class DashRatingsIn(Schema):
    ratings: list[DashRatingIn] = Field(..., min_length=1, max_length=20000)


class DashRatingsImportOut(Schema):
    id: int
    rows: int
    first_day: datetime.date | None
    last_day: datetime.date | None
    created: bool = Field(
        ..., description="False: this very batch, or every case in it, had been imported before"
    )
    skipped: int = Field(0, description="Ratings of cases an earlier import brought")
    cases: int = Field(0, description="差评 cases opened for the windows (see /complaints)")


class DashRowErrorOut(Schema):
    row: int
    column: str
    value: str
    message: str


class DashRatingsErrorOut(Schema):
    code: str = "invalid"
    detail: str
    errors: list[DashRowErrorOut] = []


@router.post(
    "/ratings",
    response={200: DashRatingsImportOut, codes_4xx: DashRatingsErrorOut, 422: DashRatingsErrorOut},
    summary="Import citizen ratings (all or nothing)",
)
def import_ratings(
    request: OnsiteRequest, payload: DashRatingsIn
) -> DashRatingsImportOut | Status[DashRatingsErrorOut]:
    center = actions.check_import_ratings(request)
    rows = [row.dict() for row in payload.ratings]
    try:
        result = actions.do_import_rating_rows(request, center=center, rows=rows)
    except RatingImportError as exc:
        return Status(
            422,
            DashRatingsErrorOut(
                code="invalid_rows",
                detail=str(_("Nothing was imported: fix the rows listed and send them again.")),
                errors=[DashRowErrorOut(**error) for error in error_rows(exc)],
            ),
        )
    batch = result.batch
    return DashRatingsImportOut(
        id=batch.pk,
        rows=batch.rows,
        first_day=batch.first_day,
        last_day=batch.last_day,
        created=result.created,
        skipped=result.skipped,
        cases=result.cases,
    )


# --- report and export jobs ------------------------------------------------------------------


class DashJobIn(Schema):
    kind: Literal[
        "center_report",
        "unit_report",
        "inspections",
        "findings",
        "rectifications",
        "ranking",
        "ratings",
    ]
    month_from: Month
    month_to: Month | None = None
    unit: Annotated[str, StringConstraints(max_length=32)] | None = None


class DashJobOut(Schema):
    id: int
    kind: str
    status: str
    progress: int
    stage: str
    error: str
    month_from: str
    month_to: str
    unit: str | None
    download_url: str | None


def _job(job: ReportJob) -> DashJobOut:
    return DashJobOut(
        id=job.pk,
        kind=job.kind,
        status=job.status,
        progress=job.progress,
        stage=jobs.stage_label(job.stage),
        error=jobs.error_text(job),
        month_from=f"{job.month_from:%Y-%m}",
        month_to=f"{job.month_to:%Y-%m}",
        unit=job.unit.code if job.unit else None,
        download_url=reverse("dashboards:job-download", args=[job.pk])
        if job.status == ReportJob.Status.DONE
        else None,
    )


@router.post(
    "/jobs",
    response=documented(DashJobOut),
    summary="Ask for a report or an export",
)
def create_job(
    request: OnsiteRequest,
    payload: DashJobIn,
    idempotency_key: Header[IdempotencyKey | None] = None,
) -> DashJobOut:
    center = actions.check_read(request)
    first = queries.parse_month(payload.month_from)
    asked = actions.check_request_job(
        request,
        kind=payload.kind,
        month_from=first,
        month_to=queries.parse_month(payload.month_to) if payload.month_to else None,
        unit=_unit(center, payload.unit) if payload.unit else None,
    )
    job = actions.do_request_job(request, asked, submission_key=idempotency_key or "")
    job.refresh_from_db()
    return _job(job)


@router.get("/jobs/{job_id}", response=documented(DashJobOut), summary="A job's progress")
def job_detail(
    request: OnsiteRequest, job_id: Path[Annotated[int, Field(ge=1, le=2**62)]]
) -> DashJobOut:
    center = actions.check_read(request)
    return _job(access.get_job(request.user, center, job_id))
