"""Read-side helpers of the equipment pages (no writes, no access decisions)."""

from __future__ import annotations

from onsite.equipment.models import Equipment, FaultReport


def with_open_fault(listed: list[Equipment]) -> list[tuple[Equipment, FaultReport | None]]:
    """Each piece of equipment with its open fault, if any. One query."""
    open_by_equipment = {
        f.equipment_id: f
        for f in FaultReport.objects.filter(equipment__in=[e.pk for e in listed]).still_open()
    }
    return [(e, open_by_equipment.get(e.pk)) for e in listed]
