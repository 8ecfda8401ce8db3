"""Who may do what with equipment: the role sets, declared once (the pages' decorators, the
actions' checks and the menus read them), and the access helpers of equipment and faults,
shared by the pages and the API. Another center's equipment or fault is a 404."""

from __future__ import annotations

from onsite.accounts.models import User
from onsite.core.access import may
from onsite.core.models import Center, get_for_center
from onsite.core.roles import ALL, Role
from onsite.equipment.models import Equipment, EquipmentQuerySet, FaultQuerySet, FaultReport
from onsite.org.models import Zone

READERS = tuple(ALL)
"""Everyone working in the center reads the equipment list and its faults."""
KEEPERS = (Role.ADMIN, Role.OFFICE)
"""The programme office (and the admin) keep the register, log repairs and close faults."""
REPORT_ANYWHERE = (*KEEPERS, Role.SUPERVISOR, Role.LEADER)
"""Who reports a fault of any zone's equipment; anyone else reports their own unit's."""


def may_report(user: User, zone: Zone) -> bool:
    """Anyone of the zone's unit (and its owner) reports a fault of its equipment, and so do
    the office, supervisors and leadership anywhere in the center."""
    if not may(user, READERS, write=True) or user.center_id != zone.center_id:
        return False
    if may(user, REPORT_ANYWHERE, write=True) or zone.owner_id == user.pk:
        return True
    return zone.unit_id is not None and zone.unit_id == user.unit_id


def visible_equipment(center: Center | None) -> EquipmentQuerySet:
    return Equipment.objects.filter(center=center).select_related("zone", "zone__unit")


def get_equipment(center: Center | None, pk: int) -> Equipment:
    """The access helper of one piece of equipment (404 outside the center)."""
    return get_for_center(visible_equipment(center), center, pk=pk)


def visible_faults(center: Center | None) -> FaultQuerySet:
    return FaultReport.objects.filter(center=center).select_related(
        "equipment", "zone", "zone__unit", "reported_by", "closed_by"
    )


def get_fault(center: Center | None, pk: int) -> FaultReport:
    """The access helper of one fault report (404 outside the center)."""
    return get_for_center(visible_faults(center), center, pk=pk)
