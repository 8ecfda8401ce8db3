"""Synthetic red tags (红牌作战) of a generated center: while a unit is in the sort phase of
the programme (its dates passed in by the caller as `sort_spans`, read from the programme's
phase progress — red tags sit below the programme and never import it; the history's first
months for the shared areas and for units without dates), its people tag two to five unneeded items per zone. Tags older than the
holding time were decided by the office (discarded, returned to the store, transferred, kept
elsewhere or kept with a filing) or withdrawn as tagged by mistake; a few are still waiting
past their holding time, and the recent ones wait in the holding list. Every move is a
`RedTagTransition`. Returns to the store stay in the red-tag register only: a `SupplyReturn`
would change the store's ledger, which is the supplies generator's."""

from __future__ import annotations

import datetime
import random
from collections import Counter
from collections.abc import Mapping
from decimal import Decimal

from onsite.accounts.models import Role, User
from onsite.core.generate import at_time, bulk, period, working_days
from onsite.core.models import Center
from onsite.org.models import Zone
from onsite.redtags.models import (
    Disposition,
    Phase,
    Reason,
    RedTag,
    RedTagPolicy,
    RedTagTransition,
)
from onsite.standards.models import Item

# item code (None: not in the catalogue), name on the tag, reason, proposal, m²
THINGS = [
    ("brochure", "过期办事指南", Reason.NOT_USED, Disposition.DISCARD, "0.10"),
    ("pen", "多余签字笔", Reason.EXCESS, Disposition.RETURN_TO_STORE, "0.00"),
    ("snacks", "零食", Reason.PERSONAL, Disposition.DISCARD, "0.05"),
    ("plant", "绿植", Reason.NOT_IN_STANDARD, Disposition.KEEP_ELSEWHERE, "0.20"),
    ("chair", "损坏座椅", Reason.BROKEN, Disposition.DISCARD, "0.40"),
    ("printer", "闲置打印机", Reason.NOT_USED, Disposition.TRANSFER, "0.30"),
    ("cabinet", "旧文件柜", Reason.DUPLICATE, Disposition.TRANSFER, "0.60"),
    ("calendar", "过期台历", Reason.NOT_USED, Disposition.DISCARD, "0.02"),
    ("folder", "空文件盒", Reason.EXCESS, Disposition.RETURN_TO_STORE, "0.05"),
    (None, "旧宣传展板", Reason.OTHER, Disposition.KEEP_FILED, "0.50"),
    ("cosmetics", "化妆品", Reason.PERSONAL, Disposition.DISCARD, "0.01"),
    ("tea-set", "茶具", Reason.NOT_IN_STANDARD, Disposition.KEEP_ELSEWHERE, "0.10"),
]
WITHDRAWN = 0.05
LEFT_WAITING = 0.04  # of old tags still undecided past their holding time
FOLLOWED = 0.8  # the decision is the tagger's proposal


SortSpans = Mapping[int, tuple[datetime.date, datetime.date | None]]
"""Unit id → the day its sort phase started and the day it was accepted (None: not yet)."""


def generate(
    center: Center,
    *,
    years: float,
    rng: random.Random,
    until: datetime.date,
    sort_spans: SortSpans | None = None,
) -> dict[str, int]:
    counts: Counter[str] = Counter()
    start, end = period(years=years, until=until)
    days = working_days(start, end)
    office = (
        User.objects.filter(center=center, role_grants__role=Role.OFFICE).order_by("pk").first()
    )
    if not days or office is None:
        return {}
    holding = RedTagPolicy.for_center(center).holding_days
    items = {i.code: i for i in Item.objects.filter(center=center)}
    spans = {
        unit: (started or days[0], accepted or until)
        for unit, (started, accepted) in (sort_spans or {}).items()
    }
    default_span = (days[0], days[min(len(days) - 1, 40)])
    people: dict[int, list[int]] = {}
    for user, unit in User.objects.filter(center=center, unit__isnull=False).values_list("pk", "unit_id"):  # fmt: skip
        people.setdefault(unit, []).append(user)
    zones = (
        Zone.objects.filter(center=center, is_active=True).select_related("owner").order_by("code")
    )
    tags: list[RedTag] = []
    moves: list[tuple[RedTag, list[tuple[str, str, str, int, datetime.datetime, str]]]] = []
    for zone in zones:
        first, last = spans.get(zone.unit_id or 0, default_span) if zone.unit_id else default_span  # fmt: skip
        window = [d for d in days if first <= d <= last]
        if not window or zone.owner_id is None:
            continue
        taggers = people.get(zone.unit_id or 0) or [zone.owner_id]
        for code, name, reason, proposal, footprint in rng.sample(THINGS, k=rng.randint(2, 5)):
            tagged = at_time(rng.choice(window), rng)
            tagger = rng.choice(taggers)
            tag = RedTag(
                center=center, zone=zone, unit_id=zone.unit_id or (zone.owner.unit_id if zone.owner else None),
                phase=Phase.SORT, item=items.get(code) if code else None, item_name=name,
                quantity=rng.randint(1, 20) if reason == Reason.EXCESS else rng.randint(1, 3),
                reason=reason, proposal=proposal, footprint=Decimal(footprint),
                tagged_by_id=tagger, tagged_at=tagged,
                hold_until=RedTag.hold_until_for(tagged.date(), holding),
            )  # fmt: skip
            steps: list[tuple[str, str, str, int, datetime.datetime, str]] = [
                ("", RedTag.Status.HELD, "", tagger, tagged, "")
            ]
            decided = at_time(tagged.date() + datetime.timedelta(days=rng.randint(3, holding)), rng)
            draw = rng.random()
            if decided.date() > until or draw < LEFT_WAITING:
                pass  # still in the holding list
            elif draw < LEFT_WAITING + WITHDRAWN:
                tag.status = RedTag.Status.WITHDRAWN
                steps.append((RedTag.Status.HELD, RedTag.Status.WITHDRAWN, "", tagger, decided, "误贴，撤回"))  # fmt: skip
            else:
                decision = proposal if rng.random() < FOLLOWED else rng.choice(list(Disposition))
                tag.status, tag.decision = RedTag.Status.DECIDED, decision
                tag.decided_by_id, tag.decided_at = office.pk, decided
                tag.decision_note = "按处置意见执行" if decision == proposal else "改变处置方式"
                steps.append((RedTag.Status.HELD, RedTag.Status.DECIDED, decision, office.pk, decided, tag.decision_note))  # fmt: skip
            tag.version = len(steps)
            tags.append(tag)
            moves.append((tag, steps))
    bulk(RedTag, tags, counts=counts)
    bulk(
        RedTagTransition,
        [RedTagTransition(tag=tag, from_status=old, to_status=new, decision=decision, by_id=by,
                          at=at, note=note)
         for tag, steps in moves for old, new, decision, by, at, note in steps],
        counts=counts,
    )  # fmt: skip
    return dict(counts)
