"""The photo check as one pure function: a photo (and the zone's reference photo) in, draft
findings out. No database here; onsite.vision.services builds the Rules and stores the result.

Nothing here decides anything: every draft is a suggestion a person accepts or dismisses."""

from __future__ import annotations

import io
import time
import warnings
from collections import defaultdict
from dataclasses import dataclass, field

import cv2
import numpy as np
from PIL import Image, UnidentifiedImageError

from onsite.vision import compare, detector, markers
from onsite.vision.compare import Box
from onsite.vision.detector import Detection

MAX_PIXELS = 40_000_000  # a stored photo is at most 2048 px on its longest side; more is hostile
MAX_SIDE = 2048
# A detection must be this sure before it becomes a draft (the detector reports from 0.35). The
# real cup of the test photo scores 0.53; drawn items the detector half-recognises score 0.45-0.5.
# A wrong suggestion costs the inspector a tap and trust; a missed one, nothing more than today.
DRAFT_SCORE = 0.45
REFERENCE_OVERLAP = 0.3  # a draft on this much of a changed region is about that change


class UnreadableImageError(ValueError):
    """The bytes are not a photo we can read safely (broken, not an image, or far too large)."""


@dataclass(frozen=True)
class Rules:
    """What the zone's standard and its filings allow, in the detector's kinds."""

    allowed: dict[str, int | None]  # kind -> max quantity (None: no limit); empty: no whitelist
    banned: frozenset[str] = frozenset()
    edge_mm: int | None = None  # minimum distance of items from the counter's front edge
    counter_mm: tuple[int, int] | None = None  # counter width, depth: the markers' plane


@dataclass(frozen=True)
class Draft:
    kind: str  # "not_allowed" | "over_quantity" | "too_close" | "added" | "missing" | "moved"
    item: str  # a labels.KINDS key, or "" for a change the detector cannot name
    box: Box  # in the photo
    score: float
    measured_mm: int | None = None  # too_close: the distance measured
    count: int | None = None  # over_quantity: how many were seen


@dataclass(frozen=True)
class Result:
    drafts: list[Draft]
    detections: list[Detection]
    alignment: str  # "markers" | "features" | "none" (reference not recognised) | "no-reference"
    seconds: float
    markers: int = 0  # position markers found in the photo
    width: int = 0
    height: int = 0
    notes: list[str] = field(default_factory=list)


def decode(data: bytes) -> np.ndarray:
    """The image as BGR pixels, longest side at most MAX_SIDE. Raises UnreadableImageError."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as probe:  # reads the header only
                width, height = probe.size
                kind = probe.format
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombWarning,
            Image.DecompressionBombError) as exc:  # fmt: skip
        raise UnreadableImageError(f"not a readable image ({exc.__class__.__name__})") from exc
    if kind not in {"JPEG", "PNG", "WEBP"}:
        raise UnreadableImageError(f"unsupported image format {kind}")
    if width * height > MAX_PIXELS or min(width, height) < 16:
        raise UnreadableImageError(f"image of {width} × {height} pixels refused")
    image = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR)
    if image is None or image.shape[1] != width or image.shape[0] != height:
        raise UnreadableImageError("the image data is broken")
    scale = MAX_SIDE / max(width, height)
    if scale < 1:
        image = cv2.resize(image, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    return image


def _union(boxes: list[Box]) -> Box:
    x0, y0 = min(b.x for b in boxes), min(b.y for b in boxes)
    x1, y1 = max(b.x + b.w for b in boxes), max(b.y + b.h for b in boxes)
    return Box(x0, y0, x1 - x0, y1 - y0)


def _overlap(a: Box, b: Box) -> float:
    """Intersection over the smaller box: how much of one lies inside the other."""
    w = min(a.x + a.w, b.x + b.w) - max(a.x, b.x)
    h = min(a.y + a.h, b.y + b.h) - max(a.y, b.y)
    if w <= 0 or h <= 0:
        return 0.0
    return w * h / max(1e-9, min(a.w * a.h, b.w * b.h))


def item_drafts(detections: list[Detection], rules: Rules) -> list[Draft]:
    """Items neither whitelisted nor filed (or banned), and kinds above their allowed quantity."""
    drafts = []
    sure = [d for d in detections if d.score >= DRAFT_SCORE]
    by_kind: dict[str, list[Detection]] = defaultdict(list)
    for detection in sure:
        by_kind[detection.kind].append(detection)
    for kind, found in by_kind.items():
        not_allowed = kind in rules.banned or (rules.allowed and kind not in rules.allowed)
        if not_allowed:
            drafts += [Draft("not_allowed", kind, d.box, d.score) for d in found]
            continue
        limit = rules.allowed.get(kind)
        if limit is not None and len(found) > limit:
            drafts.append(
                Draft(
                    "over_quantity",
                    kind,
                    _union([d.box for d in found]),
                    min(d.score for d in found),
                    count=len(found),
                )
            )
    return drafts


def edge_drafts(
    image: np.ndarray, detections: list[Detection], rules: Rules
) -> tuple[list[Draft], int]:
    """Items whose front lies nearer the counter's front edge than the rule, measured on the
    plane the printed markers give. Without two markers nothing is measured."""
    if not rules.edge_mm or not rules.counter_mm:
        return [], 0
    found = markers.find_markers(image)
    plane = markers.counter_plane(found, *rules.counter_mm) if len(found) >= 2 else None
    if plane is None:
        return [], len(found)
    height, width = image.shape[:2]
    drafts = []
    for detection in detections:
        if detection.score < DRAFT_SCORE:
            continue
        distance = compare.edge_distance_mm(plane, detection.box, width, height)
        if -50 <= distance < rules.edge_mm:  # far below 0: the box is off the counter top
            drafts.append(
                Draft(
                    "too_close",
                    detection.kind,
                    detection.box,
                    detection.score,
                    measured_mm=max(0, round(distance)),
                )
            )
    return drafts, len(found)


def _new_since_reference(draft: Draft, changes: list[compare.Change]) -> bool:
    """The reference photo is the compliant layout the office approved. An item the detector
    calls not allowed (or one too many) where the photo still matches the reference is the
    detector's mistake, not the counter's: only items on a changed region stay drafts. Distance
    from the edge is measured, not recognised, and always stays."""
    if draft.kind not in ("not_allowed", "over_quantity"):
        return True
    return any(
        c.kind in ("added", "moved") and _overlap(draft.box, c.box) > REFERENCE_OVERLAP
        for c in changes
    )


def analyse(photo: bytes, rules: Rules, reference: bytes | None = None) -> Result:
    """Draft findings for one photo. Raises UnreadableImageError for a photo (or reference) that
    cannot be read safely; nothing else is expected to raise."""
    started = time.perf_counter()
    image = decode(photo)
    detections = detector.detect(image)
    drafts = item_drafts(detections, rules)
    edge, marker_count = edge_drafts(image, detections, rules)
    drafts += edge
    alignment = "no-reference"
    if reference is not None:
        reference_image = decode(reference)
        aligned = compare.align(reference_image, image)
        alignment = "none" if aligned is None else aligned.method
        if aligned is not None:
            changes = compare.changes(reference_image, image, aligned)
            drafts = [d for d in drafts if _new_since_reference(d, changes)]
            for change in changes:
                named = [
                    d
                    for d in detections
                    if d.score >= DRAFT_SCORE and _overlap(d.box, change.box) > 0.5
                ]
                item = named[0].kind if named and change.kind != "missing" else ""
                drafts.append(Draft(change.kind, item, change.box, round(change.score, 3)))
    height, width = image.shape[:2]
    return Result(
        drafts=drafts,
        detections=detections,
        alignment=alignment,
        seconds=round(time.perf_counter() - started, 3),
        markers=marker_count,
        width=width,
        height=height,
    )
