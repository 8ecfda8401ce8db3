"""Pages of the photo check: its suggestions on an inspection (the panel under a check's photos
refreshes itself while the photo is being checked), confirm / dismiss (plain posts that lead
back to the check), a zone's reference photo, the printable position markers, and the office's
acceptance rates. Adapters only: access and refusals come from `access` and `actions`."""

from __future__ import annotations

import datetime
import uuid

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from onsite.core.access import answers_refusals, role_required
from onsite.core.models import get_for_center
from onsite.core.refusals import Refusal
from onsite.core.types import OnsiteRequest
from onsite.inspections import access as inspections_access
from onsite.inspections.models import InspectionSettings
from onsite.inspections.photos import photo_response
from onsite.org.models import Zone
from onsite.vision import access, actions, markers, queries
from onsite.vision.forms import DecideForm, PeriodForm, ReferenceForm
from onsite.vision.models import ReferencePhoto
from onsite.vision.panels import page_of, render_panels


@role_required(*access.READERS)
def answer_panel(request: OnsiteRequest, pk: int) -> HttpResponse:
    """The panel of one check, for its refresh while the photo is being checked (htmx);
    without htmx, the check on its page."""
    answer = inspections_access.get_answer(request.user, request.center, pk)
    if not request.htmx:
        return redirect(page_of(answer.inspection, answer.pk))
    return HttpResponse(render_panels(request, answer.inspection, [answer]).get(answer.pk, ""))


def _decide(request: OnsiteRequest, pk: int, *, accept: bool) -> HttpResponse:
    draft = access.get_draft(request.user, request.center, pk)
    actions.check_decide(request.user, draft)
    back = page_of(draft.answer.inspection, draft.answer_id)
    form = DecideForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("This page is out of date; look again and choose."))
        return redirect(back)
    try:
        actions.do_decide(
            draft, accept=accept, by=request.user, request=request, **form.cleaned_data
        )
    except Refusal as refusal:
        messages.error(request, str(refusal.message))
        response = redirect(back)
        response["Onsite-Refusal"] = refusal.code
        return response
    done = _("Confirmed: the check is marked as failed.") if accept else _("Dismissed.")
    messages.success(request, done)
    return redirect(back)


@role_required(*access.WRITERS, write=True)
@require_POST
@answers_refusals
def draft_accept(request: OnsiteRequest, pk: int) -> HttpResponse:
    return _decide(request, pk, accept=True)


@role_required(*access.WRITERS, write=True)
@require_POST
@answers_refusals
def draft_dismiss(request: OnsiteRequest, pk: int) -> HttpResponse:
    return _decide(request, pk, accept=False)


# --- reference photos ------------------------------------------------------------------------


@role_required(*access.ZONE_READERS)
@answers_refusals
def zone_reference(request: OnsiteRequest, code: str) -> HttpResponse:
    """A zone's reference photo: shown to whoever may open the zone's page, taken (and
    replaced) by those who may (`access.can_take_reference`)."""
    zone = get_for_center(Zone.objects.select_related("area_type"), request.center, code=code)
    form = ReferenceForm(request.POST or None, request.FILES or None)
    if request.method == "POST":
        actions.check_add_reference(request.user)
        if form.is_valid():
            try:
                actions.do_add_reference(
                    zone=zone, by=request.user, upload=form.cleaned_data["photo"],
                    submission_key=form.cleaned_data.get("submission_key") or "",
                    request=request,
                )  # fmt: skip
            except Refusal as refusal:
                form.add_error(None, str(refusal.message))
                response = _reference_page(request, zone, form)
                response.status_code = refusal.status
                response["Onsite-Refusal"] = refusal.code
                return response
            messages.success(request, _("Reference photo saved."))
            return redirect("vision:zone-reference", zone.code)
    return _reference_page(request, zone, form)


def _reference_page(request: OnsiteRequest, zone: Zone, form: ReferenceForm) -> HttpResponse:
    photos = list(
        ReferencePhoto.objects.filter(center=request.center, zone=zone)
        .select_related("taken_by")
        .order_by("-is_active", "-taken_at", "-pk")[:10]
    )
    current = photos[0] if photos and photos[0].is_active else None
    form.fields["submission_key"].initial = uuid.uuid4().hex
    return render(
        request,
        "vision/reference.html",
        {
            "zone": zone,
            "current": current,
            "earlier": [p for p in photos if p is not current],
            "form": form,
            "can_take": access.can_take_reference(request.user),
            "photo_check_on": InspectionSettings.for_center(zone.center_id).photo_check,
        },
    )


@role_required(*access.ZONE_READERS)
def reference_photo(request: OnsiteRequest, pk: int) -> HttpResponse:
    reference = access.get_reference(request.center, pk)
    thumb = request.GET.get("size") == "thumb"
    return photo_response(
        reference.thumbnail if thumb else reference.image, name=f"reference-photo-{reference.pk}"
    )


@role_required(*access.REFERENCE_TAKERS)
def marker_sheet(request: OnsiteRequest) -> HttpResponse:
    """The four position markers to print (at 100 %) and stick on the counter's corners."""
    svg = markers.sheet_svg(
        labels=[_("Front left"), _("Front right"), _("Back right"), _("Back left")],  # ids 0–3
        title=_(
            "Onsite position markers: print at 100 %, cut out, stick on the counter's corners."
        ),
    )
    return render(request, "vision/markers.html", {"sheet": mark_safe(svg)})  # our own SVG


# --- the office's view -----------------------------------------------------------------------


@role_required(*access.OFFICE)
def overview(request: OnsiteRequest) -> HttpResponse:
    """Per kind of suggestion and item: proposed, confirmed, dismissed and the confirmed share
    of the decided ones, over a period; a fixed number of queries whatever the data."""
    form = PeriodForm(request.GET or None)
    days = form.cleaned_data["days"] if form.is_valid() and form.cleaned_data["days"] else 90
    since = timezone.now() - datetime.timedelta(days=days)
    center = request.center
    return render(
        request,
        "vision/overview.html",
        {
            "rows": queries.acceptance_rows(center, since=since),
            "photos": queries.photo_totals(center, since=since),
            "days": days,
            "form": form,
            "photo_check_on": InspectionSettings.for_center(center.pk).photo_check
            if center
            else False,
        },
    )
