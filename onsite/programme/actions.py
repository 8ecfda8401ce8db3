"""Every write of the programme, one front door for the pages and the API alike.

`check_<act>(request, …)` raises one typed refusal (`onsite.core.refusals`): NotAllowed for
the role (`access`'s sets; a cross-center viewer never writes), Conflict for the object's state
or a stale version, Invalid for wrong input. `do_<act>(request, …)` makes the write with its
audit row and notifications (the `services` function). A page or an API operation parses, calls
both, and renders; `tests/test_parity.py` drives each act through both doors."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from typing import Any

from django.utils.translation import gettext_lazy as _

from onsite.core.access import check_roles
from onsite.core.concurrency import ConflictError
from onsite.core.models import Center
from onsite.core.refusals import Conflict, Invalid
from onsite.core.types import OnsiteRequest
from onsite.inspections.models import Inspection
from onsite.org.models import Unit, Zone
from onsite.programme import access, services
from onsite.programme.gates import GateResult
from onsite.programme.models import (
    AcceptanceRound,
    Assignment,
    Card,
    ExitGate,
    Interview,
    MonthlyRanking,
    PhaseProgress,
    Programme,
    SignOff,
    Wave,
)
from onsite.programme.services import phases, rankings, rounds


def _stale(obj: Any, version: int) -> None:
    """The version the person saw is no longer the object's (409 `stale`): checked before
    the write, and again by the write itself (`save_versioned`)."""
    if obj.pk is not None and obj.version != version:
        raise ConflictError


# --- the programme and its waves -----------------------------------------------------------


def check_create_programme(request: OnsiteRequest) -> Center:
    return check_roles(request, access.PLANNERS, write=True)  # type: ignore[no-any-return]


def do_create_programme(
    request: OnsiteRequest,
    *,
    name: str,
    starts_on: datetime.date,
    ends_on: datetime.date | None,
    note: str = "",
    submission_key: str = "",
) -> Programme:
    return services.create_programme(
        center=access.center_of(request),
        by=request.user,
        name=name,
        starts_on=starts_on,
        ends_on=ends_on,
        note=note,
        submission_key=submission_key,
        request=request,
    )


def check_edit_programme(request: OnsiteRequest, programme: Programme, *, version: int) -> None:
    check_roles(request, access.PLANNERS, write=True)
    _stale(programme, version)


def do_edit_programme(
    request: OnsiteRequest, programme: Programme, *, data: dict[str, Any], version: int
) -> Programme:
    return services.update_programme(
        programme=programme, by=request.user, data=data, expected_version=version, request=request
    )


def check_edit_wave(request: OnsiteRequest, wave: Wave, *, version: int) -> None:
    check_roles(request, access.PLANNERS, write=True)
    _stale(wave, version)


def do_edit_wave(
    request: OnsiteRequest,
    wave: Wave,
    *,
    name: str,
    planned_start: datetime.date,
    planned_end: datetime.date,
    units: Sequence[Unit],
    phase_dates: dict[str, tuple[datetime.date, datetime.date]],
    version: int,
) -> Wave:
    return services.update_wave(
        wave=wave,
        by=request.user,
        name=name,
        planned_start=planned_start,
        planned_end=planned_end,
        units=units,
        phase_dates=phase_dates,
        expected_version=version,
        request=request,
    )


def check_start_wave(request: OnsiteRequest, wave: Wave, *, confirm: int | None = None) -> None:
    check_roles(request, access.PLANNERS, write=True)
    phases.check_start_wave(wave, confirm=confirm)


def do_start_wave(request: OnsiteRequest, wave: Wave, *, confirm: int | None = None) -> int:
    return services.start_wave(wave=wave, by=request.user, confirm=confirm, request=request)


def check_request_wave_start(request: OnsiteRequest, wave: Wave, *, reason: str) -> None:
    check_roles(request, access.PLANNERS, write=True)
    phases.check_sign_off_request(reason)
    if not phases.wave_block(wave).blocked:
        raise Conflict(_("Nothing blocks this wave: start it without an override."))


def do_request_wave_start(request: OnsiteRequest, wave: Wave, *, reason: str) -> SignOff:
    return phases.request_sign_off(by=request.user, reason=reason, wave=wave, request=request)


def check_approve_sign_off(request: OnsiteRequest, sign_off: SignOff) -> None:
    check_roles(request, access.APPROVERS, write=True)
    phases.check_approve(sign_off, by=request.user)


def do_approve_sign_off(request: OnsiteRequest, sign_off: SignOff) -> SignOff:
    return phases.approve_sign_off(sign_off=sign_off, by=request.user, request=request)


# --- phases and exit gates -----------------------------------------------------------------


def check_start_phase(request: OnsiteRequest, progress: PhaseProgress, *, version: int) -> None:
    check_roles(request, access.DRIVERS, write=True)
    phases.check_start(progress)
    _stale(progress, version)


def do_start_phase(
    request: OnsiteRequest, progress: PhaseProgress, *, version: int
) -> PhaseProgress:
    return services.start_phase(
        progress=progress, by=request.user, expected_version=version, request=request
    )


def check_request_acceptance(
    request: OnsiteRequest, progress: PhaseProgress, *, version: int
) -> None:
    check_roles(request, access.DRIVERS, write=True)
    phases.check_request(progress)
    _stale(progress, version)


def do_request_acceptance(
    request: OnsiteRequest, progress: PhaseProgress, *, version: int
) -> PhaseProgress:
    return services.request_acceptance(
        progress=progress, by=request.user, expected_version=version, request=request
    )


def check_check_gate(request: OnsiteRequest, progress: PhaseProgress) -> None:
    check_roles(request, access.DRIVERS, write=True)


def do_check_gate(request: OnsiteRequest, progress: PhaseProgress) -> GateResult:
    """Evaluates the gate; accepts the phase (and starts the next) when it passes."""
    result = services.check_gate(progress=progress, by=request.user, request=request)
    progress.refresh_from_db()
    return result


def check_override_phase(
    request: OnsiteRequest, progress: PhaseProgress, *, reason: str, version: int
) -> None:
    check_roles(request, access.PLANNERS, write=True)
    phases.check_override(progress, reason=reason)
    _stale(progress, version)


def do_override_phase(
    request: OnsiteRequest, progress: PhaseProgress, *, reason: str, version: int
) -> PhaseProgress:
    """Asks for the override; the phase is accepted once the leadership approves."""
    services.override_phase(
        progress=progress,
        by=request.user,
        reason=reason,
        expected_version=version,
        request=request,
    )
    progress.refresh_from_db()
    return progress


def check_edit_gate(request: OnsiteRequest, gate: ExitGate, *, version: int) -> None:
    check_roles(request, access.PLANNERS, write=True)
    if gate.version != version:  # a gate never saved has version 1 too
        raise ConflictError


def do_edit_gate(
    request: OnsiteRequest, gate: ExitGate, *, data: dict[str, Any], version: int
) -> ExitGate:
    return services.update_gate(
        gate=gate, by=request.user, data=data, expected_version=version, request=request
    )


# --- acceptance rounds ---------------------------------------------------------------------


def units_of(center: Center, codes: Sequence[str]) -> list[Unit]:
    """The center's units by code; an unknown code is invalid input."""
    found = list(Unit.objects.filter(center=center, code__in=codes))
    missing = sorted(set(codes) - {u.code for u in found})
    if missing:
        raise Invalid(_("Unknown unit: %(codes)s") % {"codes": ", ".join(missing[:10])})
    return found


def check_preview_round(request: OnsiteRequest) -> Center:
    """Who previews a round's assignment (nothing is written)."""
    return check_roles(request, access.PLANNERS, write=True)  # type: ignore[no-any-return]


def check_open_round(request: OnsiteRequest, programme_id: int | None = None) -> Programme:
    """Who opens a round, and the programme it belongs to: the one named (another center's
    is a 404), else the running one."""
    center = check_roles(request, access.PLANNERS, write=True)
    if programme_id is not None:
        return access.get_programme(center, programme_id)
    programme = access.current_programme(center)
    if programme is None:
        raise Conflict(_("Create the programme first."), code="no_programme")
    return programme


def do_open_round(
    request: OnsiteRequest,
    programme: Programme,
    *,
    phase: str,
    units: Sequence[Unit],
    min_raters: int,
    seed: int | None,
    name: str = "",
    due_on: datetime.date | None = None,
    submission_key: str = "",
) -> AcceptanceRound:
    """Raises InfeasibleRoundError (409 `infeasible`) when the raters cannot be assigned."""
    return services.open_round(
        programme=programme,
        phase=phase,
        units=units,
        by=request.user,
        min_raters=min_raters,
        seed=seed,
        name=name,
        due_on=due_on,
        submission_key=submission_key,
        request=request,
    )


def check_close_round(
    request: OnsiteRequest, round_: AcceptanceRound, *, version: int, confirm: bool
) -> None:
    """The office closes a round it saw at `version`; with ratings missing only once the
    closer confirms (409 `incomplete_sheets`)."""
    check_roles(request, access.PLANNERS, write=True)
    rounds.check_close(round_, version=version, confirm=confirm)


def do_close_round(
    request: OnsiteRequest, round_: AcceptanceRound, *, version: int
) -> AcceptanceRound:
    services.close_round(round_=round_, by=request.user, expected_version=version, request=request)
    round_.refresh_from_db()
    return round_


def check_start_sheet(request: OnsiteRequest, assignment: Assignment, *, zone: Zone) -> None:
    check_roles(request, access.READERS, write=True)
    rounds.check_sheet(assignment, zone=zone, by=request.user)


def do_start_sheet(request: OnsiteRequest, assignment: Assignment, *, zone: Zone) -> Inspection:
    return services.start_sheet(assignment=assignment, zone=zone, by=request.user, request=request)


# --- rankings, cards, interviews -----------------------------------------------------------


def check_publish_month(request: OnsiteRequest, *, month: datetime.date) -> Center:
    center = check_roles(request, access.RANKERS, write=True)
    rankings.check_month(month)
    return center  # type: ignore[no-any-return]


def do_publish_month(request: OnsiteRequest, *, month: datetime.date) -> MonthlyRanking:
    return services.publish_month(
        center=access.center_of(request), month=month, by=request.user, request=request
    )


def check_issue_card(request: OnsiteRequest, *, kind: str, reason: str) -> None:
    check_roles(request, access.RANKERS, write=True)
    rankings.check_card(kind=kind, reason=reason)


def do_issue_card(
    request: OnsiteRequest, *, unit: Unit, kind: str, reason: str, submission_key: str = ""
) -> Card:
    return services.issue_card(
        center=access.center_of(request),
        unit=unit,
        kind=kind,
        reason=reason,
        by=request.user,
        submission_key=submission_key,
        request=request,
    )


def check_revoke_card(request: OnsiteRequest, card: Card, *, reason: str) -> None:
    check_roles(request, access.RANKERS, write=True)
    rankings.check_revoke(reason=reason)


def do_revoke_card(request: OnsiteRequest, card: Card, *, reason: str) -> Card:
    return services.revoke_card(card=card, by=request.user, reason=reason, request=request)


def check_finding_cards(request: OnsiteRequest) -> None:
    check_roles(request, access.RANKERS, write=True)


def do_finding_cards(request: OnsiteRequest) -> list[Card]:
    return services.issue_finding_cards(
        center=access.center_of(request), by=request.user, request=request
    )


def check_hold_interview(
    request: OnsiteRequest,
    interview: Interview,
    *,
    held_on: datetime.date,
    note: str,
    version: int,
) -> None:
    check_roles(request, access.RANKERS, write=True)
    rankings.check_interview(held_on=held_on, note=note)
    _stale(interview, version)


def do_hold_interview(
    request: OnsiteRequest,
    interview: Interview,
    *,
    held_on: datetime.date,
    note: str,
    version: int,
) -> Interview:
    return services.hold_interview(
        interview=interview,
        by=request.user,
        held_on=held_on,
        note=note,
        expected_version=version,
        request=request,
    )
