"""Pages of the red-tag register: tag an item, the holding list, decisions, printed tags,
figures per unit and phase, and the center's holding time."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from onsite.core.access import refuse as deny
from onsite.core.access import role_required
from onsite.core.concurrency import ConflictError
from onsite.core.job_views import background_file
from onsite.core.jobs import queue_file_job
from onsite.core.models import get_for_center
from onsite.core.sorting import SortKeys, sort_rows
from onsite.core.types import OnsiteRequest
from onsite.org.models import Unit, Zone
from onsite.redtags import queries, services
from onsite.redtags.forms import (
    BulkDecisionForm,
    DecisionForm,
    PolicyForm,
    RedTagForm,
    WithdrawForm,
)
from onsite.redtags.models import Disposition, Phase, RedTag, RedTagPolicy, RedTagQuerySet
from onsite.redtags.pdf import TAGS_JOB, inline_tags, render_tags_pdf, tags_filename
from onsite.redtags.services import DECIDER_ROLES, POLICY_ROLES, TAGGER_ROLES
from onsite.supplies.access import READERS, center_of

PRINT_LIMIT = 200
FILTERS = ("held", "overdue", "decided", "withdrawn", "all")
PHOTO_ERRORS = {"too_large", "not_image", "mismatch", "too_many_pixels", "unreadable"}
"""Codes of onsite.core.images.clean_photo's errors: shown under the photo field."""


def tag_for(request: OnsiteRequest, pk: int) -> RedTag:
    """The access helper: one tag of the user's center (404 for anyone else's)."""
    return get_for_center(
        RedTag.objects.select_related(
            "zone", "unit", "item", "supply", "tagged_by", "decided_by", "store_return"
        ),
        request.center,
        pk=pk,
    )


def _is_writer(request: OnsiteRequest, *roles: str) -> bool:
    return request.user.has_role(*roles) and not request.user.is_cross_center_viewer


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


@role_required(*READERS)
def tag_list(request: OnsiteRequest) -> HttpResponse:
    """The holding list (and, by filter, every tag); the office decides from here in bulk."""
    tags, chosen = _filtered(request)
    tags = tags.select_related("zone", "unit", "tagged_by").order_by("hold_until", "pk")
    if chosen["show"] in {"decided", "withdrawn", "all"}:
        tags = tags.order_by("-tagged_at", "-pk")
    tags, sort = sort_rows(tags, request, keys=TAG_SORTS)
    page = Paginator(tags, 50).get_page(request.GET.get("page"))
    can_decide = _is_writer(request, *DECIDER_ROLES)
    context: dict[str, Any] = {
        "page": page,
        "sort": sort,
        "sort_columns": [
            ("tagged", _("Tagged")),
            ("hold", _("Hold until")),
            ("zone", _("Zone")),
            ("unit", _("Unit")),
            ("item", _("Item")),
            ("quantity", _("Quantity")),
        ],
        "chosen": chosen,
        "filters": [
            ("held", _("Holding list")),
            ("overdue", _("Overdue")),
            ("decided", _("Decided")),
            ("withdrawn", _("Withdrawn")),
            ("all", _("All")),
        ],
        "units": Unit.objects.filter(center=request.center),
        "phases": Phase.choices,
        "today": timezone.localdate(),
        "can_tag": _is_writer(request, *TAGGER_ROLES),
        "can_decide": can_decide,
        "bulk_form": BulkDecisionForm(center=request.center) if can_decide else None,
        "query": request.GET.urlencode(),
    }
    if request.htmx:
        return render(request, "redtags/tag_list.html#results", context)
    return render(request, "redtags/tag_list.html", context)


@role_required(*TAGGER_ROLES, write=True)
def tag_create(request: OnsiteRequest) -> HttpResponse:
    center = center_of(request)
    initial: dict[str, Any] = {}
    zone_code = request.GET.get("zone", "")
    if zone_code:
        zone = Zone.objects.filter(center=center, code=zone_code).first()
        if zone is not None:
            initial["zone"] = zone
    form = RedTagForm(request.POST or None, request.FILES or None, center=center, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            tag = services.tag_item(
                center=center,
                zone=data["zone"],
                by=request.user,
                data=data,
                photo=data.get("photo"),
                key=data["submission_key"],
                request=request,
            )
        except ValidationError as exc:
            field = "photo" if exc.code in PHOTO_ERRORS else None
            for message in exc.messages:
                form.add_error(field, message)
        else:
            messages.success(
                request,
                _("Red tag %(number)s hung. It waits in the holding list until %(date)s.")
                % {"number": tag.number, "date": tag.hold_until.isoformat()},
            )
            if "another" in request.POST:
                return redirect(f"{request.path}?zone={tag.zone.code}")
            return redirect("redtags:tag-detail", tag.pk)
    return render(request, "redtags/tag_form.html", {"form": form})


@role_required(*READERS)
def tag_detail(request: OnsiteRequest, pk: int) -> HttpResponse:
    tag = tag_for(request, pk)
    held = tag.status == RedTag.Status.HELD
    can_decide = held and _is_writer(request, *DECIDER_ROLES)
    can_withdraw = held and (
        _is_writer(request, *DECIDER_ROLES)
        or (tag.tagged_by_id == request.user.pk and not request.user.is_cross_center_viewer)
    )
    return render(
        request,
        "redtags/tag_detail.html",
        {
            "tag": tag,
            "transitions": tag.transitions.select_related("by"),
            "decision_form": DecisionForm(tag=tag) if can_decide else None,
            "withdraw_form": WithdrawForm() if can_withdraw else None,
            "overdue": tag.is_overdue(),
        },
    )


@require_POST
@role_required(*DECIDER_ROLES, write=True)
def tag_decide(request: OnsiteRequest, pk: int) -> HttpResponse:
    tag = tag_for(request, pk)
    form = DecisionForm(request.POST, tag=tag)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, str(error))
        return redirect("redtags:tag-detail", tag.pk)
    data = form.cleaned_data
    try:
        tag = services.decide_tag(
            tag=tag,
            by=request.user,
            decision=data["decision"],
            note=data["note"],
            expected_version=data["version"],
            supply=data["supply"],
            request=request,
        )
    except ConflictError as exc:
        messages.error(request, str(exc.message))
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, _decided_message(tag))
    return redirect("redtags:tag-detail", tag.pk)


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


@require_POST
@role_required(*DECIDER_ROLES, write=True)
def tags_decide(request: OnsiteRequest) -> HttpResponse:
    form = BulkDecisionForm(request.POST, center=request.center)
    back = request.POST.get("back", "")
    target = (
        f"{reverse('redtags:tag-list')}?{back}"
        if back and "//" not in back
        else reverse("redtags:tag-list")
    )
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, str(error))
        return redirect(target)
    decided, skipped = services.decide_tags(
        tags=list(form.cleaned_data["tags"]),
        by=request.user,
        decision=form.cleaned_data["decision"],
        note=form.cleaned_data["note"],
        request=request,
    )
    messages.success(
        request,
        _("%(count)d tags decided: %(decision)s.")
        % {"count": len(decided), "decision": Disposition(form.cleaned_data["decision"]).label},
    )
    if skipped:
        messages.warning(
            request,
            _("Skipped (no longer in the holding list): %(numbers)s")
            % {"numbers": ", ".join(tag.number for tag in skipped)},
        )
    return redirect(target)


@require_POST
@role_required(*TAGGER_ROLES, write=True)
def tag_withdraw(request: OnsiteRequest, pk: int) -> HttpResponse:
    tag = tag_for(request, pk)
    if tag.tagged_by_id != request.user.pk and not request.user.has_role(*DECIDER_ROLES):
        return deny(request)
    form = WithdrawForm(request.POST)
    form.is_valid()
    try:
        services.withdraw_tag(
            tag=tag, by=request.user, note=form.cleaned_data.get("note", ""), request=request
        )
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("The tag was withdrawn."))
    return redirect("redtags:tag-detail", tag.pk)


@role_required(*READERS)
def tag_photo(request: OnsiteRequest, pk: int, size: str) -> HttpResponse:
    """Photos are served only through here, after the same access check as the tag."""
    if size not in {"photo", "thumb"}:
        raise Http404
    tag = tag_for(request, pk)
    image = tag.thumbnail if size == "thumb" else tag.photo
    if not image:
        raise Http404
    with image.open("rb") as handle:
        response = HttpResponse(handle.read(), content_type="image/jpeg")
    response["Cache-Control"] = "private, max-age=3600"
    return response


@role_required(*READERS)
def tags_pdf(request: OnsiteRequest) -> HttpResponse:
    """The tags to print: the ones ticked (?id=…) or those the list's filters show."""
    ids = [int(value) for value in request.GET.getlist("id") if value.isdigit()]
    chosen = (
        RedTag.objects.filter(center=request.center, pk__in=ids) if ids else _filtered(request)[0]
    )
    rows = list(chosen.select_related("zone", "unit", "tagged_by").order_by("pk")[:PRINT_LIMIT])
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
def policy(request: OnsiteRequest) -> HttpResponse:
    center = center_of(request)
    current = RedTagPolicy.for_center(center)
    form = PolicyForm(
        request.POST or None,
        initial={"holding_days": current.holding_days, "version": current.version},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.set_policy(
                center=center,
                by=request.user,
                holding_days=form.cleaned_data["holding_days"],
                expected_version=form.cleaned_data.get("version"),
                request=request,
            )
        except ConflictError as exc:
            form.add_error(None, str(exc.message))
        except ValidationError as exc:
            form.add_error("holding_days", exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("redtags:tag-list")
    return render(request, "redtags/policy.html", {"form": form})
