"""Each unit's phases: the transition function, starts, acceptance requests, exit gates and overrides."""

from __future__ import annotations

import datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from onsite.accounts.models import User
from onsite.audit.services import record_event
from onsite.core.concurrency import (
    ConflictError,
    save_versioned,
)
from onsite.core.refusals import Conflict, Invalid
from onsite.programme import gates
from onsite.programme.models import (
    PHASES,
    ExitGate,
    Phase,
    PhaseProgress,
    PhaseTransition,
    Programme,
    ProgressStatus,
    Wave,
    WaveUnit,
    next_phase,
)

# --- phase progress ------------------------------------------------------------------------


def move_phase(
    progress: PhaseProgress,
    to: str,
    *,
    by: User | None,
    note: str = "",
    is_override: bool = False,
    on: datetime.date | None = None,
    expected_version: int | None = None,
    gate: gates.GateResult | None = None,
) -> PhaseProgress:
    """The one transition function: the move (`PhaseProgress.move_to`), saved with the
    version, and the history row."""
    before, fields = progress.move_to(
        to,
        on=on or timezone.localdate(),
        gate=gate.as_json() if gate else None,
        is_override=is_override,
    )
    save_versioned(
        progress,
        expected_version=progress.version if expected_version is None else expected_version,
        fields=fields,
    )
    PhaseTransition.objects.create(
        center_id=progress.center_id,
        progress=progress,
        from_status=before,
        to_status=to,
        by=by,
        note=note[:2000],
        is_override=is_override,
    )
    return progress


def _start_next(progress: PhaseProgress, *, by: User | None, on: datetime.date) -> None:
    following = next_phase(progress.phase)
    if following is None:
        return
    nxt = PhaseProgress.objects.filter(
        programme_id=progress.programme_id, unit_id=progress.unit_id, phase=following
    ).first()
    if nxt is not None and nxt.status == ProgressStatus.NOT_STARTED:
        move_phase(
            nxt, ProgressStatus.IN_PROGRESS, by=by, on=on, note=str(_("Previous phase accepted."))
        )


def accept_phase(
    progress: PhaseProgress,
    *,
    by: User | None,
    gate: gates.GateResult,
    note: str = "",
    is_override: bool = False,
    expected_version: int | None = None,
    on: datetime.date | None = None,
) -> PhaseProgress:
    today = on or timezone.localdate()
    move_phase(
        progress,
        ProgressStatus.ACCEPTED,
        by=by,
        note=note,
        is_override=is_override,
        gate=gate,
        on=today,
        expected_version=expected_version,
    )
    _start_next(progress, by=by, on=today)
    return progress


@transaction.atomic
def start_wave(*, wave: Wave, by: User, request: HttpRequest | None = None) -> int:
    """Starts the sort phase of every unit of the wave that has not started; the programme
    runs from then on. Returns how many units started."""
    rows = list(
        PhaseProgress.objects.filter(
            programme_id=wave.programme_id,
            phase=Phase.SORT,
            status=ProgressStatus.NOT_STARTED,
            unit_id__in=WaveUnit.objects.filter(wave=wave).values("unit_id"),
        ).select_related("unit")
    )
    for progress in rows:
        move_phase(progress, ProgressStatus.IN_PROGRESS, by=by, note=str(_("Wave started.")))
    Programme.objects.filter(pk=wave.programme_id, status=Programme.Status.PLANNED).update(
        status=Programme.Status.RUNNING
    )
    record_event(
        request, action="programme.wave_started", obj=wave, actor=by, detail={"units": len(rows)}
    )
    return len(rows)


def _previous_accepted(progress: PhaseProgress) -> bool:
    index = PHASES.index(progress.phase)
    if index == 0:
        return True
    return PhaseProgress.objects.filter(
        programme_id=progress.programme_id,
        unit_id=progress.unit_id,
        phase=PHASES[index - 1],
        status=ProgressStatus.ACCEPTED,
    ).exists()


def _check_previous(progress: PhaseProgress) -> None:
    if not _previous_accepted(progress):
        raise Conflict(
            _("The previous phase has not been accepted yet."), code="previous_not_accepted"
        )


def check_start(progress: PhaseProgress) -> None:
    """The rules of starting a phase by hand (Conflict unless it may start)."""
    if progress.status != ProgressStatus.NOT_STARTED:
        raise Conflict(_("This phase has started already."))
    _check_previous(progress)


def check_request(progress: PhaseProgress) -> None:
    """The rule of putting a phase forward for acceptance."""
    if progress.status != ProgressStatus.IN_PROGRESS:
        raise Conflict(_("Only a phase in progress can be put forward for acceptance."))


def check_override(progress: PhaseProgress, *, reason: str) -> None:
    """The rules of an override: a reason on record, a phase not accepted yet whose previous
    phase is."""
    if len(reason.strip()) < 4:
        raise Invalid(_("Give the reason for the override."))
    if progress.status == ProgressStatus.ACCEPTED:
        raise Conflict(_("This phase is accepted already."))
    _check_previous(progress)


@transaction.atomic
def start_phase(
    *,
    progress: PhaseProgress,
    by: User,
    expected_version: int,
    request: HttpRequest | None = None,
) -> PhaseProgress:
    check_start(progress)
    move_phase(progress, ProgressStatus.IN_PROGRESS, by=by, expected_version=expected_version)
    record_event(request, action="programme.phase_started", obj=progress, actor=by)
    return progress


@transaction.atomic
def request_acceptance(
    *,
    progress: PhaseProgress,
    by: User,
    expected_version: int,
    note: str = "",
    request: HttpRequest | None = None,
) -> PhaseProgress:
    check_request(progress)
    move_phase(
        progress, ProgressStatus.AWAITING, by=by, note=note, expected_version=expected_version
    )
    record_event(request, action="programme.acceptance_requested", obj=progress, actor=by)
    return progress


@transaction.atomic
def check_gate(
    *,
    progress: PhaseProgress,
    by: User | None,
    request: HttpRequest | None = None,
    on: datetime.date | None = None,
) -> gates.GateResult:
    """Evaluates the exit gate; if every condition holds the phase is accepted and the next
    one starts. Returns the evaluation either way."""
    result = gates.evaluate_gate(progress, on=on)
    moving = progress.status in (ProgressStatus.IN_PROGRESS, ProgressStatus.AWAITING)
    if moving and result.passes:
        accept_phase(progress, by=by, gate=result, note=str(_("Exit gate passed.")), on=on)
        record_event(
            request,
            action="programme.phase_accepted",
            obj=progress,
            actor=by,
            detail={"phase": progress.phase, "gate": result.as_json()},
        )
    return result


@transaction.atomic
def override_phase(
    *,
    progress: PhaseProgress,
    by: User,
    reason: str,
    expected_version: int,
    request: HttpRequest | None = None,
) -> PhaseProgress:
    """The office accepts a phase whose gate does not pass, with its reason on record."""
    reason = reason.strip()
    check_override(progress, reason=reason)
    result = gates.evaluate_gate(progress)
    accept_phase(
        progress,
        by=by,
        gate=result,
        note=reason,
        is_override=True,
        expected_version=expected_version,
    )
    record_event(
        request,
        action="programme.phase_overridden",
        obj=progress,
        actor=by,
        detail={"phase": progress.phase, "reason": reason, "gate": result.as_json()},
    )
    return progress


@transaction.atomic
def update_gate(
    *,
    gate: ExitGate,
    by: User,
    data: dict[str, Any],
    expected_version: int,
    request: HttpRequest | None = None,
) -> ExitGate:
    names = [
        "score_required",
        "min_score",
        "score_weeks",
        "no_overdue_required",
        "acceptance_required",
        "red_tags_required",
    ]
    for name in names:
        setattr(gate, name, data[name])
    if gate.pk is None:  # the defaults (version 1), saved for the first time: version 2
        if expected_version != gate.version:
            raise ConflictError
        gate.version = expected_version + 1
        try:
            with transaction.atomic():
                gate.save()
        except IntegrityError as exc:  # someone else saved this phase's gate meanwhile
            raise ConflictError from exc
    else:
        save_versioned(gate, expected_version=expected_version, fields=names)
    record_event(
        request,
        action="programme.gate_changed",
        obj=gate,
        actor=by,
        detail={"phase": gate.phase, **{n: data[n] for n in names}},
    )
    return gate
