"""Synthetic supplies of a generated center: the store's catalogue with its minimum and
maximum, and the history played forward day by day as `actions` would have written it —
every unit asks for supplies about every two weeks (approved, then issued, in parts when the
store runs short, refilled by a receipt up to the maximum when it falls below the minimum),
a few requests rejected or cancelled, the last days' still open, some unused supplies brought
back, and a stock count each quarter with explained differences. Every change of the stock
is a `Movement` whose `balance` follows from the one before, and each supply's `on_hand` is
the last balance."""

from __future__ import annotations

import datetime
import random
from collections import Counter, defaultdict
from decimal import Decimal

from onsite.accounts.models import Role, User
from onsite.core.generate import at_time, bulk, period, working_days
from onsite.core.models import Center
from onsite.org.models import Unit
from onsite.supplies.demo import CATALOGUE
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

REQUEST_EVERY = 10  # working days between a unit's requests, on average
OPEN_DAYS = 3  # requests of the last working days are still open
REJECTED, CANCELLED, RETURNS = 0.04, 0.03, 0.02
COUNT_REASONS = ["盘点发现破损报废", "发放时少登记", "前次盘点漏计"]
R = Requisition.Status


def generate(
    center: Center, *, years: float, rng: random.Random, until: datetime.date
) -> dict[str, int]:
    counts: Counter[str] = Counter()
    start, end = period(years=years, until=until)
    days = working_days(start, end)
    units = list(Unit.objects.filter(center=center).order_by("code"))
    office = (
        User.objects.filter(center=center, role_grants__role=Role.OFFICE).order_by("pk").first()
    )
    if not days or not units or office is None:
        return {}
    heads = Counter(
        User.objects.filter(center=center, unit__isnull=False).values_list("unit_id", flat=True)
    )
    requester = {
        unit: user
        for user, unit in User.objects.filter(center=center, unit__in=units)
        .order_by("-username")
        .values_list("pk", "unit_id")
    }  # the chief (…-1) of each unit, taken last
    supplies = bulk(
        Supply,
        [Supply(center=center, code=code, name=name, category=category, measure=measure,
                unit_price=Decimal(price), on_hand=high, min_level=low, max_level=high)
         for code, name, category, measure, price, low, high, _use in CATALOGUE],
        counts=counts,
    )  # fmt: skip
    use = {s.pk: row[-1] for s, row in zip(supplies, CATALOGUE, strict=True)}
    store = _Store(center, office.pk, rng)
    store.opening(supplies, at_time(days[0], rng, start_hour=8, end_hour=9))
    quarter_ends = {d for i, d in enumerate(days) if i + 1 < len(days) and days[i + 1].month != d.month and d.month % 3 == 0}  # fmt: skip
    for index, day in enumerate(days):
        is_open = index >= len(days) - OPEN_DAYS
        for unit in units:
            if unit.pk not in requester or rng.random() >= 1 / REQUEST_EVERY:
                continue
            picks = rng.sample(supplies, k=rng.randint(1, 3))
            lines = {
                s: max(1, round(use[s.pk] * max(1, heads[unit.pk]) * rng.uniform(0.3, 0.8)))
                for s in picks
            }
            store.requisition(unit, requester[unit.pk], lines, day, days[index:], is_open=is_open)
        if rng.random() < RETURNS:
            unit = rng.choice(units)
            if unit.pk in requester:
                store.give_back(rng.choice(supplies), unit, requester[unit.pk], day)
        if day in quarter_ends:
            store.count(supplies, day)
    store.save(counts)
    for supply in supplies:
        supply.on_hand = store.stock[supply.pk]
    Supply.objects.bulk_update(supplies, ["on_hand"])
    return dict(counts)


class _Store:
    """The store's stock and the rows that changed it, in the order they happened."""

    def __init__(self, center: Center, keeper: int, rng: random.Random) -> None:
        self.center, self.keeper, self.rng = center, keeper, rng
        self.stock: dict[int, int] = {}
        self.movements: list[Movement] = []
        self.requisitions: list[Requisition] = []
        self.lines: list[RequisitionLine] = []
        self.transitions: list[RequisitionTransition] = []
        self.returns: list[SupplyReturn] = []
        self.stock_counts: list[StockCount] = []
        self.count_lines: list[StockCountLine] = []

    def move(self, supply: Supply, kind: str, quantity: int, at: datetime.datetime, **more: object) -> None:  # fmt: skip
        self.stock[supply.pk] = self.stock.get(supply.pk, 0) + quantity
        self.movements.append(
            Movement(center=self.center, supply=supply, kind=kind, quantity=quantity,
                     balance=self.stock[supply.pk], unit_price=supply.unit_price,
                     by_id=more.pop("by", self.keeper), at=at, **more)  # type: ignore[misc]
        )  # fmt: skip

    def opening(self, supplies: list[Supply], at: datetime.datetime) -> None:
        for supply in supplies:
            self.move(supply, Movement.Kind.RECEIPT, supply.max_level, at, note="期初入库")

    def requisition(
        self,
        unit: Unit,
        by: int,
        wanted: dict[Supply, int],
        day: datetime.date,
        ahead: list[datetime.date],
        *,
        is_open: bool,
    ) -> None:
        rng = self.rng
        asked = at_time(day, rng, start_hour=8, end_hour=11)
        req = Requisition(center=self.center, unit=unit, requested_by_id=by, requested_at=asked,
                          purpose=rng.choice(["日常办公", "窗口补充", "月度领用"]))  # fmt: skip
        self.requisitions.append(req)
        lines = [RequisitionLine(requisition=req, supply=s, requested=q) for s, q in wanted.items()]
        self.lines += lines
        self.step(req, "", R.SUBMITTED, by, asked)
        draw = rng.random()
        if is_open and draw < 0.5:
            return  # waiting for approval
        decided = asked + datetime.timedelta(hours=rng.randint(1, 5))
        if draw < CANCELLED:
            req.status = R.CANCELLED
            self.step(req, R.SUBMITTED, R.CANCELLED, by, decided, "不再需要")
            return
        req.decided_by_id, req.decided_at = self.keeper, decided
        if draw < CANCELLED + REJECTED:
            req.status, req.decision_note = R.REJECTED, "数量超出月度定额"
            self.step(req, R.SUBMITTED, R.REJECTED, self.keeper, decided, req.decision_note)
            return
        req.status = R.APPROVED
        self.step(req, R.SUBMITTED, R.APPROVED, self.keeper, decided)
        for line in lines:
            line.approved = line.requested
        if is_open and draw < 0.75:
            return  # approved, not yet collected
        issued = at_time(ahead[min(1, len(ahead) - 1)], rng, start_hour=13, end_hour=16)
        issued = max(issued, decided + datetime.timedelta(minutes=30))
        short = False
        for line in lines:
            supply = line.supply
            if (
                self.stock[supply.pk] < supply.min_level + (line.approved or 0)
                and rng.random() < 0.9
            ):
                refill = supply.max_level - self.stock[supply.pk]
                if refill > 0:
                    self.move(supply, Movement.Kind.RECEIPT, refill, issued - datetime.timedelta(minutes=5), note="采购入库")  # fmt: skip
            line.issued = min(line.approved or 0, self.stock[supply.pk])
            short = short or line.issued < (line.approved or 0)
            if line.issued:
                self.move(supply, Movement.Kind.ISSUE, -line.issued, issued, unit=unit, line=line)
        req.status = R.PARTLY_ISSUED if short else R.ISSUED
        self.step(req, R.APPROVED, req.status, self.keeper, issued)
        if short and not is_open:
            req.status = R.CLOSED
            self.step(req, R.PARTLY_ISSUED, R.CLOSED, self.keeper, issued + datetime.timedelta(days=1), "库存不足，余量不再发放")  # fmt: skip

    def step(
        self, req: Requisition, old: str, new: str, by: int, at: datetime.datetime, note: str = ""
    ) -> None:
        self.transitions.append(
            RequisitionTransition(requisition=req, from_status=old, to_status=new, by_id=by,
                                  at=at, note=note)
        )  # fmt: skip

    def give_back(self, supply: Supply, unit: Unit, by: int, day: datetime.date) -> None:
        at = at_time(day, self.rng)
        back = SupplyReturn(center=self.center, supply=supply, unit=unit,
                            quantity=self.rng.randint(1, 10), note="未用完退回",
                            returned_by_id=by, returned_at=at)  # fmt: skip
        self.returns.append(back)
        self.move(supply, Movement.Kind.RETURN, back.quantity, at, unit=unit, supply_return=back)

    def count(self, supplies: list[Supply], day: datetime.date) -> None:
        at = at_time(day, self.rng, start_hour=16, end_hour=17)
        stock_count = StockCount(center=self.center, counted_by_id=self.keeper, counted_at=at,
                                 note="季度盘点")  # fmt: skip
        self.stock_counts.append(stock_count)
        for supply in supplies:
            expected = self.stock[supply.pk]
            off = -self.rng.randint(1, 3) if self.rng.random() < 0.2 and expected > 3 else 0
            line = StockCountLine(count=stock_count, supply=supply, expected=expected,
                                  counted=expected + off,
                                  explanation=self.rng.choice(COUNT_REASONS) if off else "")  # fmt: skip
            self.count_lines.append(line)
            if off:
                self.move(supply, Movement.Kind.COUNT, off, at, count_line=line, note=line.explanation)  # fmt: skip

    def save(self, counts: Counter[str]) -> None:
        bulk(Requisition, self.requisitions, counts=counts)
        bulk(RequisitionLine, self.lines, counts=counts)
        bulk(RequisitionTransition, self.transitions, counts=counts)
        bulk(SupplyReturn, self.returns, counts=counts)
        bulk(StockCount, self.stock_counts, counts=counts)
        bulk(StockCountLine, self.count_lines, counts=counts)
        bulk(Movement, self.movements, counts=counts)
        versions: defaultdict[int, int] = defaultdict(int)
        for transition in self.transitions:
            versions[transition.requisition_id] += 1
        for req in self.requisitions:
            req.version = versions[req.pk]
        Requisition.objects.bulk_update(self.requisitions, ["version"])
