"""Every write of supplies, one front door each, shared by the pages and the API.

`check_<verb>(request, …)` decides whether the caller may do it to this object now and raises
one typed refusal otherwise (`onsite.core.refusals`: NotAllowed for the role, Conflict for the
object's state, Invalid for the input); `do_<verb>(…)` does the write with its audit row and
notifications. A `do_` re-checks what it must to stay safe on its own (the state, the stock),
so the demo, the tests and the red-tag decisions may call it directly."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import F
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from onsite.accounts.models import User
from onsite.audit.services import record_event
from onsite.core.access import check_roles
from onsite.core.concurrency import ConflictError, run_once, save_versioned
from onsite.core.models import Center
from onsite.core.refusals import Conflict, Invalid, NotAllowed
from onsite.core.types import OnsiteRequest
from onsite.notifications.services import notify
from onsite.org.models import Unit
from onsite.supplies.access import (
    APPROVER_ROLES,
    END_ROLES,
    REQUESTERS,
    STORE_ROLES,
    may_end,
    requester_units,
)
from onsite.supplies.models import (
    MOVES,
    Movement,
    Requisition,
    RequisitionLine,
    RequisitionTransition,
    StockCount,
    StockCountLine,
    Supply,
    SupplyReturn,
)
from onsite.supplies.services import (
    change_stock,
    check_quantity,
    moved_while_counting,
)

# --- catalogue ------------------------------------------------------------------------

CATALOGUE_FIELDS = [
    "name",
    "category",
    "measure",
    "unit_price",
    "min_level",
    "max_level",
    "is_active",
]


def check_levels(min_level: int, max_level: int) -> None:
    if max_level and min_level > max_level:
        raise Invalid(_("The minimum level cannot be above the maximum level."), code="levels")


def check_create_supply(request: OnsiteRequest) -> Center:
    center: Center = check_roles(request, STORE_ROLES, write=True)
    return center


@transaction.atomic
def do_create_supply(
    *, center: Center, by: User, data: Mapping[str, Any], request: HttpRequest | None = None
) -> Supply:
    check_levels(data.get("min_level", 0), data.get("max_level", 0))
    if Supply.objects.filter(center=center, code=data["code"]).exists():
        raise Conflict(_("A supply with this code already exists."), code="duplicate")
    supply = Supply.objects.create(
        center=center, code=data["code"], **{k: data[k] for k in CATALOGUE_FIELDS if k in data}
    )
    record_event(request, action="supplies.supply_create", obj=supply, actor=by, center=center)
    return supply


def check_update_supply(request: OnsiteRequest, supply: Supply) -> None:
    check_roles(request, STORE_ROLES, write=True)


@transaction.atomic
def do_update_supply(
    *,
    supply: Supply,
    by: User,
    data: Mapping[str, Any],
    expected_version: int,
    request: HttpRequest | None = None,
) -> Supply:
    """Edits the catalogue entry; the stock itself is never written here."""
    fields = [name for name in CATALOGUE_FIELDS if name in data]
    for name in fields:
        setattr(supply, name, data[name])
    check_levels(supply.min_level, supply.max_level)
    save_versioned(supply, expected_version=expected_version, fields=fields)
    record_event(
        request,
        action="supplies.supply_update",
        obj=supply,
        actor=by,
        detail={name: str(data[name]) for name in fields},
    )
    return supply


# --- receipts -------------------------------------------------------------------------


def check_receive(request: OnsiteRequest, supply: Supply) -> None:
    check_roles(request, STORE_ROLES, write=True)


def _check_room(supply: Supply, amount: int) -> None:
    """The store never holds more than its maximum (定量)."""
    if not supply.max_level:
        return
    if Supply.objects.filter(pk=supply.pk, on_hand__lte=supply.max_level - amount).exists():
        return
    current = Supply.objects.values_list("on_hand", flat=True).get(pk=supply.pk)
    raise Conflict(
        _(
            "The store may hold at most %(max)d %(measure)s of %(name)s; "
            "receive at most %(room)d now."
        )
        % {
            "max": supply.max_level,
            "measure": supply.measure,
            "name": supply.name,
            "room": max(supply.max_level - current, 0),
        },
        code="above_max",
    )


def do_receive(
    *,
    supply: Supply,
    quantity: object,
    by: User,
    note: str = "",
    key: str = "",
    request: HttpRequest | None = None,
) -> Movement:
    """A delivery into the store."""
    amount = check_quantity(quantity)

    def create() -> Movement:
        _check_room(supply, amount)
        movement = change_stock(
            supply=supply, delta=amount, kind=Movement.Kind.RECEIPT, by=by, note=note
        )
        record_event(
            request,
            action="supplies.receive",
            obj=supply,
            actor=by,
            detail={"quantity": amount, "balance": movement.balance},
        )
        return movement

    return run_once(
        center=supply.center, by=by, scope="supplies.receive", key=key, model=Movement,
        create=create,
    )  # fmt: skip


# --- requisitions ---------------------------------------------------------------------


def _transition(
    requisition: Requisition, *, to: str, by: User, note: str = "", at: Any = None
) -> None:
    RequisitionTransition.objects.create(
        requisition=requisition,
        from_status=requisition.status,
        to_status=to,
        by=by,
        note=note[:200],
        at=at or timezone.now(),
    )
    requisition.status = to


def check_move(requisition: Requisition, to: str) -> None:
    """Conflict (409, `wrong_state`) unless the requisition may move to `to` now."""
    MOVES.check(
        requisition.status,
        to,
        _("This requisition is %(status)s; that cannot be done now.")
        % {"status": requisition.get_status_display()},
    )


def check_request(request: OnsiteRequest, unit: Unit | None) -> Unit:
    """A requester asks for their own unit (store keepers and approvers for any unit)."""
    center = check_roles(request, REQUESTERS, write=True)
    if unit is None or not requester_units(request.user, center).filter(pk=unit.pk).exists():
        raise NotAllowed(_("You may not request supplies for that unit."))
    return unit


def _wanted(center: Center, lines: Iterable[tuple[Supply, object]]) -> list[tuple[Supply, int]]:
    """Each supply once, of this center and active; every quantity a whole number ≥ 1."""
    wanted: list[tuple[Supply, int]] = []
    seen: set[int] = set()
    for supply, quantity in lines:
        if supply.center_id != center.pk or not supply.is_active:
            raise Invalid(_("This supply cannot be requested."), code="supply")
        if supply.pk in seen:
            raise Invalid(
                _("%(name)s is listed twice; put it on one line.") % {"name": supply.name},
                code="duplicate",
            )
        seen.add(supply.pk)
        wanted.append((supply, check_quantity(quantity)))
    if not wanted:
        raise Invalid(_("Add at least one supply to the requisition."), code="empty")
    return wanted


def do_request(
    *,
    center: Center,
    unit: Unit,
    by: User,
    lines: Iterable[tuple[Supply, object]],
    purpose: str = "",
    key: str = "",
    request: HttpRequest | None = None,
) -> Requisition:
    """A unit asks for supplies; the approvers are told."""
    wanted = _wanted(center, lines)
    if unit.center_id != center.pk:
        raise Invalid(_("Choose a unit of this center."), code="unit")

    def create() -> Requisition:
        requisition = Requisition.objects.create(
            center=center, unit=unit, requested_by=by, purpose=purpose[:200]
        )
        RequisitionLine.objects.bulk_create(
            RequisitionLine(requisition=requisition, supply=supply, requested=quantity)
            for supply, quantity in wanted
        )
        RequisitionTransition.objects.create(
            requisition=requisition, from_status="", to_status=requisition.status, by=by
        )
        record_event(
            request,
            action="supplies.requisition_submit",
            obj=requisition,
            actor=by,
            detail={"lines": {s.code: q for s, q in wanted}},
        )
        notify(
            center=center,
            users=User.objects.filter(
                center=center, is_active=True, role_grants__role__in=APPROVER_ROLES
            )
            .exclude(pk=by.pk)
            .distinct(),
            kind="supplies.requisition_submitted",
            message=gettext_noop("%(unit)s requested supplies (requisition #%(number)s)."),
            params={"unit": unit.name, "number": requisition.pk},
            url=reverse("supplies:requisition-detail", args=[requisition.pk]),
        )
        return requisition

    return run_once(
        center=center, by=by, scope="supplies.requisition", key=key, model=Requisition,
        create=create,
    )  # fmt: skip


def check_approve(request: OnsiteRequest, requisition: Requisition) -> None:
    check_roles(request, APPROVER_ROLES, write=True)
    check_move(requisition, Requisition.Status.APPROVED)


def _approved_amounts(
    lines: list[RequisitionLine], approved: Mapping[int, object] | None
) -> dict[int, int]:
    """Each line for at most what was asked (all of it unless `approved` says otherwise);
    approving nothing is a rejection, so it is refused here."""
    if set(approved or {}) - {line.pk for line in lines}:
        raise Invalid(_("That line is not on this requisition."), code="line")
    amounts: dict[int, int] = {}
    for line in lines:
        amount = check_quantity((approved or {}).get(line.pk, line.requested), allow_zero=True)
        if amount > line.requested:
            raise Invalid(
                _("%(name)s: approve at most the %(asked)d requested.")
                % {"name": line.supply.name, "asked": line.requested},
                code="above_requested",
            )
        amounts[line.pk] = amount
    if not any(amounts.values()):
        raise Invalid(_("Approve at least one supply, or reject the requisition."), code="nothing")
    return amounts


@transaction.atomic
def do_approve(
    *,
    requisition: Requisition,
    by: User,
    expected_version: int,
    approved: Mapping[int, object] | None = None,
    note: str = "",
    request: HttpRequest | None = None,
) -> Requisition:
    check_move(requisition, Requisition.Status.APPROVED)
    lines = list(requisition.lines.select_related("supply"))
    amounts = _approved_amounts(lines, approved)
    _transition(requisition, to=Requisition.Status.APPROVED, by=by, note=note)
    requisition.decided_by = by
    requisition.decided_at = timezone.now()
    requisition.decision_note = note[:200]
    save_versioned(
        requisition,
        expected_version=expected_version,
        fields=["status", "decided_by", "decided_at", "decision_note"],
    )
    for line in lines:
        line.approved = amounts[line.pk]
    RequisitionLine.objects.bulk_update(lines, ["approved"])
    record_event(
        request,
        action="supplies.requisition_approve",
        obj=requisition,
        actor=by,
        detail={"approved": {line.supply.code: line.approved for line in lines}},
    )
    notify(
        center=requisition.center,
        users=[requisition.requested_by],
        kind="supplies.requisition_approved",
        message=gettext_noop("Your requisition #%(number)s was approved."),
        params={"number": requisition.pk},
        url=reverse("supplies:requisition-detail", args=[requisition.pk]),
    )
    return requisition


def _check_end(requisition: Requisition, to: str, note: str) -> None:
    if to not in END_ROLES:
        raise Invalid(_("Unknown action."), code="action")
    check_move(requisition, to)
    if to == Requisition.Status.REJECTED and not note.strip():
        raise Invalid(_("Say why the requisition is rejected."), code="note")


def check_end(
    request: OnsiteRequest, requisition: Requisition, *, to: str, note: str | None = None
) -> None:
    """Reject (approvers), cancel (the requester or the store) or close (the store). A
    rejection says why; `note=None` asks only whether the person may end it so."""
    check_roles(request, REQUESTERS, write=True)
    if to in END_ROLES and not may_end(request.user, requisition, to):
        raise NotAllowed
    _check_end(requisition, to, note if note is not None else "-")


@transaction.atomic
def do_end(
    *,
    requisition: Requisition,
    to: str,
    by: User,
    expected_version: int,
    note: str = "",
    request: HttpRequest | None = None,
) -> Requisition:
    """Reject, cancel or close a partly issued one; a rejection tells the requester why."""
    _check_end(requisition, to, note)
    _transition(requisition, to=to, by=by, note=note)
    fields = ["status"]
    if to == Requisition.Status.REJECTED:
        requisition.decided_by = by
        requisition.decided_at = timezone.now()
        requisition.decision_note = note[:200]
        fields += ["decided_by", "decided_at", "decision_note"]
    save_versioned(requisition, expected_version=expected_version, fields=fields)
    record_event(
        request,
        action=f"supplies.requisition_{to}",
        obj=requisition,
        actor=by,
        detail={"note": note},
    )
    if to == Requisition.Status.REJECTED:
        notify(
            center=requisition.center,
            users=[requisition.requested_by],
            kind="supplies.requisition_rejected",
            message=gettext_noop("Your requisition #%(number)s was rejected: %(note)s"),
            params={"number": requisition.pk, "note": note[:200]},
            url=reverse("supplies:requisition-detail", args=[requisition.pk]),
        )
    return requisition


def check_issue(request: OnsiteRequest, requisition: Requisition) -> None:
    check_roles(request, STORE_ROLES, write=True)
    check_move(requisition, Requisition.Status.ISSUED)


def _issue_amounts(
    lines: Mapping[int, RequisitionLine], quantities: Mapping[int, object]
) -> dict[int, int]:
    """What to issue now per line (0: none of that line now), within what is outstanding."""
    amounts: dict[int, int] = {}
    for line_id, value in quantities.items():
        line = lines.get(line_id)
        if line is None:
            raise Invalid(_("That line is not on this requisition."), code="line")
        amount = check_quantity(value, allow_zero=True)
        if amount > line.outstanding:
            raise Conflict(
                _("%(name)s: at most %(left)d can still be issued on this requisition.")
                % {"name": line.supply.name, "left": line.outstanding},
                code="above_approved",
            )
        if amount:
            amounts[line_id] = amount
    if not amounts:
        raise Invalid(_("Enter how many to issue of at least one supply."), code="nothing")
    return amounts


def _hand_out(
    current: Requisition, lines: Mapping[int, RequisitionLine], amounts: dict[int, int], by: User
) -> dict[str, int]:
    """Claims each line and takes the stock. Supplies in id order: two issues touching the
    same supplies lock them alike."""
    issued: dict[str, int] = {}
    for line_id in sorted(amounts, key=lambda pk: (lines[pk].supply_id, pk)):
        line, amount = lines[line_id], amounts[line_id]
        claimed = RequisitionLine.objects.filter(
            pk=line.pk, issued__lte=F("approved") - amount
        ).update(issued=F("issued") + amount)
        if claimed != 1:
            raise ConflictError
        change_stock(
            supply=line.supply, delta=-amount, kind=Movement.Kind.ISSUE, by=by,
            unit=current.unit, line=line,
            note=_("Requisition #%(number)s") % {"number": current.pk},
        )  # fmt: skip
        issued[line.supply.code] = amount
    return issued


def do_issue(
    *,
    requisition: Requisition,
    by: User,
    quantities: Mapping[int, object],
    key: str = "",
    request: HttpRequest | None = None,
) -> Requisition:
    """The store hands out approved supplies, all or part. All lines succeed or nothing
    changes; the requester is told to collect them."""
    lines = {line.pk: line for line in requisition.lines.select_related("supply")}
    amounts = _issue_amounts(lines, quantities)

    def create() -> Requisition:
        current = Requisition.objects.get(pk=requisition.pk)
        check_move(current, Requisition.Status.ISSUED)
        issued = _hand_out(current, lines, amounts, by)
        complete = not any(
            line.issued < (line.approved or 0)
            for line in RequisitionLine.objects.filter(requisition=current)
        )
        target = Requisition.Status.ISSUED if complete else Requisition.Status.PARTLY_ISSUED
        if target != current.status:
            _transition(current, to=target, by=by)
        Requisition.objects.filter(pk=current.pk).update(
            status=current.status, version=F("version") + 1
        )
        current.refresh_from_db()
        record_event(
            request,
            action="supplies.issue",
            obj=current,
            actor=by,
            detail={"issued": issued, "status": current.status},
        )
        notify(
            center=current.center,
            users=[current.requested_by],
            kind="supplies.issued",
            message=gettext_noop("Supplies of requisition #%(number)s are ready to collect."),
            params={"number": current.pk},
            url=reverse("supplies:requisition-detail", args=[current.pk]),
        )
        return current

    return run_once(
        center=requisition.center, by=by, scope="supplies.issue", key=key, model=Requisition,
        create=create,
    )  # fmt: skip


# --- returns --------------------------------------------------------------------------


def check_return(request: OnsiteRequest) -> Center:
    center: Center = check_roles(request, STORE_ROLES, write=True)
    return center


def do_return(
    *,
    center: Center,
    supply: Supply,
    quantity: object,
    by: User,
    unit: Unit | None = None,
    source: str = SupplyReturn.Source.UNUSED,
    note: str = "",
    key: str = "",
    request: HttpRequest | None = None,
) -> SupplyReturn:
    """Supplies come back to the store: the stock grows and the unit's consumption shrinks.
    A return may take the store above its maximum: refusing it would not make it vanish."""
    amount = check_quantity(quantity)
    if supply.center_id != center.pk or (unit is not None and unit.center_id != center.pk):
        raise Invalid(_("Choose a supply and a unit of this center."), code="center")

    def create() -> SupplyReturn:
        supply_return = SupplyReturn.objects.create(
            center=center, supply=supply, unit=unit, quantity=amount, source=source,
            note=note[:200], returned_by=by,
        )  # fmt: skip
        change_stock(
            supply=supply, delta=amount, kind=Movement.Kind.RETURN, by=by, unit=unit,
            supply_return=supply_return, note=note,
        )  # fmt: skip
        record_event(
            request,
            action="supplies.return",
            obj=supply_return,
            actor=by,
            detail={"supply": supply.code, "quantity": amount, "source": source},
        )
        return supply_return

    return run_once(
        center=center, by=by, scope="supplies.return", key=key, model=SupplyReturn,
        create=create,
    )  # fmt: skip


# --- stock counts ---------------------------------------------------------------------


@dataclass(frozen=True)
class CountRow:
    supply: Supply
    expected: int
    """What the books said when the counter started (from the form they filled in)."""
    counted: object
    explanation: str = ""


def check_count(request: OnsiteRequest) -> Center:
    center: Center = check_roles(request, STORE_ROLES, write=True)
    return center


def _checked_rows(center: Center, rows: Iterable[CountRow]) -> list[tuple[CountRow, int]]:
    """Every difference needs an explanation."""
    checked: list[tuple[CountRow, int]] = []
    for row in rows:
        if row.supply.center_id != center.pk:
            raise Invalid(_("Choose a supply of this center."), code="center")
        counted = check_quantity(row.counted, allow_zero=True)
        if counted != row.expected and not row.explanation.strip():
            raise Invalid(
                _("%(name)s: explain the difference of %(difference)+d.")
                % {"name": row.supply.name, "difference": counted - row.expected},
                code="unexplained",
            )
        checked.append((row, counted))
    if not checked:
        raise Invalid(_("Count at least one supply."), code="empty")
    return checked


def _count_line(count: StockCount, row: CountRow, counted: int, by: User) -> int:
    """Writes one line; returns the difference booked (a supply whose stock moved while it
    was being counted must be counted again)."""
    supply = row.supply
    line = StockCountLine.objects.create(
        count=count, supply=supply, expected=row.expected, counted=counted,
        explanation=row.explanation.strip()[:200],
    )  # fmt: skip
    if counted != row.expected:
        change_stock(
            supply=supply, delta=counted - row.expected, kind=Movement.Kind.COUNT, by=by,
            count_line=line, note=line.explanation, only_if=row.expected,
        )  # fmt: skip
    elif not Supply.objects.filter(pk=supply.pk, on_hand=row.expected).exists():
        now = Supply.objects.values_list("on_hand", flat=True).get(pk=supply.pk)
        raise moved_while_counting(supply, now)
    return counted - row.expected


def do_count(
    *,
    center: Center,
    by: User,
    rows: Iterable[CountRow],
    note: str = "",
    key: str = "",
    request: HttpRequest | None = None,
) -> StockCount:
    """Sets the books to what was counted."""
    checked = _checked_rows(center, rows)

    def create() -> StockCount:
        count = StockCount.objects.create(center=center, counted_by=by, note=note[:200])
        differences: dict[str, int] = {}
        for row, counted in sorted(checked, key=lambda pair: pair[0].supply.pk):
            if difference := _count_line(count, row, counted, by):
                differences[row.supply.code] = difference
        record_event(
            request,
            action="supplies.count",
            obj=count,
            actor=by,
            center=center,
            detail={"differences": differences},
        )
        return count

    return run_once(
        center=center, by=by, scope="supplies.count", key=key, model=StockCount, create=create
    )
