"""Pages of the plan: the programme at a glance, its timeline, waves, each unit's phases with
their exit gate, and the gate settings. Each write calls its act in `actions`."""

from __future__ import annotations

from typing import Any, cast

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from onsite.core.access import role_required
from onsite.core.types import OnsiteRequest
from onsite.programme import access, actions, queries
from onsite.programme.forms import (
    OverrideForm,
    ProgrammeEditForm,
    ProgrammeForm,
    VersionedForm,
    WaveForm,
    gate_forms,
    programme_initial,
    wave_initial,
)
from onsite.programme.models import (
    PHASES,
    AcceptanceRound,
    ExitGate,
    Phase,
    PhaseProgress,
    ProgressStatus,
    Wave,
)
from onsite.programme.services import phases
from onsite.programme.views.common import adapter, as_int, attempt


def _overview_url(programme_id: int) -> str:
    return f"{reverse('programme:overview')}?programme={programme_id}"


@role_required(*access.READERS)
def overview(request: OnsiteRequest) -> HttpResponse:
    center = access.center_of(request)
    chosen = as_int(request.GET.get("programme"))
    programme = access.get_programme(center, chosen) if chosen else access.current_programme(center)
    rounds = list(AcceptanceRound.objects.filter(programme=programme).open()) if programme else []
    return render(
        request,
        "programme/overview.html",
        {
            "programme": programme,
            "programmes": list(center.programme_set.order_by("-starts_on").values("pk", "name")),
            "blocks": queries.progress_matrix(programme) if programme else [],
            "phases": [(p, Phase(p).label) for p in PHASES],
            "mine": queries.my_assignments(request.user, center),
            "can_plan": access.may(request.user, access.PLANNERS),
            "open_rounds": rounds,
        },
    )


@role_required(*access.PLANNERS, write=True)
@adapter
def programme_create(request: OnsiteRequest) -> HttpResponse:
    form = ProgrammeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        programme = attempt(
            request,
            lambda: actions.check_create_programme(request),
            lambda: actions.do_create_programme(
                request,
                name=data["name"],
                starts_on=data["starts_on"],
                ends_on=data["ends_on"],
                note=data["note"],
                submission_key=data["submission_key"],
            ),
            form=form,
        )
        if programme is not None:
            messages.success(request, _("Programme created. Now choose the pilot units."))
            return redirect(_overview_url(programme.pk))
    return render(request, "programme/programme_form.html", {"form": form, "programme": None})


@role_required(*access.PLANNERS, write=True)
@adapter
def programme_edit(request: OnsiteRequest, pk: int) -> HttpResponse:
    programme = access.get_programme(request.center, pk)
    form = ProgrammeEditForm(request.POST or None, initial=programme_initial(programme))
    if request.method == "POST" and form.is_valid():
        version = form.cleaned_data["version"]
        done = attempt(
            request,
            lambda: actions.check_edit_programme(request, programme, version=version),
            lambda: actions.do_edit_programme(
                request, programme, data=form.cleaned_data, version=version
            ),
            form=form,
        )
        if done is not None:
            messages.success(request, _("Saved."))
            return redirect(_overview_url(programme.pk))
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
@adapter
def wave_edit(request: OnsiteRequest, pk: int) -> HttpResponse:
    center = access.center_of(request)
    wave = access.get_wave(center, pk)
    form = WaveForm(request.POST or None, initial=wave_initial(wave), center=center)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        done = attempt(
            request,
            lambda: actions.check_edit_wave(request, wave, version=data["version"]),
            lambda: actions.do_edit_wave(
                request,
                wave,
                name=data["name"],
                planned_start=data["planned_start"],
                planned_end=data["planned_end"],
                units=list(data["units"]),
                phase_dates=form.phase_dates(),
                version=data["version"],
            ),
            form=form,
        )
        if done is not None:
            messages.success(request, _("Wave saved."))
            return redirect(_overview_url(wave.programme_id))
    context = {"form": form, "wave": wave, "elsewhere": queries.units_elsewhere(wave)}
    return render(request, "programme/wave_form.html", context)


def _wave_start_context(request: OnsiteRequest, wave: Wave) -> dict[str, Any]:
    """What the wave's start page shows (bounded: the pilot's units and the wave's)."""
    return {
        "wave": wave,
        "units": phases.units_to_start(wave),
        "blocker": phases.wave_block(wave, with_gates=True),
        "approved": phases.approved_wave_start(wave),
        "sign_offs": queries.sign_offs_of(wave=wave),
        "can_approve": access.may(request.user, access.APPROVERS),
        "user_id": request.user.pk,
    }


@role_required(*access.PLANNERS, write=True)
@adapter
def wave_start(request: OnsiteRequest, pk: int) -> HttpResponse:
    """GET: what starting the wave would do — its units, what blocks it (the pilot units
    that have not passed, their conditions, the planned date), the override asked or
    approved. POST: starts it, confirmed for the number of units shown."""
    wave = access.get_wave(request.center, pk)
    if request.method == "POST":
        confirm = as_int(request.POST.get("confirm")) if request.POST.get("confirmed") else None
        if confirm is None:
            messages.error(request, _("Tick the box to confirm how many units start."))
            return redirect("programme:wave-start", wave.pk)
        started = attempt(
            request,
            lambda: actions.check_start_wave(request, wave, confirm=confirm),
            lambda: actions.do_start_wave(request, wave, confirm=confirm),
        )
        if started is not None:
            text = ngettext(
                "%(n)d unit started the sort phase.", "%(n)d units started the sort phase.", started
            )
            messages.success(request, text % {"n": started})
            return redirect(_overview_url(wave.programme_id))
    return render(request, "programme/wave_start.html", _wave_start_context(request, wave))


@role_required(*access.PLANNERS, write=True)
@require_POST
@adapter
def wave_sign_off(request: OnsiteRequest, pk: int) -> HttpResponse:
    """Asks the leadership to approve starting the wave although something blocks it."""
    wave = access.get_wave(request.center, pk)
    reason = request.POST.get("reason", "")
    if attempt(
        request,
        lambda: actions.check_request_wave_start(request, wave, reason=reason),
        lambda: actions.do_request_wave_start(request, wave, reason=reason),
    ):
        messages.success(request, _("Override asked for: a member of the leadership approves it."))
    return redirect("programme:wave-start", wave.pk)


@role_required(*access.APPROVERS, write=True)
@require_POST
@adapter
def sign_off_approve(request: OnsiteRequest, pk: int) -> HttpResponse:
    """The second signature (a member of the leadership, not the person who asked)."""
    sign_off = access.get_sign_off(request.center, pk)
    if attempt(
        request,
        lambda: actions.check_approve_sign_off(request, sign_off),
        lambda: actions.do_approve_sign_off(request, sign_off),
    ):
        messages.success(request, _("Override approved; both signatures are on record."))
    if sign_off.wave is not None:
        return redirect("programme:wave-start", sign_off.wave.pk)
    return _back_to_unit(cast(PhaseProgress, sign_off.progress))


@role_required(*access.READERS)
def unit_progress(request: OnsiteRequest, code: str) -> HttpResponse:
    center = access.center_of(request)
    unit = access.get_unit(center, code)
    chosen = as_int(request.GET.get("programme"))
    programme = access.get_programme(center, chosen) if chosen else access.current_programme(center)
    panel = queries.unit_panel(unit, programme)
    version = panel.current.version if panel.current else 0
    return render(
        request,
        "programme/unit_progress.html",
        {
            "unit": unit,
            "panel": panel,
            "history": queries.phase_history(programme, unit),
            "can_drive": access.may(request.user, access.DRIVERS),
            "can_override": access.may(request.user, access.PLANNERS),
            "can_approve": access.may(request.user, access.APPROVERS),
            "sign_offs": queries.sign_offs_of(panel.current),
            "override_form": OverrideForm(initial={"version": version}),
        },
    )


def _back_to_unit(progress: PhaseProgress) -> HttpResponse:
    url = reverse("programme:unit-progress", args=[progress.unit.code])
    return redirect(f"{url}?programme={progress.programme_id}")


def _version(request: OnsiteRequest) -> int:
    """The version the page showed (a form without one is stale: -1)."""
    form = VersionedForm(request.POST)
    return form.cleaned_data["version"] if form.is_valid() else -1


@role_required(*access.DRIVERS, write=True)
@require_POST
@adapter
def progress_start(request: OnsiteRequest, pk: int) -> HttpResponse:
    progress = access.get_progress(request.center, pk)
    version = _version(request)
    if attempt(
        request,
        lambda: actions.check_start_phase(request, progress, version=version),
        lambda: actions.do_start_phase(request, progress, version=version),
    ):
        messages.success(request, _("Phase started."))
    return _back_to_unit(progress)


@role_required(*access.DRIVERS, write=True)
@require_POST
@adapter
def progress_request(request: OnsiteRequest, pk: int) -> HttpResponse:
    progress = access.get_progress(request.center, pk)
    version = _version(request)
    if attempt(
        request,
        lambda: actions.check_request_acceptance(request, progress, version=version),
        lambda: actions.do_request_acceptance(request, progress, version=version),
    ):
        messages.success(request, _("Put forward for acceptance."))
    return _back_to_unit(progress)


@role_required(*access.DRIVERS, write=True)
@require_POST
@adapter
def progress_check(request: OnsiteRequest, pk: int) -> HttpResponse:
    progress = access.get_progress(request.center, pk)
    result = attempt(
        request,
        lambda: actions.check_check_gate(request, progress),
        lambda: actions.do_check_gate(request, progress),
    )
    if result is not None and result.passes and progress.status == ProgressStatus.ACCEPTED:
        messages.success(request, _("The exit gate passes: the phase is accepted."))
    elif result is not None:
        messages.warning(request, _("The exit gate does not pass yet."))
    return _back_to_unit(progress)


@role_required(*access.PLANNERS, write=True)
@require_POST
@adapter
def progress_override(request: OnsiteRequest, pk: int) -> HttpResponse:
    progress = access.get_progress(request.center, pk)
    form = OverrideForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            messages.error(request, " ".join(str(e) for e in errors))
        return _back_to_unit(progress)
    reason, version = form.cleaned_data["reason"], form.cleaned_data["version"]
    if attempt(
        request,
        lambda: actions.check_override_phase(request, progress, reason=reason, version=version),
        lambda: actions.do_override_phase(request, progress, reason=reason, version=version),
    ):
        messages.success(
            request, _("Override asked for: the phase is accepted once the leadership approves.")
        )
    return _back_to_unit(progress)


@role_required(*access.PLANNERS, write=True)
@adapter
def gate_settings(request: OnsiteRequest) -> HttpResponse:
    gates = ExitGate.for_center(access.center_of(request))
    forms = gate_forms(gates, request.POST if request.method == "POST" else None)
    form = forms.get(request.POST.get("phase", "")) if request.method == "POST" else None
    if form is not None and form.is_valid():
        gate, version = gates[request.POST["phase"]], form.cleaned_data["version"]
        if attempt(
            request,
            lambda: actions.check_edit_gate(request, gate, version=version),
            lambda: actions.do_edit_gate(request, gate, data=form.cleaned_data, version=version),
            form=form,
        ):
            messages.success(request, _("Exit gate saved."))
            return redirect("programme:gates")
    context = {"forms": [(p, Phase(p).label, forms[p]) for p in PHASES]}
    return render(request, "programme/gates.html", context)
