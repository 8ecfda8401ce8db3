"""The printed position markers: four ArUco markers (OpenCV's 4 × 4 dictionary, ids 0..3) stuck
on the counter top at its four corners. Found in a photo, they give the counter plane and a
millimetre scale. Pure functions (NumPy + OpenCV), no Django.

Counter coordinates are millimetres on the counter top: x along the front edge (the edge facing
the public, which the standard's distance rule measures from) from the front-left corner, y away
from the front edge towards the back. "Left" and "right" are as seen from the public's side.

Each marker is printed on a square sticker: the black marker, MARKER_MM wide, inside a white
margin of MARGIN_MM (ArUco needs light around the black border). The sticker's outer corner goes
on the counter's corner, its edges along the counter's edges, upright as printed: the marker's
top towards the back of the counter, so that its label reads from the public's side."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape
from typing import Any

import cv2
import numpy as np

DICTIONARY = cv2.aruco.DICT_4X4_50
MARKER_MM = 40.0  # the black square
MARGIN_MM = 8.0  # white margin all round: the sticker is MARKER_MM + 2 * MARGIN_MM wide
STICKER_MM = MARKER_MM + 2 * MARGIN_MM
IDS = (0, 1, 2, 3)  # front-left, front-right, back-right, back-left
CELLS = 6  # a 4 × 4 marker plus its one-cell black border
# Beyond this mean fit error (mm) the marker corners do not fit one counter of the size given
# (a marker stuck turned or at another corner, a size far off): the plane is refused rather
# than measured wrongly. Well-placed markers fit within about 1 mm.
MAX_PLANE_ERROR_MM = 5.0

Array = np.ndarray[Any, Any]


def _dictionary() -> cv2.aruco.Dictionary:
    return cv2.aruco.getPredefinedDictionary(DICTIONARY)


def _cells(marker_id: int) -> Array:
    """The marker as a CELLS × CELLS array, 0 black and 255 white."""
    if marker_id not in IDS:
        raise ValueError(f"marker id {marker_id} is not one of {IDS}")
    return cv2.aruco.generateImageMarker(_dictionary(), marker_id, CELLS)


def marker_png(marker_id: int, pixels: int) -> bytes:
    """One marker as a PNG `pixels` wide, the white margin included (the sticker's proportions)."""
    if pixels < 2 * CELLS:
        raise ValueError("a marker needs at least 12 pixels")
    inner = round(pixels * MARKER_MM / STICKER_MM)
    marker = cv2.resize(_cells(marker_id), (inner, inner), interpolation=cv2.INTER_NEAREST)
    before = (pixels - inner) // 2
    after = pixels - inner - before
    image = cv2.copyMakeBorder(marker, before, after, before, after, cv2.BORDER_CONSTANT, value=255)
    ok, data = cv2.imencode(".png", image)
    if not ok:  # pragma: no cover - encoding a small grey image does not fail
        raise RuntimeError("PNG encoding failed")
    return data.tobytes()


def sheet_svg(*, labels: Sequence[str], title: str = "") -> str:
    """A printable A4 sheet (SVG sized in millimetres: print at 100 %) with the four stickers,
    each with a dashed cut line, its id and a one-line placement hint.

    `labels[i]` is the hint for marker id i (0 front-left, 1 front-right, 2 back-right,
    3 back-left); the caller translates them. Text is escaped here."""
    if len(labels) != len(IDS):
        raise ValueError(f"{len(IDS)} labels needed, one per marker id")
    # laid out as the counter is seen from the front: back markers on top, front ones below
    places = {3: (30.0, 50.0), 2: (124.0, 50.0), 0: (30.0, 160.0), 1: (124.0, 160.0)}
    parts = [
        '<svg xmlns="http://www.w3.org/2000/svg" width="210mm" height="297mm" '
        'viewBox="0 0 210 297" font-family="sans-serif">',
        '<rect width="210" height="297" fill="#fff"/>',
    ]
    if title:
        parts.append(
            f'<text x="105" y="24" font-size="5" text-anchor="middle">{escape(title)}</text>'
        )
    cell = MARKER_MM / CELLS
    for marker_id in IDS:
        x, y = places[marker_id]
        parts.append(
            f'<rect x="{x}" y="{y}" width="{STICKER_MM}" height="{STICKER_MM}" fill="none" '
            'stroke="#888" stroke-width="0.3" stroke-dasharray="2 1.5"/>'
        )
        bits = _cells(marker_id)
        path = []
        for row in range(CELLS):
            for col in range(CELLS):
                if bits[row, col] == 0:
                    cx = x + MARGIN_MM + col * cell
                    cy = y + MARGIN_MM + row * cell
                    path.append(f"M{cx:.3f} {cy:.3f}h{cell:.3f}v{cell:.3f}h-{cell:.3f}z")
        parts.append(f'<path d="{"".join(path)}" fill="#000" shape-rendering="crispEdges"/>')
        parts.append(
            f'<text x="{x + STICKER_MM / 2}" y="{y + STICKER_MM + 7}" font-size="4.5" '
            f'text-anchor="middle">{marker_id} · {escape(labels[marker_id])}</text>'
        )
    parts.append("</svg>")
    return "\n".join(parts)


def find_markers(image_bgr: Array) -> dict[int, Array]:
    """The position markers in a photo: id -> its 4 × 2 corner pixels (float32, in ArUco's order:
    the marker's own top-left, top-right, bottom-right, bottom-left). Ids other than 0..3 are
    ignored; of a repeated id the largest is kept."""
    gray = image_bgr if image_bgr.ndim == 2 else cv2.cvtColor(image_bgr, cv2.COLOR_BGR2GRAY)
    parameters = cv2.aruco.DetectorParameters()
    parameters.cornerRefinementMethod = cv2.aruco.CORNER_REFINE_SUBPIX
    detector = cv2.aruco.ArucoDetector(_dictionary(), parameters)
    corners, ids, _rejected = detector.detectMarkers(gray)
    found: dict[int, Array] = {}
    if ids is None:
        return found
    for quad, marker_id in zip(corners, ids.ravel(), strict=True):
        points = np.asarray(quad, np.float32).reshape(4, 2)
        key = int(marker_id)
        if key in IDS and (key not in found or _area(points) > _area(found[key])):
            found[key] = points
    return found


def _area(points: Array) -> float:
    return float(abs(cv2.contourArea(points.astype(np.float32))))


def marker_corners_mm(marker_id: int, width_mm: float, depth_mm: float) -> Array:
    """Where a marker's four corners (ArUco's order) lie on the counter, in counter mm."""
    half = MARKER_MM / 2
    near = MARGIN_MM + half  # the marker's centre from the two counter edges at its corner
    cx = near if marker_id in (0, 3) else width_mm - near
    cy = near if marker_id in (0, 1) else depth_mm - near
    # upright, top towards the back (+y): top-left is at the left (-x) and the back (+y)
    return np.array(
        [
            [cx - half, cy + half],
            [cx + half, cy + half],
            [cx + half, cy - half],
            [cx - half, cy - half],
        ],
        np.float32,
    )


def counter_plane(markers: dict[int, Array], width_mm: float, depth_mm: float) -> Array | None:
    """The homography from photo pixels to counter mm, fitted to the corners of every marker
    found. None with fewer than two markers, for a counter too small for its markers, or when the
    corners do not fit one plane of that size (markers misplaced, or the size is wrong)."""
    ids = [i for i in IDS if i in markers]
    if len(ids) < 2 or min(width_mm, depth_mm) < 2 * STICKER_MM:
        return None
    pixels = np.concatenate([markers[i].reshape(4, 2) for i in ids]).astype(np.float64)
    mm = np.concatenate([marker_corners_mm(i, width_mm, depth_mm) for i in ids]).astype(np.float64)
    plane, _mask = cv2.findHomography(pixels, mm, 0)
    if plane is None or not np.all(np.isfinite(plane)):
        return None
    error = np.linalg.norm(to_mm(plane, pixels) - mm, axis=1)
    if float(error.mean()) > MAX_PLANE_ERROR_MM:
        return None
    return np.asarray(plane, np.float64)


def to_mm(plane: Array, points_px: Array) -> Array:
    """Photo pixels (N × 2) to counter millimetres (N × 2) through the plane's homography."""
    points = np.asarray(points_px, np.float64).reshape(-1, 1, 2)
    return cv2.perspectiveTransform(points, plane).reshape(-1, 2)
