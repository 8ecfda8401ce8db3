"""What the photo check compares a photo with, read from the database: the item rules of the
standard version the inspection used and the zone's approved filings on the inspection's day,
in the detector's kinds (`Item.vision_kind`), and the zone's own reference photo."""

from __future__ import annotations

from onsite.inspections.models import Inspection
from onsite.standards.models import ItemFiling, ItemRule
from onsite.vision.analyse import Rules
from onsite.vision.models import ReferencePhoto


def _more(allowed: dict[str, int | None], kind: str, quantity: int | None) -> None:
    """Two catalogue items of one kind (a monitor and a computer screen) add up; no limit
    on either is no limit."""
    if kind in allowed:
        before = allowed[kind]
        allowed[kind] = None if before is None or quantity is None else before + quantity
    else:
        allowed[kind] = quantity


def rules_for(inspection: Inspection) -> Rules:
    """Allowed and required items (up to their maximum quantity) and the zone's approved
    filings valid on the inspection's day (their quantity adds) are allowed; banned items are
    banned unless another item of the same kind is allowed. The edge distance is the
    strictest of the rules (a rule without its own uses the version's default). Items the
    detector does not know (blank `vision_kind`) are left to the reference comparison."""
    version = inspection.standard_version
    allowed: dict[str, int | None] = {}
    banned: set[str] = set()
    edges: list[int] = []
    for rule in ItemRule.objects.filter(
        center_id=inspection.center_id, standard_version=version
    ).select_related("item"):
        edge = rule.min_edge_distance_mm
        edges.append(edge if edge is not None else version.default_edge_distance_mm)
        kind = rule.item.vision_kind
        if not kind:
            continue
        if rule.kind == ItemRule.Kind.BANNED:
            banned.add(kind)
        else:
            _more(allowed, kind, rule.max_quantity)
    filings = (
        ItemFiling.objects.active(inspection.inspected_on)
        .filter(center_id=inspection.center_id, zone_id=inspection.zone_id)
        .select_related("item")
    )
    for filing in filings:
        # An item filed outside the catalogue has no kind the detector knows: like an item
        # with a blank kind, it is left to the reference comparison.
        if filing.item is not None and filing.item.vision_kind:
            _more(allowed, filing.item.vision_kind, filing.quantity)
    return Rules(
        allowed=allowed,
        banned=frozenset(banned - set(allowed)),
        edge_mm=max(edges) if edges else version.default_edge_distance_mm,
        counter_mm=(version.width_mm, version.depth_mm),
    )


def reference_for(inspection: Inspection) -> ReferencePhoto | None:
    """The reference photo of the inspection's own zone (never another zone's, never another
    center's)."""
    reference = ReferencePhoto.objects.current(inspection.zone)
    if reference is None or reference.center_id != inspection.center_id:
        return None
    return reference


def has_something_to_check(inspection: Inspection) -> bool:
    """The standard names items, or the zone has a reference photo."""
    return (
        ItemRule.objects.filter(
            center_id=inspection.center_id, standard_version_id=inspection.standard_version_id
        ).exists()
        or ReferencePhoto.objects.filter(
            center_id=inspection.center_id, zone_id=inspection.zone_id, is_active=True
        ).exists()
    )
