"""Who may do what with supplies: the role sets, declared once (the pages' decorators, the
actions' checks and the menus read them), and the access helpers of requisitions and units
that pages and the API share. An object out of reach is a 404, like another center's."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from onsite.accounts.models import User
from onsite.core.access import may
from onsite.core.models import Center, get_for_center
from onsite.core.refusals import NotVisible
from onsite.core.roles import ALL, MANAGERS, Role
from onsite.core.types import OnsiteRequest
from onsite.org.models import Unit
from onsite.supplies.models import Requisition, RequisitionQuerySet, Supply, SupplyReturn

STORE_ROLES = (Role.ADMIN, Role.OFFICE)
"""Who runs the center store: keeps the catalogue, receives, issues, takes returns, counts."""
APPROVER_ROLES = (Role.ADMIN, Role.OFFICE, Role.LEADER)
"""Who approves or rejects requisitions."""
READERS = tuple(ALL | {Role.VIEWER})
"""Everyone working in the center reads the stock and the red tags, and cross-center viewers
too; the auditor's remit is the audit trail (as in the main navigation)."""
REQUESTERS = tuple(ALL)
"""Who requests supplies: anyone working in the center, for their own unit (store keepers
and approvers for any unit); a person without a unit is told so. A requester cancels their
own requisition; the store cancels any."""
SEE_ALL = (*STORE_ROLES, *APPROVER_ROLES, Role.SUPERVISOR, Role.VIEWER)
"""Who reads every unit's requisitions and returns; the others read their own unit's."""
ANALYSTS = tuple(MANAGERS | {Role.VIEWER})
"""Who compares the units' consumption."""
COUNT_READERS = (*STORE_ROLES, Role.VIEWER)
"""Who reads the stock counts."""

END_ROLES: dict[str, tuple[str, ...]] = {
    Requisition.Status.REJECTED: APPROVER_ROLES,
    Requisition.Status.CLOSED: STORE_ROLES,
    Requisition.Status.CANCELLED: STORE_ROLES,
}
"""Who ends a requisition, by how it ends (besides the requester, who cancels their own)."""


NO_NUL = r"^[^\x00]*$"
"""Text fields of the API: PostgreSQL stores no NUL character, so none gets in."""


def code_of(value: str) -> str:
    """A code from a path or a query: one with a NUL character names nothing (404)."""
    if "\x00" in value:
        raise Http404
    return value


def center_of(request: OnsiteRequest) -> Center:
    """The request's center; pages guarded by role_required always have one."""
    if request.center is None:
        raise Http404
    return request.center


def is_store(user: User) -> bool:
    return may(user, STORE_ROLES, write=True)


def may_end(user: User, requisition: Requisition, to: str) -> bool:
    """Reject (approvers), close (store) or cancel (the requester or the store)."""
    if to == Requisition.Status.CANCELLED and requisition.requested_by_id == user.pk:
        return may(user, REQUESTERS, write=True)
    return may(user, END_ROLES.get(to, ()), write=True)


def visible_requisitions(user: User, center: Center | None) -> RequisitionQuerySet:
    """The requisitions this user may read: all of the center's, or their own unit's."""
    rows = Requisition.objects.filter(center=center)
    if not user.has_role(*SEE_ALL):
        rows = rows.filter(unit_id=user.unit_id) if user.unit_id else rows.none()
    return rows


def visible_returns(user: User, center: Center | None) -> QuerySet[SupplyReturn]:
    rows = SupplyReturn.objects.filter(center=center)
    if not user.has_role(*SEE_ALL):
        rows = rows.filter(unit_id=user.unit_id) if user.unit_id else rows.none()
    return rows


def get_requisition(request: OnsiteRequest, pk: int) -> Requisition:
    """The access helper of a requisition: one out of reach is a 404."""
    return get_for_center(
        visible_requisitions(request.user, request.center)
        .select_related("unit", "requested_by", "decided_by")
        .prefetch_related("lines__supply"),
        request.center,
        pk=pk,
    )


def get_supply(request: OnsiteRequest, code: str) -> Supply:
    return get_for_center(Supply.objects.all(), request.center, code=code_of(code))


def get_supplies(request: OnsiteRequest, codes: list[str]) -> dict[str, Supply]:
    """Supplies of the caller's center by code; an unknown code is a 404 that names it."""
    found = {s.code: s for s in Supply.objects.filter(center=request.center, code__in=codes)}
    missing = [code for code in codes if code not in found]
    if missing:
        raise NotVisible(_("Unknown supply: %(codes)s") % {"codes": ", ".join(missing)[:100]})
    return found


def requested_unit(request: OnsiteRequest, code: str | None) -> Unit | None:
    """The unit a requisition is for: the one named, or the caller's own."""
    units = Unit.objects.filter(center=request.center)
    if code:
        return units.filter(code=code).first()
    return units.filter(pk=request.user.unit_id).first() if request.user.unit_id else None


def requester_units(user: User, center: Center | None) -> QuerySet[Unit]:
    """Store keepers and approvers may request for any unit; others for their own."""
    units = Unit.objects.filter(center=center)
    if user.has_role(*STORE_ROLES, *APPROVER_ROLES):
        return units
    return units.filter(pk=user.unit_id) if user.unit_id else units.none()


def reads_unit_consumption(user: User, unit: Unit) -> bool:
    """A unit's own staff read its consumption; others need to be among the analysts."""
    return user.has_role(*ANALYSTS) or user.unit_id == unit.pk
