"""The store's ledger machinery under every supplies action (`actions`) and the red-tag
decisions that return items to the store: repeat-safe submits, quantities, stock changes.

The stock never goes negative: a decrease is one conditional UPDATE
(`on_hand >= n` in its WHERE clause), so of two issues of the last units at the same moment
exactly one finds the units still there. Rows are always locked in the same order (the
requisition line, then supplies by id, then the audit chain), so two writers cannot deadlock."""

from __future__ import annotations

from django.db import models
from django.db.models import F
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from onsite.accounts.models import User
from onsite.core.models import Center
from onsite.core.refusals import Conflict, Invalid
from onsite.notifications.services import notify
from onsite.org.models import Unit
from onsite.supplies.access import STORE_ROLES
from onsite.supplies.models import Movement, RequisitionLine, StockCountLine, Supply, SupplyReturn

# --- helpers --------------------------------------------------------------------------


MAX_QUANTITY = 1_000_000
"""No store moves more than this at once; anything above is a typing slip."""


def check_quantity(value: object, *, allow_zero: bool = False) -> int:
    """A quantity is a whole number of at least 1 (or 0 where "none now" makes sense)."""
    least = 0 if allow_zero else 1
    if isinstance(value, int) and not isinstance(value, bool) and value > MAX_QUANTITY:
        raise Invalid(
            _("That is more than the store could ever hold; check the number."), code="quantity"
        )
    if isinstance(value, bool) or not isinstance(value, int) or value < least:
        if allow_zero:
            message = _("Enter a whole number, 0 or more.")
        else:
            message = _("Enter a quantity as a whole number of at least 1.")
        raise Invalid(message, code="quantity")
    return value


def store_keepers(center: Center) -> models.QuerySet[User]:
    return User.objects.filter(
        center=center, is_active=True, role_grants__role__in=STORE_ROLES
    ).distinct()


def change_stock(
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
            raise moved_while_counting(supply, left)
        raise Conflict(
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


def moved_while_counting(supply: Supply, now: int) -> Conflict:
    return Conflict(
        _(
            "The stock of %(name)s changed while you were counting "
            "(the books now say %(now)d). Count it again."
        )
        % {"name": supply.name, "now": now},
        code="moved",
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
