"""Pages of the red-tag register: tag an item, the holding list, decisions, printed tags,
figures per unit and phase, and the center's holding time. Every write is an adapter over
its action (`actions`): read the form, check, do, answer."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from onsite.core.access import answers_refusals, may, role_required
from onsite.core.job_views import background_file
from onsite.core.jobs import queue_file_job
from onsite.core.offline import kept_offline
from onsite.core.refusals import Refusal
from onsite.core.sorting import SortKeys, sort_rows
from onsite.core.types import OnsiteRequest
from onsite.org.models import Unit, Zone
from onsite.redtags import actions, queries
from onsite.redtags.access import DECIDER_ROLES, POLICY_ROLES, READERS, TAGGER_ROLES, get_tag
from onsite.redtags.forms import (
    BulkDecisionForm,
    DecisionForm,
    PolicyForm,
    RedTagForm,
    TransferRefusalForm,
    WithdrawForm,
)
from onsite.redtags.models import Disposition, Phase, RedTag, RedTagPolicy, RedTagQuerySet
from onsite.redtags.pdf import TAGS_JOB, inline_tags, render_tags_pdf, tags_filename
from onsite.supplies.access import center_of
from onsite.supplies.pages import invalid_form, passes, refused, refused_form

PRINT_LIMIT = 200
FILTERS = ("held", "overdue", "decided", "withdrawn", "incoming", "all")
PHOTO_ERRORS = {"too_large", "not_image", "mismatch", "too_many_pixels", "unreadable", "quota"}
"""Codes of the photo intake's refusals (onsite.core.images, the daily quota): shown under
the photo field."""


def _filtered(request: OnsiteRequest) -> tuple[RedTagQuerySet, dict[str, str]]:
    tags = RedTag.objects.filter(center=request.center)
    chosen = {
        "show": request.GET.get("show", "held"),
        "unit": request.GET.get("unit", ""),
        "zone": request.GET.get("zone", ""),
        "phase": request.GET.get("phase", ""),
    }
    if chosen["show"] not in FILTERS:
        chosen["show"] = "held"
    show = chosen["show"]
    if show == "overdue":
        tags = tags.overdue()
    elif show == "incoming":  # transfers waiting for the reader's unit to confirm them
        tags = tags.incoming(request.user.unit_id)
    elif show != "all":
        tags = tags.filter(status=show)
    if chosen["unit"]:
        tags = tags.filter(unit__code=chosen["unit"])
    if chosen["zone"]:
        tags = tags.filter(zone__code=chosen["zone"])
    if chosen["phase"] in Phase.values:
        tags = tags.filter(phase=chosen["phase"])
    return tags, chosen


TAG_SORTS: SortKeys = {
    "tagged": "tagged_at",
    "hold": "hold_until",
    "zone": "zone__code",
    "unit": ("unit__kind", "unit__position", "unit__code"),
    "item": "item_name",
    "quantity": "quantity",
}


TAG_COLUMNS = [
    ("tagged", gettext_lazy("Tagged")),
    ("hold", gettext_lazy("Hold until")),
    ("zone", gettext_lazy("Zone")),
    ("unit", gettext_lazy("Unit")),
    ("item", gettext_lazy("Item")),
    ("quantity", gettext_lazy("Quantity")),
]
TAG_FILTERS = [
    ("held", gettext_lazy("Holding list")),
    ("overdue", gettext_lazy("Overdue")),
    ("decided", gettext_lazy("Decided")),
    ("withdrawn", gettext_lazy("Withdrawn")),
    ("incoming", gettext_lazy("Transfers to my unit")),
    ("all", gettext_lazy("All")),
]


@role_required(*READERS)
def tag_list(request: OnsiteRequest) -> HttpResponse:
    """The holding list (and, by filter, every tag); the office decides from here in bulk."""
    tags, chosen = _filtered(request)
    tags = tags.select_related("zone", "unit", "tagged_by", "transfer_to").order_by(
        "hold_until", "pk"
    )
    if chosen["show"] in {"decided", "withdrawn", "incoming", "all"}:
        tags = tags.order_by("-tagged_at", "-pk")
    tags, sort = sort_rows(tags, request, keys=TAG_SORTS)
    can_decide = passes(actions.check_decide_many, request)
    context: dict[str, Any] = {
        "page": Paginator(tags, 50).get_page(request.GET.get("page")),
        "sort": sort,
        "sort_columns": TAG_COLUMNS,
        "chosen": chosen,
        "filters": TAG_FILTERS,
        "units": Unit.objects.filter(center=request.center),
        "phases": Phase.choices,
        "today": timezone.localdate(),
        "can_tag": may(request.user, TAGGER_ROLES, write=True),
        "can_decide": can_decide,
        "bulk_form": BulkDecisionForm(center=request.center) if can_decide else None,
        "query": request.GET.urlencode(),
    }
    if request.htmx:
        return render(request, "redtags/tag_list.html#results", context)
    return render(request, "redtags/tag_list.html", context)


@kept_offline
@role_required(*TAGGER_ROLES, write=True)
@answers_refusals
def tag_create(request: OnsiteRequest) -> HttpResponse:
    center = actions.check_tag(request)
    zone = Zone.objects.filter(center=center, code=request.GET.get("zone", "")).first()
    form = RedTagForm(request.POST or None, request.FILES or None, center=center,
                      initial={"zone": zone} if zone else {})  # fmt: skip
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            tag = actions.do_tag(
                center=center, zone=data["zone"], by=request.user, data=data,
                photo=data.get("photo"), key=data["submission_key"], request=request,
            )  # fmt: skip
        except Refusal as refusal:
            field = "photo" if refusal.code in PHOTO_ERRORS else None
            context = {"form": form, **_outbox_urls()}
            return refused_form(request, "redtags/tag_form.html", context, refusal, field)
        messages.success(
            request,
            _("Red tag %(number)s hung. It waits in the holding list until %(date)s.")
            % {"number": tag.number, "date": tag.hold_until.isoformat()},
        )
        if "another" in request.POST:
            return redirect(f"{request.path}?zone={tag.zone.code}")
        return redirect("redtags:tag-detail", tag.pk)
    return render(request, "redtags/tag_form.html", {"form": form, **_outbox_urls()})


def _outbox_urls() -> dict[str, str]:
    """Offline, the phone's outbox sends the form to the API: the tag, then its photo to the
    tag the first call made (`{id}`)."""
    photo = reverse("api:redtag_upload_photo", kwargs={"tag_id": 0})
    return {
        "outbox_url": reverse("api:create_tag"),
        "outbox_photo_url": photo.replace("/0/", "/{id}/"),
    }


@role_required(*READERS)
def tag_detail(request: OnsiteRequest, pk: int) -> HttpResponse:
    """The forms shown are the ones the actions' checks let this person use now."""
    tag = get_tag(request, pk)
    can_decide = passes(actions.check_decide, request, tag)
    return render(
        request,
        "redtags/tag_detail.html",
        {
            "tag": tag,
            "transitions": tag.transitions.select_related("by"),
            "decision_form": DecisionForm(tag=tag) if can_decide else None,
            "withdraw_form": WithdrawForm()
            if passes(actions.check_withdraw, request, tag)
            else None,
            "refusal_form": TransferRefusalForm()
            if passes(actions.check_receive, request, tag)
            else None,
            "overdue": tag.is_overdue(),
        },
    )


@require_POST
@role_required(*DECIDER_ROLES, write=True)
@answers_refusals
def tag_decide(request: OnsiteRequest, pk: int) -> HttpResponse:
    tag = get_tag(request, pk)
    back = redirect("redtags:tag-detail", tag.pk)
    form = DecisionForm(request.POST, tag=tag)
    if not form.is_valid():
        return invalid_form(request, form, back)
    data = form.cleaned_data
    try:
        actions.check_decide(request, tag)
        tag = actions.do_decide(
            tag=tag, by=request.user, decision=data["decision"], note=data["note"],
            expected_version=data["version"], supply=data["supply"],
            transfer_to=data["transfer_to"], request=request,
        )  # fmt: skip
    except Refusal as refusal:
        return refused(request, refusal, back)
    messages.success(request, _decided_message(tag))
    return back


def _decided_message(tag: RedTag) -> str:
    if tag.store_return_id and tag.supply:
        return _(
            "Decided: %(decision)s. %(quantity)d %(measure)s of %(supply)s added to the store."
        ) % {
            "decision": tag.get_decision_display(),
            "quantity": tag.quantity,
            "measure": tag.supply.measure,
            "supply": tag.supply.name,
        }
    return _("Decided: %(decision)s.") % {"decision": tag.get_decision_display()}


def _back_to_list(request: OnsiteRequest) -> HttpResponse:
    """The holding list as it was filtered (a query string, never another site)."""
    back = request.POST.get("back", "")
    if back and "//" not in back:
        return redirect(f"{reverse('redtags:tag-list')}?{back}")
    return redirect("redtags:tag-list")


@require_POST
@role_required(*DECIDER_ROLES, write=True)
@answers_refusals
def tags_decide(request: OnsiteRequest) -> HttpResponse:
    actions.check_decide_many(request)
    form = BulkDecisionForm(request.POST, center=request.center)
    back = _back_to_list(request)
    if not form.is_valid():
        return invalid_form(request, form, back)
    decision = form.cleaned_data["decision"]
    decided, skipped = actions.do_decide_many(
        tags=list(form.cleaned_data["tags"]), by=request.user, decision=decision,
        note=form.cleaned_data["note"], transfer_to=form.cleaned_data["transfer_to"],
        request=request,
    )  # fmt: skip
    messages.success(
        request,
        _("%(count)d tags decided: %(decision)s.")
        % {"count": len(decided), "decision": Disposition(decision).label},
    )
    if skipped:
        messages.warning(
            request,
            _("Skipped (no longer in the holding list): %(numbers)s")
            % {"numbers": ", ".join(tag.number for tag in skipped)},
        )
    return back


@require_POST
@role_required(*TAGGER_ROLES, write=True)
@answers_refusals
def tag_withdraw(request: OnsiteRequest, pk: int) -> HttpResponse:
    tag = get_tag(request, pk)
    back = redirect("redtags:tag-detail", tag.pk)
    form = WithdrawForm(request.POST)
    form.is_valid()
    try:
        actions.check_withdraw(request, tag)
        actions.do_withdraw(
            tag=tag, by=request.user, note=form.cleaned_data.get("note", ""), request=request
        )
    except Refusal as refusal:
        return refused(request, refusal, back)
    messages.success(request, _("The tag was withdrawn."))
    return back


@require_POST
@role_required(*TAGGER_ROLES, write=True)
@answers_refusals
def tag_receive(request: OnsiteRequest, pk: int) -> HttpResponse:
    tag = get_tag(request, pk)
    back = redirect("redtags:tag-detail", tag.pk)
    try:
        actions.check_receive(request, tag)
        actions.do_receive(tag=tag, by=request.user, request=request)
    except Refusal as refusal:
        return refused(request, refusal, back)
    messages.success(request, _("Receipt confirmed."))
    return back


@require_POST
@role_required(*TAGGER_ROLES, write=True)
@answers_refusals
def tag_refuse_transfer(request: OnsiteRequest, pk: int) -> HttpResponse:
    tag = get_tag(request, pk)
    back = redirect("redtags:tag-detail", tag.pk)
    form = TransferRefusalForm(request.POST)
    if not form.is_valid():
        return invalid_form(request, form, back)
    try:
        actions.check_receive(request, tag)
        actions.do_refuse_transfer(
            tag=tag, by=request.user, reason=form.cleaned_data["reason"], request=request
        )
    except Refusal as refusal:
        return refused(request, refusal, back)
    messages.success(request, _("Transfer refused: the tag is back in the holding list."))
    return back


@role_required(*READERS)
def tag_photo(request: OnsiteRequest, pk: int, size: str) -> HttpResponse:
    """Photos are served only through here, after the same access check as the tag."""
    if size not in {"photo", "thumb"}:
        raise Http404
    tag = get_tag(request, pk)
    image = tag.thumbnail if size == "thumb" else tag.photo
    if not image:
        raise Http404
    with image.open("rb") as handle:
        response = HttpResponse(handle.read(), content_type="image/jpeg")
    response["Cache-Control"] = "private, max-age=3600"
    return response


def _to_print(request: OnsiteRequest) -> list[RedTag]:
    """The ticked tags (?id=…), or those the list's filters show, up to PRINT_LIMIT."""
    ids = [int(value) for value in request.GET.getlist("id") if value.isdigit()]
    chosen = (
        RedTag.objects.filter(center=request.center, pk__in=ids) if ids else _filtered(request)[0]
    )
    related = chosen.select_related("zone", "unit", "tagged_by", "transfer_to")
    return list(related.order_by("pk")[:PRINT_LIMIT])


@role_required(*READERS)
def tags_pdf(request: OnsiteRequest) -> HttpResponse:
    """The tags to print: the ones ticked (?id=…) or those the list's filters show."""
    rows = _to_print(request)
    if not rows:
        messages.info(request, _("No tags to print."))
        return redirect("redtags:tag-list")
    if len(rows) > inline_tags():
        return background_file(
            request,
            title=_("Red tags to print"),
            count=len(rows),
            queue=lambda: queue_file_job(
                center=center_of(request),
                by=request.user,
                kind=TAGS_JOB,
                params={"tags": [tag.pk for tag in rows], "base": request.build_absolute_uri("/")},
            ),
            back_url=reverse("redtags:tag-list"),
        )
    pdf = render_tags_pdf(rows, site_url=request.build_absolute_uri("/"))
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{tags_filename()}"'
    return response


@role_required(*READERS)
def figures(request: OnsiteRequest) -> HttpResponse:
    center = center_of(request)
    phase = request.GET.get("phase", "")
    phase = phase if phase in Phase.values else ""
    return render(
        request,
        "redtags/figures.html",
        {
            "rows": queries.figures_by_unit(center=center, phase=phase or None),
            "totals": queries.totals(center=center, phase=phase or None),
            "phase": phase,
            "phases": Phase.choices,
        },
    )


@role_required(*POLICY_ROLES, write=True)
@answers_refusals
def policy(request: OnsiteRequest) -> HttpResponse:
    center = actions.check_set_policy(request)
    current = RedTagPolicy.for_center(center)
    form = PolicyForm(
        request.POST or None,
        initial={"holding_days": current.holding_days, "version": current.version},
    )
    if request.method == "POST" and form.is_valid():
        try:
            actions.do_set_policy(
                center=center, by=request.user, holding_days=form.cleaned_data["holding_days"],
                expected_version=form.cleaned_data.get("version"), request=request,
            )  # fmt: skip
        except Refusal as refusal:
            field = "holding_days" if refusal.code == "holding_days" else None
            context = {"form": form}
            return refused_form(request, "redtags/policy.html", context, refusal, field)
        messages.success(request, _("Saved."))
        return redirect("redtags:tag-list")
    return render(request, "redtags/policy.html", {"form": form})
