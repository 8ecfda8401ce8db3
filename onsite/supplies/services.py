"""Every change to supplies and the store's stock, shared by the pages and the API.

The stock never goes negative: a decrease is one conditional UPDATE
(`on_hand >= n` in its WHERE clause), so of two issues of the last units at the same moment
exactly one finds the units still there. Rows are always locked in the same order (the
requisition line, then supplies by id, then the audit chain), so two writers cannot deadlock."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import F
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from onsite.accounts.models import User
from onsite.audit.services import record_event
from onsite.core.concurrency import (
    ConflictError,
    claim_submission,
    existing_submission,
    save_versioned,
)
from onsite.core.models import Center
from onsite.notifications.services import notify
from onsite.org.models import Unit
from onsite.supplies.access import APPROVER_ROLES, STORE_ROLES
from onsite.supplies.models import (
    Movement,
    Requisition,
    RequisitionLine,
    RequisitionTransition,
    StockCount,
    StockCountLine,
    Supply,
    SupplyReturn,
)

_M = TypeVar("_M", bound=models.Model)


# --- helpers --------------------------------------------------------------------------


class _RepeatedSubmitError(Exception):
    def __init__(self, object_id: str) -> None:
        super().__init__(object_id)
        self.object_id = object_id


def run_once(
    *,
    center: Center,
    by: User,
    scope: str,
    key: str,
    model: type[_M],
    create: Callable[[], _M],
) -> _M:
    """Runs `create` in a transaction unless `key` was used before for `scope`; a repeated
    submit (double click, retried request) gets the first result and changes nothing."""
    if key:
        first = existing_submission(user=by, scope=scope, key=key)
        if first is not None:
            return model._default_manager.get(pk=first)
    try:
        with transaction.atomic():
            obj = create()
            if key:
                first = claim_submission(
                    center=center, user=by, scope=scope, key=key, object_id=str(obj.pk)
                )
                if first != str(obj.pk):
                    raise _RepeatedSubmitError(
                        first
                    )  # roll back this copy, answer with the first one
            return obj
    except _RepeatedSubmitError as repeat:
        return model._default_manager.get(pk=repeat.object_id)


MAX_QUANTITY = 1_000_000
"""No store moves more than this at once; anything above is a typing slip."""


def check_quantity(value: object, *, allow_zero: bool = False) -> int:
    """A quantity is a whole number of at least 1 (or 0 where "none now" makes sense)."""
    least = 0 if allow_zero else 1
    if isinstance(value, int) and not isinstance(value, bool) and value > MAX_QUANTITY:
        raise ValidationError(
            _("That is more than the store could ever hold; check the number."), code="quantity"
        )
    if isinstance(value, bool) or not isinstance(value, int) or value < least:
        if allow_zero:
            message = _("Enter a whole number, 0 or more.")
        else:
            message = _("Enter a quantity as a whole number of at least 1.")
        raise ValidationError(message, code="quantity")
    return value


def store_keepers(center: Center) -> models.QuerySet[User]:
    return User.objects.filter(
        center=center, is_active=True, role_grants__role__in=STORE_ROLES
    ).distinct()


def _change_stock(
    *,
    supply: Supply,
    delta: int,
    kind: str,
    by: User,
    unit: Unit | None = None,
    line: RequisitionLine | None = None,
    supply_return: SupplyReturn | None = None,
    count_line: StockCountLine | None = None,
    note: str = "",
    only_if: int | None = None,
) -> Movement:
    """Moves stock by `delta` with one conditional UPDATE and writes the ledger row.
    `only_if` applies the change only while the books still show that stock."""
    rows = Supply.objects.filter(pk=supply.pk, center=supply.center_id)
    if only_if is not None:
        rows = rows.filter(on_hand=only_if)
    elif delta < 0:
        rows = rows.filter(on_hand__gte=-delta)
    if rows.update(on_hand=F("on_hand") + delta) != 1:
        left = Supply.objects.values_list("on_hand", flat=True).get(pk=supply.pk)
        if only_if is not None:
            raise ValidationError(
                _(
                    "The stock of %(name)s changed while you were counting "
                    "(the books now say %(now)d). Count it again."
                )
                % {"name": supply.name, "now": left},
                code="moved",
            )
        raise ValidationError(
            _(
                "Only %(left)d %(measure)s of %(name)s are left in the store; "
                "%(wanted)d cannot be issued. Nothing was changed."
            )
            % {"left": left, "measure": supply.measure, "name": supply.name, "wanted": -delta},
            code="not_enough_stock",
        )
    balance = Supply.objects.values_list("on_hand", flat=True).get(pk=supply.pk)
    before = balance - delta
    supply.on_hand = balance
    if supply.min_level and balance < supply.min_level <= before:
        _alert_low_stock(supply)
    return Movement.objects.create(
        center_id=supply.center_id,
        supply=supply,
        kind=kind,
        quantity=delta,
        balance=balance,
        unit_price=supply.unit_price,
        unit=unit,
        line=line,
        supply_return=supply_return,
        count_line=count_line,
        by=by,
        note=note[:200],
    )


def _alert_low_stock(supply: Supply) -> None:
    """Told once, when the stock falls below its minimum (not on every later issue)."""
    notify(
        center=supply.center,
        users=store_keepers(supply.center),
        kind="supplies.low_stock",
        message=gettext_noop(
            "Low stock: %(name)s is down to %(left)s %(measure)s (minimum %(minimum)s)."
        ),
        params={
            "name": supply.name,
            "left": supply.on_hand,
            "measure": supply.measure,
            "minimum": supply.min_level,
        },
        url=reverse("supplies:supply-detail", args=[supply.code]),
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


def _check_levels(min_level: int, max_level: int) -> None:
    if max_level and min_level > max_level:
        raise ValidationError(
            _("The minimum level cannot be above the maximum level."), code="levels"
        )


@transaction.atomic
def create_supply(
    *, center: Center, by: User, data: Mapping[str, Any], request: HttpRequest | None = None
) -> Supply:
    _check_levels(data.get("min_level", 0), data.get("max_level", 0))
    if Supply.objects.filter(center=center, code=data["code"]).exists():
        raise ValidationError(_("A supply with this code already exists."), code="duplicate")
    supply = Supply.objects.create(
        center=center, code=data["code"], **{k: data[k] for k in CATALOGUE_FIELDS if k in data}
    )
    record_event(request, action="supplies.supply_create", obj=supply, actor=by, center=center)
    return supply


@transaction.atomic
def update_supply(
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
    _check_levels(supply.min_level, supply.max_level)
    save_versioned(supply, expected_version=expected_version, fields=fields)
    record_event(
        request,
        action="supplies.supply_update",
        obj=supply,
        actor=by,
        detail={name: str(data[name]) for name in fields},
    )
    return supply


def receive_stock(
    *,
    supply: Supply,
    quantity: object,
    by: User,
    note: str = "",
    key: str = "",
    request: HttpRequest | None = None,
) -> Movement:
    """A delivery into the store. The store never holds more than its maximum (定量)."""
    amount = check_quantity(quantity)

    def create() -> Movement:
        if supply.max_level:
            room = Supply.objects.filter(
                pk=supply.pk, on_hand__lte=supply.max_level - amount
            ).exists()
            if not room:
                current = Supply.objects.values_list("on_hand", flat=True).get(pk=supply.pk)
                raise ValidationError(
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
        movement = _change_stock(
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
        center=supply.center,
        by=by,
        scope="supplies.receive",
        key=key,
        model=Movement,
        create=create,
    )


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


def submit_requisition(
    *,
    center: Center,
    unit: Unit,
    by: User,
    lines: Iterable[tuple[Supply, object]],
    purpose: str = "",
    key: str = "",
    request: HttpRequest | None = None,
) -> Requisition:
    """A unit asks for supplies. Each supply once; every quantity a whole number ≥ 1."""
    wanted: list[tuple[Supply, int]] = []
    seen: set[int] = set()
    for supply, quantity in lines:
        if supply.center_id != center.pk or not supply.is_active:
            raise ValidationError(_("This supply cannot be requested."), code="supply")
        if supply.pk in seen:
            raise ValidationError(
                _("%(name)s is listed twice; put it on one line.") % {"name": supply.name},
                code="duplicate",
            )
        seen.add(supply.pk)
        wanted.append((supply, check_quantity(quantity)))
    if not wanted:
        raise ValidationError(_("Add at least one supply to the requisition."), code="empty")
    if unit.center_id != center.pk:
        raise ValidationError(_("Choose a unit of this center."), code="unit")

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
        center=center,
        by=by,
        scope="supplies.requisition",
        key=key,
        model=Requisition,
        create=create,
    )


def _check_move(requisition: Requisition, allowed: bool) -> None:
    if not allowed:
        raise ValidationError(
            _("This requisition is %(status)s; that cannot be done now.")
            % {"status": requisition.get_status_display()},
            code="status",
        )


@transaction.atomic
def approve_requisition(
    *,
    requisition: Requisition,
    by: User,
    expected_version: int,
    approved: Mapping[int, object] | None = None,
    note: str = "",
    request: HttpRequest | None = None,
) -> Requisition:
    """Approves each line for at most what was asked (all of it unless `approved` says
    otherwise, keyed by line id). Approving nothing is a rejection, so it is refused here."""
    _check_move(requisition, requisition.can_approve)
    lines = list(requisition.lines.select_related("supply"))
    if set(approved or {}) - {line.pk for line in lines}:
        raise ValidationError(_("That line is not on this requisition."), code="line")
    amounts: dict[int, int] = {}
    for line in lines:
        value = (approved or {}).get(line.pk, line.requested)
        amount = check_quantity(value, allow_zero=True)
        if amount > line.requested:
            raise ValidationError(
                _("%(name)s: approve at most the %(asked)d requested.")
                % {"name": line.supply.name, "asked": line.requested},
                code="above_requested",
            )
        amounts[line.pk] = amount
    if not any(amounts.values()):
        raise ValidationError(
            _("Approve at least one supply, or reject the requisition."), code="nothing"
        )
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


@transaction.atomic
def end_requisition(
    *,
    requisition: Requisition,
    to: str,
    by: User,
    expected_version: int,
    note: str = "",
    request: HttpRequest | None = None,
) -> Requisition:
    """Reject (approver), cancel (requester) or close a partly issued one (store)."""
    allowed: dict[str, bool] = {
        Requisition.Status.REJECTED: requisition.can_approve,
        Requisition.Status.CANCELLED: requisition.can_cancel,
        Requisition.Status.CLOSED: requisition.can_close,
    }
    if to not in allowed:
        raise ValidationError(_("Unknown action."), code="action")
    _check_move(requisition, allowed[to])
    if to == Requisition.Status.REJECTED and not note.strip():
        raise ValidationError(_("Say why the requisition is rejected."), code="note")
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


def issue_requisition(
    *,
    requisition: Requisition,
    by: User,
    quantities: Mapping[int, object],
    key: str = "",
    request: HttpRequest | None = None,
) -> Requisition:
    """The store hands out approved supplies, all or part (`quantities` by line id; 0 means
    none of that line now). All lines succeed or nothing changes."""
    lines = {line.pk: line for line in requisition.lines.select_related("supply")}
    amounts: dict[int, int] = {}
    for line_id, value in quantities.items():
        line = lines.get(line_id)
        if line is None:
            raise ValidationError(_("That line is not on this requisition."), code="line")
        amount = check_quantity(value, allow_zero=True)
        if amount > line.outstanding:
            raise ValidationError(
                _("%(name)s: at most %(left)d can still be issued on this requisition.")
                % {"name": line.supply.name, "left": line.outstanding},
                code="above_approved",
            )
        if amount:
            amounts[line_id] = amount
    if not amounts:
        raise ValidationError(_("Enter how many to issue of at least one supply."), code="nothing")

    def create() -> Requisition:
        current = Requisition.objects.get(pk=requisition.pk)
        _check_move(current, current.can_issue)
        issued: dict[str, int] = {}
        # Supplies in id order: two issues touching the same supplies lock them alike.
        for line_id in sorted(amounts, key=lambda pk: (lines[pk].supply_id, pk)):
            line, amount = lines[line_id], amounts[line_id]
            claimed = RequisitionLine.objects.filter(
                pk=line.pk, issued__lte=F("approved") - amount
            ).update(issued=F("issued") + amount)
            if claimed != 1:
                raise ValidationError(str(ConflictError.message), code="conflict")
            _change_stock(
                supply=line.supply,
                delta=-amount,
                kind=Movement.Kind.ISSUE,
                by=by,
                unit=current.unit,
                line=line,
                note=_("Requisition #%(number)s") % {"number": current.pk},
            )
            issued[line.supply.code] = amount
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
        center=requisition.center,
        by=by,
        scope="supplies.issue",
        key=key,
        model=Requisition,
        create=create,
    )


# --- returns --------------------------------------------------------------------------


def record_return(
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
        raise ValidationError(_("Choose a supply and a unit of this center."), code="center")

    def create() -> SupplyReturn:
        supply_return = SupplyReturn.objects.create(
            center=center,
            supply=supply,
            unit=unit,
            quantity=amount,
            source=source,
            note=note[:200],
            returned_by=by,
        )
        _change_stock(
            supply=supply,
            delta=amount,
            kind=Movement.Kind.RETURN,
            by=by,
            unit=unit,
            supply_return=supply_return,
            note=note,
        )
        record_event(
            request,
            action="supplies.return",
            obj=supply_return,
            actor=by,
            detail={"supply": supply.code, "quantity": amount, "source": source},
        )
        return supply_return

    return run_once(
        center=center,
        by=by,
        scope="supplies.return",
        key=key,
        model=SupplyReturn,
        create=create,
    )


# --- stock counts ---------------------------------------------------------------------


@dataclass(frozen=True)
class CountRow:
    supply: Supply
    expected: int
    """What the books said when the counter started (from the form they filled in)."""
    counted: object
    explanation: str = ""


def record_count(
    *,
    center: Center,
    by: User,
    rows: Iterable[CountRow],
    note: str = "",
    key: str = "",
    request: HttpRequest | None = None,
) -> StockCount:
    """Sets the books to what was counted. Every difference needs an explanation, and a
    supply whose stock moved while it was being counted must be counted again."""
    checked: list[tuple[CountRow, int]] = []
    for row in rows:
        if row.supply.center_id != center.pk:
            raise ValidationError(_("Choose a supply of this center."), code="center")
        counted = check_quantity(row.counted, allow_zero=True)
        if counted != row.expected and not row.explanation.strip():
            raise ValidationError(
                _("%(name)s: explain the difference of %(difference)+d.")
                % {"name": row.supply.name, "difference": counted - row.expected},
                code="unexplained",
            )
        checked.append((row, counted))
    if not checked:
        raise ValidationError(_("Count at least one supply."), code="empty")

    def create() -> StockCount:
        count = StockCount.objects.create(center=center, counted_by=by, note=note[:200])
        differences: dict[str, int] = {}
        for row, counted in sorted(checked, key=lambda pair: pair[0].supply.pk):
            supply = row.supply
            line = StockCountLine.objects.create(
                count=count,
                supply=supply,
                expected=row.expected,
                counted=counted,
                explanation=row.explanation.strip()[:200],
            )
            if counted != row.expected:
                _change_stock(
                    supply=supply,
                    delta=counted - row.expected,
                    kind=Movement.Kind.COUNT,
                    by=by,
                    count_line=line,
                    note=line.explanation,
                    only_if=row.expected,
                )
                differences[supply.code] = counted - row.expected
            elif not Supply.objects.filter(pk=supply.pk, on_hand=row.expected).exists():
                now = Supply.objects.values_list("on_hand", flat=True).get(pk=supply.pk)
                raise ValidationError(
                    _(
                        "The stock of %(name)s changed while you were counting "
                        "(the books now say %(now)d). Count it again."
                    )
                    % {"name": supply.name, "now": now},
                    code="moved",
                )
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
