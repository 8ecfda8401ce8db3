"""Pages of the acceptance rounds: the list, opening one (with a preview of the assignment
or the reason it cannot be made), a round with its results, a rater's assignment."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from onsite.core.access import role_required
from onsite.core.models import Center, get_for_center
from onsite.core.types import OnsiteRequest
from onsite.org.models import Zone
from onsite.programme import access, actions, queries, services
from onsite.programme.explain import describe_plan
from onsite.programme.forms import CloseForm, RoundForm
from onsite.programme.models import PHASES, AcceptanceRound, Phase, Programme, RatingSheet
from onsite.programme.services import InfeasibleRoundError
from onsite.programme.views.common import adapter, as_int, attempt

PAGE_SIZE = 25


@role_required(*access.READERS)
def round_list(request: OnsiteRequest) -> HttpResponse:
    center = access.center_of(request)
    status = request.GET.get("status", "")
    rows = queries.round_rows(center, status=status)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "programme/round_list.html",
        {
            "page": page,
            "status": status,
            "statuses": AcceptanceRound.Status.choices,
            "can_plan": access.may(request.user, access.PLANNERS),
            "mine": queries.my_assignments(request.user, center),
        },
    )


def _round_data(request: OnsiteRequest) -> QueryDict | None:
    if request.method != "POST":
        return None
    data = request.POST.copy()
    if not data.get("seed"):  # fixed now, so "open" makes the assignment previewed
        data["seed"] = str(services.new_seed())
    return data


def _open(
    request: OnsiteRequest, programme: Programme, form: RoundForm
) -> tuple[AcceptanceRound | None, dict[str, Any] | None]:
    """The round opened, or the preview saying which assignment rule cannot hold."""
    data = form.cleaned_data
    units = list(data["units"])
    try:
        round_ = attempt(
            request,
            lambda: actions.check_open_round(request, programme.pk),
            lambda: actions.do_open_round(
                request,
                programme,
                phase=data["phase"],
                units=units,
                min_raters=data["min_raters"],
                seed=data["seed"],
                name=data["name"],
                due_on=data["due_on"],
                submission_key=data["submission_key"],
            ),
            form=form,
            keep=(InfeasibleRoundError,),
        )
    except InfeasibleRoundError as exc:
        request.programme_refusal = exc  # type: ignore[attr-defined]
        return None, describe_plan(exc.plan, units=units)
    return round_, None


def _preview(center: Center, form: RoundForm) -> dict[str, Any]:
    units = list(form.cleaned_data["units"])
    min_raters, seed = form.cleaned_data["min_raters"], form.cleaned_data["seed"]
    plan = services.plan_round(center=center, units=units, min_raters=min_raters, seed=seed)
    return describe_plan(plan, units=units)


def _chosen_programme(request: OnsiteRequest, center: Center) -> Programme | None:
    """The programme the page was opened for (`?programme=`, kept in the form's hidden
    field): another center's or an unknown one is a 404. Without one: the running one."""
    raw = (request.POST or request.GET).get("programme")
    if not raw:
        return access.current_programme(center)
    chosen = as_int(raw)
    if chosen is None:
        raise Http404
    return access.get_programme(center, chosen)


@role_required(*access.PLANNERS, write=True)
@adapter
def round_create(request: OnsiteRequest) -> HttpResponse:
    """GET: the form (units of the chosen phase). POST action=preview shows the assignment,
    or why it cannot be made, without saving; action=open opens the round."""
    center = access.center_of(request)
    programme = _chosen_programme(request, center)
    if programme is None:
        messages.error(request, _("Create the programme first."))
        return redirect("programme:overview")
    data = _round_data(request)
    phase = (data or request.GET).get("phase", "")
    phase = phase if phase in PHASES else PHASES[0]
    units = queries.units_at(programme, phase)
    form = RoundForm(data, initial={"phase": phase, "min_raters": 2}, units=units)
    preview: dict[str, Any] | None = None
    if data is not None and form.is_valid() and request.POST.get("action") == "open":
        round_, preview = _open(request, programme, form)
        if round_ is not None:
            messages.success(request, _("Round opened; the raters have been told."))
            return redirect("programme:round-detail", round_.pk)
    elif data is not None and form.is_valid():
        preview = _preview(center, form)
    phases = [(p, Phase(p).label) for p in PHASES]
    context = {"form": form, "programme": programme, "phase": phase, "phases": phases}
    return render(request, "programme/round_form.html", {**context, "preview": preview})


@role_required(*access.READERS)
def round_detail(request: OnsiteRequest, pk: int) -> HttpResponse:
    round_ = access.get_round(request.center, pk)
    user = request.user
    progress = services.round_progress(round_)
    can_plan = access.may(user, access.PLANNERS)
    return render(
        request,
        "programme/round_detail.html",
        {
            "round": round_,
            "entries": progress.entries,
            "assignments": progress.assignments,
            "mine": [(a, state) for a, state in progress.assignments if a.rater_id == user.pk],
            "sees_scores": access.sees_scores(user, round_) if round_.is_closed else False,
            "shows_raters": can_plan or user.has_role(*access.RESULT_READERS),
            "can_plan": can_plan,
            "pending": progress.pending,
            "close_form": CloseForm(initial={"version": round_.version}),
            "cards": list(round_.cards.select_related("unit").order_by("kind", "unit__code")),
        },
    )


@role_required(*access.PLANNERS, write=True)
@require_POST
@adapter
def round_close(request: OnsiteRequest, pk: int) -> HttpResponse:
    """Closes the round the office saw (its version); with ratings missing, only once the
    box is ticked (the API asks the same: `confirm`)."""
    round_ = access.get_round(request.center, pk)
    form = CloseForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Reload the page and try again."))
        return redirect("programme:round-detail", round_.pk)
    version, confirm = form.cleaned_data["version"], form.cleaned_data["confirm"]
    if attempt(
        request,
        lambda: actions.check_close_round(request, round_, version=version, confirm=confirm),
        lambda: actions.do_close_round(request, round_, version=version),
    ):
        messages.success(request, _("Round closed: results, ranking and cards are out."))
    return redirect("programme:round-detail", round_.pk)


@role_required(*access.READERS)
def assignment_detail(request: OnsiteRequest, pk: int) -> HttpResponse:
    assignment = access.get_assignment(request.user, request.center, pk)
    round_ = assignment.round
    zones = services.rateable_zones([assignment.unit])[assignment.unit_id]
    sheets = {
        s.zone_id: s
        for s in RatingSheet.objects.filter(assignment=assignment).select_related("inspection")
    }
    own = assignment.rater_id == request.user.pk
    return render(
        request,
        "programme/assignment_detail.html",
        {
            "assignment": assignment,
            "round": round_,
            "rows": [(z, sheets.get(z.pk)) for z in zones],
            "own": own,
            "can_rate": own and round_.is_open and access.may(request.user, access.READERS),
            "sees_scores": access.sees_scores(request.user, round_, assignment),
        },
    )


@role_required(*access.READERS, write=True)
@require_POST
@adapter
def sheet_start(request: OnsiteRequest, pk: int, zone: str) -> HttpResponse:
    assignment = access.get_assignment(request.user, request.center, pk)
    target = get_for_center(Zone.objects.all(), request.center, code=zone)
    inspection = attempt(
        request,
        lambda: actions.check_start_sheet(request, assignment, zone=target),
        lambda: actions.do_start_sheet(request, assignment, zone=target),
    )
    if inspection is None:
        return redirect("programme:assignment-detail", assignment.pk)
    if inspection.is_submitted:
        return redirect("inspections:inspection-detail", inspection.pk)
    return redirect("inspections:inspection-edit", inspection.pk)
