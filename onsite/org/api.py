from __future__ import annotations

from django.db.models import Count, Q, QuerySet
from ninja import Router, Schema

from onsite.core.api import documented
from onsite.core.models import get_for_center
from onsite.core.types import OnsiteRequest
from onsite.org.models import Unit, Zone

router = Router(tags=["org"])


class UnitOut(Schema):
    id: int
    code: str
    name: str
    kind: str
    department: str
    headcount: int


class ZoneOut(Schema):
    id: int
    code: str
    name: str
    area_type: str
    unit: str | None
    owner: str | None


def _units(request: OnsiteRequest) -> QuerySet[Unit]:
    return Unit.objects.filter(center=request.center).annotate(
        headcount=Count("staff", filter=Q(staff__is_active=True))
    )


def _unit_out(unit: Unit) -> UnitOut:
    return UnitOut(
        id=unit.pk,
        code=unit.code,
        name=unit.name,
        kind=unit.kind,
        department=unit.department,
        headcount=unit.headcount,  # type: ignore[attr-defined]
    )


def _zone_out(zone: Zone) -> ZoneOut:
    return ZoneOut(
        id=zone.pk,
        code=zone.code,
        name=zone.name,
        area_type=zone.area_type.code,
        unit=zone.unit.code if zone.unit else None,
        owner=zone.owner.username if zone.owner else None,
    )


@router.get("/units", response=documented(list[UnitOut]), summary="Units of the caller's center")
def list_units(request: OnsiteRequest) -> list[UnitOut]:
    return [_unit_out(unit) for unit in _units(request)]


@router.get("/units/{code}", response=documented(UnitOut), summary="One unit")
def get_unit(request: OnsiteRequest, code: str) -> UnitOut:
    return _unit_out(get_for_center(_units(request), request.center, code=code))


@router.get(
    "/zones", response=documented(list[ZoneOut]), summary="Active zones of the caller's center"
)
def list_zones(request: OnsiteRequest) -> list[ZoneOut]:
    zones = Zone.objects.filter(center=request.center, is_active=True).select_related(
        "area_type", "unit", "owner"
    )
    return [_zone_out(zone) for zone in zones]


@router.get("/zones/{code}", response=documented(ZoneOut), summary="One zone")
def get_zone(request: OnsiteRequest, code: str) -> ZoneOut:
    zone = get_for_center(
        Zone.objects.select_related("area_type", "unit", "owner"),
        request.center,
        code=code,
    )
    return _zone_out(zone)
