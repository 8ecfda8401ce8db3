"""Pages of the plan: the programme at a glance, its timeline, waves, each unit's phases with
their exit gate, and the gate settings."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from onsite.core.access import role_required
from onsite.core.concurrency import ConflictError
from onsite.core.types import OnsiteRequest
from onsite.programme import access, queries, services
from onsite.programme.forms import (
    GateForm,
    OverrideForm,
    ProgrammeEditForm,
    ProgrammeForm,
    VersionedForm,
    WaveForm,
)
from onsite.programme.models import (
    PHASES,
    AcceptanceRound,
    ExitGate,
    Phase,
    PhaseProgress,
    PhaseTransition,
    ProgressStatus,
    WaveUnit,
)
from onsite.programme.views.common import as_int


@role_required(*access.READERS)
def overview(request: OnsiteRequest) -> HttpResponse:
    center = access.center_of(request)
    chosen = as_int(request.GET.get("programme"))
    programme = access.get_programme(center, chosen) if chosen else access.current_programme(center)
    others = list(center.programme_set.order_by("-starts_on").values("pk", "name"))
    blocks = queries.progress_matrix(programme) if programme else []
    return render(
        request,
        "programme/overview.html",
        {
            "programme": programme,
            "programmes": others,
            "blocks": blocks,
            "phases": [(p, Phase(p).label) for p in PHASES],
            "mine": queries.my_assignments(request.user, center),
            "can_plan": access.may(request.user, access.PLANNERS),
            "open_rounds": (
                list(AcceptanceRound.objects.filter(programme=programme).open())
                if programme
                else []
            ),
        },
    )


@role_required(*access.PLANNERS, write=True)
def programme_create(request: OnsiteRequest) -> HttpResponse:
    center = access.center_of(request)
    form = ProgrammeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            programme = services.create_programme(
                center=center,
                by=request.user,
                name=form.cleaned_data["name"],
                starts_on=form.cleaned_data["starts_on"],
                ends_on=form.cleaned_data["ends_on"],
                note=form.cleaned_data["note"],
                submission_key=form.cleaned_data["submission_key"],
                request=request,
            )
        except services.ProgrammeError as exc:
            form.add_error(None, str(exc.message))
        else:
            messages.success(request, _("Programme created. Now choose the pilot units."))
            return redirect(f"{_overview_url()}?programme={programme.pk}")
    return render(request, "programme/programme_form.html", {"form": form, "programme": None})


def _overview_url() -> str:
    return reverse("programme:overview")


@role_required(*access.PLANNERS, write=True)
def programme_edit(request: OnsiteRequest, pk: int) -> HttpResponse:
    programme = access.get_programme(request.center, pk)
    initial = {
        "name": programme.name,
        "starts_on": programme.starts_on,
        "ends_on": programme.ends_on,
        "note": programme.note,
        "status": programme.status,
        "version": programme.version,
    }
    form = ProgrammeEditForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_programme(
                programme=programme,
                by=request.user,
                data=form.cleaned_data,
                expected_version=form.cleaned_data["version"],
                request=request,
            )
        except ConflictError as exc:
            form.add_error(None, str(exc.message))
        except services.ProgrammeError as exc:
            form.add_error(None, str(exc.message))
        else:
            messages.success(request, _("Saved."))
            return redirect(f"{_overview_url()}?programme={programme.pk}")
    return render(request, "programme/programme_form.html", {"form": form, "programme": programme})


@role_required(*access.READERS)
def timeline(request: OnsiteRequest, pk: int) -> HttpResponse:
    programme = access.get_programme(request.center, pk)
    rows = queries.timeline(programme)
    return render(
        request,
        "programme/timeline.html",
        {
            "programme": programme,
            "rows": rows,
            "chart": queries.timeline_chart(programme, rows),
        },
    )


@role_required(*access.PLANNERS, write=True)
def wave_edit(request: OnsiteRequest, pk: int) -> HttpResponse:
    center = access.center_of(request)
    wave = access.get_wave(center, pk)
    plans = {p.phase: p for p in wave.plans.all()}
    initial: dict[str, object] = {
        "name": wave.name,
        "planned_start": wave.planned_start,
        "planned_end": wave.planned_end,
        "units": list(WaveUnit.objects.filter(wave=wave).values_list("unit_id", flat=True)),
        "version": wave.version,
    }
    for phase, plan in plans.items():
        initial[f"{phase}_start"] = plan.planned_start
        initial[f"{phase}_end"] = plan.planned_end
    form = WaveForm(request.POST or None, initial=initial, center=center)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_wave(
                wave=wave,
                by=request.user,
                name=form.cleaned_data["name"],
                planned_start=form.cleaned_data["planned_start"],
                planned_end=form.cleaned_data["planned_end"],
                units=list(form.cleaned_data["units"]),
                phase_dates=form.phase_dates(),
                expected_version=form.cleaned_data["version"],
                request=request,
            )
        except ConflictError as exc:
            form.add_error(None, str(exc.message))
        except services.ProgrammeError as exc:
            form.add_error(None, str(exc.message))
        else:
            messages.success(request, _("Wave saved."))
            return redirect(f"{_overview_url()}?programme={wave.programme_id}")
    elsewhere = dict(
        WaveUnit.objects.filter(programme_id=wave.programme_id)
        .exclude(wave=wave)
        .values_list("unit_id", "wave__name")
    )
    return render(
        request,
        "programme/wave_form.html",
        {"form": form, "wave": wave, "elsewhere": elsewhere},
    )


@role_required(*access.PLANNERS, write=True)
@require_POST
def wave_start(request: OnsiteRequest, pk: int) -> HttpResponse:
    wave = access.get_wave(request.center, pk)
    started = services.start_wave(wave=wave, by=request.user, request=request)
    messages.success(
        request,
        ngettext(
            "%(n)d unit started the sort phase.", "%(n)d units started the sort phase.", started
        )
        % {"n": started},
    )
    return redirect(f"{_overview_url()}?programme={wave.programme_id}")


@role_required(*access.READERS)
def unit_progress(request: OnsiteRequest, code: str) -> HttpResponse:
    center = access.center_of(request)
    unit = access.get_unit(center, code)
    chosen = as_int(request.GET.get("programme"))
    programme = access.get_programme(center, chosen) if chosen else access.current_programme(center)
    panel = queries.unit_panel(unit, programme)
    history = (
        PhaseTransition.objects.filter(progress__programme=programme, progress__unit=unit)
        .select_related("by", "progress")
        .order_by("-at", "-pk")[:50]
        if programme
        else []
    )
    return render(
        request,
        "programme/unit_progress.html",
        {
            "unit": unit,
            "panel": panel,
            "history": history,
            "can_drive": access.may(request.user, access.DRIVERS),
            "can_override": access.may(request.user, access.PLANNERS),
            "override_form": OverrideForm(
                initial={"version": panel.current.version if panel.current else 0}
            ),
        },
    )


def _back_to_unit(progress: PhaseProgress) -> HttpResponse:
    url = reverse("programme:unit-progress", args=[progress.unit.code])
    return redirect(f"{url}?programme={progress.programme_id}")


@role_required(*access.DRIVERS, write=True)
@require_POST
def progress_move(request: OnsiteRequest, pk: int, action: str) -> HttpResponse:
    """start | request | check: the moves a promotion-group leader or the office makes."""
    progress = access.get_progress(request.center, pk)
    form = VersionedForm(request.POST)
    version = form.cleaned_data["version"] if form.is_valid() else -1
    try:
        if action == "start":
            services.start_phase(
                progress=progress, by=request.user, expected_version=version, request=request
            )
            messages.success(request, _("Phase started."))
        elif action == "request":
            services.request_acceptance(
                progress=progress, by=request.user, expected_version=version, request=request
            )
            messages.success(request, _("Put forward for acceptance."))
        else:
            result = services.check_gate(progress=progress, by=request.user, request=request)
            if result.passes and progress.status == ProgressStatus.ACCEPTED:
                messages.success(request, _("The exit gate passes: the phase is accepted."))
            else:
                messages.warning(request, _("The exit gate does not pass yet."))
    except ConflictError as exc:
        messages.error(request, str(exc.message))
    except services.ProgrammeError as exc:
        messages.error(request, str(exc.message))
    return _back_to_unit(progress)


@role_required(*access.PLANNERS, write=True)
@require_POST
def progress_override(request: OnsiteRequest, pk: int) -> HttpResponse:
    progress = access.get_progress(request.center, pk)
    form = OverrideForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            messages.error(request, " ".join(str(e) for e in errors))
        return _back_to_unit(progress)
    try:
        services.override_phase(
            progress=progress,
            by=request.user,
            reason=form.cleaned_data["reason"],
            expected_version=form.cleaned_data["version"],
            request=request,
        )
    except ConflictError as exc:
        messages.error(request, str(exc.message))
    except services.ProgrammeError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("Phase accepted by override; the reason is on record."))
    return _back_to_unit(progress)


@role_required(*access.PLANNERS, write=True)
def gate_settings(request: OnsiteRequest) -> HttpResponse:
    center = access.center_of(request)
    gates = ExitGate.for_center(center)
    forms = {}
    for phase, gate in gates.items():
        bound = request.method == "POST" and request.POST.get("phase") == phase
        forms[phase] = GateForm(
            request.POST if bound else None,
            prefix=phase,
            initial={
                "score_required": gate.score_required,
                "min_score": gate.min_score,
                "score_weeks": gate.score_weeks,
                "no_overdue_required": gate.no_overdue_required,
                "acceptance_required": gate.acceptance_required,
                "red_tags_required": gate.red_tags_required,
                "version": gate.version,
            },
        )
    phase = request.POST.get("phase", "")
    if request.method == "POST":
        form = forms.get(phase)
        if form is not None and form.is_valid():
            try:
                services.update_gate(
                    gate=gates[phase],
                    by=request.user,
                    data=form.cleaned_data,
                    expected_version=form.cleaned_data["version"],
                    request=request,
                )
            except ConflictError as exc:
                form.add_error(None, str(exc.message))
            else:
                messages.success(request, _("Exit gate saved."))
                return redirect("programme:gates")
    return render(
        request,
        "programme/gates.html",
        {"forms": [(p, Phase(p).label, forms[p]) for p in PHASES]},
    )
