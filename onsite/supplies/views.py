"""Pages of the supplies app: the store, requisitions, returns, counts and consumption.
Every write is an adapter over its action (`actions`): read the form, check, do, answer."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count, F, Prefetch, Q
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from django.views.decorators.http import require_POST

from onsite.core.access import answers_refusals, may, refuse, role_required
from onsite.core.models import get_for_center
from onsite.core.refusals import Refusal
from onsite.core.sorting import SortKeys, by_choices, sort_rows
from onsite.core.types import OnsiteRequest
from onsite.org.models import Unit
from onsite.supplies import actions, queries
from onsite.supplies.access import (
    ANALYSTS,
    APPROVER_ROLES,
    COUNT_READERS,
    READERS,
    REQUESTERS,
    STORE_ROLES,
    center_of,
    get_requisition,
    get_supply,
    reads_unit_consumption,
    requester_units,
    visible_requisitions,
    visible_returns,
)
from onsite.supplies.forms import (
    ApproveForm,
    CountForm,
    EndForm,
    IssueForm,
    LineFormSet,
    ReceiveForm,
    RequisitionForm,
    ReturnForm,
    SupplyForm,
)
from onsite.supplies.models import Movement, Requisition, StockCount, StockCountLine, Supply
from onsite.supplies.pages import invalid_form, passes, refused, refused_form

PERIODS = (1, 3, 6, 12)


# --- the store ------------------------------------------------------------------------


SUPPLY_SORTS: SortKeys = {
    "name": "name",
    "category": (by_choices("category", Supply.Category.values), "code"),
    "on_hand": "on_hand",
    "min_level": "min_level",
    "max_level": "max_level",
    "unit_price": "unit_price",
}


@role_required(*READERS)
def supply_list(request: OnsiteRequest) -> HttpResponse:
    supplies = Supply.objects.filter(center=request.center).order_by(
        "-is_active", "category", "code"
    )
    supplies, sort = sort_rows(supplies, request, keys=SUPPLY_SORTS)
    return render(
        request,
        "supplies/supply_list.html",
        {
            "supplies": supplies,
            "sort": sort,
            "is_store": request.user.has_role(*STORE_ROLES),
            "tab": "stock",
        },
    )


@role_required(*STORE_ROLES, write=True)
@answers_refusals
def supply_create(request: OnsiteRequest) -> HttpResponse:
    center = actions.check_create_supply(request)
    form = SupplyForm(request.POST or None, center=center)
    context = {"form": form, "tab": "stock"}
    if request.method == "POST" and form.is_valid():
        try:
            supply = actions.do_create_supply(
                center=center, by=request.user, data=form.cleaned_data, request=request
            )
        except Refusal as refusal:
            return refused_form(request, "supplies/supply_form.html", context, refusal)
        messages.success(request, _("Supply added to the catalogue."))
        return redirect("supplies:supply-detail", supply.code)
    return render(request, "supplies/supply_form.html", context)


@role_required(*STORE_ROLES, write=True)
@answers_refusals
def supply_edit(request: OnsiteRequest, code: str) -> HttpResponse:
    supply = get_supply(request, code)
    actions.check_update_supply(request, supply)
    form = SupplyForm(request.POST or None, instance=supply, center=request.center)
    context = {"form": form, "supply": supply, "tab": "stock"}
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k not in {"code", "version"}}
        try:
            actions.do_update_supply(
                supply=Supply.objects.get(pk=supply.pk),
                by=request.user,
                data=data,
                expected_version=form.cleaned_data.get("version") or supply.version,
                request=request,
            )
        except Refusal as refusal:
            return refused_form(request, "supplies/supply_form.html", context, refusal)
        messages.success(request, _("Saved."))
        return redirect("supplies:supply-detail", supply.code)
    return render(request, "supplies/supply_form.html", context)


@role_required(*READERS)
def supply_detail(request: OnsiteRequest, code: str) -> HttpResponse:
    supply = get_supply(request, code)
    movements = Movement.objects.filter(center=request.center, supply=supply).select_related(
        "unit", "by"
    )
    page = Paginator(movements, 30).get_page(request.GET.get("page"))
    store = passes(actions.check_receive, request, supply)
    return render(
        request,
        "supplies/supply_detail.html",
        {
            "supply": supply,
            "page": page,
            "is_store": store,
            "receive_form": ReceiveForm() if store else None,
            "tab": "stock",
        },
    )


@require_POST
@role_required(*STORE_ROLES, write=True)
@answers_refusals
def supply_receive(request: OnsiteRequest, code: str) -> HttpResponse:
    supply = get_supply(request, code)
    form = ReceiveForm(request.POST)
    back = redirect("supplies:supply-detail", supply.code)
    if not form.is_valid():
        return invalid_form(request, form, back)
    try:
        actions.check_receive(request, supply)
        movement = actions.do_receive(
            supply=supply, quantity=form.cleaned_data["quantity"], by=request.user,
            note=form.cleaned_data["note"], key=form.cleaned_data["submission_key"],
            request=request,
        )  # fmt: skip
    except Refusal as refusal:
        return refused(request, refusal, back)
    messages.success(
        request,
        _("Received. %(name)s in store: %(balance)d %(measure)s.")
        % {"name": supply.name, "balance": movement.balance, "measure": supply.measure},
    )
    return back


# --- requisitions ---------------------------------------------------------------------


REQUISITION_SORTS: SortKeys = {
    "requested": "requested_at",
    "unit": ("unit__kind", "unit__position", "unit__code"),
    "status": by_choices("status", Requisition.Status.values),
}
REQUISITION_COLUMNS = [
    ("requested", pgettext_lazy("time of request", "Requested")),
    ("unit", gettext_lazy("Unit")),
    ("status", gettext_lazy("Status")),
]


@role_required(*READERS)
def requisition_list(request: OnsiteRequest) -> HttpResponse:
    status = request.GET.get("status", "")
    rows = queries.requisition_rows(visible_requisitions(request.user, request.center), status)
    rows, sort = sort_rows(rows, request, keys=REQUISITION_SORTS, default="-requested")
    context = {
        "page": Paginator(rows, 30).get_page(request.GET.get("page")),
        "sort": sort,
        "sort_columns": REQUISITION_COLUMNS,
        "status": status,
        "statuses": Requisition.Status.choices,
        "can_request": may(request.user, REQUESTERS, write=True),
        "tab": "requisitions",
    }
    if request.htmx:
        return render(request, "supplies/requisition_list.html#rows", context)
    return render(request, "supplies/requisition_list.html", context)


@role_required(*REQUESTERS, write=True)
@answers_refusals
def requisition_create(request: OnsiteRequest) -> HttpResponse:
    units = requester_units(request.user, request.center)
    if not units.exists():
        messages.error(request, _("You belong to no unit, so you cannot request supplies."))
        return redirect("supplies:requisition-list")
    form = RequisitionForm(request.POST or None, units=units)
    lines = LineFormSet(request.POST or None, form_kwargs={"center": request.center})
    context = {"form": form, "lines": lines, "tab": "requisitions"}
    if request.method == "POST" and form.is_valid() and lines.is_valid():
        unit = actions.check_request(request, form.cleaned_data["unit"])
        try:
            requisition = actions.do_request(
                center=center_of(request), unit=unit, by=request.user,
                lines=[(r["supply"], r["quantity"]) for r in lines.cleaned_data if r.get("supply")],
                purpose=form.cleaned_data["purpose"], key=form.cleaned_data["submission_key"],
                request=request,
            )  # fmt: skip
        except Refusal as refusal:
            return refused_form(request, "supplies/requisition_form.html", context, refusal)
        messages.success(request, _("Requisition submitted."))
        return redirect("supplies:requisition-detail", requisition.pk)
    return render(request, "supplies/requisition_form.html", context)


END_FORMS = [
    (Requisition.Status.REJECTED, "reject_form"),
    (Requisition.Status.CLOSED, "close_form"),
    (Requisition.Status.CANCELLED, "cancel_form"),
]


def _end_form(requisition: Requisition, to: str) -> EndForm:
    return EndForm(initial={"version": requisition.version, "action": to})


@role_required(*READERS)
def requisition_detail(request: OnsiteRequest, pk: int) -> HttpResponse:
    """The forms shown are the ones the actions' checks let this person use now."""
    requisition = get_requisition(request, pk)
    context: dict[str, Any] = {
        "requisition": requisition,
        "lines": list(requisition.lines.all()),
        "transitions": requisition.transitions.select_related("by"),
        "tab": "requisitions",
    }
    if passes(actions.check_approve, request, requisition):
        context["approve_form"] = ApproveForm(requisition=requisition)
    if passes(actions.check_issue, request, requisition):
        context["issue_form"] = IssueForm(requisition=requisition)
    for to, name in END_FORMS:
        if passes(actions.check_end, request, requisition, to=to):
            context[name] = _end_form(requisition, to)
    return render(request, "supplies/requisition_detail.html", context)


@require_POST
@role_required(*APPROVER_ROLES, write=True)
@answers_refusals
def requisition_approve(request: OnsiteRequest, pk: int) -> HttpResponse:
    requisition = get_requisition(request, pk)
    form = ApproveForm(request.POST, requisition=requisition)
    back = redirect("supplies:requisition-detail", pk)
    if not form.is_valid():
        return invalid_form(request, form, back)
    try:
        actions.check_approve(request, requisition)
        actions.do_approve(
            requisition=requisition, by=request.user,
            expected_version=form.cleaned_data["version"], approved=form.approved(),
            note=form.cleaned_data["note"], request=request,
        )  # fmt: skip
    except Refusal as refusal:
        return refused(request, refusal, back)
    messages.success(request, _("Requisition approved."))
    return back


@require_POST
@role_required(*REQUESTERS, write=True)
@answers_refusals
def requisition_end(request: OnsiteRequest, pk: int) -> HttpResponse:
    requisition = get_requisition(request, pk)
    form = EndForm(request.POST)
    back = redirect("supplies:requisition-detail", pk)
    if not form.is_valid():
        return invalid_form(request, form, back)
    to, note = form.cleaned_data["action"], form.cleaned_data["note"]
    try:
        actions.check_end(request, requisition, to=to, note=note)
        actions.do_end(
            requisition=requisition, to=to, by=request.user,
            expected_version=form.cleaned_data["version"], note=note, request=request,
        )  # fmt: skip
    except Refusal as refusal:
        return refused(request, refusal, back)
    messages.success(
        request, _("Requisition %(status)s.") % {"status": requisition.get_status_display()}
    )
    return back


@require_POST
@role_required(*STORE_ROLES, write=True)
@answers_refusals
def requisition_issue(request: OnsiteRequest, pk: int) -> HttpResponse:
    requisition = get_requisition(request, pk)
    form = IssueForm(request.POST, requisition=requisition)
    back = redirect("supplies:requisition-detail", pk)
    if not form.is_valid():
        return invalid_form(request, form, back)
    try:
        actions.check_issue(request, requisition)
        done = actions.do_issue(
            requisition=requisition, by=request.user, quantities=form.quantities(),
            key=form.cleaned_data["submission_key"], request=request,
        )  # fmt: skip
    except Refusal as refusal:
        return refused(request, refusal, back)
    messages.success(
        request,
        _("Issued. The requisition is now %(status)s.") % {"status": done.get_status_display()},
    )
    return back


# --- returns --------------------------------------------------------------------------


@role_required(*READERS)
def return_list(request: OnsiteRequest) -> HttpResponse:
    rows = visible_returns(request.user, request.center).select_related(
        "supply", "unit", "returned_by"
    )
    page = Paginator(rows, 30).get_page(request.GET.get("page"))
    return render(
        request,
        "supplies/return_list.html",
        {"page": page, "is_store": request.user.has_role(*STORE_ROLES), "tab": "returns"},
    )


@role_required(*STORE_ROLES, write=True)
@answers_refusals
def return_create(request: OnsiteRequest) -> HttpResponse:
    center = actions.check_return(request)
    form = ReturnForm(request.POST or None, center=center, units=Unit.objects.filter(center=center))
    context = {"form": form, "tab": "returns"}
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            actions.do_return(
                center=center, supply=data["supply"], quantity=data["quantity"],
                unit=data["unit"], source=data["source"], note=data["note"], by=request.user,
                key=data["submission_key"], request=request,
            )  # fmt: skip
        except Refusal as refusal:
            return refused_form(request, "supplies/return_form.html", context, refusal)
        messages.success(request, _("Return recorded; the stock has grown."))
        return redirect("supplies:return-list")
    return render(request, "supplies/return_form.html", context)


# --- stock counts ---------------------------------------------------------------------


@role_required(*COUNT_READERS)
def count_list(request: OnsiteRequest) -> HttpResponse:
    counts = (
        StockCount.objects.filter(center=request.center)
        .select_related("counted_by")
        .annotate(
            lines_total=Count("lines"),
            differences=Count("lines", filter=~Q(lines__counted=F("lines__expected"))),
        )
        .order_by("-counted_at", "-pk")
    )
    page = Paginator(counts, 30).get_page(request.GET.get("page"))
    return render(
        request,
        "supplies/count_list.html",
        {"page": page, "is_store": request.user.has_role(*STORE_ROLES), "tab": "counts"},
    )


@role_required(*STORE_ROLES, write=True)
@answers_refusals
def count_create(request: OnsiteRequest) -> HttpResponse:
    center = actions.check_count(request)
    supplies = Supply.objects.filter(center=center, is_active=True).order_by("category", "code")
    form = CountForm(request.POST or None, supplies=list(supplies))
    context = {"form": form, "tab": "counts"}
    if request.method == "POST" and form.is_valid():
        rows = [
            actions.CountRow(supply=supply, expected=expected, counted=counted, explanation=why)
            for supply, expected, counted, why in form.counted_rows()
        ]
        try:
            count = actions.do_count(
                center=center, by=request.user, rows=rows, note=form.cleaned_data["note"],
                key=form.cleaned_data["submission_key"], request=request,
            )  # fmt: skip
        except Refusal as refusal:
            return refused_form(request, "supplies/count_form.html", context, refusal)
        messages.success(request, _("Count recorded; the books now match the shelves."))
        return redirect("supplies:count-detail", count.pk)
    return render(request, "supplies/count_form.html", context)


@role_required(*COUNT_READERS)
def count_detail(request: OnsiteRequest, pk: int) -> HttpResponse:
    count = get_for_center(
        StockCount.objects.select_related("counted_by").prefetch_related(
            Prefetch("lines", queryset=StockCountLine.objects.select_related("supply"))
        ),
        request.center,
        pk=pk,
    )
    return render(request, "supplies/count_detail.html", {"count": count, "tab": "counts"})


# --- consumption ----------------------------------------------------------------------


def _months(request: OnsiteRequest) -> int:
    raw = request.GET.get("months", "3")
    return int(raw) if raw.isdigit() and int(raw) in PERIODS else 3


@role_required(*ANALYSTS)
def consumption(request: OnsiteRequest) -> HttpResponse:
    center = center_of(request)
    months = _months(request)
    rows = queries.consumption_by_unit(center=center, since=queries.period_start(months))
    trend = queries.consumption_trend(center=center, months=max(months, 6))
    return render(
        request,
        "supplies/consumption.html",
        {
            "rows": rows,
            "months": months,
            "periods": PERIODS,
            "trend": trend,
            "chart": {
                "months": [row["month"].strftime("%Y-%m") for row in trend],
                "values": [float(row["value"]) for row in trend],
            },
            "outlier_ratio": queries.OUTLIER_RATIO,
            "tab": "consumption",
        },
    )


@role_required(*READERS)
def consumption_unit(request: OnsiteRequest, code: str) -> HttpResponse:
    """One unit's consumption: per supply and month, and who requested it."""
    center = center_of(request)
    unit = get_for_center(Unit.objects.all(), request.center, code=code)
    if not reads_unit_consumption(request.user, unit):
        return refuse(request)
    months = _months(request)
    per_supply, by_person = queries.unit_consumption(
        center=center, unit=unit, since=queries.period_start(months)
    )
    return render(
        request,
        "supplies/consumption_unit.html",
        {
            "unit": unit,
            "months": months,
            "periods": PERIODS,
            "per_supply": per_supply,
            "by_person": by_person,
            "trend": queries.consumption_trend(center=center, months=max(months, 6), unit=unit),
            "tab": "consumption",
        },
    )
