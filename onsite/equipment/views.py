"""Pages of equipment: the register of a center's equipment by zone, a phone-friendly fault
report, and a fault's repair log, history and closing. Every write is an adapter over its
action (`actions`): read the form, check, do, answer."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from onsite.core.access import may, refusal_response, role_required
from onsite.core.models import get_for_center
from onsite.core.paging import page_of
from onsite.core.refusals import NotAllowed, NotVisible, Refusal
from onsite.core.types import OnsiteRequest
from onsite.equipment import actions
from onsite.equipment.access import (
    KEEPERS,
    READERS,
    get_equipment,
    get_fault,
    may_report,
    visible_equipment,
    visible_faults,
)
from onsite.equipment.models import Equipment
from onsite.equipment.queries import with_open_fault
from onsite.org.models import Zone

PAGE_SIZE = 50


def refused(request: OnsiteRequest, refusal: Refusal, back: HttpResponse) -> HttpResponse:
    """A role refusal is the audited 403 page; any other is told above the page `back` leads
    to, its code in the `Onsite-Refusal` header (the API's code)."""
    if isinstance(refusal, NotAllowed | NotVisible):
        return refusal_response(request, refusal)
    messages.error(request, str(refusal.message))
    back["Onsite-Refusal"] = refusal.code
    return back


def _version(request: OnsiteRequest) -> int:
    value = request.POST.get("version") or ""
    return int(value) if value.isdigit() and len(value) < 10 else -1


@role_required(*READERS)
def equipment_list(request: OnsiteRequest) -> HttpResponse:
    """The register by zone (?zone=<code>), each with its open fault, and the open faults.
    The office adds equipment here."""
    rows = visible_equipment(request.center).order_by("zone__code", "kind", "pk")
    code = request.GET.get("zone", "").replace("\x00", "")[:32]
    if code:
        rows = rows.filter(zone__code=code)
    page = page_of(rows, request, PAGE_SIZE)
    keeper = may(request.user, KEEPERS, write=True)
    return render(
        request,
        "equipment/equipment_list.html",
        {
            "page": page,
            "rows": with_open_fault(list(page.object_list)),
            "open_faults": visible_faults(request.center).still_open().order_by("reported_at")[:20],
            "zone_code": code,
            "keeper": keeper,
            "kinds": Equipment.Kind.choices,
            "zones": Zone.objects.filter(center=request.center, is_active=True).order_by("code")
            if keeper
            else [],
        },
    )


@role_required(*KEEPERS, write=True)
@require_POST
def equipment_add(request: OnsiteRequest) -> HttpResponse:
    back = redirect("equipment:equipment-list")
    zone = get_for_center(
        Zone.objects.select_related("center"),
        request.center,
        code=request.POST.get("zone", "").replace("\x00", "")[:32],
    )
    try:
        equipment = actions.do_add_equipment(
            zone=zone, by=request.user, data=request.POST, request=request
        )
    except Refusal as refusal:
        return refused(request, refusal, back)
    messages.success(request, _("%(equipment)s added.") % {"equipment": equipment.label})
    return back


@role_required(*READERS)
def equipment_detail(request: OnsiteRequest, pk: int) -> HttpResponse:
    equipment = get_equipment(request.center, pk)
    faults = list(
        equipment.faults.select_related("reported_by").order_by("-reported_at", "-pk")[:50]
    )
    return render(
        request,
        "equipment/equipment_detail.html",
        {
            "equipment": equipment,
            "faults": faults,
            "can_report": may_report(request.user, equipment.zone) and equipment.is_active,
            "keeper": may(request.user, KEEPERS, write=True),
        },
    )


@role_required(*KEEPERS, write=True)
@require_POST
def equipment_in_use(request: OnsiteRequest, pk: int) -> HttpResponse:
    """Retire (in_use=0) or put back in use (in_use=1)."""
    equipment = get_equipment(request.center, pk)
    back = redirect("equipment:equipment-detail", equipment.pk)
    try:
        actions.do_set_in_use(
            equipment=equipment,
            by=request.user,
            in_use=request.POST.get("in_use") == "1",
            expected_version=_version(request),
            request=request,
        )
    except Refusal as refusal:
        return refused(request, refusal, back)
    messages.success(request, _("Saved."))
    return back


@role_required(*READERS, write=True)
def fault_report(request: OnsiteRequest, pk: int) -> HttpResponse:
    """The phone form: what is wrong, and a photo if one helps."""
    equipment = get_equipment(request.center, pk)
    back = redirect("equipment:equipment-detail", equipment.pk)
    try:
        actions.check_report(request.user, equipment)
    except Refusal as refusal:
        return refused(request, refusal, back)
    context = {"equipment": equipment, **request.POST.dict()}
    if request.method != "POST":
        return render(request, "equipment/fault_form.html", context)
    try:
        fault = actions.do_report(
            equipment=equipment,
            by=request.user,
            description=request.POST.get("description", ""),
            photo=request.FILES.get("photo"),
            key=request.POST.get("key", "")[:64],
            request=request,
        )
    except Refusal as refusal:
        messages.error(request, str(refusal.message))
        response = render(request, "equipment/fault_form.html", context, status=refusal.status)
        response["Onsite-Refusal"] = refusal.code
        return response
    messages.success(request, _("Fault reported: the programme office has been told."))
    return redirect("equipment:fault-detail", fault.pk)


@role_required(*READERS)
def fault_list(request: OnsiteRequest) -> HttpResponse:
    show = request.GET.get("show", "open")
    rows = visible_faults(request.center).order_by("-reported_at", "-pk")
    if show != "all":
        rows = rows.still_open()
    return render(
        request,
        "equipment/fault_list.html",
        {"page": page_of(rows, request, PAGE_SIZE), "show": show},
    )


@role_required(*READERS)
def fault_detail(request: OnsiteRequest, pk: int) -> HttpResponse:
    fault = get_fault(request.center, pk)
    return render(
        request,
        "equipment/fault_detail.html",
        {
            "fault": fault,
            "entries": list(fault.entries.select_related("by")),
            "history": list(fault.transitions.select_related("by")),
            "can_repair": may(request.user, KEEPERS, write=True) and not fault.is_closed,
        },
    )


@role_required(*KEEPERS, write=True)
@require_POST
def fault_log(request: OnsiteRequest, pk: int) -> HttpResponse:
    fault = get_fault(request.center, pk)
    back = redirect("equipment:fault-detail", fault.pk)
    try:
        actions.do_log(
            fault=fault,
            by=request.user,
            what=request.POST.get("what", ""),
            expected_version=_version(request),
            request=request,
        )
    except Refusal as refusal:
        return refused(request, refusal, back)
    messages.success(request, _("Added to the repair log."))
    return back


@role_required(*KEEPERS, write=True)
@require_POST
def fault_close(request: OnsiteRequest, pk: int) -> HttpResponse:
    fault = get_fault(request.center, pk)
    back = redirect("equipment:fault-detail", fault.pk)
    try:
        actions.do_close(
            fault=fault,
            by=request.user,
            note=request.POST.get("note", ""),
            expected_version=_version(request),
            request=request,
        )
    except Refusal as refusal:
        return refused(request, refusal, back)
    messages.success(request, _("The fault is closed."))
    return back


@role_required(*READERS)
def fault_photo(request: OnsiteRequest, pk: int, size: str) -> HttpResponse:
    """Photos are served only through here, after the same access check as the fault."""
    if size not in {"photo", "thumb"}:
        raise Http404
    fault = get_fault(request.center, pk)
    image = fault.thumbnail if size == "thumb" else fault.photo
    if not image:
        raise Http404
    with image.open("rb") as handle:
        response = HttpResponse(handle.read(), content_type="image/jpeg")
    response["Cache-Control"] = "private, max-age=3600"
    return response
