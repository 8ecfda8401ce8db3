"""The layout drawing (定置图) of a version: the area's outline, each item's slot, and a
dimension line from each slot to the nearest edge of the area, labelled with the distance and
the rule's minimum. Pure geometry here; `standards/plan.svg` draws it (autoescaped)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.template.loader import render_to_string
from django.utils.safestring import SafeString

from onsite.standards.models import ItemRule, StandardVersion

# Colours of slots by rule kind (the plan is printed, so they must survive greyscale too:
# banned slots are also dashed).
KIND_FILL = {
    ItemRule.Kind.REQUIRED: "#cfe2ff",
    ItemRule.Kind.ALLOWED: "#d1e7dd",
    ItemRule.Kind.BANNED: "#f8d7da",
}


@dataclass(frozen=True)
class Dimension:
    """A dimension line from (x1, y1) to (x2, y2) in mm, with its label position."""

    x1: int
    y1: int
    x2: int
    y2: int
    label_x: int
    label_y: int
    label: str
    vertical: bool
    ok: bool


@dataclass(frozen=True)
class Slot:
    rule: ItemRule
    x: int
    y: int
    w: int
    h: int
    fill: str
    dashed: bool
    cx: int
    cy: int
    distance_mm: int
    min_distance_mm: int
    edge: str  # "front", "back", "left", "right"
    dimension: Dimension | None

    @property
    def is_too_close(self) -> bool:
        return self.distance_mm < self.min_distance_mm


@dataclass(frozen=True)
class Plan:
    width: int
    depth: int
    margin: int
    font: int
    slots: list[Slot]

    @property
    def view_box(self) -> str:
        m = self.margin
        return f"{-m} {-m} {self.width + 2 * m} {self.depth + 2 * m}"

    @property
    def problems(self) -> list[Slot]:
        return [s for s in self.slots if s.is_too_close]


def _nearest_edge(x: int, y: int, w: int, h: int, width: int, depth: int) -> tuple[str, int]:
    """The edge of the area closest to the slot's outer edge, and that distance. Ties go to
    the front edge (the public side), which is what a counter's rule is about."""
    distances = [
        ("front", depth - (y + h)),
        ("left", x),
        ("right", width - (x + w)),
        ("back", y),
    ]
    return min(distances, key=lambda pair: pair[1])


def _dimension(
    x: int, y: int, w: int, h: int, *, edge: str, distance: int, minimum: int, plan: tuple[int, int]
) -> Dimension:
    width, depth = plan
    label = f"{distance} mm (≥{minimum})"
    ok = distance >= minimum
    cx, cy = x + w // 2, y + h // 2
    if edge == "front":
        return Dimension(cx, y + h, cx, depth, cx + 8, (y + h + depth) // 2, label, True, ok)
    if edge == "back":
        return Dimension(cx, 0, cx, y, cx + 8, y // 2, label, True, ok)
    if edge == "left":
        return Dimension(0, cy, x, cy, x // 2, cy - 8, label, False, ok)
    return Dimension(x + w, cy, width, cy, (x + w + width) // 2, cy - 8, label, False, ok)


def build_plan(version: StandardVersion, rules: Iterable[ItemRule]) -> Plan:
    width, depth = version.width_mm, version.depth_mm
    slots: list[Slot] = []
    for rule in rules:
        if not rule.has_slot or rule.kind == ItemRule.Kind.BANNED:
            continue  # a banned item has no place on the plan
        x, y = int(rule.slot_x_mm or 0), int(rule.slot_y_mm or 0)
        w, h = int(rule.slot_w_mm or 1), int(rule.slot_h_mm or 1)
        edge, distance = _nearest_edge(x, y, w, h, width, depth)
        minimum = (
            rule.min_edge_distance_mm
            if rule.min_edge_distance_mm is not None
            else version.default_edge_distance_mm
        )
        dimension = None
        if minimum > 0 and distance >= 0:
            dimension = _dimension(
                x, y, w, h, edge=edge, distance=distance, minimum=minimum, plan=(width, depth)
            )
        slots.append(
            Slot(
                rule=rule,
                x=x,
                y=y,
                w=w,
                h=h,
                fill=KIND_FILL.get(rule.kind, "#e9ecef"),  # type: ignore[call-overload]
                dashed=rule.kind == ItemRule.Kind.BANNED,
                cx=x + w // 2,
                cy=y + h // 2,
                distance_mm=distance,
                min_distance_mm=minimum,
                edge=edge,
                dimension=dimension,
            )
        )
    size = max(width, depth)
    return Plan(
        width=width, depth=depth, margin=max(80, size // 10), font=max(20, size // 40), slots=slots
    )


def render_plan_svg(version: StandardVersion, rules: Iterable[ItemRule]) -> SafeString:
    """The plan as an inline <svg> element (for pages and the PDF)."""
    plan = build_plan(version, rules)
    return SafeString(
        render_to_string("standards/plan_svg.html", {"plan": plan, "version": version})
    )
