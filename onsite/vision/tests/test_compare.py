"""The reference comparison on scenes built here: a textured counter top with the four position
markers at its corners and flat items on it, seen by a camera from the public's side; the photo
is the same counter from another angle, in other light, with sensor noise and a JPEG round trip.
Items lie flat on the counter, so the truth (boxes, distances) follows from the camera's
homography exactly."""

from __future__ import annotations

import functools
from dataclasses import dataclass, replace
from pathlib import Path

import cv2
import numpy as np
import pytest

from onsite.vision import compare, markers
from onsite.vision.compare import Box

WIDTH_MM, DEPTH_MM = 1200, 600
PX_PER_MM = 2  # the counter is drawn top-down at this scale, back edge at the top
FLOOR_MM = 300  # the floor drawn around it (it moves with the camera too)
PHOTO_SIZE = (2048, 1536)
# where the counter's corners (front-left, front-right, back-right, back-left) land in a photo
REFERENCE_VIEW = ((170, 1380), (1880, 1400), (1560, 560), (440, 540))
OTHER_VIEW = ((260, 1330), (1930, 1300), (1600, 480), (520, 520))


@dataclass(frozen=True)
class Item:
    kind: str  # "box" | "cup" | "book"
    x: float  # mm: left side (box, book) or centre (cup)
    y: float  # mm: front side (box, book) or centre (cup)
    w: float  # mm (cup: diameter)
    d: float  # mm, towards the back
    colour: tuple[int, int, int]
    # a tall item: where its top lands on the counter plane as this camera sees it (mm, relative)
    top: tuple[float, float] = (0.0, 0.0)

    def outline_mm(self) -> np.ndarray:
        if self.kind == "cup":
            angles = np.linspace(0, 2 * np.pi, 48, endpoint=False)
            r = self.w / 2
            return np.stack([self.x + r * np.cos(angles), self.y + r * np.sin(angles)], axis=1)
        return np.array(
            [
                [self.x, self.y],
                [self.x + self.w, self.y],
                [self.x + self.w, self.y + self.d],
                [self.x, self.y + self.d],
            ],
            float,
        )

    @property
    def front_mm(self) -> float:
        return self.y - self.w / 2 if self.kind == "cup" else self.y


BOOK = Item("book", 150, 180, 210, 280, (40, 60, 170))
BOX = Item("box", 820, 120, 160, 120, (60, 140, 60))
CUP = Item("cup", 560, 260, 110, 110, (200, 200, 230))


def _canvas_px(points_mm: np.ndarray) -> np.ndarray:
    """Counter mm -> the top-down drawing's pixels (y flipped: the back is at the top; the floor
    around the counter is FLOOR_MM wide)."""
    points = np.asarray(points_mm, float)
    return np.stack(
        [(points[:, 0] + FLOOR_MM) * PX_PER_MM, (DEPTH_MM + FLOOR_MM - points[:, 1]) * PX_PER_MM],
        axis=1,
    )


@functools.lru_cache(maxsize=4)
def _counter(seed: int, *, with_markers: bool) -> np.ndarray:
    """A wood-like counter top with a few printed notices on it (features to match)."""
    rng = np.random.default_rng(seed)
    h, w = DEPTH_MM * PX_PER_MM, WIDTH_MM * PX_PER_MM
    grain = cv2.resize(
        rng.normal(0, 1, (h // 40, w // 4)).astype(np.float32),
        (w, h),
        interpolation=cv2.INTER_CUBIC,
    )
    fine = cv2.GaussianBlur(rng.normal(0, 1, (h, w)).astype(np.float32), (0, 0), 1.2)
    base = (
        np.array([120, 165, 205], np.float32)
        if seed % 2 == 0
        else np.array([150, 150, 150], np.float32)
    )
    image = base + (grain * 14 + fine * 6)[..., None] * np.array([0.7, 0.85, 1.0], np.float32)
    image = np.clip(image, 0, 255).astype(np.uint8)
    for _ in range(14):  # printed notices, stickers, scratches
        x, y = int(rng.integers(120, w - 320)), int(rng.integers(120, h - 160))
        words = "".join(rng.choice(list("ABCDEFGHKMNPRSTUVXYZ0123456789"), 7))
        colour = tuple(int(c) for c in rng.integers(0, 90, 3))
        cv2.putText(
            image,
            words,
            (x, y),
            cv2.FONT_HERSHEY_SIMPLEX,
            float(rng.uniform(0.9, 1.6)),
            colour,
            2,
            cv2.LINE_AA,
        )
        if rng.random() < 0.5:
            cv2.rectangle(
                image, (x - 10, y + 12), (x + int(rng.integers(60, 200)), y + 20), colour, -1
            )
    if with_markers:
        for marker_id in markers.IDS:
            corners = _canvas_px(markers.marker_corners_mm(marker_id, WIDTH_MM, DEPTH_MM))
            x0, y0 = corners.min(axis=0) - FLOOR_MM * PX_PER_MM
            side = round(markers.MARKER_MM * PX_PER_MM)
            margin = round(markers.MARGIN_MM * PX_PER_MM)
            tile = cv2.aruco.generateImageMarker(
                cv2.aruco.getPredefinedDictionary(markers.DICTIONARY), marker_id, side
            )
            x0, y0 = round(float(x0)), round(float(y0))
            image[y0 - margin : y0 + side + margin, x0 - margin : x0 + side + margin] = 245
            image[y0 : y0 + side, x0 : x0 + side] = tile[..., None]
    floor = FLOOR_MM * PX_PER_MM
    tiles = rng.integers(
        60, 110, ((h + 2 * floor) // 60 + 1, (w + 2 * floor) // 60 + 1), dtype=np.uint8
    )
    ground = cv2.resize(tiles, None, fx=60, fy=60, interpolation=cv2.INTER_NEAREST)[
        : h + 2 * floor, : w + 2 * floor
    ]
    ground = cv2.cvtColor(ground, cv2.COLOR_GRAY2BGR)
    ground[floor : floor + h, floor : floor + w] = image
    return ground


def _draw(image: np.ndarray, item: Item, seed: int) -> None:
    if item.top != (0.0, 0.0):  # its sides, then its top where the camera sees it
        dx, dy = item.top
        base = item.outline_mm()
        sides = cv2.convexHull(
            _canvas_px(np.concatenate([base, base + np.array([dx, dy])])).astype(np.int32)
        )
        cv2.fillConvexPoly(image, sides, tuple(int(c * 0.6) for c in item.colour))
        item = replace(item, x=item.x + dx, y=item.y + dy, top=(0.0, 0.0))
    rng = np.random.default_rng(seed)
    outline = _canvas_px(item.outline_mm()).astype(np.int32)
    pad = 40  # room for the cup's handle
    x0, y0 = outline.min(axis=0) - pad
    x1, y1 = outline.max(axis=0) + pad
    part = image[y0:y1, x0:x1]  # a view: drawing on it draws on the image
    local = outline - [x0, y0]
    mask = np.zeros(part.shape[:2], np.uint8)
    cv2.fillPoly(mask, [local], 255)
    noise = rng.normal(0, 6, part.shape).astype(np.float32)
    texture = np.clip(np.array(item.colour, np.float32) + noise, 0, 255).astype(np.uint8)
    (lx0, ly0), (lx1, ly1) = local.min(axis=0), local.max(axis=0)
    if item.kind == "book":  # stripes and a title
        for k, yy in enumerate(range(ly0, ly1, 36)):
            texture[yy : yy + 14, lx0:lx1] = (230, 230, 230) if k % 2 else (20, 20, 40)
        cv2.putText(
            texture,
            "MANUAL",
            (lx0 + 30, (ly0 + ly1) // 2),
            cv2.FONT_HERSHEY_DUPLEX,
            2.0,
            (255, 255, 0),
            4,
        )
    elif item.kind == "cup":  # rim, coffee, a handle
        centre = ((lx0 + lx1) // 2, (ly0 + ly1) // 2)
        cv2.circle(texture, centre, (lx1 - lx0) // 2 - 14, (30, 60, 90), -1)
        cv2.circle(texture, centre, (lx1 - lx0) // 2 - 40, (50, 90, 130), 6)
        cv2.circle(part, (lx1 + 10, (ly0 + ly1) // 2), 24, item.colour, 12)
    else:  # a parcel with a label and tape
        cv2.rectangle(texture, (lx0 + 30, ly0 + 30), (lx0 + 170, ly0 + 110), (245, 245, 245), -1)
        cv2.putText(
            texture, "No.42", (lx0 + 40, ly0 + 85), cv2.FONT_HERSHEY_SIMPLEX, 1.2, (0, 0, 0), 3
        )
        cv2.line(texture, ((lx0 + lx1) // 2, ly0), ((lx0 + lx1) // 2, ly1), (90, 160, 200), 16)
    part[mask > 0] = texture[mask > 0]


def _view(corners: tuple[tuple[int, int], ...]) -> np.ndarray:
    """The homography from the top-down drawing to a photo whose counter corners are `corners`."""
    src = _canvas_px(np.array([[0, 0], [WIDTH_MM, 0], [WIDTH_MM, DEPTH_MM], [0, DEPTH_MM]], float))
    return cv2.getPerspectiveTransform(src.astype(np.float32), np.array(corners, np.float32))


def _photo(
    items: list[Item],
    *,
    view: tuple[tuple[int, int], ...] = REFERENCE_VIEW,
    seed: int = 7,
    with_markers: bool = True,
    light: float = 1.0,
    noise: float = 0.0,
    jpeg: int = 0,
) -> np.ndarray:
    top = _counter(seed, with_markers=with_markers).copy()
    for k, item in enumerate(items):
        _draw(top, item, seed=100 + k)
    width, height = PHOTO_SIZE
    photo = cv2.warpPerspective(top, _view(view), (width, height), borderValue=(50, 50, 50))
    if light != 1.0 or noise:
        ramp = np.linspace(0.9, 1.1, width, dtype=np.float32)[None, :, None]  # light from the right
        shot = photo.astype(np.float32) * light * ramp + 10 * (light - 1)
        shot += np.random.default_rng(seed + 2).normal(0, noise, shot.shape).astype(np.float32)
        photo = np.clip(shot, 0, 255).astype(np.uint8)
    if jpeg:
        ok, data = cv2.imencode(".jpg", photo, [cv2.IMWRITE_JPEG_QUALITY, jpeg])
        assert ok
        photo = cv2.imdecode(data, cv2.IMREAD_COLOR)
    return photo


def _truth(item: Item, view: tuple[tuple[int, int], ...] = OTHER_VIEW) -> Box:
    points = cv2.perspectiveTransform(
        _canvas_px(item.outline_mm()).reshape(-1, 1, 2), _view(view)
    ).reshape(-1, 2)
    (x0, y0), (x1, y1) = points.min(axis=0), points.max(axis=0)
    return Box.from_pixels(x0, y0, x1, y1, *PHOTO_SIZE)


def _iou(a: Box, b: Box) -> float:
    w = min(a.x + a.w, b.x + b.w) - max(a.x, b.x)
    h = min(a.y + a.h, b.y + b.h) - max(a.y, b.y)
    if w <= 0 or h <= 0:
        return 0.0
    inter = w * h
    return inter / (a.w * a.h + b.w * b.h - inter)


def _shot(items: list[Item], **kwargs: object) -> np.ndarray:
    """The photo an inspector takes: another angle, dimmer light from one side, noise, JPEG."""
    options: dict[str, object] = {"view": OTHER_VIEW, "light": 0.8, "noise": 4.0, "jpeg": 85}
    options.update(kwargs)
    return _photo(items, **options)  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def reference() -> np.ndarray:
    return _photo([BOOK, BOX])


@pytest.fixture(scope="module")
def bare_reference() -> np.ndarray:
    return _photo([BOOK, BOX], with_markers=False)


# --- boxes -------------------------------------------------------------------------------------


def test_a_box_goes_to_pixels_and_back():
    box = Box.from_pixels(100, 50, 300, 250, 1000, 500)
    assert box == Box(0.1, 0.1, 0.2, 0.4)
    assert box.to_pixels(1000, 500) == (100, 50, 300, 250)


def test_a_box_is_clipped_to_the_image():
    assert Box.from_pixels(-20, 400, 50, 600, 100, 500) == Box(0.0, 0.8, 0.5, 0.2)


# --- markers -----------------------------------------------------------------------------------


def test_a_printed_marker_is_found_again():
    for marker_id in markers.IDS:
        image = cv2.imdecode(
            np.frombuffer(markers.marker_png(marker_id, 240), np.uint8), cv2.IMREAD_COLOR
        )
        found = markers.find_markers(image)
        assert list(found) == [marker_id]
        side = np.linalg.norm(found[marker_id][0] - found[marker_id][1])
        assert side == pytest.approx(240 * markers.MARKER_MM / markers.STICKER_MM, abs=2)


def test_the_sheet_has_four_markers_and_escaped_labels():
    svg = markers.sheet_svg(
        labels=["front <left>", "front right", "back right", "back left"], title="Print & cut"
    )
    assert svg.count("<path") == 4
    assert "0 · front &lt;left&gt;" in svg
    assert "3 · back left" in svg
    assert "Print &amp; cut" in svg
    assert 'width="210mm" height="297mm"' in svg
    with pytest.raises(ValueError, match="4 labels"):
        markers.sheet_svg(labels=["only one"])


def test_the_four_markers_are_found_in_a_photo(reference):
    assert sorted(markers.find_markers(reference)) == [0, 1, 2, 3]
    assert markers.find_markers(_photo([BOOK], with_markers=False)) == {}


def test_the_plane_maps_the_photo_to_counter_millimetres():
    photo = _shot([BOOK])
    plane = markers.counter_plane(markers.find_markers(photo), WIDTH_MM, DEPTH_MM)
    assert plane is not None
    corners_mm = np.array(
        [[0, 0], [WIDTH_MM, 0], [WIDTH_MM, DEPTH_MM], [0, DEPTH_MM], [600, 300]], float
    )
    corners_px = cv2.perspectiveTransform(
        _canvas_px(corners_mm).reshape(-1, 1, 2), _view(OTHER_VIEW)
    ).reshape(-1, 2)
    assert np.abs(markers.to_mm(plane, corners_px) - corners_mm).max() < 6


def test_two_markers_are_enough_and_one_is_not():
    found = markers.find_markers(_shot([BOOK]))
    plane = markers.counter_plane({0: found[0], 1: found[1]}, WIDTH_MM, DEPTH_MM)
    assert plane is not None
    point_px = cv2.perspectiveTransform(
        _canvas_px(np.array([[600.0, 100.0]])).reshape(-1, 1, 2), _view(OTHER_VIEW)
    )
    assert markers.to_mm(plane, point_px.reshape(-1, 2))[0] == pytest.approx([600, 100], abs=10)
    assert markers.counter_plane({0: found[0]}, WIDTH_MM, DEPTH_MM) is None


def test_markers_that_do_not_fit_the_counter_give_no_plane():
    found = markers.find_markers(_shot([BOOK]))
    assert markers.counter_plane(found, WIDTH_MM, DEPTH_MM) is not None
    # marker 1 stuck where marker 2 belongs
    assert (
        markers.counter_plane({0: found[0], 1: found[2], 3: found[3]}, WIDTH_MM, DEPTH_MM) is None
    )
    # marker 0 stuck turned by a quarter
    turned = {**found, 0: np.roll(found[0], 1, axis=0)}
    assert markers.counter_plane(turned, WIDTH_MM, DEPTH_MM) is None
    # a counter much wider than the one in the photo
    assert markers.counter_plane(found, WIDTH_MM + 400, DEPTH_MM) is None


# --- alignment ---------------------------------------------------------------------------------


def _photo_to_reference_error(alignment: compare.Alignment) -> float:
    """Largest distance (reference pixels) between where the alignment and the truth send points
    of the counter top."""
    mm = np.array([[100, 50], [1100, 50], [1100, 550], [100, 550], [600, 300]], float)
    canvas = _canvas_px(mm).reshape(-1, 1, 2)
    in_photo = cv2.perspectiveTransform(canvas, _view(OTHER_VIEW))
    in_reference = cv2.perspectiveTransform(canvas, _view(REFERENCE_VIEW)).reshape(-1, 2)
    aligned = cv2.perspectiveTransform(in_photo, alignment.homography).reshape(-1, 2)
    return float(np.linalg.norm(aligned - in_reference, axis=1).max())


def test_the_markers_align_the_photo(reference):
    alignment = compare.align(reference, _shot([BOOK, BOX]))
    assert alignment is not None
    assert alignment.method == "markers"
    assert alignment.inliers == 16
    assert _photo_to_reference_error(alignment) < 4


def test_without_markers_the_features_align_the_photo(bare_reference):
    alignment = compare.align(bare_reference, _shot([BOOK, BOX, CUP], with_markers=False))
    assert alignment is not None
    assert alignment.method == "features"
    assert alignment.inliers >= compare.MIN_INLIERS
    assert _photo_to_reference_error(alignment) < 6


def test_another_counter_is_not_aligned(bare_reference, reference):
    other = _shot([CUP], seed=12, with_markers=False)
    assert compare.align(bare_reference, other) is None
    rng = np.random.default_rng(3)
    unrelated = cv2.GaussianBlur(rng.integers(0, 255, (1536, 2048, 3), dtype=np.uint8), (0, 0), 3)
    assert compare.align(reference, unrelated) is None
    assert compare.align(reference, np.full((1536, 2048, 3), 128, np.uint8)) is None


def test_another_counter_with_the_same_markers_is_not_aligned_by_features(bare_reference):
    # markers in the photo only: nothing in common with the reference but the counter's shape
    other = _shot([CUP], seed=12, with_markers=True)
    assert compare.align(bare_reference, other) is None


# --- changes -----------------------------------------------------------------------------------


def _changes(reference: np.ndarray, photo: np.ndarray) -> list[compare.Change]:
    alignment = compare.align(reference, photo)
    assert alignment is not None
    return compare.changes(reference, photo, alignment)


def test_only_the_light_changed_so_nothing_changed(reference, bare_reference):
    assert _changes(reference, _shot([BOOK, BOX])) == []
    assert _changes(bare_reference, _shot([BOOK, BOX], with_markers=False, light=1.2)) == []


def test_an_added_cup_is_reported_where_it_stands(reference):
    found = _changes(reference, _shot([BOOK, BOX, CUP]))
    assert [c.kind for c in found] == ["added"]
    assert _iou(found[0].box, _truth(CUP)) >= 0.5
    assert found[0].reference_box is None
    assert 0.3 < found[0].score <= 1


def test_an_added_cup_is_found_without_markers(bare_reference):
    found = _changes(bare_reference, _shot([BOOK, BOX, CUP], with_markers=False))
    assert [c.kind for c in found] == ["added"]
    assert _iou(found[0].box, _truth(CUP)) >= 0.5


def test_a_removed_parcel_is_missing(reference):
    found = _changes(reference, _shot([BOOK]))
    assert [c.kind for c in found] == ["missing"]
    assert _iou(found[0].box, _truth(BOX)) >= 0.5  # where it was, in the photo
    assert found[0].reference_box is not None
    assert _iou(found[0].reference_box, _truth(BOX, REFERENCE_VIEW)) >= 0.5


def test_a_moved_parcel_is_one_change(reference):
    moved = replace(BOX, x=420, y=330)
    found = _changes(reference, _shot([BOOK, moved]))
    assert [c.kind for c in found] == ["moved"]
    assert _iou(found[0].box, _truth(moved)) >= 0.5
    assert found[0].reference_box is not None
    assert _iou(found[0].reference_box, _truth(BOX, REFERENCE_VIEW)) >= 0.5


def test_a_removed_parcel_and_an_added_cup_are_not_a_move(reference):
    found = _changes(reference, _shot([BOOK, CUP]))
    assert sorted(c.kind for c in found) == ["added", "missing"]
    added = next(c for c in found if c.kind == "added")
    missing = next(c for c in found if c.kind == "missing")
    assert _iou(added.box, _truth(CUP)) >= 0.5
    assert _iou(missing.box, _truth(BOX)) >= 0.5


def test_the_photo_at_another_size_gives_boxes_in_its_own_frame(reference):
    photo = cv2.resize(_shot([BOOK, BOX, CUP]), (1024, 768), interpolation=cv2.INTER_AREA)
    found = _changes(reference, photo)
    assert [c.kind for c in found] == ["added"]
    assert _iou(found[0].box, _truth(CUP)) >= 0.5


# --- distance from the front edge --------------------------------------------------------------


@pytest.mark.parametrize("front_mm", [40, 150, 320])
def test_the_distance_from_the_front_edge_is_measured(reference, front_mm):
    item = replace(BOX, y=front_mm)
    photo = _shot([BOOK, BOX, replace(item, x=420)])
    plane = markers.counter_plane(markers.find_markers(photo), WIDTH_MM, DEPTH_MM)
    assert plane is not None
    truth = replace(item, x=420)
    height, width = photo.shape[:2]
    assert compare.edge_distance_mm(plane, _truth(truth), width, height) == pytest.approx(
        front_mm, abs=10
    )
    # and from the box the comparison reports
    found = _changes(reference, photo)
    assert [c.kind for c in found] == ["added"]
    assert compare.edge_distance_mm(plane, found[0].box, width, height) == pytest.approx(
        front_mm, abs=10
    )


def test_another_counter_with_the_same_markers_is_not_the_reference(reference):
    other = _shot([CUP], seed=12)
    assert len(markers.find_markers(other)) == 4
    assert compare.align(reference, other) is None


# --- a real photo --------------------------------------------------------------------------------

REAL = Path(__file__).parent / "data" / "coffee.jpg"


def test_a_real_photo_from_another_angle_in_dimmer_light_shows_no_change():
    image = cv2.imread(str(REAL))
    h, w = image.shape[:2]
    corners = np.float32([[0, 0], [w, 0], [w, h], [0, h]])
    moved = np.float32(
        [[w * 0.03, h * 0.02], [w * 0.98, h * 0.05], [w * 0.95, h * 0.97], [w * 0.01, h * 0.99]]
    )
    view = cv2.warpPerspective(
        image, cv2.getPerspectiveTransform(corners, moved), (w, h), borderMode=cv2.BORDER_REFLECT
    )
    dimmer = np.clip(view.astype(np.float32) * 0.85 + 5, 0, 255).astype(np.uint8)
    alignment = compare.align(image, dimmer)
    assert alignment is not None
    assert alignment.method == "features"
    assert compare.changes(image, dimmer, alignment) == []


def test_a_real_photo_is_not_the_counter(reference):
    image = cv2.imread(str(REAL))
    assert compare.align(reference, image) is None
    assert compare.align(image, reference) is None


def test_a_tall_item_seen_from_another_angle_has_not_changed():
    # the parcel stands 20 cm tall: from each camera its top lands elsewhere on the counter
    reference = _photo([BOOK, replace(BOX, top=(0.0, 60.0))])
    photo = _shot([BOOK, replace(BOX, top=(20.0, 45.0))])
    assert _changes(reference, photo) == []
    # but taken away, it is missing
    found = _changes(reference, _shot([BOOK]))
    assert [c.kind for c in found] == ["missing"]
