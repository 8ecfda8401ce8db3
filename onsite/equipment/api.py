"""The JSON API of equipment (mounted at /api/v1/equipment by config/api.py): the register,
fault reports, the repair log and closing, through the same actions as the pages. A report
sent here carries no photo (the page takes one, checked like every upload)."""

from __future__ import annotations

import datetime
from typing import Literal

from ninja import Field, Router, Schema

from onsite.core.access import check_roles
from onsite.core.api import documented, idempotency_key
from onsite.core.models import get_for_center
from onsite.core.types import OnsiteRequest
from onsite.equipment import actions
from onsite.equipment.access import (
    KEEPERS,
    READERS,
    get_equipment,
    get_fault,
    visible_equipment,
    visible_faults,
)
from onsite.equipment.models import Equipment, FaultReport
from onsite.org.models import Zone

router = Router(tags=["equipment"])
NO_NUL = r"^[^\x00]*$"  # PostgreSQL stores no NUL character, so none gets in
MAX_ROWS = 200

KindName = Literal["rating_device", "doc_camera", "printer", "pc", "queue_display", "other"]


class EquipmentOut(Schema):
    id: int
    zone: str
    kind: str
    name: str
    asset_number: str
    is_active: bool
    row_version: int


class EquipmentIn(Schema):
    zone: str = Field(..., max_length=32, pattern=NO_NUL)
    kind: KindName
    name: str = Field("", max_length=60, pattern=NO_NUL)
    asset_number: str = Field("", max_length=40, pattern=NO_NUL)


class RepairEntryOut(Schema):
    at: datetime.datetime
    by: str
    what: str


class TransitionOut(Schema):
    at: datetime.datetime
    by: str | None
    from_status: str
    to_status: str
    note: str


class FaultOut(Schema):
    id: int
    equipment: int
    zone: str
    status: str
    description: str
    reported_by: str
    reported_at: datetime.datetime
    inspection: int | None
    closed_at: datetime.datetime | None
    has_photo: bool
    row_version: int


class FaultDetailOut(FaultOut):
    log: list[RepairEntryOut]
    history: list[TransitionOut]


class InUseIn(Schema):
    in_use: bool
    version: int = Field(..., ge=1, le=2_000_000_000)


class FaultIn(Schema):
    description: str = Field(..., min_length=1, max_length=2000, pattern=NO_NUL)


class LogIn(Schema):
    what: str = Field(..., min_length=1, max_length=2000, pattern=NO_NUL)
    version: int = Field(..., ge=1, le=2_000_000_000)


class CloseIn(Schema):
    note: str = Field(..., min_length=1, max_length=2000, pattern=NO_NUL)
    version: int = Field(..., ge=1, le=2_000_000_000)


def _equipment_out(e: Equipment) -> EquipmentOut:
    return EquipmentOut(
        id=e.pk, zone=e.zone.code, kind=e.kind, name=e.name, asset_number=e.asset_number,
        is_active=e.is_active, row_version=e.version,
    )  # fmt: skip


def _fault_out(f: FaultReport) -> FaultOut:
    return FaultOut(
        id=f.pk, equipment=f.equipment_id, zone=f.zone.code, status=f.status,
        description=f.description, reported_by=f.reported_by.username,
        reported_at=f.reported_at, inspection=f.inspection_id, closed_at=f.closed_at,
        has_photo=bool(f.photo), row_version=f.version,
    )  # fmt: skip


def _fault_detail(f: FaultReport) -> FaultDetailOut:
    return FaultDetailOut(
        **_fault_out(f).dict(),
        log=[
            RepairEntryOut(at=e.at, by=e.by.username, what=e.what)
            for e in f.entries.select_related("by")
        ],
        history=[
            TransitionOut(
                at=t.at,
                by=t.by.username if t.by else None,
                from_status=t.from_status,
                to_status=t.to_status,
                note=t.note,
            )
            for t in f.transitions.select_related("by")
        ],
    )


@router.get("/", response=documented(list[EquipmentOut]), summary="The center's equipment")
def list_equipment(request: OnsiteRequest, zone: str = "") -> list[EquipmentOut]:
    check_roles(request, READERS)
    rows = visible_equipment(request.center).order_by("zone__code", "kind", "pk")
    if zone:
        rows = rows.filter(zone__code=zone.replace("\x00", "")[:32])
    return [_equipment_out(e) for e in rows[:MAX_ROWS]]


@router.post(
    "/", response=documented(EquipmentOut), summary="Register equipment (the office)",
    url_name="equipment_add",
)  # fmt: skip
def add_equipment(request: OnsiteRequest, payload: EquipmentIn) -> EquipmentOut:
    check_roles(request, KEEPERS, write=True)
    zone = get_for_center(Zone.objects.select_related("center"), request.center, code=payload.zone)
    equipment = actions.do_add_equipment(
        zone=zone, by=request.user, data=payload.dict(), request=request
    )
    return _equipment_out(get_equipment(request.center, equipment.pk))


@router.post(
    "/{equipment_id}/in-use", response=documented(EquipmentOut),
    summary="Retire equipment or put it back in use (the office)",
)  # fmt: skip
def set_in_use(request: OnsiteRequest, equipment_id: int, payload: InUseIn) -> EquipmentOut:
    check_roles(request, KEEPERS, write=True)
    equipment = get_equipment(request.center, equipment_id)
    actions.do_set_in_use(
        equipment=equipment, by=request.user, in_use=payload.in_use,
        expected_version=payload.version, request=request,
    )  # fmt: skip
    return _equipment_out(get_equipment(request.center, equipment_id))


@router.get("/faults", response=documented(list[FaultOut]), summary="Fault reports")
def list_faults(request: OnsiteRequest, closed: bool = False) -> list[FaultOut]:
    """Open faults first reported last; `closed=true` lists the closed ones too."""
    check_roles(request, READERS)
    rows = visible_faults(request.center).order_by("-reported_at", "-pk")
    if not closed:
        rows = rows.still_open()
    return [_fault_out(f) for f in rows[:MAX_ROWS]]


@router.get("/faults/{fault_id}", response=documented(FaultDetailOut), summary="One fault")
def fault_detail(request: OnsiteRequest, fault_id: int) -> FaultDetailOut:
    check_roles(request, READERS)
    return _fault_detail(get_fault(request.center, fault_id))


@router.post(
    "/{equipment_id}/faults",
    response=documented(FaultOut),
    summary="Report a fault (the zone's unit; Idempotency-Key honoured)",
    url_name="equipment_report_fault",
)
def report_fault(request: OnsiteRequest, equipment_id: int, payload: FaultIn) -> FaultOut:
    check_roles(request, READERS, write=True)
    equipment = get_equipment(request.center, equipment_id)
    fault = actions.do_report(
        equipment=equipment,
        by=request.user,
        description=payload.description,
        key=idempotency_key(request),
        request=request,
    )
    return _fault_out(get_fault(request.center, fault.pk))


@router.post(
    "/faults/{fault_id}/log", response=documented(FaultDetailOut), summary="Log a repair step"
)
def log_repair(request: OnsiteRequest, fault_id: int, payload: LogIn) -> FaultDetailOut:
    check_roles(request, KEEPERS, write=True)
    fault = get_fault(request.center, fault_id)
    actions.do_log(
        fault=fault, by=request.user, what=payload.what, expected_version=payload.version,
        request=request,
    )  # fmt: skip
    return _fault_detail(get_fault(request.center, fault_id))


@router.post(
    "/faults/{fault_id}/close", response=documented(FaultDetailOut), summary="Close as repaired"
)
def close_fault(request: OnsiteRequest, fault_id: int, payload: CloseIn) -> FaultDetailOut:
    check_roles(request, KEEPERS, write=True)
    fault = get_fault(request.center, fault_id)
    actions.do_close(
        fault=fault, by=request.user, note=payload.note, expected_version=payload.version,
        request=request,
    )  # fmt: skip
    return _fault_detail(get_fault(request.center, fault_id))
