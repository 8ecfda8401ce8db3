"""Pages of the supplies app: the store, requisitions, returns, counts and consumption."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, F, Prefetch, Q, QuerySet, Sum
from django.db.models.functions import Coalesce
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy
from django.views.decorators.http import require_POST

from onsite.accounts.models import Role
from onsite.core.access import refuse as deny
from onsite.core.access import role_required
from onsite.core.concurrency import ConflictError
from onsite.core.models import get_for_center
from onsite.core.sorting import SortKeys, by_choices, sort_rows
from onsite.core.types import OnsiteRequest
from onsite.org.models import Unit
from onsite.supplies import queries, services
from onsite.supplies.access import (
    ANALYSTS,
    APPROVER_ROLES,
    READERS,
    REQUESTERS,
    SEE_ALL,
    STORE_ROLES,
    center_of,
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
from onsite.supplies.models import (
    Movement,
    Requisition,
    RequisitionQuerySet,
    StockCount,
    StockCountLine,
    Supply,
    SupplyReturn,
)

PERIODS = (1, 3, 6, 12)


def _show_error(request: OnsiteRequest, exc: ValidationError | ConflictError) -> None:
    if isinstance(exc, ConflictError):
        messages.error(request, str(exc.message))
    else:
        for message in exc.messages:
            messages.error(request, message)


def _form_error(form: Any, exc: ValidationError | ConflictError) -> None:
    if isinstance(exc, ConflictError):
        form.add_error(None, str(exc.message))
    else:
        for message in exc.messages:
            form.add_error(None, message)


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
def supply_create(request: OnsiteRequest) -> HttpResponse:
    center = center_of(request)
    form = SupplyForm(request.POST or None, center=center)
    if request.method == "POST" and form.is_valid():
        try:
            supply = services.create_supply(
                center=center, by=request.user, data=form.cleaned_data, request=request
            )
        except ValidationError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("Supply added to the catalogue."))
            return redirect("supplies:supply-detail", supply.code)
    return render(request, "supplies/supply_form.html", {"form": form, "tab": "stock"})


@role_required(*STORE_ROLES, write=True)
def supply_edit(request: OnsiteRequest, code: str) -> HttpResponse:
    supply = get_for_center(Supply.objects.all(), request.center, code=code)
    form = SupplyForm(request.POST or None, instance=supply, center=request.center)
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k not in {"code", "version"}}
        try:
            services.update_supply(
                supply=Supply.objects.get(pk=supply.pk),
                by=request.user,
                data=data,
                expected_version=form.cleaned_data.get("version") or supply.version,
                request=request,
            )
        except (ValidationError, ConflictError) as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("supplies:supply-detail", supply.code)
    return render(
        request, "supplies/supply_form.html", {"form": form, "supply": supply, "tab": "stock"}
    )


@role_required(*READERS)
def supply_detail(request: OnsiteRequest, code: str) -> HttpResponse:
    supply = get_for_center(Supply.objects.all(), request.center, code=code)
    movements = Movement.objects.filter(center=request.center, supply=supply).select_related(
        "unit", "by"
    )
    page = Paginator(movements, 30).get_page(request.GET.get("page"))
    is_store = request.user.has_role(*STORE_ROLES) and not request.user.is_cross_center_viewer
    return render(
        request,
        "supplies/supply_detail.html",
        {
            "supply": supply,
            "page": page,
            "is_store": is_store,
            "receive_form": ReceiveForm() if is_store else None,
            "tab": "stock",
        },
    )


@require_POST
@role_required(*STORE_ROLES, write=True)
def supply_receive(request: OnsiteRequest, code: str) -> HttpResponse:
    supply = get_for_center(Supply.objects.all(), request.center, code=code)
    form = ReceiveForm(request.POST)
    if form.is_valid():
        try:
            movement = services.receive_stock(
                supply=supply,
                quantity=form.cleaned_data["quantity"],
                by=request.user,
                note=form.cleaned_data["note"],
                key=form.cleaned_data["submission_key"],
                request=request,
            )
        except ValidationError as exc:
            _show_error(request, exc)
        else:
            messages.success(
                request,
                _("Received. %(name)s in store: %(balance)d %(measure)s.")
                % {"name": supply.name, "balance": movement.balance, "measure": supply.measure},
            )
    else:
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, str(error))
    return redirect("supplies:supply-detail", supply.code)


# --- requisitions ---------------------------------------------------------------------


def _requisitions(request: OnsiteRequest) -> RequisitionQuerySet:
    """The requisitions this user may read: all of the center's, or their own unit's."""
    rows = Requisition.objects.filter(center=request.center)
    if not request.user.has_role(*SEE_ALL):
        rows = rows.filter(unit_id=request.user.unit_id) if request.user.unit_id else rows.none()
    return rows


def requisition_for(request: OnsiteRequest, pk: int) -> Requisition:
    """The access helper: a requisition out of reach is a 404, like another center's."""
    return get_for_center(
        _requisitions(request).select_related("unit", "requested_by", "decided_by"),
        request.center,
        pk=pk,
    )


def requester_units(request: OnsiteRequest) -> QuerySet[Unit]:
    """Store keepers and approvers may request for any unit; others for their own."""
    units = Unit.objects.filter(center=request.center)
    if request.user.has_role(*STORE_ROLES, *APPROVER_ROLES):
        return units
    return units.filter(pk=request.user.unit_id) if request.user.unit_id else units.none()


REQUISITION_SORTS: SortKeys = {
    "requested": "requested_at",
    "unit": ("unit__kind", "unit__position", "unit__code"),
    "status": by_choices("status", Requisition.Status.values),
}


@role_required(*READERS)
def requisition_list(request: OnsiteRequest) -> HttpResponse:
    rows = _requisitions(request)
    status = request.GET.get("status", "")
    if status == "open":
        rows = rows.open()
    elif status in Requisition.Status.values:
        rows = rows.filter(status=status)
    rows = (
        rows.select_related("unit", "requested_by")
        .annotate(line_count=Count("lines"))
        .order_by("-requested_at", "-pk")
    )
    rows, sort = sort_rows(rows, request, keys=REQUISITION_SORTS, default="-requested")
    page = Paginator(rows, 30).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "sort": sort,
        "sort_columns": [
            ("requested", pgettext_lazy("time of request", "Requested")),
            ("unit", _("Unit")),
            ("status", _("Status")),
        ],
        "status": status,
        "statuses": Requisition.Status.choices,
        "can_request": request.user.has_role(*REQUESTERS)
        and not request.user.is_cross_center_viewer,
        "tab": "requisitions",
    }
    if request.htmx:
        return render(request, "supplies/requisition_list.html#rows", context)
    return render(request, "supplies/requisition_list.html", context)


@role_required(*REQUESTERS, write=True)
def requisition_create(request: OnsiteRequest) -> HttpResponse:
    center = center_of(request)
    units = requester_units(request)
    form = RequisitionForm(request.POST or None, units=units)
    lines = LineFormSet(request.POST or None, form_kwargs={"center": request.center})
    if not units.exists():
        messages.error(request, _("You belong to no unit, so you cannot request supplies."))
        return redirect("supplies:requisition-list")
    if request.method == "POST" and form.is_valid() and lines.is_valid():
        wanted = [
            (line.cleaned_data["supply"], line.cleaned_data["quantity"])
            for line in lines
            if line.cleaned_data.get("supply")
        ]
        try:
            requisition = services.submit_requisition(
                center=center,
                unit=form.cleaned_data["unit"],
                by=request.user,
                lines=wanted,
                purpose=form.cleaned_data["purpose"],
                key=form.cleaned_data["submission_key"],
                request=request,
            )
        except ValidationError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("Requisition submitted."))
            return redirect("supplies:requisition-detail", requisition.pk)
    return render(
        request,
        "supplies/requisition_form.html",
        {"form": form, "lines": lines, "tab": "requisitions"},
    )


@role_required(*READERS)
def requisition_detail(request: OnsiteRequest, pk: int) -> HttpResponse:
    requisition = requisition_for(request, pk)
    lines = list(requisition.lines.select_related("supply"))
    user = request.user
    writer = not user.is_cross_center_viewer
    context: dict[str, Any] = {
        "requisition": requisition,
        "lines": lines,
        "transitions": requisition.transitions.select_related("by"),
        "tab": "requisitions",
    }
    if writer and user.has_role(*APPROVER_ROLES) and requisition.can_approve:
        context["approve_form"] = ApproveForm(requisition=requisition)
        context["reject_form"] = EndForm(
            initial={"version": requisition.version, "action": Requisition.Status.REJECTED}
        )
    if writer and user.has_role(*STORE_ROLES) and requisition.can_issue:
        context["issue_form"] = IssueForm(requisition=requisition)
    if writer and user.has_role(*STORE_ROLES) and requisition.can_close:
        context["close_form"] = EndForm(
            initial={"version": requisition.version, "action": Requisition.Status.CLOSED}
        )
    if (
        writer
        and requisition.can_cancel
        and (requisition.requested_by_id == user.pk or user.has_role(*STORE_ROLES))
    ):
        context["cancel_form"] = EndForm(
            initial={"version": requisition.version, "action": Requisition.Status.CANCELLED}
        )
    return render(request, "supplies/requisition_detail.html", context)


@require_POST
@role_required(*APPROVER_ROLES, write=True)
def requisition_approve(request: OnsiteRequest, pk: int) -> HttpResponse:
    requisition = requisition_for(request, pk)
    form = ApproveForm(request.POST, requisition=requisition)
    if form.is_valid():
        try:
            services.approve_requisition(
                requisition=requisition,
                by=request.user,
                expected_version=form.cleaned_data["version"],
                approved=form.approved(),
                note=form.cleaned_data["note"],
                request=request,
            )
        except (ValidationError, ConflictError) as exc:
            _show_error(request, exc)
        else:
            messages.success(request, _("Requisition approved."))
    else:
        _errors_to_messages(request, form)
    return redirect("supplies:requisition-detail", pk)


@require_POST
@role_required(*REQUESTERS, write=True)
def requisition_end(request: OnsiteRequest, pk: int) -> HttpResponse:
    requisition = requisition_for(request, pk)
    form = EndForm(request.POST)
    if not form.is_valid():
        _errors_to_messages(request, form)
        return redirect("supplies:requisition-detail", pk)
    action = form.cleaned_data["action"]
    user = request.user
    allowed = {
        Requisition.Status.REJECTED: user.has_role(*APPROVER_ROLES),
        Requisition.Status.CLOSED: user.has_role(*STORE_ROLES),
        Requisition.Status.CANCELLED: requisition.requested_by_id == user.pk
        or user.has_role(*STORE_ROLES),
    }
    if not allowed.get(action, False):
        return deny(request)
    try:
        services.end_requisition(
            requisition=requisition,
            to=action,
            by=user,
            expected_version=form.cleaned_data["version"],
            note=form.cleaned_data["note"],
            request=request,
        )
    except (ValidationError, ConflictError) as exc:
        _show_error(request, exc)
    else:
        messages.success(
            request,
            _("Requisition %(status)s.") % {"status": requisition.get_status_display()},
        )
    return redirect("supplies:requisition-detail", pk)


@require_POST
@role_required(*STORE_ROLES, write=True)
def requisition_issue(request: OnsiteRequest, pk: int) -> HttpResponse:
    requisition = requisition_for(request, pk)
    form = IssueForm(request.POST, requisition=requisition)
    if form.is_valid():
        try:
            done = services.issue_requisition(
                requisition=requisition,
                by=request.user,
                quantities=form.quantities(),
                key=form.cleaned_data["submission_key"],
                request=request,
            )
        except ValidationError as exc:
            _show_error(request, exc)
        else:
            messages.success(
                request,
                _("Issued. The requisition is now %(status)s.")
                % {"status": done.get_status_display()},
            )
    else:
        _errors_to_messages(request, form)
    return redirect("supplies:requisition-detail", pk)


def _errors_to_messages(request: OnsiteRequest, form: Any) -> None:
    for name, errors in form.errors.items():
        label = form.fields[name].label if name in form.fields else ""
        for error in errors:
            messages.error(request, f"{label}: {error}" if label else error)


# --- returns --------------------------------------------------------------------------


@role_required(*READERS)
def return_list(request: OnsiteRequest) -> HttpResponse:
    rows = SupplyReturn.objects.filter(center=request.center).select_related(
        "supply", "unit", "returned_by"
    )
    if not request.user.has_role(*SEE_ALL):
        rows = rows.filter(unit_id=request.user.unit_id) if request.user.unit_id else rows.none()
    page = Paginator(rows, 30).get_page(request.GET.get("page"))
    return render(
        request,
        "supplies/return_list.html",
        {"page": page, "is_store": request.user.has_role(*STORE_ROLES), "tab": "returns"},
    )


@role_required(*STORE_ROLES, write=True)
def return_create(request: OnsiteRequest) -> HttpResponse:
    center = center_of(request)
    units = Unit.objects.filter(center=center)
    form = ReturnForm(request.POST or None, center=center, units=units)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.record_return(
                center=center,
                supply=data["supply"],
                quantity=data["quantity"],
                unit=data["unit"],
                source=data["source"],
                note=data["note"],
                by=request.user,
                key=data["submission_key"],
                request=request,
            )
        except ValidationError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("Return recorded; the stock has grown."))
            return redirect("supplies:return-list")
    return render(request, "supplies/return_form.html", {"form": form, "tab": "returns"})


# --- stock counts ---------------------------------------------------------------------


@role_required(*STORE_ROLES, Role.VIEWER)
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
def count_create(request: OnsiteRequest) -> HttpResponse:
    center = center_of(request)
    supplies = list(
        Supply.objects.filter(center=center, is_active=True).order_by("category", "code")
    )
    form = CountForm(request.POST or None, supplies=supplies)
    if request.method == "POST" and form.is_valid():
        rows = [
            services.CountRow(supply=supply, expected=expected, counted=counted, explanation=why)
            for supply, expected, counted, why in form.counted_rows()
        ]
        try:
            count = services.record_count(
                center=center,
                by=request.user,
                rows=rows,
                note=form.cleaned_data["note"],
                key=form.cleaned_data["submission_key"],
                request=request,
            )
        except ValidationError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("Count recorded; the books now match the shelves."))
            return redirect("supplies:count-detail", count.pk)
    return render(request, "supplies/count_form.html", {"form": form, "tab": "counts"})


@role_required(*STORE_ROLES, Role.VIEWER)
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
    """One unit's consumption: per supply and month, and who requested it. Its own staff
    may read it; others need to be among the analysts."""
    center = center_of(request)
    unit = get_for_center(Unit.objects.all(), request.center, code=code)
    if not request.user.has_role(*ANALYSTS) and request.user.unit_id != unit.pk:
        return deny(request)
    months = _months(request)
    since = queries.period_start(months)
    movements = (
        Movement.objects.filter(center=center).consumption().filter(unit=unit, at__gte=since)
    )
    per_supply = (
        movements.values("supply__code", "supply__name", "supply__measure")
        .annotate(
            issued=Coalesce(Sum(-F("quantity"), filter=Q(kind=Movement.Kind.ISSUE)), 0),
            returned=Coalesce(Sum("quantity", filter=Q(kind=Movement.Kind.RETURN)), 0),
            consumed=Sum(-F("quantity")),
        )
        .order_by("supply__name")
    )
    by_person = (
        movements.filter(kind=Movement.Kind.ISSUE, line__isnull=False)
        .values(
            "line__requisition__requested_by__full_name",
            "line__requisition__requested_by__username",
        )
        .annotate(requisitions=Count("line__requisition", distinct=True), value=Sum(queries.VALUE))
        .order_by("-value")
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
