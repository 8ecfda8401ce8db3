"""The read API of standards, for every app that needs "what applies here".

`effective_standard(zone)` is what inspections, the zone page and the photo check use: the
published version of the zone's area type, its clauses and item rules, and the zone's active
approved filings. It costs a fixed number of queries (4) whatever the size of the standard."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models.functions import Coalesce
from django.utils import timezone

from onsite.org.models import Zone
from onsite.standards.models import (
    Clause,
    Item,
    ItemFiling,
    ItemRule,
    Pillar,
    StandardVersion,
)


@dataclass(frozen=True)
class ItemVerdict:
    """May this item stand in the zone, and how many of it."""

    allowed: bool
    max_quantity: int | None  # None: no limit
    rule: ItemRule | None
    filings: tuple[ItemFiling, ...]


@dataclass
class EffectiveStandard:
    """What applies to one zone on one day. `version` is None while the area type has no
    published version; then there are no clauses or rules and only filings apply."""

    zone: Zone
    on: datetime.date
    version: StandardVersion | None
    clauses: list[Clause] = field(default_factory=list)
    item_rules: list[ItemRule] = field(default_factory=list)
    filings: list[ItemFiling] = field(default_factory=list)

    def clauses_by_pillar(self) -> list[tuple[str, str, list[Clause]]]:
        """(pillar value, pillar label, clauses) in pillar order, empty pillars left out."""
        return group_by_pillar(self.clauses)

    def verdict(self, item: Item) -> ItemVerdict:
        """Item rule plus filings: banned stays banned unless filed; a filing adds its
        quantity to what the rule allows; no rule and no filing means not allowed."""
        rule = next((r for r in self.item_rules if r.item_id == item.pk), None)
        filings = tuple(f for f in self.filings if f.item_id == item.pk)
        filed = sum(f.quantity for f in filings)
        if rule is not None and rule.kind != ItemRule.Kind.BANNED:
            limit = None if rule.max_quantity is None else rule.max_quantity + filed
            return ItemVerdict(True, limit, rule, filings)
        if filings:
            return ItemVerdict(True, filed, rule, filings)
        return ItemVerdict(False, 0, rule, filings)

    @property
    def allowed_rules(self) -> list[ItemRule]:
        return [r for r in self.item_rules if r.kind != ItemRule.Kind.BANNED]

    @property
    def banned_rules(self) -> list[ItemRule]:
        return [r for r in self.item_rules if r.kind == ItemRule.Kind.BANNED]


def group_by_pillar(clauses: Iterable[Clause]) -> list[tuple[str, str, list[Clause]]]:
    by_pillar: dict[str, list[Clause]] = {}
    for clause in clauses:
        by_pillar.setdefault(clause.pillar, []).append(clause)
    return [
        (pillar.value, str(pillar.label), by_pillar[pillar.value])
        for pillar in Pillar
        if pillar.value in by_pillar
    ]


def version_contents(version: StandardVersion) -> tuple[list[Clause], list[ItemRule]]:
    """Clauses and item rules of a version (2 queries)."""
    clauses = list(version.clauses.all())
    rules = list(version.item_rules.select_related("item"))
    for rule in rules:
        rule.standard_version = version  # edge_distance_mm() reads the default without a query
    return clauses, rules


def published_version(zone: Zone) -> StandardVersion | None:
    return (
        StandardVersion.objects.published()
        .filter(center_id=zone.center_id, standard__area_type_id=zone.area_type_id)
        .select_related("standard", "standard__area_type")
        .first()
    )


def effective_standard(zone: Zone, *, on: datetime.date | None = None) -> EffectiveStandard:
    """The published version of the zone's area type with its clauses and item rules, and the
    zone's approved filings valid on `on` (today by default). 4 queries."""
    day = on or timezone.localdate()
    version = published_version(zone)
    clauses: list[Clause] = []
    rules: list[ItemRule] = []
    if version is not None:
        clauses, rules = version_contents(version)
    filings = list(
        ItemFiling.objects.filter(center_id=zone.center_id, zone=zone)
        .active(day)
        .select_related("item")
        .order_by(Coalesce("item__name", "item_name"), "valid_to")
    )
    return EffectiveStandard(
        zone=zone, on=day, version=version, clauses=clauses, item_rules=rules, filings=filings
    )


@dataclass(frozen=True)
class Change:
    """One line of a diff: `key` is the clause code or item code; `fields` the names that
    differ (empty for an added or removed line)."""

    kind: str  # "added", "removed", "changed"
    key: str
    label: str
    old: Clause | ItemRule | None
    new: Clause | ItemRule | None
    fields: tuple[str, ...] = ()


CLAUSE_FIELDS = (
    "pillar", "text", "check_method", "weight", "max_points", "photo_required", "subject"
)  # fmt: skip
RULE_FIELDS = (
    "kind",
    "max_quantity",
    "slot_x_mm",
    "slot_y_mm",
    "slot_w_mm",
    "slot_h_mm",
    "container",
    "min_edge_distance_mm",
    "marking",
    "marking_colour",
    "note",
)
VERSION_FIELDS = ("width_mm", "depth_mm", "default_edge_distance_mm")


@dataclass
class VersionDiff:
    old: StandardVersion
    new: StandardVersion
    version_fields: list[tuple[str, object, object]]
    clauses: list[Change]
    item_rules: list[Change]

    @property
    def is_empty(self) -> bool:
        return not (self.version_fields or self.clauses or self.item_rules)


def _diff(
    old: dict[str, Clause | ItemRule],
    new: dict[str, Clause | ItemRule],
    names: tuple[str, ...],
    label: dict[str, str],
) -> list[Change]:
    changes: list[Change] = []
    for key in [*old, *(k for k in new if k not in old)]:
        a, b = old.get(key), new.get(key)
        if a is None:
            changes.append(Change("added", key, label[key], None, b))
        elif b is None:
            changes.append(Change("removed", key, label[key], a, None))
        else:
            differ = tuple(n for n in names if getattr(a, n) != getattr(b, n))
            if differ:
                changes.append(Change("changed", key, label[key], a, b, differ))
    return changes


def diff_versions(old: StandardVersion, new: StandardVersion) -> VersionDiff:
    """What changed from `old` to `new`: clauses matched by code, item rules by item (4
    queries)."""
    old_clauses, old_rules = version_contents(old)
    new_clauses, new_rules = version_contents(new)
    labels: dict[str, str] = {c.code: f"{c.code} {c.text[:60]}" for c in old_clauses + new_clauses}
    labels.update({r.item.code: r.item.name for r in old_rules + new_rules})
    return VersionDiff(
        old=old,
        new=new,
        version_fields=[
            (n, getattr(old, n), getattr(new, n))
            for n in VERSION_FIELDS
            if getattr(old, n) != getattr(new, n)
        ],
        clauses=_diff(
            {c.code: c for c in old_clauses},
            {c.code: c for c in new_clauses},
            CLAUSE_FIELDS,
            labels,
        ),
        item_rules=_diff(
            {r.item.code: r for r in old_rules},
            {r.item.code: r for r in new_rules},
            RULE_FIELDS,
            labels,
        ),
    )
