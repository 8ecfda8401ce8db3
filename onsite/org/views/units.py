from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.db.models import Prefetch, QuerySet
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from onsite.accounts.models import RoleGrant, User
from onsite.core.access import answers_refusals, role_required
from onsite.core.models import get_for_center
from onsite.core.sorting import SortKeys, by_choices, sort_rows
from onsite.core.types import OnsiteRequest
from onsite.org import access, actions
from onsite.org.forms import UnitForm
from onsite.org.models import Group, Membership, Unit
from onsite.org.queries import groups_with_standing, standing_of
from onsite.org.views.common import repeat_of, saved

UNIT_SORTS: SortKeys = {
    "code": "code",
    "name": "name",
    "kind": (by_choices("kind", Unit.Kind.values), "position", "code"),
    "department": "department",
    "headcount": "headcount",
    "floor": "floor__level",
}


@role_required(*access.READERS)
def unit_list(request: OnsiteRequest) -> HttpResponse:
    units = access.units_of(request.center).select_related("coverage__group")
    kind = request.GET.get("kind", "")
    if kind in Unit.Kind.values:
        units = units.filter(kind=kind)
    units, sort = sort_rows(units, request, keys=UNIT_SORTS)
    return render(
        request,
        "org/unit_list.html",
        {
            "units": units,
            "sort": sort,
            "kind": kind,
            "kinds": Unit.Kind.choices,
            "can_edit": access.can_edit_org(request.user),
        },
    )


def _unit_staff(unit: Unit) -> QuerySet[User]:
    working = Membership.objects.filter(group_kind=Group.Kind.WORKING).select_related("group")
    return (
        unit.staff.filter(is_active=True)
        .order_by("username")
        .prefetch_related(
            Prefetch("role_grants", queryset=RoleGrant.objects.order_by("role")),
            Prefetch("memberships", queryset=working),
        )
    )


@role_required(*access.READERS)
def unit_detail(request: OnsiteRequest, code: str) -> HttpResponse:
    unit = access.get_unit(request.center, code)
    zones = unit.zones.filter(is_active=True).select_related("area_type", "owner", "floor")
    covering = groups_with_standing(request.center).filter(coverages__unit=unit).first()
    return render(
        request,
        "org/unit_detail.html",
        {
            "unit": unit,
            "staff": _unit_staff(unit),
            "zones": zones,
            "standing": standing_of(covering) if covering else None,
            "can_edit": access.can_edit_org(request.user),
            "can_add_zone": access.can_edit_zones(request.user),
        },
    )


@role_required(*access.ORG_EDITORS, write=True)
@answers_refusals
def unit_create(request: OnsiteRequest) -> HttpResponse:
    center = actions.check_edit_org(request)
    if first := repeat_of(request, "org.unit"):
        return redirect(
            "org:unit-detail", get_for_center(Unit.objects.all(), center, pk=first).code
        )
    form = UnitForm(request.POST or None, center=center)
    unit = saved(
        request,
        form,
        lambda data: actions.do_create_unit(
            request, center=center, data=data, submission_key=data["submission_key"]
        ),
    )
    if unit is not None:
        messages.success(request, _("Unit %(name)s created.") % {"name": unit.name})
        return redirect("org:unit-detail", unit.code)
    return render(request, "org/unit_form.html", {"form": form})


def _unit_initial(unit: Unit) -> dict[str, Any]:
    names = ("code", "name", "kind", "department", "floor", "position", "version")
    return {name: getattr(unit, name) for name in names}


@role_required(*access.ORG_EDITORS, write=True)
@answers_refusals
def unit_edit(request: OnsiteRequest, code: str) -> HttpResponse:
    center = actions.check_edit_org(request)
    unit = access.get_unit(center, code)
    form = UnitForm(request.POST or None, center=center, unit=unit, initial=_unit_initial(unit))
    written = saved(
        request,
        form,
        lambda data: actions.do_update_unit(
            request, unit=unit, data=data, expected_version=form.expected_version()
        ),
    )
    if written is not None:
        messages.success(request, _("Saved."))
        return redirect("org:unit-detail", unit.code)
    return render(request, "org/unit_form.html", {"form": form, "unit": unit})
