"""The checklist of a zone, generated from its effective standard.

One check per clause, plus up to four checks from the item rules and the zone's active
filings (三易三定): only allowed or filed items present (整理), quantities within the fixed
quantity, position and container as the standard says (整顿), and the edge distance. The
item checks carry their details as data (item names, numbers, millimetres) so they read the
same in both languages; their heading is the translated `Answer.Source` label."""

from __future__ import annotations

from dataclasses import dataclass

from onsite.inspections.models import Answer
from onsite.standards.models import Clause, ItemRule, Pillar
from onsite.standards.queries import EffectiveStandard

# Item checks weigh like a default clause.
ITEM_CHECK_WEIGHT = 1
ITEM_CHECK_POINTS = 10


@dataclass(frozen=True)
class CheckSpec:
    key: str
    source: str
    pillar: str
    position: int
    text: str
    check_method: str = ""
    weight: int = ITEM_CHECK_WEIGHT
    max_points: int = ITEM_CHECK_POINTS
    photo_required: bool = False
    clause: Clause | None = None
    subject: str = Clause.Subject.ZONE


def clause_key(code: str) -> str:
    return f"clause:{code}"


def build_checklist(effective: EffectiveStandard) -> list[CheckSpec]:
    checks = [
        CheckSpec(
            key=clause_key(c.code),
            source=Answer.Source.CLAUSE,
            pillar=c.pillar,
            position=index,
            text=f"{c.code} {c.text}",
            check_method=c.check_method,
            weight=c.weight,
            max_points=c.max_points,
            photo_required=c.photo_required,
            clause=c,
            subject=c.subject,
        )
        for index, c in enumerate(effective.clauses)
    ]
    return checks + _item_checks(effective, start=len(checks))


def _item_checks(effective: EffectiveStandard, *, start: int) -> list[CheckSpec]:
    allowed = [r for r in effective.item_rules if r.kind != ItemRule.Kind.BANNED]
    banned = [r for r in effective.item_rules if r.kind == ItemRule.Kind.BANNED]
    filed = [f for f in effective.filings if not any(r.item_id == f.item_id for r in allowed)]
    if not (allowed or effective.filings):
        return []
    specs: list[CheckSpec] = []

    def add(key: str, source: str, pillar: str, text: str) -> None:
        specs.append(CheckSpec(key, source, pillar, start + len(specs), text))

    names = [r.item.name for r in allowed] + [f"{f.item_label} (+{f.quantity})" for f in filed]
    text = "✓ " + "、".join(names)
    if banned:
        text += "\n✗ " + "、".join(r.item.name for r in banned)
    add("items:allowed", Answer.Source.ITEMS_ALLOWED, Pillar.SORT, text)

    counted = []
    for rule in allowed:
        verdict = effective.verdict(rule.item)
        if verdict.max_quantity is not None:
            counted.append(f"{rule.item.name} ≤ {verdict.max_quantity}")
    counted += [f"{f.item_label} ≤ {f.quantity}" for f in filed]
    if counted:
        add(
            "items:quantity", Answer.Source.ITEMS_QUANTITY, Pillar.SET_IN_ORDER, " · ".join(counted)
        )

    placed = []
    for rule in allowed:
        parts = []
        if rule.has_slot:
            parts.append(
                f"[{rule.slot_x_mm},{rule.slot_y_mm} {rule.slot_w_mm}×{rule.slot_h_mm} mm]"
            )
        if rule.container:
            parts.append(rule.container)
        if rule.marking != ItemRule.Marking.NONE:
            parts.append(rule.marking_colour or rule.get_marking_display())
        if parts:
            placed.append(f"{rule.item.name}: {' '.join(parts)}")
    if placed:
        add("items:place", Answer.Source.ITEMS_PLACE, Pillar.SET_IN_ORDER, "\n".join(placed))

    by_distance: dict[int, list[str]] = {}
    for rule in allowed:
        by_distance.setdefault(rule.edge_distance_mm(), []).append(rule.item.name)
    if by_distance:
        edge = "\n".join(
            f"≥ {mm} mm: {'、'.join(items)}" for mm, items in sorted(by_distance.items())
        )
        add("items:edge", Answer.Source.ITEMS_EDGE, Pillar.SET_IN_ORDER, edge)
    return specs
