"""The programme and its waves: planned dates and the units of each wave."""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from typing import Any

from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from onsite.accounts.models import User
from onsite.audit.services import record_event
from onsite.core.concurrency import (
    claim_submission,
    existing_submission,
    save_versioned,
)
from onsite.core.models import Center
from onsite.core.refusals import Conflict, Invalid
from onsite.org.models import Unit
from onsite.programme.models import (
    PHASES,
    Phase,
    PhaseProgress,
    Programme,
    Wave,
    WavePhase,
    WaveUnit,
)
from onsite.programme.services.common import (
    EARLIEST,
    LATEST,
    PLANNED_PHASES,
)

# --- programme and waves -------------------------------------------------------------------


def split_dates(
    start: datetime.date, end: datetime.date, parts: int
) -> list[tuple[datetime.date, datetime.date]]:
    """`parts` consecutive spans covering start..end (inclusive), as even as days allow."""
    days = (end - start).days + 1
    spans = []
    for i in range(parts):
        first = start + datetime.timedelta(days=days * i // parts)
        last = start + datetime.timedelta(days=max(days * (i + 1) // parts - 1, days * i // parts))
        spans.append((first, min(last, end)))
    return spans


CREATE_SCOPE = "programme.create"


def check_dates(*days: datetime.date | None) -> None:
    """Programme dates are real planning dates: between EARLIEST and LATEST."""
    if any(d is not None and not EARLIEST <= d <= LATEST for d in days):
        raise Invalid(
            _("Dates must lie between %(first)s and %(last)s.")
            % {"first": EARLIEST.isoformat(), "last": LATEST.isoformat()}
        )


@transaction.atomic
def create_programme(
    *,
    center: Center,
    by: User,
    name: str,
    starts_on: datetime.date,
    ends_on: datetime.date | None = None,
    note: str = "",
    submission_key: str = "",
    request: HttpRequest | None = None,
) -> Programme:
    """A programme with its two waves: the pilot (first third of the time) and the rollout,
    each with its four phases planned evenly. The office then picks the pilot units. A
    repeated submission key returns the programme the first submit made."""
    if submission_key:
        first = existing_submission(user=by, scope=CREATE_SCOPE, key=submission_key)
        if first is not None:
            return Programme.objects.get(pk=first)
    name = name.strip()
    if not name:
        raise Invalid(_("Give the programme a name."))
    check_dates(starts_on, ends_on)
    if ends_on is not None and ends_on < starts_on:
        raise Invalid(_("The end must not be before the start."))
    if Programme.objects.filter(center=center, name=name).exists():
        raise Conflict(_("A programme of that name exists already."), code="name_taken")
    end = ends_on or starts_on + datetime.timedelta(days=364)
    try:
        with transaction.atomic():
            programme = Programme.objects.create(
                center=center, name=name, starts_on=starts_on, ends_on=ends_on, note=note
            )
    except IntegrityError as exc:  # a concurrent submit with the same name
        raise Conflict(_("A programme of that name exists already."), code="name_taken") from exc
    if submission_key:
        claim_submission(
            center=center,
            user=by,
            scope=CREATE_SCOPE,
            key=submission_key,
            object_id=str(programme.pk),
        )
    (pilot_span, rollout_span) = [
        split_dates(starts_on, end, 3)[0],
        (split_dates(starts_on, end, 3)[1][0], end),
    ]
    for position, (kind, label, span) in enumerate(
        [
            (Wave.Kind.PILOT, _("Pilot"), pilot_span),
            (Wave.Kind.ROLLOUT, _("Rollout"), rollout_span),
        ]
    ):
        wave = Wave.objects.create(
            center=center,
            programme=programme,
            kind=kind,
            name=str(label),
            position=position,
            planned_start=span[0],
            planned_end=span[1],
        )
        _plan_phases(wave, evenly=True)
    record_event(
        request,
        action="programme.created",
        obj=programme,
        actor=by,
        center=center,
        detail={"name": name, "starts_on": starts_on.isoformat()},
    )
    return programme


def _plan_phases(
    wave: Wave,
    *,
    evenly: bool = False,
    dates: dict[str, tuple[datetime.date, datetime.date]] | None = None,
) -> None:
    spans = dict(
        zip(PLANNED_PHASES, split_dates(wave.planned_start, wave.planned_end, 4), strict=True)
    )
    if not evenly and dates:
        spans.update(dates)
    for phase, (start, end) in spans.items():
        if end < start:
            raise Invalid(
                _("%(phase)s: the planned end must not be before its start.")
                % {"phase": Phase(phase).label}
            )
        WavePhase.objects.update_or_create(
            wave=wave,
            phase=phase,
            defaults={"center_id": wave.center_id, "planned_start": start, "planned_end": end},
        )


@transaction.atomic
def update_programme(
    *,
    programme: Programme,
    by: User,
    data: dict[str, Any],
    expected_version: int,
    request: HttpRequest | None = None,
) -> Programme:
    names = ["name", "starts_on", "ends_on", "status", "note"]
    for name in names:
        setattr(programme, name, data[name])
    check_dates(programme.starts_on, programme.ends_on)
    if programme.ends_on is not None and programme.ends_on < programme.starts_on:
        raise Invalid(_("The end must not be before the start."))
    clash = Programme.objects.filter(center_id=programme.center_id, name=programme.name)
    if clash.exclude(pk=programme.pk).exists():
        raise Conflict(_("A programme of that name exists already."), code="name_taken")
    save_versioned(programme, expected_version=expected_version, fields=names)
    record_event(
        request,
        action="programme.changed",
        obj=programme,
        actor=by,
        detail={"status": programme.status, "name": programme.name},
    )
    return programme


def _enrol(programme: Programme, wave: Wave, units: Iterable[Unit]) -> list[Unit]:
    """Puts units in the wave (moving them out of another wave of the programme) and gives
    each its phase rows. Returns the units newly in this wave."""
    units = list(units)
    current = dict(
        WaveUnit.objects.filter(programme=programme, unit__in=units).values_list(
            "unit_id", "wave_id"
        )
    )
    added = [u for u in units if current.get(u.pk) != wave.pk]
    for unit in added:
        WaveUnit.objects.update_or_create(
            programme=programme,
            unit=unit,
            defaults={"center_id": programme.center_id, "wave": wave},
        )
    have = set(
        PhaseProgress.objects.filter(programme=programme, unit__in=units).values_list(
            "unit_id", "phase"
        )
    )
    PhaseProgress.objects.bulk_create(
        PhaseProgress(center_id=programme.center_id, programme=programme, unit=u, phase=p)
        for u in units
        for p in PHASES
        if (u.pk, p) not in have
    )
    return added


@transaction.atomic
def update_wave(
    *,
    wave: Wave,
    by: User,
    name: str,
    planned_start: datetime.date,
    planned_end: datetime.date,
    units: Sequence[Unit],
    phase_dates: dict[str, tuple[datetime.date, datetime.date]] | None = None,
    expected_version: int,
    request: HttpRequest | None = None,
) -> Wave:
    check_dates(
        planned_start, planned_end, *(d for span in (phase_dates or {}).values() for d in span)
    )
    if planned_end < planned_start:
        raise Invalid(_("The end must not be before the start."))
    if Wave.objects.filter(programme_id=wave.programme_id, name=name).exclude(pk=wave.pk).exists():
        raise Conflict(_("Another wave of this programme has that name."), code="name_taken")
    wave.name, wave.planned_start, wave.planned_end = name, planned_start, planned_end
    save_versioned(
        wave, expected_version=expected_version, fields=["name", "planned_start", "planned_end"]
    )
    _plan_phases(wave, dates=phase_dates)
    programme = wave.programme
    chosen = {u.pk for u in units}
    leaving = list(
        WaveUnit.objects.filter(wave=wave)
        .exclude(unit_id__in=chosen)
        .values_list("unit__code", flat=True)
    )
    WaveUnit.objects.filter(wave=wave).exclude(unit_id__in=chosen).delete()
    added = _enrol(programme, wave, units)
    record_event(
        request,
        action="programme.wave_changed",
        obj=wave,
        actor=by,
        detail={"added": [u.code for u in added], "removed": leaving},
    )
    return wave
