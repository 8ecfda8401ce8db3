from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.db.models import Q, QuerySet
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from onsite.core.access import answers_refusals, role_required
from onsite.core.job_views import background_file
from onsite.core.models import Center, get_for_center
from onsite.core.paging import page_of
from onsite.core.refusals import Conflict, Invalid, Refusal
from onsite.core.sorting import sort_rows
from onsite.core.types import OnsiteRequest
from onsite.org import access, actions, cards, services
from onsite.org.forms import AreaTypeForm, FloorForm, MoveForm, ZoneForm
from onsite.org.models import AreaType, Floor, Unit, Zone
from onsite.org.views.common import repeat_of, saved

PALETTE_SIZE = 8  # colours in static/org/org.css, one per area type in order
ZONE_PAGE_SIZE = 50
ZONE_SORTS = {
    "code": "code",
    "name": "name",
    "type": ("area_type__position", "area_type__code"),
    "unit": ("unit__kind", "unit__position", "unit__code"),
    "owner": "owner__full_name",
    "floor": "floor__level",
}


def _zones(center: Center | None) -> QuerySet[Zone]:
    return Zone.objects.filter(center=center).select_related("area_type", "unit", "owner", "floor")


def _filtered(request: OnsiteRequest) -> tuple[QuerySet[Zone], dict[str, str]]:
    """Zones narrowed by the floor, unit, area type, codes or search words (`q`: code, name,
    unit or owner) in the query string."""
    zones = _zones(request.center)
    picked = {name: request.GET.get(name, "") for name in ("floor", "unit", "type")}
    picked["q"] = request.GET.get("q", "").strip()[:50]
    if words := picked["q"]:
        zones = zones.filter(
            Q(code__icontains=words)
            | Q(name__icontains=words)
            | Q(unit__name__icontains=words)
            | Q(unit__code__icontains=words)
            | Q(owner__full_name__icontains=words)
            | Q(owner__username__icontains=words)
        )
    if picked["floor"].lstrip("-").isdigit():
        zones = zones.filter(floor__level=int(picked["floor"]))
    if picked["unit"]:
        zones = zones.filter(unit__code=picked["unit"])
    if picked["type"]:
        zones = zones.filter(area_type__code=picked["type"])
    if codes := request.GET.getlist("zone"):
        zones = zones.filter(code__in=codes[:500])
    if not (request.GET.get("inactive") == "1" and access.can_edit_zones(request.user)):
        zones = zones.filter(is_active=True)
    return zones, picked


@role_required(*access.EVERYONE)
def zone_list(request: OnsiteRequest) -> HttpResponse:
    zones, picked = _filtered(request)
    zones, sort = sort_rows(zones, request, keys=ZONE_SORTS, default="code")
    template = "org/zone_list.html#results" if request.htmx else "org/zone_list.html"
    return render(
        request,
        template,
        {
            "page": page_of(zones, request, ZONE_PAGE_SIZE),
            "sort": sort,
            "picked": picked,
            "query": request.GET.urlencode(),
            "floors": Floor.objects.filter(center=request.center),
            "units": Unit.objects.filter(center=request.center),
            "area_types": AreaType.objects.filter(center=request.center),
            "can_edit": access.can_edit_zones(request.user),
            "can_print": access.can_print_cards(request.user),
        },
    )


@role_required(*access.EVERYONE)
def zone_detail(request: OnsiteRequest, code: str) -> HttpResponse:
    zone = access.get_zone(request.center, code)
    return render(
        request,
        "org/zone_detail.html",
        {
            "zone": zone,
            "zone_url": request.build_absolute_uri(reverse("zone-page", args=[zone.code])),
            "can_read_units": access.can_read_units(request.user),
            "can_edit": access.can_edit_zones(request.user),
            "can_print": access.can_print_cards(request.user),
        },
    )


@role_required(*access.ZONE_EDITORS, write=True)
@answers_refusals
def zone_create(request: OnsiteRequest) -> HttpResponse:
    center = actions.check_edit_zones(request)
    if first := repeat_of(request, "org.zone"):
        return redirect(
            "org:zone-detail", get_for_center(Zone.objects.all(), center, pk=first).code
        )
    initial: dict[str, Any] = {}
    if unit_code := request.GET.get("unit"):
        initial["unit"] = Unit.objects.filter(center=center, code=unit_code).first()
    form = ZoneForm(request.POST or None, center=center, initial=initial)
    zone = saved(
        request,
        form,
        lambda data: actions.do_create_zone(
            request, center=center, data=data, submission_key=data["submission_key"]
        ),
    )
    if zone is not None:
        messages.success(request, _("Zone %(code)s created.") % {"code": zone.code})
        return redirect("org:zone-detail", zone.code)
    return render(request, "org/zone_form.html", {"form": form})


@role_required(*access.ZONE_EDITORS, write=True)
@answers_refusals
def zone_edit(request: OnsiteRequest, code: str) -> HttpResponse:
    center = actions.check_edit_zones(request)
    zone = access.get_zone(center, code)
    initial = {name: getattr(zone, name) for name in services.ZONE_FIELDS}
    form = ZoneForm(
        request.POST or None, center=center, zone=zone, initial={**initial, "version": zone.version}
    )
    written = saved(
        request,
        form,
        lambda data: actions.do_update_zone(
            request, zone=zone, data=data, expected_version=form.expected_version()
        ),
    )
    if written is not None:
        messages.success(request, _("Saved."))
        return redirect("org:zone-detail", zone.code)
    return render(request, "org/zone_form.html", {"form": form, "zone": zone})


# --- floor plan -----------------------------------------------------------------------


def _plan_zones(request: OnsiteRequest, floor: Floor | None, palette: dict[int, int]) -> list[Zone]:
    """The floor's active zones, each with its area type's colour and a label size that fits."""
    zones = list(_zones(request.center).filter(floor=floor, is_active=True)) if floor else []
    for zone in zones:
        zone.colour = palette.get(zone.area_type_id, 0)  # type: ignore[attr-defined]
        zone.label_size = max(3, min(9, min(zone.width, zone.height * 2) // 5))  # type: ignore[attr-defined]
    return zones


@role_required(*access.EVERYONE)
def floor_plan(request: OnsiteRequest) -> HttpResponse:
    floors = list(Floor.objects.filter(center=request.center))
    wanted = request.GET.get("floor", "")
    floor = next((f for f in floors if str(f.level) == wanted), floors[0] if floors else None)
    area_types = list(AreaType.objects.filter(center=request.center))
    palette = {area_type.pk: index % PALETTE_SIZE for index, area_type in enumerate(area_types)}
    can_move = access.can_edit_zones(request.user)
    unplaced = _zones(request.center).filter(floor__isnull=True, is_active=True) if can_move else []
    return render(
        request,
        "org/floor_plan.html",
        {
            "floors": floors,
            "floor": floor,
            "zones": _plan_zones(request, floor, palette),
            "unplaced": list(unplaced),
            "legend": [(area_type, palette[area_type.pk]) for area_type in area_types],
            "highlight": request.GET.get("zone", ""),
            "can_edit": access.can_edit_org(request.user),
            "can_move": can_move,
            "can_print": access.can_print_cards(request.user),
        },
    )


def _move(request: OnsiteRequest, zone: Zone) -> Refusal | None:
    """Moves the zone as the posted form says; the refusal if it may not move there."""
    form = MoveForm(request.POST)
    if not form.is_valid():
        return Invalid(_("The position is not valid."))
    data = form.cleaned_data
    try:
        actions.do_move_zone(
            request, zone=zone, level=data["floor"], x=data["x"], y=data["y"],
            expected_version=data["version"],
        )  # fmt: skip
    except (Invalid, Conflict) as refusal:
        return refusal
    return None


@role_required(*access.ZONE_EDITORS, write=True)
@require_POST
@answers_refusals
def zone_move(request: OnsiteRequest, code: str) -> HttpResponse:
    """A zone dragged on the plan (JSON for the script) or placed with the form (redirect)."""
    zone = access.get_zone(actions.check_edit_zones(request), code)
    refusal = _move(request, zone)
    if "application/json" in request.headers.get("Accept", ""):
        if refusal is not None:
            status = 409 if isinstance(refusal, Conflict) else 400
            return JsonResponse({"error": str(refusal.message)}, status=status)
        return JsonResponse({"code": zone.code, "x": zone.x, "y": zone.y, "version": zone.version})
    if refusal is not None:
        messages.error(request, str(refusal.message))
    else:
        messages.success(request, _("Zone %(code)s placed.") % {"code": zone.code})
    level = zone.floor.level if zone.floor else ""
    return redirect(f"{reverse('org:floor-plan')}?floor={level}&zone={zone.code}")


@role_required(*access.ORG_EDITORS, write=True)
@answers_refusals
def floor_edit(request: OnsiteRequest, level: int | None = None) -> HttpResponse:
    center = actions.check_edit_org(request)
    floor = access.get_floor(center, level) if level is not None else Floor()
    form = FloorForm(request.POST or None, instance=floor, center=center)
    if saved(request, form, lambda data: actions.do_save_floor(request, floor=floor, data=data)):
        messages.success(request, _("Saved."))
        return redirect(f"{reverse('org:floor-plan')}?floor={floor.level}")
    return render(request, "org/floor_form.html", {"form": form, "floor": floor})


# --- area types -----------------------------------------------------------------------


@role_required(*access.READERS)
def area_type_list(request: OnsiteRequest) -> HttpResponse:
    area_types = AreaType.objects.filter(center=request.center)
    return render(
        request,
        "org/area_type_list.html",
        {"area_types": area_types, "can_edit": access.can_edit_org(request.user)},
    )


@role_required(*access.ORG_EDITORS, write=True)
@answers_refusals
def area_type_edit(request: OnsiteRequest, code: str | None = None) -> HttpResponse:
    center = actions.check_edit_org(request)
    area_type = access.get_area_type(center, code) if code else AreaType()
    form = AreaTypeForm(request.POST or None, instance=area_type, center=center)
    written = saved(
        request,
        form,
        lambda data: actions.do_save_area_type(request, area_type=area_type, data=data),
    )
    if written is not None:
        messages.success(request, _("Saved."))
        return redirect("org:area-type-list")
    return render(request, "org/area_type_form.html", {"form": form, "area_type": area_type})


# --- QR cards -------------------------------------------------------------------------


@role_required(*access.CARD_PRINTERS, write=True)
@answers_refusals
def zone_cards(request: OnsiteRequest) -> HttpResponse:
    """A printable A4 sheet of zone cards; each QR opens the zone's page on a phone. Many
    cards are made in the background (asked for with a POST) and downloaded when ready."""
    center = actions.check_print_cards(request)
    zones, _picked = _filtered(request)
    printed = list(cards.ordered(zones))
    if len(printed) > cards.inline_cards():
        return background_file(
            request,
            title=_("QR cards of zones"),
            count=len(printed),
            queue=lambda: actions.do_queue_cards(request, center=center, zones=printed),
            back_url=reverse("org:zone-list"),
        )
    pdf = actions.do_print_cards(
        request,
        center=center,
        zones=printed,
        zone_url=lambda zone: request.build_absolute_uri(reverse("zone-page", args=[zone.code])),
    )
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = 'attachment; filename="zone-cards.pdf"'
    return response
