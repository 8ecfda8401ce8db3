"""Exit gates: whether a unit may leave a phase, condition by condition.

The center sets the conditions per phase (`ExitGate`); the defaults are
- **score**: the average score of the unit's zones over the last 4 weeks is at least the pass
  mark (each zone's mean over its submitted supervision and acceptance inspections, then the
  mean over the zones inspected; self-checks do not count: a unit does not pass itself);
- **no overdue rectification** on any of the unit's zones;
- **acceptance**: the unit's latest closed acceptance round of this phase accepted it;
- **red tags** (sort phase only): no red tag undecided past its holding time.

A condition is kept as (code, holds, params) so a snapshot stored at acceptance still reads in
either language."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Avg
from django.utils import timezone
from django.utils.translation import gettext as _

from onsite.inspections.models import Inspection, InspectionSettings
from onsite.org.models import Unit
from onsite.programme.models import AcceptanceRound, ExitGate, Phase, PhaseProgress, RoundUnit
from onsite.programme.results import one_place
from onsite.rectification.models import Rectification
from onsite.redtags.queries import has_overdue_tags

SCORE, NO_OVERDUE, ACCEPTANCE, RED_TAGS = "score", "no_overdue", "acceptance", "red_tags"
COUNTED_KINDS = (Inspection.Kind.SUPERVISION, Inspection.Kind.ACCEPTANCE)


@dataclass(frozen=True)
class Condition:
    code: str
    holds: bool
    params: dict[str, Any] = field(default_factory=dict)

    @property
    def label(self) -> str:
        p = self.params
        if self.code == SCORE:
            return _("Average score of the last %(weeks)s weeks at least %(min)s%%") % p
        if self.code == NO_OVERDUE:
            return _("No overdue rectification")
        if self.code == ACCEPTANCE:
            return _("Accepted in a peer acceptance round")
        if self.code == RED_TAGS:
            return _("No red tag past its holding time")
        return self.code

    @property
    def detail(self) -> str:
        p = self.params
        if self.code == SCORE:
            if p.get("average") is None:
                return _("No supervision or acceptance inspection in that time.")
            return _("%(average)s%% over %(zones)s of %(of)s zones.") % p
        if self.code == NO_OVERDUE:
            if not p.get("overdue"):
                return _("None.")
            return _("%(overdue)s overdue.") % p
        if self.code == ACCEPTANCE:
            if not p.get("round"):
                return _("No closed acceptance round of this phase yet.")
            if p.get("score") is None:
                return _("%(round)s: not enough ratings.") % p
            if self.holds:
                return _("%(round)s: accepted with %(score)s%%.") % p
            return _("%(round)s: %(score)s%%, below the pass mark.") % p
        if self.code == RED_TAGS:
            return _("None.") if self.holds else _("Some tags wait past their holding time.")
        return ""

    def as_json(self) -> dict[str, Any]:
        return {"code": self.code, "holds": self.holds, "params": self.params}


@dataclass(frozen=True)
class GateResult:
    phase: str
    conditions: tuple[Condition, ...]
    evaluated_on: datetime.date

    @property
    def passes(self) -> bool:
        return all(c.holds for c in self.conditions)

    def as_json(self) -> dict[str, Any]:
        return {
            "phase": self.phase,
            "evaluated_on": self.evaluated_on.isoformat(),
            "passes": self.passes,
            "conditions": [c.as_json() for c in self.conditions],
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> GateResult | None:
        if not data or "conditions" not in data:
            return None
        return cls(
            phase=data.get("phase", ""),
            evaluated_on=datetime.date.fromisoformat(data["evaluated_on"]),
            conditions=tuple(
                Condition(c["code"], bool(c["holds"]), dict(c.get("params") or {}))
                for c in data["conditions"]
            ),
        )


def zone_average(
    unit: Unit, *, since: datetime.date, until: datetime.date
) -> tuple[Decimal | None, int, int]:
    """(average, zones inspected, active zones): the mean over zones of each zone's mean
    score. Two queries."""
    zones = unit.zones.filter(is_active=True).count()
    per_zone = list(
        Inspection.objects.filter(
            center_id=unit.center_id,
            zone__unit=unit,
            status=Inspection.Status.SUBMITTED,
            kind__in=COUNTED_KINDS,
            inspected_on__gte=since,
            inspected_on__lte=until,
            score__isnull=False,
        )
        .values("zone")
        .annotate(mean=Avg("score"))
        .values_list("mean", flat=True)
    )
    if not per_zone:
        return None, 0, zones
    average = sum(Decimal(str(v)) for v in per_zone) / len(per_zone)
    return one_place(average), len(per_zone), zones


def latest_result(unit: Unit, *, programme_id: int, phase: str) -> RoundUnit | None:
    return (
        RoundUnit.objects.filter(
            unit=unit,
            round__programme_id=programme_id,
            round__phase=phase,
            round__status=AcceptanceRound.Status.CLOSED,
        )
        .select_related("round")
        .order_by("-round__closed_at", "-pk")
        .first()
    )


def evaluate_gate(
    progress: PhaseProgress,
    *,
    gate: ExitGate | None = None,
    pass_mark: int | None = None,
    on: datetime.date | None = None,
) -> GateResult:
    """Every enabled condition of the phase's gate for the unit, today (or `on`)."""
    today = on or timezone.localdate()
    unit = progress.unit
    gate = gate or ExitGate.for_center(progress.center_id)[progress.phase]
    conditions: list[Condition] = []
    if gate.score_required:
        if gate.min_score is not None:
            minimum = gate.min_score
        elif pass_mark is not None:
            minimum = pass_mark
        else:
            minimum = InspectionSettings.for_center(progress.center_id).pass_mark
        since = today - datetime.timedelta(weeks=gate.score_weeks) + datetime.timedelta(days=1)
        average, inspected, zones = zone_average(unit, since=since, until=today)
        conditions.append(
            Condition(
                SCORE,
                average is not None and average >= minimum,
                {
                    "weeks": gate.score_weeks,
                    "min": minimum,
                    "average": str(average) if average is not None else None,
                    "zones": inspected,
                    "of": zones,
                },
            )
        )
    if gate.no_overdue_required:
        overdue = (
            Rectification.objects.filter(center_id=unit.center_id, zone__unit=unit)
            .overdue(today)
            .count()
        )
        conditions.append(Condition(NO_OVERDUE, overdue == 0, {"overdue": overdue}))
    if gate.acceptance_required:
        result = latest_result(unit, programme_id=progress.programme_id, phase=progress.phase)
        conditions.append(
            Condition(
                ACCEPTANCE,
                bool(result and result.accepted),
                {
                    "round": result.round.name if result else None,
                    "score": str(result.score) if result and result.score is not None else None,
                },
            )
        )
    if gate.red_tags_required and progress.phase == Phase.SORT:
        conditions.append(Condition(RED_TAGS, not has_overdue_tags(unit)))
    return GateResult(phase=progress.phase, conditions=tuple(conditions), evaluated_on=today)
