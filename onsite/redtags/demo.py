"""Demo red tags: the pilot's sort phase (整理) on 督查科 and the five pilot windows
(市场监管, 烟草, 卫健, 商务, 统计) left tags in every state: waiting, overdue, decided each
way (returns to the store added to its stock), and withdrawn.

Keyed by zone and item name: running it twice changes nothing."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from onsite.accounts.models import User
from onsite.core.models import Center
from onsite.org.models import Zone
from onsite.redtags.models import (
    DEFAULT_HOLDING_DAYS,
    MOVES,
    Disposition,
    Phase,
    Reason,
    RedTag,
    RedTagPolicy,
    RedTagTransition,
)
from onsite.standards.models import Item
from onsite.supplies.models import Movement, Supply, SupplyReturn

PILOT_ZONES = ["w01-c", "w01-b", "w02-c", "w02-b", "w03-c", "w04-c", "w05-c", "w05-b", "s1-k", "s1-o"]  # fmt: skip

# zone, item name, catalogue item, store supply, qty, reason, proposal, m², days ago, outcome
# outcome: "held", "withdrawn" or the decided disposition
TAGS = [
    (
        "w01-c",
        "过期办事指南",
        "brochure",
        "guide",
        60,
        Reason.NOT_USED,
        Disposition.RETURN_TO_STORE,
        "0.10",
        40,
        Disposition.RETURN_TO_STORE,
    ),
    (
        "w01-c",
        "多余签字笔",
        "pen",
        "pen",
        12,
        Reason.EXCESS,
        Disposition.RETURN_TO_STORE,
        "0.00",
        38,
        Disposition.RETURN_TO_STORE,
    ),
    (
        "w01-b",
        "损坏的订书机",
        None,
        None,
        2,
        Reason.BROKEN,
        Disposition.DISCARD,
        "0.05",
        39,
        Disposition.DISCARD,
    ),
    (
        "w01-b",
        "旧版申请表格",
        None,
        None,
        300,
        Reason.NOT_IN_STANDARD,
        Disposition.DISCARD,
        "0.20",
        37,
        Disposition.DISCARD,
    ),
    (
        "w02-c",
        "私人零食",
        "snacks",
        None,
        1,
        Reason.PERSONAL,
        Disposition.KEEP_ELSEWHERE,
        "0.05",
        36,
        Disposition.KEEP_ELSEWHERE,
    ),
    (
        "w02-b",
        "闲置打印机",
        "printer",
        None,
        1,
        Reason.NOT_USED,
        Disposition.TRANSFER,
        "0.40",
        36,
        Disposition.TRANSFER,
    ),
    (
        "w02-b",
        "重复的文件柜",
        "cabinet",
        None,
        1,
        Reason.DUPLICATE,
        Disposition.TRANSFER,
        "0.60",
        35,
        "held",
    ),
    (
        "w03-c",
        "台历",
        "calendar",
        None,
        2,
        Reason.NOT_IN_STANDARD,
        Disposition.KEEP_FILED,
        "0.02",
        34,
        Disposition.KEEP_FILED,
    ),
    (
        "w03-c",
        "多余印泥",
        "ink-pad",
        "ink-pad",
        3,
        Reason.EXCESS,
        Disposition.RETURN_TO_STORE,
        "0.02",
        33,
        "held",
    ),
    (
        "w04-c",
        "旧文件夹",
        "folder",
        "envelope",
        25,
        Reason.NOT_USED,
        Disposition.RETURN_TO_STORE,
        "0.15",
        20,
        "held",
    ),
    (
        "w04-c",
        "茶具",
        "tea-set",
        None,
        1,
        Reason.NOT_IN_STANDARD,
        Disposition.KEEP_ELSEWHERE,
        "0.10",
        18,
        "withdrawn",
    ),
    (
        "w05-c",
        "绿植",
        "plant",
        None,
        1,
        Reason.NOT_IN_STANDARD,
        Disposition.KEEP_FILED,
        "0.08",
        10,
        "held",
    ),
    ("w05-b", "坏椅子", None, None, 2, Reason.BROKEN, Disposition.DISCARD, "0.50", 8, "held"),
    (
        "s1-k",
        "过期宣传海报",
        None,
        None,
        15,
        Reason.NOT_USED,
        Disposition.DISCARD,
        "0.30",
        31,
        Disposition.DISCARD,
    ),
    (
        "s1-o",
        "多余档案袋",
        "folder",
        "envelope",
        80,
        Reason.EXCESS,
        Disposition.RETURN_TO_STORE,
        "0.10",
        3,
        "held",
    ),
]


@transaction.atomic
def seed(center: Center) -> None:
    """Backdated, so written here rather than through the actions; every move is one the
    workflow allows (MOVES, as `onsite.redtags.actions` checks it)."""
    RedTagPolicy.objects.get_or_create(
        center=center, defaults={"holding_days": DEFAULT_HOLDING_DAYS}
    )
    office = User.objects.filter(username=f"{center.code}-deputy1").first()
    if office is None:
        return
    zones = {zone.code: zone for zone in Zone.objects.filter(center=center, code__in=PILOT_ZONES)}
    items = {item.code: item for item in Item.objects.filter(center=center)}
    supplies = {supply.code: supply for supply in Supply.objects.filter(center=center)}
    now = timezone.now()
    for zone_code, name, item, supply, quantity, reason, proposal, space, days, outcome in TAGS:
        zone = zones.get(zone_code)
        if zone is None or RedTag.objects.filter(center=center, zone=zone, item_name=name).exists():
            continue
        tagger = zone.owner or office
        tagged_at = now - timedelta(days=days)
        tag = RedTag.objects.create(
            center=center, zone=zone, unit=zone.unit, phase=Phase.SORT, item=items.get(item or ""),
            item_name=name, supply=supplies.get(supply or ""), quantity=quantity, reason=reason,
            proposal=proposal, footprint=Decimal(space), tagged_by=tagger, tagged_at=tagged_at,
            hold_until=RedTag.hold_until_for(timezone.localdate(tagged_at), DEFAULT_HOLDING_DAYS),
        )  # fmt: skip
        RedTagTransition.objects.create(
            tag=tag, to_status=RedTag.Status.HELD, by=tagger, at=tagged_at
        )
        if outcome == "held":
            continue
        when = tagged_at + timedelta(days=min(days - 1, 30))
        if outcome == "withdrawn":
            MOVES.check(tag.status, RedTag.Status.WITHDRAWN)
            RedTag.objects.filter(pk=tag.pk).update(status=RedTag.Status.WITHDRAWN)
            RedTagTransition.objects.create(tag=tag, from_status=RedTag.Status.HELD,
                                            to_status=RedTag.Status.WITHDRAWN, by=tagger,
                                            at=tagged_at + timedelta(hours=2), note="误贴，茶具已报备")  # fmt: skip
            continue
        MOVES.check(tag.status, RedTag.Status.DECIDED)
        store_return = None
        if outcome == Disposition.RETURN_TO_STORE and tag.supply is not None:
            store_return = _return_to_store(center, tag, tag.supply, office, when)
        RedTag.objects.filter(pk=tag.pk).update(
            status=RedTag.Status.DECIDED, decision=outcome, decided_by=office, decided_at=when,
            decision_note="整理阶段集中处置", store_return=store_return,
        )  # fmt: skip
        RedTagTransition.objects.create(tag=tag, from_status=RedTag.Status.HELD,
                                        to_status=RedTag.Status.DECIDED, decision=outcome,
                                        by=office, at=when, note="整理阶段集中处置")  # fmt: skip


def _return_to_store(
    center: Center, tag: RedTag, supply: Supply, by: User, at: datetime
) -> SupplyReturn:
    """The stock grows by the tag's quantity; the ledger row carries the balance after it."""
    item = SupplyReturn.objects.create(
        center=center, supply=supply, unit=tag.unit, quantity=tag.quantity,
        source=SupplyReturn.Source.RED_TAG, note=f"{tag.number} {tag.item_name}",
        returned_by=by, returned_at=at,
    )  # fmt: skip
    # Slot the return into the ledger at its time: later balances grow by the same amount.
    earlier = Movement.objects.filter(supply=supply, at__lte=at).order_by("-at", "-pk").first()
    Movement.objects.filter(supply=supply, at__gt=at).update(balance=F("balance") + tag.quantity)
    Supply.objects.filter(pk=supply.pk).update(on_hand=F("on_hand") + tag.quantity)
    Movement.objects.create(
        center=center, supply=supply, kind=Movement.Kind.RETURN, quantity=tag.quantity,
        balance=(earlier.balance if earlier else 0) + tag.quantity,
        unit_price=supply.unit_price, unit=tag.unit, supply_return=item, by=by, at=at,
        note=item.note,
    )  # fmt: skip
    return item
