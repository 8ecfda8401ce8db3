"""JSON API of supplies: the catalogue and stock, requisitions, returns and consumption.
Every write is an adapter over the same action as its page (`actions`): the same roles, the
same refusals (answered by config/api.py); an `Idempotency-Key` header makes a create safe
to retry."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Literal

from ninja import Field, Router, Schema

from onsite.core.access import check_roles
from onsite.core.api import documented, idempotency_key
from onsite.core.models import get_for_center
from onsite.core.types import OnsiteRequest
from onsite.org.models import Unit
from onsite.supplies import actions, queries
from onsite.supplies.access import (
    ANALYSTS,
    APPROVER_ROLES,
    NO_NUL,
    READERS,
    REQUESTERS,
    STORE_ROLES,
    center_of,
    code_of,
    get_requisition,
    get_supplies,
    get_supply,
    requested_unit,
    visible_requisitions,
    visible_returns,
)
from onsite.supplies.models import Movement, Requisition, Supply, SupplyReturn
from onsite.supplies.services import MAX_QUANTITY

router = Router(tags=["supplies"])


# --- schemas --------------------------------------------------------------------------


class SupplyOut(Schema):
    code: str
    name: str
    category: str
    measure: str
    unit_price: Decimal
    on_hand: int
    min_level: int
    max_level: int
    is_low: bool
    is_active: bool


class SupplyIn(Schema):
    code: str = Field(..., pattern=r"^[-a-zA-Z0-9_]+$", min_length=1, max_length=32)
    name: str = Field(..., min_length=1, max_length=100, pattern=NO_NUL)
    category: Supply.Category = Supply.Category.OTHER
    measure: str = Field(..., min_length=1, max_length=10, pattern=NO_NUL)
    unit_price: float = Field(0, ge=0, le=999999.99, description="Yuan, rounded to 0.01")
    min_level: int = Field(0, ge=0, le=1_000_000)
    max_level: int = Field(0, ge=0, le=1_000_000)


Quantity = Annotated[int, Field(ge=1, le=MAX_QUANTITY, description="Whole number, at least 1")]
Count = Annotated[int, Field(ge=0, le=MAX_QUANTITY, description="Whole number, 0 or more")]


class ReceiptIn(Schema):
    quantity: Quantity
    note: str = Field("", max_length=200, pattern=NO_NUL)


class MovementOut(Schema):
    id: int
    supply: str
    kind: str
    quantity: int
    balance: int
    unit: str | None
    at: datetime
    note: str


class LineIn(Schema):
    supply: str = Field(..., description="Supply code", pattern=NO_NUL)
    quantity: Quantity


class RequisitionIn(Schema):
    unit: str | None = Field(
        None, description="Unit code; defaults to the caller's unit", pattern=NO_NUL
    )
    purpose: str = Field("", max_length=200, pattern=NO_NUL)
    lines: list[LineIn] = Field(..., min_length=1, max_length=20)


class LineOut(Schema):
    id: int
    supply: str
    requested: int
    approved: int | None
    issued: int


class RequisitionOut(Schema):
    id: int
    unit: str
    requested_by: str
    requested_at: datetime
    purpose: str
    status: str
    version: int
    decision_note: str
    lines: list[LineOut]


class ApproveIn(Schema):
    version: int
    approved: dict[str, Count] | None = Field(
        None, description="Approved quantity per line id; all requested when omitted"
    )
    note: str = Field("", max_length=200, pattern=NO_NUL)


class EndIn(Schema):
    version: int
    action: Literal["rejected", "cancelled", "closed"]
    note: str = Field("", max_length=200, pattern=NO_NUL)


class IssueIn(Schema):
    quantities: dict[str, Count] = Field(..., description="Quantity to issue now per line id")


class ReturnIn(Schema):
    supply: str = Field(..., pattern=NO_NUL)
    quantity: Quantity
    unit: str | None = Field(None, pattern=NO_NUL)
    note: str = Field("", max_length=200, pattern=NO_NUL)


class ReturnOut(Schema):
    id: int
    supply: str
    unit: str | None
    quantity: int
    source: str
    note: str
    returned_at: datetime


class ConsumptionOut(Schema):
    unit: str
    kind: str
    headcount: int
    value: Decimal
    per_head: Decimal | None
    peer_median: Decimal | None
    ratio: Decimal | None
    is_outlier: bool


class TrendOut(Schema):
    month: date
    quantity: int
    value: Decimal


# --- helpers --------------------------------------------------------------------------


def _supply_out(supply: Supply) -> SupplyOut:
    return SupplyOut(
        code=supply.code,
        name=supply.name,
        category=supply.category,
        measure=supply.measure,
        unit_price=supply.unit_price,
        on_hand=supply.on_hand,
        min_level=supply.min_level,
        max_level=supply.max_level,
        is_low=supply.is_low,
        is_active=supply.is_active,
    )


def _requisition_out(requisition: Requisition) -> RequisitionOut:
    return RequisitionOut(
        id=requisition.pk,
        unit=requisition.unit.code,
        requested_by=requisition.requested_by.username,
        requested_at=requisition.requested_at,
        purpose=requisition.purpose,
        status=requisition.status,
        version=requisition.version,
        decision_note=requisition.decision_note,
        lines=[
            LineOut(
                id=line.pk,
                supply=line.supply.code,
                requested=line.requested,
                approved=line.approved,
                issued=line.issued,
            )
            for line in requisition.lines.all()
        ],
    )


def _by_line(values: dict[str, int]) -> dict[int, int]:
    """JSON keys are strings: a key that is not a line id matches no line (and is refused)."""
    by_line = {}
    for key, value in values.items():
        is_id = key.isascii() and key.isdigit() and len(key) < 19
        by_line[int(key) if is_id else 0] = value
    return by_line


def _fresh(request: OnsiteRequest, pk: int) -> RequisitionOut:
    return _requisition_out(get_requisition(request, pk))


# --- catalogue and stock --------------------------------------------------------------


@router.get("/supplies", response=documented(list[SupplyOut]), summary="The supplies catalogue")
def list_supplies(request: OnsiteRequest) -> list[SupplyOut]:
    center = check_roles(request, READERS)
    return [_supply_out(s) for s in Supply.objects.filter(center=center)]


@router.post("/supplies", response=documented(SupplyOut), summary="Add a supply (store keepers)")
def create_supply(request: OnsiteRequest, payload: SupplyIn) -> SupplyOut:
    center = actions.check_create_supply(request)
    data = payload.dict()
    data["unit_price"] = Decimal(str(payload.unit_price)).quantize(Decimal("0.01"))
    supply = actions.do_create_supply(center=center, by=request.user, data=data, request=request)
    return _supply_out(supply)


@router.get("/stock", response=documented(list[SupplyOut]), summary="Stock in the store")
def list_stock(request: OnsiteRequest, low: bool = False) -> list[SupplyOut]:
    center = check_roles(request, READERS)
    if low:
        return [_supply_out(s) for s in queries.low_stock(center=center)]
    return [_supply_out(s) for s in Supply.objects.filter(center=center, is_active=True)]


@router.get("/stock/{code}", response=documented(SupplyOut), summary="One supply's stock")
def get_stock(request: OnsiteRequest, code: str) -> SupplyOut:
    check_roles(request, READERS)
    return _supply_out(get_supply(request, code))


@router.get(
    "/stock/{code}/movements",
    response=documented(list[MovementOut]),
    summary="The latest 100 movements of one supply",
)
def list_movements(request: OnsiteRequest, code: str) -> list[MovementOut]:
    center = check_roles(request, READERS)
    supply = get_supply(request, code)
    rows = Movement.objects.filter(center=center, supply=supply).select_related("unit")
    return [
        MovementOut(id=m.pk, supply=supply.code, kind=m.kind, quantity=m.quantity,
                    balance=m.balance, unit=m.unit.code if m.unit else None, at=m.at,
                    note=m.note)
        for m in rows[:100]
    ]  # fmt: skip


@router.post(
    "/stock/{code}/receipts",
    response=documented(SupplyOut),
    summary="Receive a delivery into the store (store keepers)",
)
def receive(request: OnsiteRequest, code: str, payload: ReceiptIn) -> SupplyOut:
    check_roles(request, STORE_ROLES, write=True)
    supply = get_supply(request, code)
    actions.check_receive(request, supply)
    actions.do_receive(
        supply=supply, quantity=payload.quantity, by=request.user, note=payload.note,
        key=idempotency_key(request), request=request,
    )  # fmt: skip
    supply.refresh_from_db()
    return _supply_out(supply)


# --- requisitions ---------------------------------------------------------------------


@router.get(
    "/requisitions",
    response=documented(list[RequisitionOut]),
    summary="The latest 100 requisitions the caller may read",
)
def list_requisitions(request: OnsiteRequest, status: str = "") -> list[RequisitionOut]:
    check_roles(request, READERS)
    rows = visible_requisitions(request.user, request.center)
    if status:
        rows = rows.filter(status=code_of(status))
    rows = rows.select_related("unit", "requested_by").prefetch_related("lines__supply")
    return [_requisition_out(r) for r in rows[:100]]


@router.post("/requisitions", response=documented(RequisitionOut), summary="Request supplies")
def create_requisition(request: OnsiteRequest, payload: RequisitionIn) -> RequisitionOut:
    unit = actions.check_request(request, requested_unit(request, payload.unit))
    supplies = get_supplies(request, [line.supply for line in payload.lines])
    requisition = actions.do_request(
        center=center_of(request), unit=unit, by=request.user,
        lines=[(supplies[line.supply], line.quantity) for line in payload.lines],
        purpose=payload.purpose, key=idempotency_key(request), request=request,
    )  # fmt: skip
    return _fresh(request, requisition.pk)


@router.get(
    "/requisitions/{requisition_id}", response=documented(RequisitionOut), summary="One requisition"
)
def get_one_requisition(request: OnsiteRequest, requisition_id: int) -> RequisitionOut:
    check_roles(request, READERS)
    return _fresh(request, requisition_id)


@router.post(
    "/requisitions/{requisition_id}/approve",
    response=documented(RequisitionOut),
    summary="Approve a requisition (approvers)",
)
def approve(request: OnsiteRequest, requisition_id: int, payload: ApproveIn) -> RequisitionOut:
    check_roles(request, APPROVER_ROLES, write=True)
    requisition = get_requisition(request, requisition_id)
    actions.check_approve(request, requisition)
    actions.do_approve(
        requisition=requisition, by=request.user, expected_version=payload.version,
        approved=_by_line(payload.approved) if payload.approved is not None else None,
        note=payload.note, request=request,
    )  # fmt: skip
    return _fresh(request, requisition_id)


@router.post(
    "/requisitions/{requisition_id}/end",
    response=documented(RequisitionOut),
    summary="Reject (approvers), cancel (requester or store) or close (store) a requisition",
)
def end(request: OnsiteRequest, requisition_id: int, payload: EndIn) -> RequisitionOut:
    check_roles(request, REQUESTERS, write=True)
    requisition = get_requisition(request, requisition_id)
    actions.check_end(request, requisition, to=payload.action, note=payload.note)
    actions.do_end(
        requisition=requisition, to=payload.action, by=request.user,
        expected_version=payload.version, note=payload.note, request=request,
    )  # fmt: skip
    return _fresh(request, requisition_id)


@router.post(
    "/requisitions/{requisition_id}/issue",
    response=documented(RequisitionOut),
    summary="Issue approved supplies, all or part (store keepers)",
)
def issue(request: OnsiteRequest, requisition_id: int, payload: IssueIn) -> RequisitionOut:
    check_roles(request, STORE_ROLES, write=True)
    requisition = get_requisition(request, requisition_id)
    actions.check_issue(request, requisition)
    actions.do_issue(
        requisition=requisition, by=request.user, quantities=_by_line(payload.quantities),
        key=idempotency_key(request), request=request,
    )  # fmt: skip
    return _fresh(request, requisition_id)


# --- returns and consumption ----------------------------------------------------------


def _return_out(item: SupplyReturn) -> ReturnOut:
    return ReturnOut(
        id=item.pk,
        supply=item.supply.code,
        unit=item.unit.code if item.unit else None,
        quantity=item.quantity,
        source=item.source,
        note=item.note,
        returned_at=item.returned_at,
    )


@router.get("/returns", response=documented(list[ReturnOut]), summary="The latest 100 returns")
def list_returns(request: OnsiteRequest) -> list[ReturnOut]:
    check_roles(request, READERS)
    rows = visible_returns(request.user, request.center).select_related("supply", "unit")
    return [_return_out(item) for item in rows[:100]]


@router.post(
    "/returns",
    response=documented(ReturnOut),
    summary="Record unused supplies returned to the store",
)
def create_return(request: OnsiteRequest, payload: ReturnIn) -> ReturnOut:
    center = actions.check_return(request)
    supply = get_supply(request, payload.supply)
    unit = get_for_center(Unit.objects.all(), center, code=payload.unit) if payload.unit else None
    item = actions.do_return(
        center=center, supply=supply, quantity=payload.quantity, unit=unit, note=payload.note,
        by=request.user, key=idempotency_key(request), request=request,
    )  # fmt: skip
    return _return_out(SupplyReturn.objects.select_related("supply", "unit").get(pk=item.pk))


@router.get(
    "/consumption",
    response=documented(list[ConsumptionOut]),
    summary="Consumption per unit over the last months, with the outlier flag",
)
def consumption(request: OnsiteRequest, months: int = 3) -> list[ConsumptionOut]:
    center = check_roles(request, ANALYSTS)
    months = min(max(months, 1), 24)
    rows = queries.consumption_by_unit(center=center, since=queries.period_start(months))
    return [
        ConsumptionOut(unit=r.unit.code, kind=r.unit.kind, headcount=r.headcount, value=r.value,
                       per_head=r.per_head, peer_median=r.peer_median, ratio=r.ratio,
                       is_outlier=r.is_outlier)
        for r in rows
    ]  # fmt: skip


@router.get(
    "/consumption/trend",
    response=documented(list[TrendOut]),
    summary="Consumption of the whole center per month",
)
def trend(request: OnsiteRequest, months: int = 6) -> list[TrendOut]:
    center = check_roles(request, ANALYSTS)
    months = min(max(months, 1), 24)
    return [TrendOut(**row) for row in queries.consumption_trend(center=center, months=months)]
