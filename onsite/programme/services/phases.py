"""Each unit's phases: the transition function, starts, acceptance requests, exit gates and overrides."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any, cast

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
from onsite.core.refusals import Conflict, Invalid, NotAllowed
from onsite.core.templatetags.lists import join_list
from onsite.programme import gates
from onsite.programme.access import APPROVERS
from onsite.programme.models import (
    PHASES,
    ExitGate,
    Phase,
    PhaseProgress,
    PhaseTransition,
    Programme,
    ProgressStatus,
    SignOff,
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


@dataclass(frozen=True)
class WaveBlock:
    """Why a rollout wave may not start yet: the pilot units that have not passed the sort
    phase (with their gate, when evaluated) and the wave's planned start if still ahead."""

    not_before: datetime.date | None
    pilot: tuple[tuple[PhaseProgress, gates.GateResult | None], ...]

    @property
    def blocked(self) -> bool:
        return self.not_before is not None or bool(self.pilot)

    def message(self) -> str:
        parts = []
        if self.pilot:
            names = join_list(p.unit.name for p, _gate in self.pilot)
            parts.append(
                str(_("The pilot has not passed the sort phase yet (%(units)s)."))
                % {"units": names}
            )
        if self.not_before is not None:
            parts.append(
                str(_("The wave is planned to start on %(date)s."))
                % {"date": self.not_before.isoformat()}
            )
        parts.append(str(_("Starting now needs an override approved by the leadership.")))
        return " ".join(parts)


def wave_block(
    wave: Wave, *, on: datetime.date | None = None, with_gates: bool = False
) -> WaveBlock:
    """The rule of a rollout's start: every pilot unit of the programme has its sort phase
    accepted (passed its exit gate, or accepted by an approved override) and the wave's
    planned start has come. A pilot wave is never blocked. `with_gates` also evaluates each
    waiting pilot unit's gate (the confirmation page names the conditions)."""
    today = on or timezone.localdate()
    if wave.kind != Wave.Kind.ROLLOUT:
        return WaveBlock(None, ())
    waiting = list(
        PhaseProgress.objects.filter(
            programme_id=wave.programme_id,
            phase=Phase.SORT,
            unit_id__in=WaveUnit.objects.filter(
                wave__programme_id=wave.programme_id, wave__kind=Wave.Kind.PILOT
            ).values("unit_id"),
        )
        .exclude(status=ProgressStatus.ACCEPTED)
        .select_related("unit")
        .order_by("unit__code")
    )
    pilot = tuple((p, gates.evaluate_gate(p, on=today) if with_gates else None) for p in waiting)
    late = wave.planned_start if wave.planned_start and wave.planned_start > today else None
    return WaveBlock(late, pilot)


def approved_wave_start(wave: Wave) -> SignOff | None:
    return (
        SignOff.objects.filter(wave=wave, kind=SignOff.Kind.WAVE_START, approved_by__isnull=False)
        .select_related("requested_by", "approved_by")
        .order_by("-approved_at")
        .first()
    )


def units_to_start(wave: Wave) -> list[PhaseProgress]:
    return list(
        PhaseProgress.objects.filter(
            programme_id=wave.programme_id,
            phase=Phase.SORT,
            status=ProgressStatus.NOT_STARTED,
            unit_id__in=WaveUnit.objects.filter(wave=wave).values("unit_id"),
        )
        .select_related("unit")
        .order_by("unit__code")
    )


def check_start_wave(wave: Wave, *, confirm: int | None = None) -> None:
    """A rollout wave starts only when the pilot has passed and its planned start has come,
    or with an approved override (Conflict `pilot_not_passed` otherwise, naming why); with
    `confirm` (the number of units the person saw and confirmed), only for that many."""
    block = wave_block(wave)
    if block.blocked and approved_wave_start(wave) is None:
        raise Conflict(block.message(), code="pilot_not_passed")
    if confirm is not None and confirm != len(units_to_start(wave)):
        raise Conflict(
            _("The number of units to start has changed: look at the list again and confirm."),
            code="confirm",
        )


@transaction.atomic
def start_wave(
    *,
    wave: Wave,
    by: User,
    confirm: int | None = None,
    request: HttpRequest | None = None,
) -> int:
    """Starts the sort phase of every unit of the wave that has not started (under
    `check_start_wave`); the programme runs from then on. Returns how many units started."""
    check_start_wave(wave, confirm=confirm)
    rows = units_to_start(wave)
    sign_off = approved_wave_start(wave)
    for progress in rows:
        move_phase(progress, ProgressStatus.IN_PROGRESS, by=by, note=str(_("Wave started.")))
    Programme.objects.filter(pk=wave.programme_id, status=Programme.Status.PLANNED).update(
        status=Programme.Status.RUNNING
    )
    detail: dict[str, Any] = {"units": len(rows)}
    if sign_off is not None and wave_block(wave).blocked:
        detail["sign_off"] = sign_off.pk
    record_event(request, action="programme.wave_started", obj=wave, actor=by, detail=detail)
    return len(rows)


# --- 特批: overrides with a second sign-off --------------------------------------------------


def check_sign_off_request(reason: str) -> None:
    if len(reason.strip()) < 4:
        raise Invalid(_("Give the reason for the override."))


@transaction.atomic
def request_sign_off(
    *,
    by: User,
    reason: str,
    wave: Wave | None = None,
    progress: PhaseProgress | None = None,
    request: HttpRequest | None = None,
) -> SignOff:
    """One person asks for an override (the reason on record); asking again while one is
    pending returns that one."""
    reason = reason.strip()
    check_sign_off_request(reason)
    kind = SignOff.Kind.WAVE_START if wave is not None else SignOff.Kind.PHASE
    subject = {"wave": wave} if wave is not None else {"progress": progress}
    pending = SignOff.objects.filter(approved_by__isnull=True, **subject).first()
    if pending is not None:
        return pending
    center_id = wave.center_id if wave is not None else progress.center_id  # type: ignore[union-attr]
    try:
        with transaction.atomic():
            sign_off = SignOff.objects.create(
                center_id=center_id, kind=kind, reason=reason, requested_by=by, **subject
            )
    except IntegrityError:  # a double submit got there first
        return SignOff.objects.get(approved_by__isnull=True, **subject)
    record_event(
        request,
        action="programme.sign_off_requested",
        obj=sign_off,
        actor=by,
        detail={"kind": kind, "reason": reason, **{k: v.pk for k, v in subject.items() if v}},
    )
    return sign_off


def check_approve(sign_off: SignOff, *, by: User) -> None:
    """The second signature: a member of the leadership, not the person who asked."""
    if not by.has_role(*APPROVERS):
        raise NotAllowed(_("Only the leadership approves an override."))
    if sign_off.requested_by_id == by.pk:
        raise Conflict(
            _("Someone other than the person who asked must approve the override."),
            code="same_person",
        )
    if sign_off.is_approved:
        raise Conflict(_("This override is approved already."), code="wrong_state")
    if sign_off.progress is not None:
        check_override(sign_off.progress, reason=sign_off.reason)


@transaction.atomic
def approve_sign_off(*, sign_off: SignOff, by: User, request: HttpRequest | None = None) -> SignOff:
    """Records the second signature; a phase override is then carried out (the phase is
    accepted, the transition's note names both people)."""
    sign_off = (
        SignOff.objects.select_for_update(of=("self",))
        .select_related("progress")
        .get(pk=sign_off.pk)
    )
    check_approve(sign_off, by=by)
    sign_off.approved_by, sign_off.approved_at = by, timezone.now()
    sign_off.save(update_fields=["approved_by", "approved_at"])
    detail = {
        "kind": sign_off.kind,
        "reason": sign_off.reason,
        "requested_by": sign_off.requested_by_id,
    }
    record_event(
        request, action="programme.sign_off_approved", obj=sign_off, actor=by, detail=detail
    )
    if sign_off.progress is not None:
        _carry_out_override(sign_off, request=request)
    return sign_off


def _carry_out_override(sign_off: SignOff, *, request: HttpRequest | None) -> None:
    progress = cast(PhaseProgress, sign_off.progress)
    result = gates.evaluate_gate(progress)
    note = str(_("%(reason)s (asked by %(asker)s, approved by %(approver)s)")) % {
        "reason": sign_off.reason,
        "asker": sign_off.requested_by.display_name,
        "approver": sign_off.approved_by.display_name,  # type: ignore[union-attr]
    }
    accept_phase(progress, by=sign_off.approved_by, gate=result, note=note, is_override=True)
    record_event(
        request,
        action="programme.phase_overridden",
        obj=progress,
        actor=sign_off.approved_by,
        detail={
            "phase": progress.phase,
            "reason": sign_off.reason,
            "requested_by": sign_off.requested_by_id,
            "approved_by": sign_off.approved_by_id,
            "sign_off": sign_off.pk,
            "gate": result.as_json(),
        },
    )


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
) -> SignOff:
    """The office asks to accept a phase whose gate does not pass, with its reason; the
    phase is accepted once a different person of the leadership approves
    (`approve_sign_off`)."""
    reason = reason.strip()
    check_override(progress, reason=reason)
    if progress.version != expected_version:
        raise ConflictError
    return request_sign_off(by=by, reason=reason, progress=progress, request=request)


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
