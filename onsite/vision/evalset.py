"""The photo check's labelled evaluation set, generated (deterministic from a seed): counter tops
in perspective with items standing on them, a reference photo of each counter's compliant
layout, and photos of the same counter from a slightly different viewpoint and light — unchanged,
with an item added (allowed or not), removed, moved, moved too close to the front edge, or a
second cup where one is allowed — each with its ground truth and the rules to apply.

Items are upright cut-outs ("billboards") standing on the counter plane at a known place in
millimetres, so every box follows from the camera's homography: the real cup of the CC0 photo
`onsite/vision/tests/data/coffee.jpg` (scikit-image's coffee.png), cut out with GrabCut, and
items rendered here with shading (cups, bottles, brochure stacks, phones, monitors, keyboards,
bags, plants, fruit). Plus the real photo itself, labelled by hand. Pure NumPy, OpenCV and
Pillow: no Django (`scripts/eval_vision.py` runs the photo check over it)."""

from __future__ import annotations

import functools
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import cv2
import numpy as np

from onsite.vision import markers
from onsite.vision.compare import Box

Array = np.ndarray[Any, Any]

COUNTER_MM = (1600, 700)  # width, depth
BORDER_MM = 250  # floor drawn around the counter, on the same plane
PX_PER_MM = 1  # the top-down drawing's scale
PHOTO = (1600, 1200)  # photo width, height
EDGE_MM = 50  # the rule: items at least this far from the front edge
REAL_CUP = Path(__file__).parent / "tests" / "data" / "coffee.jpg"
# The cup and saucer in coffee.jpg, labelled by hand (pixels x0, y0, x1, y1 of 600 × 400).
REAL_CUP_BOX = (128, 8, 468, 398)
# Where the counter's corners (front-left, front-right, back-right, back-left) land in a
# reference photo taken from the public's side, before zoom and jitter.
BASE_VIEW = ((90, 1130), (1510, 1130), (1250, 420), (350, 420))

ALLOWED = {"monitor": 1, "keyboard": 1, "mouse": 1, "phone": 1, "book": None, "cup": 1}
NOT_ALLOWED_POOL = ("bottle", "bag", "food", "plant")

# kind -> (width, apparent height) in mm of the upright cut-out
SIZES = {
    "cup": (90, 100),
    "real_cup": (150, 170),
    "bottle": (70, 230),
    "book": (220, 70),
    "phone": (80, 22),
    "monitor": (560, 420),
    "keyboard": (440, 45),
    "bag": (330, 270),
    "plant": (180, 320),
    "food": (90, 85),
}


@dataclass(frozen=True)
class Spec:
    """The rules for a photo, as onsite.vision.analyse.Rules takes them."""

    allowed: dict[str, int | None]
    banned: frozenset[str] = frozenset()
    edge_mm: int | None = None
    counter_mm: tuple[int, int] | None = None


@dataclass(frozen=True)
class Truth:
    kind: str  # "not_allowed" | "over_quantity" | "too_close" | "added" | "missing" | "moved"
    item: str  # detector kind, or "" where the kind does not matter
    box: Box  # in the photo
    # moved: where the item was (in the photo); a reference-change prediction there is neither
    # right nor wrong in the combined count
    also: Box | None = None


@dataclass(frozen=True)
class Sample:
    name: str
    group: str  # the variant: "same", "added-allowed", "added-not-allowed", "missing", ...
    photo: bytes
    reference: bytes | None
    rules: Spec
    truths: tuple[Truth, ...]
    source: str = "generated"  # "generated" | "real"


@dataclass(frozen=True)
class Item:
    kind: str  # a SIZES key; "real_cup" is detected as a cup
    x: float  # mm, centre of its front along the front edge
    y: float  # mm, its front from the front edge
    seed: int
    colour: tuple[int, int, int] = (200, 200, 200)

    @property
    def detector_kind(self) -> str:
        return "cup" if self.kind == "real_cup" else self.kind

    @property
    def width(self) -> float:
        return SIZES[self.kind][0]


@dataclass(frozen=True)
class View:
    corners: tuple[tuple[float, float], ...]  # counter corners in the photo
    light: float = 1.0
    light_angle: float = 0.0
    noise: float = 3.0
    jpeg: int = 88
    seed: int = 0

    def homography(self) -> Array:
        """Counter millimetres -> photo pixels."""
        w, d = COUNTER_MM
        src = np.array([[0, 0], [w, 0], [w, d], [0, d]], np.float32)
        return cv2.getPerspectiveTransform(src, np.array(self.corners, np.float32))


@dataclass
class Counter:
    index: int
    seed: int
    with_markers: bool
    zoom: float
    items: list[Item] = field(default_factory=list)
    rules: Spec = field(default_factory=lambda: Spec(dict(ALLOWED)))


# --- rendering of items --------------------------------------------------------------------


def _shade(width: int, height: int, colour: tuple[float, ...], strength: float = 0.45) -> Array:
    """A cylinder's shading: light from the left, dark at the right edge."""
    t = np.linspace(-1.0, 1.0, max(width, 1), dtype=np.float32)
    profile = (
        1.0
        - strength * (0.5 + 0.5 * np.sin(t * np.pi / 2 + 0.5))
        + 0.25 * np.exp(-((t + 0.45) ** 2) / 0.02)
    )
    image = np.array(colour, np.float32)[None, None, :] * profile[None, :, None]
    return np.repeat(image, max(height, 1), axis=0)


@functools.lru_cache(maxsize=1)
def real_cup() -> tuple[Array, Array]:
    """The cup and saucer of the CC0 coffee photo, cut out with GrabCut: (BGR, mask 0..255)."""
    if not REAL_CUP.exists():
        raise FileNotFoundError(f"{REAL_CUP} is missing (the real cup photo of the set)")
    read = cv2.imread(str(REAL_CUP), cv2.IMREAD_COLOR)
    if read is None:
        raise FileNotFoundError(f"{REAL_CUP} is not a readable image")
    image: Array = read
    x0, y0, x1, y1 = REAL_CUP_BOX
    mask = np.zeros(image.shape[:2], np.uint8)
    cv2.setRNGSeed(0)
    background = np.zeros((1, 65), np.float64)
    foreground = np.zeros((1, 65), np.float64)
    cv2.grabCut(
        image, mask, (x0, y0, x1 - x0, y1 - y0), background, foreground, 4, cv2.GC_INIT_WITH_RECT
    )
    cut: Array = np.where((mask == cv2.GC_FGD) | (mask == cv2.GC_PR_FGD), 255, 0).astype(np.uint8)
    cut = cv2.morphologyEx(cut, cv2.MORPH_OPEN, np.ones((5, 5), np.uint8))
    ys, xs = np.nonzero(cut[y0:y1, x0:x1])
    cx0, cx1, cy0, cy1 = xs.min() + x0, xs.max() + x0 + 1, ys.min() + y0, ys.max() + y0 + 1
    return image[cy0:cy1, cx0:cx1].copy(), cut[cy0:cy1, cx0:cx1].copy()


def render(item: Item, width: int, height: int) -> tuple[Array, Array]:
    """The item's upright picture, width × height pixels: (BGR uint8, mask uint8)."""
    width, height = max(width, 4), max(height, 4)
    if item.kind == "real_cup":
        image, mask = real_cup()
        return (
            cv2.resize(image, (width, height), interpolation=cv2.INTER_AREA),
            cv2.resize(mask, (width, height), interpolation=cv2.INTER_AREA),
        )
    rng = np.random.default_rng(item.seed)
    colour = item.colour
    canvas = np.zeros((height, width, 3), np.float32)
    mask = np.zeros((height, width), np.uint8)
    w, h = width, height

    def fill(poly: list[tuple[float, float]], value: Array | tuple[float, ...]) -> None:
        points = np.array([[px * w, py * h] for px, py in poly], np.int32)
        m = np.zeros((h, w), np.uint8)
        cv2.fillPoly(m, [points], 255)
        canvas[m > 0] = value if isinstance(value, tuple) else value[m > 0]
        mask[m > 0] = 255

    def ellipse(cx: float, cy: float, rx: float, ry: float, value: tuple[float, ...]) -> None:
        centre, axes = (
            (round(cx * w), round(cy * h)),
            (max(1, round(rx * w)), max(1, round(ry * h))),
        )
        cv2.ellipse(canvas, centre, axes, 0, 0, 360, value, -1, cv2.LINE_AA)
        cv2.ellipse(mask, centre, axes, 0, 0, 360, 255, -1, cv2.LINE_AA)

    kind = item.kind
    if kind == "cup":
        body = _shade(w, h, colour)
        fill([(0.12, 0.12), (0.78, 0.12), (0.72, 0.97), (0.18, 0.97)], body)
        ellipse(0.45, 0.97, 0.27, 0.03, tuple(c * 0.7 for c in colour))
        ellipse(0.45, 0.12, 0.33, 0.1, tuple(c * 0.9 for c in colour))
        ellipse(0.45, 0.13, 0.28, 0.07, (30, 55, 90))
        cv2.ellipse(canvas, (round(0.8 * w), round(0.45 * h)), (round(0.14 * w), round(0.18 * h)),
                    0, -90, 90, tuple(c * 0.75 for c in colour), max(2, w // 14))  # fmt: skip
        cv2.ellipse(mask, (round(0.8 * w), round(0.45 * h)), (round(0.14 * w), round(0.18 * h)),
                    0, -90, 90, 255, max(2, w // 14))  # fmt: skip
    elif kind == "bottle":
        body = _shade(w, h, colour, 0.55)
        fill([(0.1, 0.35), (0.9, 0.35), (0.9, 0.98), (0.1, 0.98)], body)
        fill([(0.1, 0.36), (0.35, 0.18), (0.65, 0.18), (0.9, 0.36)], body)
        fill([(0.35, 0.06), (0.65, 0.06), (0.65, 0.2), (0.35, 0.2)], body)
        fill([(0.32, 0.0), (0.68, 0.0), (0.68, 0.08), (0.32, 0.08)], _shade(w, h, (40, 60, 200)))
        label = tuple(float(c) for c in rng.integers(120, 255, 3))
        fill([(0.1, 0.55), (0.9, 0.55), (0.9, 0.78), (0.1, 0.78)], _shade(w, h, label, 0.4))
    elif kind == "book":
        layers = int(rng.integers(2, 5))
        for k in range(layers):
            top = k / layers
            cover = tuple(float(c) for c in rng.integers(40, 230, 3))
            fill([(0.0, top), (1.0, top), (1.0, top + 0.75 / layers), (0.0, top + 0.75 / layers)],
                 cover)  # fmt: skip
            fill([(0.0, top + 0.75 / layers), (1.0, top + 0.75 / layers), (1.0, (k + 1) / layers),
                  (0.0, (k + 1) / layers)], (235, 235, 230))  # fmt: skip
        for _ in range(3):
            yy = rng.uniform(0.05, 0.5)
            cv2.line(canvas, (round(0.15 * w), round(yy * h)), (round(0.7 * w), round(yy * h)),
                     (250, 250, 250), 1)  # fmt: skip
    elif kind == "phone":
        fill([(0.06, 0.0), (0.94, 0.0), (1.0, 1.0), (0.0, 1.0)], (25, 25, 28))
        fill([(0.12, 0.15), (0.88, 0.15), (0.92, 0.85), (0.08, 0.85)], _shade(w, h, (90, 70, 60)))
    elif kind == "monitor":
        fill([(0.0, 0.0), (1.0, 0.0), (1.0, 0.78), (0.0, 0.78)], (20, 20, 22))
        screen = np.zeros((h, w, 3), np.float32)
        screen[:] = np.linspace(160, 90, h, dtype=np.float32)[:, None, None] * np.array(
            [1.1, 0.8, 0.5], np.float32
        )
        for _ in range(6):
            x0, y0 = rng.uniform(0.05, 0.7), rng.uniform(0.05, 0.65)
            box = (round(x0 * w), round(y0 * h), round((x0 + 0.25) * w), round((y0 + 0.08) * h))
            cv2.rectangle(
                screen, box[:2], box[2:], tuple(float(c) for c in rng.integers(150, 255, 3)), -1
            )
        fill([(0.03, 0.04), (0.97, 0.04), (0.97, 0.74), (0.03, 0.74)], screen)
        fill([(0.45, 0.78), (0.55, 0.78), (0.55, 0.94), (0.45, 0.94)], (40, 40, 45))
        fill([(0.3, 0.94), (0.7, 0.94), (0.72, 1.0), (0.28, 1.0)], (35, 35, 40))
    elif kind == "keyboard":
        fill([(0.02, 0.0), (0.98, 0.0), (1.0, 1.0), (0.0, 1.0)], (45, 45, 48))
        for row in range(4):
            for col in range(18):
                x0 = 0.03 + col * 0.053 + row * 0.004
                y0 = 0.1 + row * 0.22
                cv2.rectangle(canvas, (round(x0 * w), round(y0 * h)),
                              (round((x0 + 0.04) * w), round((y0 + 0.15) * h)), (85, 85, 90), -1)  # fmt: skip
    elif kind == "bag":
        body = _shade(w, h, colour, 0.5)
        fill([(0.05, 0.35), (0.95, 0.35), (1.0, 1.0), (0.0, 1.0)], body)
        cv2.ellipse(canvas, (w // 2, round(0.36 * h)), (round(0.28 * w), round(0.3 * h)), 0, 180, 360,
                    tuple(c * 0.6 for c in colour), max(2, w // 25))  # fmt: skip
        cv2.ellipse(mask, (w // 2, round(0.36 * h)), (round(0.28 * w), round(0.3 * h)), 0, 180, 360,
                    255, max(2, w // 25))  # fmt: skip
        fill([(0.4, 0.45), (0.6, 0.45), (0.6, 0.55), (0.4, 0.55)], (180, 190, 200))
    elif kind == "plant":
        fill([(0.3, 0.65), (0.7, 0.65), (0.63, 1.0), (0.37, 1.0)], _shade(w, h, (60, 90, 170)))
        for _ in range(14):
            angle = rng.uniform(-1.3, 1.3)
            length = rng.uniform(0.35, 0.6)
            cx, cy = 0.5 + np.sin(angle) * length * 0.5, 0.66 - np.cos(angle) * length
            green = (
                float(rng.integers(20, 60)),
                float(rng.integers(110, 180)),
                float(rng.integers(20, 70)),
            )
            ellipse(cx, cy, 0.1, 0.12, green)
    elif kind == "food":
        ellipse(0.5, 0.53, 0.46, 0.46, colour)
        shade = _shade(w, h, colour, 0.5)
        round_mask = mask > 0
        canvas[round_mask] = shade[round_mask]
        cv2.line(
            canvas,
            (w // 2, round(0.02 * h)),
            (w // 2 + 2, round(0.15 * h)),
            (30, 60, 80),
            max(1, w // 20),
        )
        mask[: round(0.16 * h), w // 2 - 2 : w // 2 + 3] = 255
    else:  # pragma: no cover - SIZES lists every kind
        raise ValueError(kind)
    texture = rng.normal(0, 4, canvas.shape).astype(np.float32)
    image = np.clip(canvas + texture, 0, 255).astype(np.uint8)
    mask = cv2.GaussianBlur(mask, (3, 3), 0)
    return image, mask


# --- the counter and the camera ------------------------------------------------------------


def _to_canvas(points_mm: Array) -> Array:
    """Counter mm -> the top-down drawing's pixels (back at the top, floor border around)."""
    points = np.asarray(points_mm, np.float64).reshape(-1, 2)
    depth = COUNTER_MM[1]
    return np.stack(
        [
            (points[:, 0] + BORDER_MM) * PX_PER_MM,
            (depth + BORDER_MM - points[:, 1]) * PX_PER_MM,
        ],
        axis=1,
    )


@functools.lru_cache(maxsize=4)
def counter_top(seed: int, with_markers: bool) -> Array:
    """The counter drawn from above: wood or laminate, printed notices, markers, a tiled floor."""
    rng = np.random.default_rng(seed)
    w, d = (v * PX_PER_MM for v in COUNTER_MM)
    border = BORDER_MM * PX_PER_MM
    if seed % 2 == 0:  # wood: long grain
        grain = cv2.resize(rng.normal(0, 1, (d // 30, w // 3)).astype(np.float32), (w, d),
                           interpolation=cv2.INTER_CUBIC)  # fmt: skip
        base = np.array(rng.integers([90, 130, 170], [130, 170, 215]), np.float32)
        top = base + (grain * 16)[..., None] * np.array([0.7, 0.85, 1.0], np.float32)
    else:  # laminate: speckled, grey or pale
        base = np.array(rng.integers(150, 215, 3), np.float32)
        top = (
            base
            + cv2.GaussianBlur(rng.normal(0, 6, (d, w)).astype(np.float32), (0, 0), 2)[..., None]
        )
    top = top + rng.normal(0, 4, (d, w, 1)).astype(np.float32)
    top = np.clip(top, 0, 255).astype(np.uint8)
    for _ in range(10):  # notices, tape, stickers: what features are matched on
        x, y = int(rng.integers(80, w - 260)), int(rng.integers(80, d - 80))
        colour = tuple(int(c) for c in rng.integers(0, 90, 3))
        if rng.random() < 0.5:
            cv2.rectangle(top, (x - 8, y - 30), (x + 150, y + 10), (235, 235, 235), -1)
        words = "".join(rng.choice(list("ABCDEFGHKMNPRSTUVXYZ0123456789"), 6))
        cv2.putText(top, words, (x, y), cv2.FONT_HERSHEY_SIMPLEX, 0.8, colour, 2, cv2.LINE_AA)
    if with_markers:
        dictionary = cv2.aruco.getPredefinedDictionary(markers.DICTIONARY)
        side = round(markers.MARKER_MM * PX_PER_MM)
        margin = round(markers.MARGIN_MM * PX_PER_MM)
        for marker_id in markers.IDS:
            corners = (
                _to_canvas(markers.marker_corners_mm(marker_id, *COUNTER_MM)) - border
            )  # in the counter's own drawing
            x0, y0 = (round(float(v)) for v in corners.min(axis=0))
            tile = cv2.aruco.generateImageMarker(dictionary, marker_id, side)
            top[y0 - margin : y0 + side + margin, x0 - margin : x0 + side + margin] = 245
            top[y0 : y0 + side, x0 : x0 + side] = tile[..., None]
    size = 60 * PX_PER_MM
    tiles = rng.integers(70, 120, ((d + 2 * border) // size + 1, (w + 2 * border) // size + 1))
    floor = cv2.resize(
        tiles.astype(np.uint8), None, fx=size, fy=size, interpolation=cv2.INTER_NEAREST
    )
    floor = cv2.cvtColor(floor[: d + 2 * border, : w + 2 * border], cv2.COLOR_GRAY2BGR)
    floor[border : border + d, border : border + w] = top
    return floor


def item_box_px(item: Item, homography: Array) -> tuple[float, float, float, float]:
    """The upright item's box in the photo (x0, y0, x1, y1): its front base projected, its
    height scaled like its width at that depth."""
    width_mm, height_mm = SIZES[item.kind]
    foot = cv2.perspectiveTransform(
        np.array(
            [[[item.x - width_mm / 2, item.y]], [[item.x + width_mm / 2, item.y]]], np.float64
        ),
        homography,
    ).reshape(2, 2)
    (x0, y0), (x1, y1) = foot
    width_px = float(np.hypot(x1 - x0, y1 - y0))
    bottom = (y0 + y1) / 2
    return float(x0), bottom - width_px * height_mm / width_mm, float(x1), bottom


def box_of(item: Item, view: View) -> Box:
    x0, y0, x1, y1 = item_box_px(item, view.homography())
    return Box.from_pixels(x0, y0, x1, y1, *PHOTO)


def shoot(counter: Counter, items: list[Item], view: View) -> bytes:
    """The photo (JPEG bytes) of the counter with these items, seen from this view."""
    width, height = PHOTO
    canvas_to_mm = np.array(
        [[1 / PX_PER_MM, 0, -BORDER_MM], [0, -1 / PX_PER_MM, COUNTER_MM[1] + BORDER_MM], [0, 0, 1]],
        np.float64,
    )
    homography = view.homography()
    top = counter_top(counter.seed, counter.with_markers)
    photo = cv2.warpPerspective(
        top, homography @ canvas_to_mm, (width, height), borderValue=(70, 75, 80)
    ).astype(np.float32)
    # a wall behind the counter, above its back edge
    wall = (
        np.full((height, width, 3), (200, 205, 210), np.float32)
        * np.linspace(0.8, 1.0, height, dtype=np.float32)[:, None, None]
    )
    back = cv2.perspectiveTransform(
        np.array([[[-BORDER_MM, COUNTER_MM[1] + BORDER_MM]], [[COUNTER_MM[0] + BORDER_MM, COUNTER_MM[1] + BORDER_MM]]],
                 np.float64), homography).reshape(2, 2)  # fmt: skip
    rows = np.arange(height, dtype=np.float32)[:, None]
    cols = np.arange(width, dtype=np.float32)[None, :]
    (bx0, by0), (bx1, by1) = back
    line = by0 + (cols - bx0) * (by1 - by0) / max(1e-6, bx1 - bx0)
    above = rows < line
    photo[above] = wall[above]
    for item in sorted(items, key=lambda i: -i.y):  # far ones first
        x0, y0, x1, y1 = item_box_px(item, homography)
        w, h = round(x1 - x0), round(y1 - y0)
        picture, mask = render(item, w, h)
        ix, iy = round(x0), round(y0)
        px0, py0, px1, py1 = max(ix, 0), max(iy, 0), min(ix + w, width), min(iy + h, height)
        if px1 <= px0 or py1 <= py0:
            continue
        part = picture[py0 - iy : py1 - iy, px0 - ix : px1 - ix].astype(np.float32)
        alpha = mask[py0 - iy : py1 - iy, px0 - ix : px1 - ix].astype(np.float32)[..., None] / 255
        # a soft contact shadow below the item
        shadow_y = min(py1 + 1, height)
        photo[max(py1 - 4, 0) : shadow_y, px0:px1] *= 0.7
        photo[py0:py1, px0:px1] = photo[py0:py1, px0:px1] * (1 - alpha) + part * alpha
    rng = np.random.default_rng(view.seed)
    angle = view.light_angle
    ramp = (np.cos(angle) * (cols / width - 0.5) + np.sin(angle) * (rows / height - 0.5))[..., None]
    photo = photo * view.light * (1 + 0.25 * ramp) + rng.normal(0, view.noise, photo.shape)
    ok, data = cv2.imencode(
        ".jpg", np.clip(photo, 0, 255).astype(np.uint8), [cv2.IMWRITE_JPEG_QUALITY, view.jpeg]
    )
    if not ok:  # pragma: no cover
        raise RuntimeError("JPEG encoding failed")
    return data.tobytes()


# --- the set -------------------------------------------------------------------------------


def _view(counter: Counter, rng: np.random.Generator, *, reference: bool) -> View:
    centre = np.array([800.0, 760.0])
    corners = (np.array(BASE_VIEW, np.float64) - centre) * counter.zoom + centre
    if not reference:  # another viewpoint: up to ~4 % of the photo at each corner
        corners = corners + rng.uniform(-60, 60, corners.shape)
        corners = corners + rng.uniform(-40, 40, 2)
    return View(
        corners=tuple((float(x), float(y)) for x, y in corners),
        light=1.0 if reference else float(rng.uniform(0.75, 1.2)),
        light_angle=float(rng.uniform(0, 2 * np.pi)),
        noise=float(rng.uniform(2.0, 6.0)),
        jpeg=int(rng.integers(78, 94)),
        seed=int(rng.integers(0, 2**31)),
    )


def _free_spot(
    rng: np.random.Generator, kind: str, items: list[Item], y_range: tuple[float, float]
) -> tuple[float, float]:
    width = SIZES[kind][0]
    for _ in range(1000):
        x = float(rng.uniform(width / 2 + 80, COUNTER_MM[0] - width / 2 - 80))
        y = float(rng.uniform(*y_range))
        if all(abs(x - o.x) > (width + o.width) / 2 + 30 or abs(y - o.y) > 110 for o in items):
            return x, y
    raise RuntimeError("no free spot on the counter")  # pragma: no cover - the counter is big


def _colour(rng: np.random.Generator) -> tuple[int, int, int]:
    return tuple(int(c) for c in rng.integers(40, 235, 3))  # type: ignore[return-value]


def _counter(index: int, seed: int) -> Counter:
    rng = np.random.default_rng([seed, index])
    counter = Counter(
        index=index,
        seed=int(rng.integers(0, 2**31)),
        with_markers=index % 3 != 2,
        zoom=float(rng.choice([1.0, 1.0, 1.35, 1.7])),
    )
    no_drinks = index % 4 == 3  # a counter where drinks are not allowed
    allowed = dict(ALLOWED)
    if no_drinks:
        del allowed["cup"]
    counter.rules = Spec(
        allowed=allowed,
        edge_mm=EDGE_MM if counter.with_markers else None,
        counter_mm=COUNTER_MM if counter.with_markers else None,
    )
    items: list[Item] = []
    items.append(
        Item(
            "monitor",
            float(rng.uniform(380, 560)),
            float(rng.uniform(420, 480)),
            int(rng.integers(10**9)),
        )
    )
    layout = ["keyboard"] if rng.random() < 0.5 else []
    layout += ["book", "phone"] + ([] if no_drinks else [str(rng.choice(["cup", "real_cup"]))])
    for kind in layout:
        y_range = (180.0, 270.0) if kind == "keyboard" else (140.0, 520.0)
        x, y = _free_spot(rng, kind, items, y_range)
        items.append(Item(kind, x, y, int(rng.integers(10**9)), _colour(rng)))
    counter.items = items
    return counter


def _samples(counter: Counter, seed: int) -> Iterator[Sample]:
    rng = np.random.default_rng([seed, counter.index, 1])
    reference_view = _view(counter, rng, reference=True)
    reference = shoot(counter, counter.items, reference_view)
    rules = counter.rules
    name = f"c{counter.index:02d}"

    def photo(group: str, items: list[Item], truths: list[Truth], view: View) -> Sample:
        return Sample(
            name=f"{name}-{group}",
            group=group,
            photo=shoot(counter, items, view),
            reference=reference,
            rules=rules,
            truths=tuple(truths),
        )

    base = counter.items
    for k in range(2):  # unchanged: the negatives
        yield photo(f"same{k}", base, [], _view(counter, rng, reference=False))

    view = _view(counter, rng, reference=False)
    kind = "book"  # brochures: allowed without limit, but not in the reference
    x, y = _free_spot(rng, kind, base, (120.0, 500.0))
    added = Item(kind, x, y, int(rng.integers(10**9)), _colour(rng))
    yield photo("added-allowed", [*base, added], [Truth("added", "", box_of(added, view))], view)

    for k in range(2):
        view = _view(counter, rng, reference=False)
        pool = list(NOT_ALLOWED_POOL) + (["real_cup", "cup"] if "cup" not in rules.allowed else [])
        kind = str(rng.choice(pool))
        x, y = _free_spot(rng, kind, base, (120.0, 500.0))
        colour = (40, 120, 230) if kind == "food" else _colour(rng)
        added = Item(kind, x, y, int(rng.integers(10**9)), colour)
        box = box_of(added, view)
        yield photo(
            f"added-not-allowed{k}",
            [*base, added],
            [Truth("added", "", box), Truth("not_allowed", added.detector_kind, box)],
            view,
        )

    view = _view(counter, rng, reference=False)
    gone = base[int(rng.integers(1, len(base)))]  # not the monitor
    yield photo(
        "missing",
        [i for i in base if i is not gone],
        [Truth("missing", "", box_of(gone, view))],
        view,
    )

    view = _view(counter, rng, reference=False)
    small = [i for i in base if i.kind in {"phone", "cup", "real_cup", "book"}]
    moving = small[int(rng.integers(len(small)))]
    others = [i for i in base if i is not moving]
    for _ in range(50):
        x, y = _free_spot(rng, moving.kind, others, (140.0, 520.0))
        if np.hypot(x - moving.x, y - moving.y) > 300:
            break
    moved = replace(moving, x=x, y=y)
    yield photo(
        "moved",
        [*others, moved],
        [Truth("moved", "", box_of(moved, view), also=box_of(moving, view))],
        view,
    )

    if counter.with_markers:
        view = _view(counter, rng, reference=False)
        near = [i for i in base if i.kind in {"phone", "cup", "real_cup", "book"}]
        moving = near[int(rng.integers(len(near)))]
        others = [i for i in base if i is not moving]
        x, _y = _free_spot(rng, moving.kind, others, (140.0, 200.0))
        moved = replace(moving, x=x, y=float(rng.uniform(8, EDGE_MM - 15)))
        box = box_of(moved, view)
        yield photo(
            "too-close",
            [*others, moved],
            [
                Truth("too_close", moved.detector_kind, box),
                Truth("moved", "", box, also=box_of(moving, view)),
            ],
            view,
        )

    cups = [i for i in base if i.detector_kind == "cup"]
    if cups:
        view = _view(counter, rng, reference=False)
        kind = "real_cup" if cups[0].kind == "cup" else "cup"
        x, y = _free_spot(rng, kind, base, (140.0, 500.0))
        second = Item(kind, x, y, int(rng.integers(10**9)), _colour(rng))
        boxes = [box_of(cups[0], view), box_of(second, view)]
        x0, y0 = min(b.x for b in boxes), min(b.y for b in boxes)
        x1, y1 = max(b.x + b.w for b in boxes), max(b.y + b.h for b in boxes)
        yield photo(
            "two-cups",
            [*base, second],
            [
                Truth("added", "", boxes[1]),
                Truth("over_quantity", "cup", Box(x0, y0, x1 - x0, y1 - y0)),
            ],
            view,
        )


def real_samples() -> list[Sample]:
    """The real photo, labelled by hand: once where cups are not allowed, once where they are."""
    if not REAL_CUP.exists():
        return []
    data = REAL_CUP.read_bytes()
    box = Box.from_pixels(*REAL_CUP_BOX, 600, 400)
    without_cups = {k: v for k, v in ALLOWED.items() if k != "cup"}
    return [
        Sample(
            "real-coffee-no-cups",
            "real",
            data,
            None,
            Spec(without_cups),
            (Truth("not_allowed", "cup", box),),
            source="real",
        ),
        Sample("real-coffee-cup-ok", "real", data, None, Spec(dict(ALLOWED)), (), source="real"),
    ]


def generate(seed: int = 0, counters: int = 20) -> list[Sample]:
    """The set: `counters` counters with about 8 photos each, plus the real photos."""
    samples: list[Sample] = []
    for index in range(counters):
        samples.extend(_samples(_counter(index, seed), seed))
    samples.extend(real_samples())
    return samples
