from __future__ import annotations

from django.db.models import Count, Q
from django.http import HttpResponse
from django.shortcuts import render

from onsite.accounts.models import Role
from onsite.core.decorators import role_required
from onsite.core.models import get_for_center
from onsite.core.navigation import ALL, MANAGERS
from onsite.core.types import OnsiteRequest
from onsite.org.models import Unit, Zone

READERS = tuple(MANAGERS | {Role.MEMBER, Role.VIEWER})
EVERYONE = tuple(ALL | {Role.VIEWER})


@role_required(*READERS)
def unit_list(request: OnsiteRequest) -> HttpResponse:
    units = (
        Unit.objects.filter(center=request.center)
        .select_related("floor")
        .annotate(headcount=Count("staff", filter=Q(staff__is_active=True)))
    )
    return render(request, "org/unit_list.html", {"units": units})


@role_required(*READERS)
def unit_detail(request: OnsiteRequest, code: str) -> HttpResponse:
    unit = get_for_center(Unit.objects.select_related("floor"), request.center, code=code)
    staff = unit.staff.filter(is_active=True).order_by("full_name")
    zones = unit.zones.filter(is_active=True).select_related("area_type", "owner")
    return render(request, "org/unit_detail.html", {"unit": unit, "staff": staff, "zones": zones})


@role_required(*EVERYONE)
def zone_list(request: OnsiteRequest) -> HttpResponse:
    zones = Zone.objects.filter(center=request.center, is_active=True).select_related(
        "area_type", "unit", "owner"
    )
    return render(request, "org/zone_list.html", {"zones": zones})


@role_required(*EVERYONE)
def zone_detail(request: OnsiteRequest, code: str) -> HttpResponse:
    zone = get_for_center(
        Zone.objects.select_related("area_type", "unit", "owner", "floor"),
        request.center,
        code=code,
    )
    return render(request, "org/zone_detail.html", {"zone": zone})
