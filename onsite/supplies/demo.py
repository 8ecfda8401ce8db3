"""Demo supplies: the center store's catalogue with min/max levels, and three months of
requisitions from every unit, issued from the store (with receipts to refill it), a few
returns, a stock count with an explained difference, some requisitions still open, and one
wasteful window that uses about four times what its peers use per head.

Keyed by supply codes; the history is written once (a second run finds it and stops)."""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from decimal import Decimal
from functools import partial
from itertools import pairwise

from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from onsite.accounts.models import User
from onsite.core.models import Center
from onsite.org.models import Unit
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

# code, name, category, measure, price, min, max, monthly use per head (on average)
CATALOGUE = [
    ("a4-paper", "A4复印纸", "paper", "包", "25.00", 40, 300, 0.9),
    ("toner", "硒鼓", "toner", "个", "380.00", 6, 40, 0.08),
    ("pen", "签字笔", "stationery", "支", "2.00", 100, 800, 2.0),
    ("ink-pad", "印泥", "ink_pad", "盒", "15.00", 10, 80, 0.1),
    ("staples", "订书钉", "stationery", "盒", "3.00", 30, 200, 0.3),
    ("envelope", "档案袋", "stationery", "个", "1.00", 200, 2000, 5.0),
    ("guide", "办事指南", "brochure", "份", "0.50", 300, 3000, 8.0),
    ("form", "申请表格", "form", "份", "0.20", 500, 5000, 15.0),
    ("sticky", "便利贴", "stationery", "本", "4.00", 30, 200, 0.4),
    ("wipes", "清洁湿巾", "cleaning", "包", "8.00", 20, 150, 0.3),
]
WASTEFUL_UNIT = "w08"
"""The outlier of the demo: 税务窗口 takes about four times its peers' supplies per head."""
MARK = "[demo]"
DAYS = 90


def seed(center: Center) -> None:
    supplies = _catalogue(center)
    if Requisition.objects.filter(center=center, purpose__startswith=MARK).exists():
        return
    _history(center, supplies)


def _catalogue(center: Center) -> dict[str, Supply]:
    supplies = {}
    for code, name, category, measure, price, low, high, _use in CATALOGUE:
        supplies[code], _created = Supply.objects.get_or_create(
            center=center,
            code=code,
            defaults={"name": name, "category": category, "measure": measure,
                      "unit_price": Decimal(price), "min_level": low, "max_level": high},
        )  # fmt: skip
    return supplies


@transaction.atomic
def _history(center: Center, supplies: dict[str, Supply]) -> None:
    rng = random.Random(f"onsite-supplies-{center.code}")  # noqa: S311 - reproducible demo
    store = User.objects.filter(username=f"{center.code}-admin").first()
    approver = User.objects.filter(username=f"{center.code}-deputy1").first()
    if store is None or approver is None:
        return
    units = list(
        Unit.objects.filter(center=center)
        .annotate(headcount=Count("staff", filter=Q(staff__is_active=True)))
        .order_by("kind", "position")
    )
    requesters = {
        unit.pk: User.objects.filter(unit=unit, is_active=True).order_by("username").first()
        for unit in units
    }
    now = timezone.now()
    start = now - timedelta(days=DAYS)
    stock = {code: supply.max_level for code, supply in supplies.items()}
    movements: list[Movement] = []

    def move(supply: Supply, delta: int, kind: str, at: datetime, **extra: object) -> Movement:
        stock[supply.code] += delta
        movement = Movement(center=center, supply=supply, kind=kind, quantity=delta,
                            balance=stock[supply.code], unit_price=supply.unit_price,
                            by=store, at=at, **extra)  # fmt: skip
        movements.append(movement)
        return movement

    for supply in supplies.values():
        stock[supply.code] = 0
        move(supply, supply.max_level, Movement.Kind.RECEIPT, start - timedelta(days=1),
             note="期初入库")  # fmt: skip

    # Every event in time order, so each ledger balance is the stock at that moment.
    events: list[tuple[datetime, int, Callable[[datetime], None]]] = []

    def at_time(at: datetime, action: Callable[[datetime], None]) -> None:
        events.append((at, len(events), action))

    owed: dict[tuple[int, str], float] = {}
    for unit in units:  # two requisitions a month per unit
        factor = 4.0 if unit.code == WASTEFUL_UNIT else rng.uniform(0.8, 1.2)
        for slot in range(6):
            day = slot * 15 + rng.randint(0, 12)
            at = start + timedelta(days=day, hours=rng.randint(1, 8))
            if at < now - timedelta(days=1) and requesters.get(unit.pk) is not None:
                at_time(at, partial(_routine, center, supplies, unit, requesters[unit.pk],
                                    approver, store, factor, owed, stock, move))  # fmt: skip
    _returns(center, supplies, units, store, now, move, at_time)
    _open_requisitions(
        center, supplies, units, requesters, approver, store, now, stock, move, at_time
    )
    at_time(now - timedelta(days=7), partial(_count, center, supplies, store, stock, move))
    at_time(now - timedelta(hours=2), partial(_spot_count, center, supplies, store, stock, move))
    for at, _order, action in sorted(events, key=lambda event: (event[0], event[1])):
        action(at)
    Movement.objects.bulk_create(movements)
    for code, supply in supplies.items():
        Supply.objects.filter(pk=supply.pk).update(on_hand=stock[code])


def _routine(  # type: ignore[no-untyped-def]
    center, supplies, unit, requester, approver, store, factor, owed, stock, move, at
) -> None:
    """One routine requisition for half a month's needs, approved and issued the same day.
    Needs below one piece carry over, so what a unit takes follows its headcount."""
    headcount = max(unit.headcount, 1)
    wanted: list[tuple[Supply, int]] = []
    for code, *_rest, use in CATALOGUE:
        key = (unit.pk, code)
        owed[key] = owed.get(key, 0.0) + use * headcount * factor / 2
        if owed[key] >= 1:
            wanted.append((supplies[code], int(owed[key])))
            owed[key] -= int(owed[key])
    if not wanted:
        return
    asked = at - timedelta(hours=4)  # `at` is when the store issues: the ledger's time
    requisition = Requisition.objects.create(
        center=center, unit=unit, requested_by=requester, requested_at=asked,
        purpose=f"{MARK} 日常领用", status=Requisition.Status.ISSUED,
        decided_by=approver, decided_at=asked + timedelta(hours=2),
    )  # fmt: skip
    _follow_the_workflow(["submitted", "approved", "issued"])
    RequisitionTransition.objects.bulk_create([
        RequisitionTransition(requisition=requisition, from_status="", to_status="submitted", by=requester, at=asked),
        RequisitionTransition(requisition=requisition, from_status="submitted", to_status="approved", by=approver, at=asked + timedelta(hours=2)),
        RequisitionTransition(requisition=requisition, from_status="approved", to_status="issued", by=store, at=at),
    ])  # fmt: skip
    for supply, quantity in wanted:
        if stock[supply.code] < quantity:  # the store refills to its maximum first
            move(supply, supply.max_level - stock[supply.code], Movement.Kind.RECEIPT, at,
                 note="补货入库")  # fmt: skip
        line = RequisitionLine.objects.create(
            requisition=requisition, supply=supply, requested=quantity, approved=quantity,
            issued=quantity,
        )  # fmt: skip
        move(supply, -quantity, Movement.Kind.ISSUE, at, unit=unit,
             line=line, note=f"领用单 #{requisition.pk}")  # fmt: skip


def _returns(center, supplies, units, store, now, move, at_time) -> None:  # type: ignore[no-untyped-def]
    windows = [unit for unit in units if unit.kind == Unit.Kind.WINDOW][:4]
    for offset, unit in enumerate(windows):
        supply = supplies[["guide", "form", "envelope", "pen"][offset]]
        quantity = [40, 100, 20, 10][offset]
        at_time(now - timedelta(days=20 - offset * 3),
                partial(_return, center, supply, unit, quantity, store, move))  # fmt: skip


def _return(center, supply, unit, quantity, store, move, at) -> None:  # type: ignore[no-untyped-def]
    item = SupplyReturn.objects.create(
        center=center, supply=supply, unit=unit, quantity=quantity,
        source=SupplyReturn.Source.UNUSED, note="旧版停用，退回库房", returned_by=store,
        returned_at=at,
    )  # fmt: skip
    move(supply, quantity, Movement.Kind.RETURN, at, unit=unit, supply_return=item,
         note=item.note)  # fmt: skip


def _open_requisitions(  # type: ignore[no-untyped-def]
    center, supplies, units, requesters, approver, store, now, stock, move, at_time
) -> None:
    """Requisitions in every state the store still has to act on, plus one of each end."""
    # The biggest windows carry them: a few extra pieces barely move their figures per head.
    windows = sorted(
        (u for u in units if u.kind == Unit.Kind.WINDOW and u.code != WASTEFUL_UNIT),
        key=lambda u: (-u.headcount, u.code),
    )
    states = [
        (Requisition.Status.SUBMITTED, [("a4-paper", 6, None, 0), ("pen", 20, None, 0)]),
        (Requisition.Status.SUBMITTED, [("toner", 2, None, 0)]),
        (Requisition.Status.APPROVED, [("staples", 5, 5, 0), ("sticky", 4, 4, 0)]),
        (Requisition.Status.PARTLY_ISSUED, [("toner", 4, 4, 1), ("a4-paper", 5, 5, 5)]),
        (Requisition.Status.REJECTED, [("wipes", 30, None, 0)]),
        (Requisition.Status.CANCELLED, [("guide", 50, None, 0)]),
        (Requisition.Status.CLOSED, [("sticky", 6, 6, 3)]),
    ]
    path = {
        Requisition.Status.SUBMITTED: ["submitted"],
        Requisition.Status.APPROVED: ["submitted", "approved"],
        Requisition.Status.PARTLY_ISSUED: ["submitted", "approved", "partly_issued"],
        Requisition.Status.REJECTED: ["submitted", "rejected"],
        Requisition.Status.CANCELLED: ["submitted", "cancelled"],
        Requisition.Status.CLOSED: ["submitted", "approved", "partly_issued", "closed"],
    }
    for index, (status, lines) in enumerate(states):
        unit = windows[index % len(windows)]
        requester = requesters.get(unit.pk)
        if requester is None:
            continue
        at_time(now - timedelta(days=3 - index * 0.4),
                partial(_open_one, center, supplies, unit, requester, approver, store, stock,
                        move, status, lines, path[status]))  # fmt: skip


def _open_one(  # type: ignore[no-untyped-def]
    center, supplies, unit, requester, approver, store, stock, move, status, lines, steps, at
) -> None:
    decided = status not in (Requisition.Status.SUBMITTED, Requisition.Status.CANCELLED)
    asked = at - timedelta(hours=2)  # `at` is when the store issues: the ledger's time
    requisition = Requisition.objects.create(
        center=center, unit=unit, requested_by=requester, requested_at=asked,
        purpose=f"{MARK} 补充领用", status=status,
        decided_by=approver if decided else None,
        decided_at=asked + timedelta(minutes=30) if decided else None,
        decision_note="本月已超出常规用量，请先使用库存" if status == "rejected" else "",
    )  # fmt: skip
    _follow_the_workflow(steps)
    previous = ""
    for index, step in enumerate(steps):
        by = {"submitted": requester, "cancelled": requester, "partly_issued": store}.get(
            step, approver
        )
        RequisitionTransition.objects.create(
            requisition=requisition, from_status=previous, to_status=step, by=by,
            at=asked + timedelta(minutes=30 * index),
        )  # fmt: skip
        previous = step
    for code, requested, approved, issued in lines:
        line = RequisitionLine.objects.create(
            requisition=requisition, supply=supplies[code], requested=requested,
            approved=approved, issued=issued,
        )  # fmt: skip
        if issued and stock[code] < issued:
            move(supplies[code], supplies[code].max_level - stock[code], Movement.Kind.RECEIPT,
                 at, note="补货入库")  # fmt: skip
        if issued:
            move(supplies[code], -issued, Movement.Kind.ISSUE, at,
                 unit=unit, line=line, note=f"领用单 #{requisition.pk}")  # fmt: skip


def _count(center, supplies, store, stock, move, at) -> None:  # type: ignore[no-untyped-def]
    """Last week's count: two differences, both explained."""
    count = StockCount.objects.create(
        center=center, counted_by=store, counted_at=at, note="月度盘点"
    )
    for code, found, why in [
        ("pen", -3, "三支笔漏水报废"),
        ("staples", 2, "上次入库少记两盒"),
        ("a4-paper", 0, ""),
    ]:
        supply = supplies[code]
        before = stock[code]
        if before + found < 0:
            found = 0
        line = StockCountLine.objects.create(
            count=count, supply=supply, expected=before, counted=before + found, explanation=why
        )
        if found:
            move(supply, found, Movement.Kind.COUNT, at, count_line=line, note=why)


def _spot_count(center, supplies, store, stock, move, at) -> None:  # type: ignore[no-untyped-def]
    """This morning's spot check of the toner: damp cartridges thrown out, the stock is now
    below its minimum and the store keepers have a low-stock alert to act on."""
    toner = supplies["toner"]
    before = stock["toner"]
    after = max(toner.min_level - 2, 0)
    if before <= after:
        return
    why = f"硒鼓受潮，{before - after}个报废"
    count = StockCount.objects.create(center=center, counted_by=store, counted_at=at, note="抽盘")
    line = StockCountLine.objects.create(
        count=count, supply=toner, expected=before, counted=after, explanation=why
    )
    move(toner, after - before, Movement.Kind.COUNT, at, count_line=line, note=why)


def _follow_the_workflow(steps: Sequence[str]) -> None:
    """The demo writes its history backdated, so not through the actions; each move still has
    to be one the workflow allows (MOVES, as `onsite.supplies.actions` checks it): a Conflict
    otherwise, and the seed rolls back."""
    for source, target in pairwise(steps):
        MOVES.check(source, target)
