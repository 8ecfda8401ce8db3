"""Read-side figures of the red-tag register for pages, the dashboard and the phase gate.
Each function runs a fixed number of queries, whatever the number of tags."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, Sum
from django.utils import timezone

from onsite.core.models import Center
from onsite.org.models import Unit
from onsite.redtags.models import REMOVING, Disposition, Phase, RedTag


def has_overdue_tags(unit: Unit) -> bool:
    """The sort phase's gate: True while the unit has a tag undecided past its holding time.
    One query."""
    return RedTag.objects.filter(center_id=unit.center_id, unit=unit).overdue().exists()


def _figures() -> dict[str, Any]:
    today = timezone.localdate()
    decided = Q(status=RedTag.Status.DECIDED)
    removed = decided & Q(decision__in=REMOVING)
    return {
        "tags": Count("pk", filter=~Q(status=RedTag.Status.WITHDRAWN)),
        "items": Sum("quantity", filter=~Q(status=RedTag.Status.WITHDRAWN), default=0),
        "held": Count("pk", filter=Q(status=RedTag.Status.HELD)),
        "overdue": Count("pk", filter=Q(status=RedTag.Status.HELD, hold_until__lt=today)),
        "decided": Count("pk", filter=decided),
        "removed": Sum("quantity", filter=removed, default=0),
        "returned": Sum(
            "quantity", filter=decided & Q(decision=Disposition.RETURN_TO_STORE), default=0
        ),
        "discarded": Sum("quantity", filter=decided & Q(decision=Disposition.DISCARD), default=0),
        "space": Sum("footprint", filter=removed, default=Decimal(0)),
    }


@dataclass
class Figures:
    """Tags hung (withdrawn ones not counted), items on them, decided, items removed from
    zones, items returned to the store, space freed (m²)."""

    unit: Unit | None
    phase: str
    tags: int
    items: int
    held: int
    overdue: int
    decided: int
    removed: int
    returned: int
    discarded: int
    space: Decimal

    @property
    def phase_label(self) -> str:
        return str(Phase(self.phase).label) if self.phase in Phase.values else self.phase


def figures_by_unit(*, center: Center, phase: str | None = None) -> list[Figures]:
    """Figures per unit and phase, units in their usual order. Two queries."""
    rows = RedTag.objects.for_center(center)
    if phase:
        rows = rows.filter(phase=phase)
    grouped = rows.values("unit", "phase").annotate(**_figures()).order_by()
    units = Unit.objects.in_bulk([row["unit"] for row in grouped if row["unit"]])
    figures = [
        Figures(unit=units.get(row["unit"]), phase=row["phase"], **_clean(row)) for row in grouped
    ]
    phase_order = {value: index for index, value in enumerate(Phase.values)}
    return sorted(
        figures,
        key=lambda f: (
            f.unit is None,
            (f.unit.kind, f.unit.position, f.unit.code) if f.unit else ("", 0, ""),
            phase_order.get(f.phase, 99),
        ),
    )


def totals(*, center: Center, phase: str | None = None) -> dict[str, Any]:
    """The same figures for the whole center. One query."""
    rows = RedTag.objects.for_center(center)
    if phase:
        rows = rows.filter(phase=phase)
    return _clean(rows.aggregate(**_figures()))


def _clean(row: Mapping[str, Any]) -> dict[str, Any]:
    """The figures of one aggregate row; space in m² to the centimetre (SQLite sums floats)."""
    figures = {name: row.get(name) or 0 for name in _figures()}
    figures["space"] = Decimal(figures["space"]).quantize(Decimal("0.01"))
    return figures


def sort_summary(*, center: Center) -> dict[str, Any]:
    """For the dashboard: what the sort phase (整理) removed from the zones. One query.
    Keys: tags, items, held, overdue, decided, removed, returned, discarded, space."""
    return totals(center=center, phase=Phase.SORT)
