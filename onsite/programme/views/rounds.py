"""Pages of the acceptance rounds: the list, opening one (with a preview of the assignment
or the reason it cannot be made), a round with its results, a rater's assignment."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from onsite.core.access import refuse as deny
from onsite.core.access import role_required
from onsite.core.concurrency import ConflictError
from onsite.core.models import get_for_center
from onsite.core.types import OnsiteRequest
from onsite.org.models import Zone
from onsite.programme import access, queries, services
from onsite.programme.explain import describe_plan
from onsite.programme.forms import CloseForm, RoundForm
from onsite.programme.models import PHASES, AcceptanceRound, Phase, RatingSheet

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


@role_required(*access.PLANNERS, write=True)
def round_create(request: OnsiteRequest) -> HttpResponse:
    """GET: the form (units of the chosen phase). POST action=preview shows the assignment,
    or why it cannot be made, without saving; action=open opens the round."""
    center = access.center_of(request)
    programme = access.current_programme(center)
    if programme is None:
        messages.error(request, _("Create the programme first."))
        return redirect("programme:overview")
    data = None
    if request.method == "POST":
        data = request.POST.copy()
        if not data.get("seed"):  # fixed now, so "open" makes the assignment previewed
            data["seed"] = str(services.new_seed())
    phase = (data or request.GET).get("phase", "")
    if phase not in PHASES:
        phase = PHASES[0]
    form = RoundForm(
        data,
        initial={"phase": phase, "min_raters": 2},
        units=queries.units_at(programme, phase),
    )
    preview: dict[str, Any] | None = None
    if data is not None and form.is_valid():
        units = list(form.cleaned_data["units"])
        seed = form.cleaned_data["seed"]
        if request.POST.get("action") == "open":
            try:
                round_ = services.open_round(
                    programme=programme,
                    phase=form.cleaned_data["phase"],
                    units=units,
                    by=request.user,
                    min_raters=form.cleaned_data["min_raters"],
                    seed=seed,
                    name=form.cleaned_data["name"],
                    due_on=form.cleaned_data["due_on"],
                    submission_key=form.cleaned_data["submission_key"],
                    request=request,
                )
            except services.InfeasibleRoundError as exc:
                preview = describe_plan(exc.plan, units=units)
            except services.ProgrammeError as exc:
                form.add_error(None, str(exc.message))
            else:
                messages.success(request, _("Round opened; the raters have been told."))
                return redirect("programme:round-detail", round_.pk)
        else:
            plan = services.plan_round(
                center=center,
                units=units,
                min_raters=form.cleaned_data["min_raters"],
                seed=seed,
            )
            preview = describe_plan(plan, units=units)
    return render(
        request,
        "programme/round_form.html",
        {
            "form": form,
            "programme": programme,
            "phase": phase,
            "phases": [(p, Phase(p).label) for p in PHASES],
            "preview": preview,
        },
    )


@role_required(*access.READERS)
def round_detail(request: OnsiteRequest, pk: int) -> HttpResponse:
    round_ = access.get_round(request.center, pk)
    user = request.user
    assignments = list(
        round_.assignments.select_related("unit", "rater", "rater_group").order_by(
            "unit__code", "rater__username"
        )
    )
    states = services.sheet_states(assignments)
    entries = list(round_.entries.select_related("unit").order_by("rank", "unit__code"))
    mine = [a for a in assignments if a.rater_id == user.pk]
    sees_scores = access.sees_scores(user, round_) if round_.is_closed else False
    can_plan = access.may(user, access.PLANNERS)
    done = {e.unit_id: 0 for e in entries}
    for a in assignments:
        done[a.unit_id] = done.get(a.unit_id, 0) + states[a.pk].is_complete
    pending = sum(not states[a.pk].is_complete for a in assignments)
    return render(
        request,
        "programme/round_detail.html",
        {
            "round": round_,
            "entries": [(e, done.get(e.unit_id, 0)) for e in entries],
            "assignments": [(a, states[a.pk]) for a in assignments],
            "mine": [(a, states[a.pk]) for a in mine],
            "sees_scores": sees_scores,
            "shows_raters": can_plan or user.has_role(*access.RESULT_READERS),
            "can_plan": can_plan,
            "pending": pending,
            "close_form": CloseForm(initial={"version": round_.version}),
            "cards": list(round_.cards.select_related("unit").order_by("kind", "unit__code")),
        },
    )


@role_required(*access.PLANNERS, write=True)
@require_POST
def round_close(request: OnsiteRequest, pk: int) -> HttpResponse:
    round_ = access.get_round(request.center, pk)
    form = CloseForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Reload the page and try again."))
        return redirect("programme:round-detail", round_.pk)
    states = services.sheet_states(list(round_.assignments.all()))
    missing = sum(not s.is_complete for s in states.values())
    if round_.is_open and missing and not form.cleaned_data["confirm"]:
        messages.error(
            request,
            ngettext(
                "%(n)d rating is not complete. Tick the box to close anyway; it will not count.",
                "%(n)d ratings are not complete. Tick the box to close anyway; "
                "they will not count.",
                missing,
            )
            % {"n": missing},
        )
        return redirect("programme:round-detail", round_.pk)
    try:
        services.close_round(
            round_=round_,
            by=request.user,
            expected_version=form.cleaned_data["version"],
            request=request,
        )
    except ConflictError as exc:
        messages.error(request, str(exc.message))
    else:
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
def sheet_start(request: OnsiteRequest, pk: int, zone: str) -> HttpResponse:
    assignment = access.get_assignment(request.user, request.center, pk)
    if assignment.rater_id != request.user.pk:
        return deny(request)
    target = get_for_center(Zone.objects.all(), request.center, code=zone)
    try:
        inspection = services.start_sheet(
            assignment=assignment, zone=target, by=request.user, request=request
        )
    except services.ProgrammeError as exc:
        messages.error(request, str(exc.message))
        return redirect("programme:assignment-detail", assignment.pk)
    if inspection.is_submitted:
        return redirect("inspections:inspection-detail", inspection.pk)
    return redirect("inspections:inspection-edit", inspection.pk)
