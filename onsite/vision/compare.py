"""Comparison of a counter photo with the zone's reference photo of the compliant layout: align
the two (position markers where both show them, otherwise feature matching), then report the
regions where an item was added, is missing or moved. Pure functions (NumPy + OpenCV), no Django.

All the work happens on copies whose longest side is WORK_SIDE pixels; homographies and boxes are
given in the images' own pixels. The comparison assumes the counter top is (near) a plane: items
that stand tall look different from another camera angle, so the photo should be taken from about
where the reference was."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import cv2
import numpy as np

from onsite.vision import markers

Array = np.ndarray[Any, Any]

WORK_SIDE = 1024  # longest side of the working copies
# --- alignment
ORB_FEATURES = 2000  # per image; matching costs the square of it
MIN_INLIERS = 25  # feature matches that agree with the homography
MIN_INLIER_RATIO = 0.2  # of the matches that passed the ratio test
MIN_SPREAD = 0.04  # inliers' convex hull, as a share of the photo: not all in one corner
MIN_OVERLAP = 0.2  # share of the reference the warped photo must cover
MARKER_ERROR_PX = 4.0  # mean misfit of marker corners (working pixels) beyond which they disagree
# With markers, the scene around them must agree too: of the feature matches off the markers, at
# least this many within SCENE_AGREEMENT_PX of where the markers' homography puts them (fewer
# matches than this in all: too little texture to tell, the markers are trusted).
SCENE_MATCHES = 12
SCENE_AGREEMENT_PX = 8.0
# --- changes
L_NOISE = 14.0  # lightness difference (OpenCV's 0..255 L) that counts as a change
AB_NOISE = 9.0  # chroma difference (a, b) that counts as a change
TOLERANCE_PX = 2  # misalignment forgiven: each pixel is compared with a (2t+1)² neighbourhood
MIN_AREA = 0.0015  # smallest change, as a share of the compared area
MAX_CHANGES = 12
# Weaker changes (barely above the noise, unclear which image shows the item) are dropped. On
# generated scenes the right ones scored 0.54 and more, the spurious ones about 0.4.
MIN_SCORE = 0.45
MOVED_MATCH = 0.6  # likeness (see _same_item) above which a missing and an added item are one
SAME_COLOURS = 0.8  # chroma histogram likeness (1 - Bhattacharyya distance) of the same item
SAME_COLOURS_BONUS = 0.15
SHIFT_MATCH = 0.8  # correlation at which a changed region is the same content a little shifted
SHIFT_REACH = 0.3  # how far it may have shifted, as a share of the region's size
SHIFT_TEXTURE = 6.0  # below this spread of values a patch cannot tell a shift from a change
SAME_CONTRAST = 0.35  # the same item stands out from the counter by about as much, wherever


@dataclass(frozen=True)
class Box:
    """A box as fractions (0..1) of the image's width and height, origin at the top left."""

    x: float
    y: float
    w: float
    h: float

    @classmethod
    def from_pixels(
        cls, x0: float, y0: float, x1: float, y1: float, width: int, height: int
    ) -> Box:
        """The box of pixel corners (x0, y0)-(x1, y1) in a width × height image, clipped to it."""
        left, right = sorted((min(max(x0, 0.0), width), min(max(x1, 0.0), width)))
        top, bottom = sorted((min(max(y0, 0.0), height), min(max(y1, 0.0), height)))
        return cls(left / width, top / height, (right - left) / width, (bottom - top) / height)

    def to_pixels(self, width: int, height: int) -> tuple[int, int, int, int]:
        """(x0, y0, x1, y1) in whole pixels of a width × height image."""
        return (
            round(self.x * width),
            round(self.y * height),
            round((self.x + self.w) * width),
            round((self.y + self.h) * height),
        )


@dataclass(frozen=True, eq=False)
class Alignment:
    homography: Array  # 3 × 3, photo pixels -> reference pixels (full-size images)
    method: str  # "markers" | "features"
    inliers: int  # marker corners or feature matches that agree with it


@dataclass(frozen=True)
class Change:
    kind: str  # "added" | "missing" | "moved"
    box: Box  # in the photo: the item (added, moved) or where it was (missing)
    reference_box: Box | None  # in the reference: where it was (missing, moved)
    score: float  # 0..1 confidence


def _scale(image: Array) -> float:
    return min(1.0, WORK_SIDE / float(max(image.shape[:2])))


def _small(image: Array) -> tuple[Array, float]:
    scale = _scale(image)
    if scale < 1:
        image = cv2.resize(image, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    return image, scale


def _scaling(scale: float) -> Array:
    return np.diag([scale, scale, 1.0])


def _gray(image: Array) -> Array:
    return image if image.ndim == 2 else cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)


# --- alignment ---------------------------------------------------------------------------------


def _sane(
    homography: Array, photo_shape: tuple[int, ...], reference_shape: tuple[int, ...]
) -> bool:
    """The homography maps the photo onto the reference as a real camera change could: no
    mirroring or collapse, the photo's corners stay in front of the camera and form a convex quad
    that covers a fair part of the reference."""
    if homography is None or not np.all(np.isfinite(homography)) or abs(homography[2, 2]) < 1e-12:
        return False
    h = homography / homography[2, 2]
    height, width = photo_shape[:2]
    corners = np.array([[0, 0], [width, 0], [width, height], [0, height]], np.float64)
    depth = corners @ h[2, :2] + h[2, 2]
    if np.any(depth <= 0.05):
        return False
    quad = cv2.perspectiveTransform(corners.reshape(-1, 1, 2), h).reshape(-1, 2).astype(np.float32)
    if not cv2.isContourConvex(quad):
        return False
    ref_h, ref_w = reference_shape[:2]
    area = abs(cv2.contourArea(quad))
    if not 0.05 * ref_w * ref_h < area < 30 * ref_w * ref_h:
        return False
    frame = np.array([[0, 0], [ref_w, 0], [ref_w, ref_h], [0, ref_h]], np.float32)
    overlap, _ = cv2.intersectConvexConvex(quad, frame)
    if overlap < MIN_OVERLAP * ref_w * ref_h:
        return False
    det = float(np.linalg.det(h[:2, :2]))
    return 0.02 < det < 50


def _marker_mask(image: Array, found: dict[int, Array]) -> Array:
    """255 except on the stickers of the markers found (and a margin round them)."""
    mask = np.full(image.shape[:2], 255, np.uint8)
    for corners in found.values():
        centre = corners.mean(axis=0)
        sticker = centre + (corners - centre) * 1.8
        cv2.fillConvexPoly(mask, sticker.astype(np.int32), 0)
    return mask


def _matches(
    reference: Array, photo: Array, found_ref: dict[int, Array], found_photo: dict[int, Array]
) -> tuple[Array, Array]:
    """ORB matches that pass the ratio test, off the markers (the same markers on another
    counter would match): photo points, reference points (N × 2 each)."""
    ref_mask, photo_mask = _marker_mask(reference, found_ref), _marker_mask(photo, found_photo)
    clahe = cv2.createCLAHE(clipLimit=2.0, tileGridSize=(8, 8))
    orb = cv2.ORB.create(nfeatures=ORB_FEATURES, fastThreshold=12)
    kp_ref, des_ref = orb.detectAndCompute(clahe.apply(_gray(reference)), ref_mask)
    kp_photo, des_photo = orb.detectAndCompute(clahe.apply(_gray(photo)), photo_mask)
    none = np.zeros((0, 2), np.float64)
    if des_ref is None or des_photo is None or len(kp_ref) < 2 or len(kp_photo) < 2:
        return none, none
    pairs = cv2.BFMatcher(cv2.NORM_HAMMING).knnMatch(des_photo, des_ref, k=2)
    good = [p[0] for p in pairs if len(p) == 2 and p[0].distance < 0.75 * p[1].distance]
    if not good:
        return none, none
    src = np.array([kp_photo[m.queryIdx].pt for m in good], np.float64)
    dst = np.array([kp_ref[m.trainIdx].pt for m in good], np.float64)
    return src, dst


def _by_markers(
    reference: Array, photo: Array, found_ref: dict[int, Array], found_photo: dict[int, Array]
) -> tuple[Array, int] | None:
    """The homography from the markers both images show, if at least two, agreeing with each
    other and with the rest of the scene: the same markers on another counter are not the
    reference (where the scene has too little texture to tell, the markers are trusted)."""
    common = sorted(set(found_ref) & set(found_photo))
    if len(common) < 2:
        return None
    src = np.concatenate([found_photo[i] for i in common]).astype(np.float64)
    dst = np.concatenate([found_ref[i] for i in common]).astype(np.float64)
    homography, _ = cv2.findHomography(src, dst, 0)
    if homography is None:
        return None
    error = np.linalg.norm(
        cv2.perspectiveTransform(src.reshape(-1, 1, 2), homography).reshape(-1, 2) - dst, axis=1
    )
    if float(error.mean()) > MARKER_ERROR_PX:  # the same ids, but not the same layout
        return None
    scene_photo, scene_ref = _matches(reference, photo, found_ref, found_photo)
    if len(scene_photo) >= SCENE_MATCHES:
        mapped = cv2.perspectiveTransform(scene_photo.reshape(-1, 1, 2), homography).reshape(-1, 2)
        agree = int((np.linalg.norm(mapped - scene_ref, axis=1) < SCENE_AGREEMENT_PX).sum())
        if agree < SCENE_MATCHES:
            return None
    return homography, int((error < MARKER_ERROR_PX).sum())


def _by_features(
    reference: Array, photo: Array, found_ref: dict[int, Array], found_photo: dict[int, Array]
) -> tuple[Array, int] | None:
    src, dst = _matches(reference, photo, found_ref, found_photo)
    if len(src) < MIN_INLIERS:
        return None
    homography, mask = cv2.findHomography(
        src, dst, cv2.USAC_MAGSAC, 3.0, maxIters=5000, confidence=0.999
    )
    if homography is None or mask is None:
        return None
    inlier = mask.ravel().astype(bool)
    count = int(inlier.sum())
    if count < MIN_INLIERS or count < MIN_INLIER_RATIO * len(src):
        return None
    hull = cv2.convexHull(src[inlier].astype(np.float32))
    if cv2.contourArea(hull) < MIN_SPREAD * photo.shape[0] * photo.shape[1]:
        return None
    return homography, count


def align(reference_bgr: Array, photo_bgr: Array) -> Alignment | None:
    """The homography that maps the photo onto the reference: from the position markers when both
    images show at least two of the same (and the scene around them agrees), otherwise from ORB
    features (ratio test, MAGSAC). None when the photo does not show the reference's scene
    (another counter, an unrelated photo): that is reported, never guessed."""
    reference, ref_scale = _small(reference_bgr)
    photo, photo_scale = _small(photo_bgr)
    found_ref, found_photo = markers.find_markers(reference), markers.find_markers(photo)
    method = "markers"
    found = _by_markers(reference, photo, found_ref, found_photo)
    if found is None or not _sane(found[0], photo.shape, reference.shape):
        method = "features"
        found = _by_features(reference, photo, found_ref, found_photo)
    if found is None or not _sane(found[0], photo.shape, reference.shape):
        return None
    small_h, inliers = found
    full = np.linalg.inv(_scaling(ref_scale)) @ small_h @ _scaling(photo_scale)
    return Alignment(homography=full / full[2, 2], method=method, inliers=inliers)


# --- changes -----------------------------------------------------------------------------------


def _fit_lighting(target: Array, source: Array, valid: Array) -> Array:
    """`source` corrected towards `target` by a gain and an offset that vary linearly across the
    image (light falling off, a brighter side), fitted robustly so that the changed items barely
    weigh in."""
    height, width = target.shape
    step = 12
    ys, xs = np.nonzero(valid[::step, ::step])
    ys, xs = ys * step, xs * step
    s = source[ys, xs].astype(np.float64)
    t = target[ys, xs].astype(np.float64)
    u, v = xs / width - 0.5, ys / height - 0.5
    design = np.stack([s, s * u, s * v, np.ones_like(s), u, v], axis=1)
    keep = np.ones(len(s), bool)
    coef = np.array([1.0, 0, 0, 0, 0, 0])
    for _ in range(3):
        if keep.sum() < 50:
            break
        kept = design[keep]
        try:  # least squares by its normal equations: 6 unknowns
            coef = np.linalg.solve(kept.T @ kept + np.eye(6) * 1e-6, kept.T @ t[keep])
        except np.linalg.LinAlgError:
            break
        residual = np.abs(design @ coef - t)
        spread = np.median(residual[keep]) * 1.4826 + 1.0
        keep = residual < 2.5 * spread
    grid_u = (np.arange(width) / width - 0.5)[None, :]
    grid_v = (np.arange(height) / height - 0.5)[:, None]
    src = source.astype(np.float32)
    gain = coef[0] + coef[1] * grid_u + coef[2] * grid_v
    offset = coef[3] + coef[4] * grid_u + coef[5] * grid_v
    corrected: Array = (src * gain + offset).astype(np.float32)
    return corrected


def _tolerant_difference(a: Array, b: Array, size: int) -> Array:
    """How far each pixel of `a` lies outside the range `b` takes in its neighbourhood, and the
    same the other way round; the smaller of the two (small misalignments cost nothing)."""
    kernel = np.ones((size, size), np.uint8)
    a_b = np.maximum(np.maximum(a - cv2.dilate(b, kernel), cv2.erode(b, kernel) - a), 0)
    b_a = np.maximum(np.maximum(b - cv2.dilate(a, kernel), cv2.erode(a, kernel) - b), 0)
    return np.minimum(a_b, b_a)


def _difference(ref_lab: Array, photo_lab: Array, valid: Array) -> Array:
    """Per pixel, the change in units of the noise allowance (> 1: changed)."""
    ref_lab = cv2.GaussianBlur(ref_lab, (0, 0), 1.5)
    photo_lab = cv2.GaussianBlur(photo_lab, (0, 0), 1.5)
    size = 2 * TOLERANCE_PX + 1
    total = np.zeros(ref_lab.shape[:2], np.float32)
    for channel, noise in ((0, L_NOISE), (1, AB_NOISE), (2, AB_NOISE)):
        corrected = _fit_lighting(ref_lab[..., channel], photo_lab[..., channel], valid)
        change = _tolerant_difference(ref_lab[..., channel], corrected, size) / noise
        total = np.maximum(total, change)
    total[~valid] = 0
    return cv2.GaussianBlur(total, (0, 0), 2.0)


def _lab(image: Array) -> Array:
    return cv2.cvtColor(image, cv2.COLOR_BGR2Lab).astype(np.float32)


def _gradient(lab: Array) -> Array:
    """Gradient magnitude of the lightness: items bring edges a bare counter lacks."""
    gx = cv2.Sobel(lab[..., 0], cv2.CV_32F, 1, 0, ksize=3)
    gy = cv2.Sobel(lab[..., 0], cv2.CV_32F, 0, 1, ksize=3)
    return cv2.magnitude(gx, gy)


def _unlike_surroundings(lab: Array, gradient: Array, inside: Array, ring: Array) -> float:
    """How much a region differs from the ring around it in one image: an item on a counter does,
    the bare counter does not."""
    if inside.sum() < 10 or ring.sum() < 10:
        return 0.0
    colour_in, colour_ring = lab[inside], lab[ring]
    colour = np.abs(np.median(colour_in, axis=0) - np.median(colour_ring, axis=0)) / np.array(
        [L_NOISE, AB_NOISE, AB_NOISE]
    )
    spread = abs(float(colour_in[:, 0].std()) - float(colour_ring[:, 0].std())) / L_NOISE
    texture = abs(float(gradient[inside].mean()) - float(gradient[ring].mean())) / (
        float(gradient[ring].mean()) + 8.0
    )
    return float(colour.max() + spread + texture)


@dataclass(frozen=True)
class _Region:
    mask: Array  # full working-size boolean mask
    bbox: tuple[int, int, int, int]  # x0, y0, x1, y1 in working reference pixels
    strength: float  # mean difference in noise units
    kind: str  # "added" | "missing"
    clarity: float  # 0..1: how clearly one image shows the item and the other not
    contrast: float  # the item's lightness against its surroundings, relative (light-proof)


def _contrast(lab: Array, inside: Array, ring: Array) -> float:
    if not inside.any() or not ring.any():
        return 0.0
    around = float(np.median(lab[..., 0][ring]))
    return (float(np.median(lab[..., 0][inside])) - around) / (around + 10.0)


def _regions(reference: Array, warped: Array, valid: Array) -> list[_Region]:
    ref_lab, photo_lab = _lab(reference), _lab(warped)
    diff = _difference(ref_lab, photo_lab, valid)
    changed: Array = (diff > 1.0).astype(np.uint8)
    height, width = changed.shape
    side = max(height, width)
    changed = cv2.morphologyEx(changed, cv2.MORPH_OPEN, np.ones((3, 3), np.uint8))
    close = max(3, side // 100) | 1
    changed = cv2.morphologyEx(
        changed, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (close, close))
    )
    count, labels, stats, _ = cv2.connectedComponentsWithStats(changed, connectivity=8)
    min_area = MIN_AREA * float(valid.sum())
    ref_grad, photo_grad = _gradient(ref_lab), _gradient(photo_lab)
    ring_width = max(5, side // 60)
    ring_kernel = cv2.getStructuringElement(
        cv2.MORPH_ELLIPSE, (2 * ring_width + 1, 2 * ring_width + 1)
    )
    found = []
    for label in range(1, count):
        x, y, w, h, area = (int(v) for v in stats[label])
        if area < min_area:
            continue
        # the region and the ring around it, in a crop with room for the ring
        cx0, cy0 = max(0, x - ring_width - 1), max(0, y - ring_width - 1)
        cx1, cy1 = min(width, x + w + ring_width + 1), min(height, y + h + ring_width + 1)
        crop = np.s_[cy0:cy1, cx0:cx1]
        inside = labels[crop] == label
        grown = cv2.dilate(inside.astype(np.uint8), ring_kernel).astype(bool)
        ring = grown & (changed[crop] == 0) & valid[crop]
        in_ref = _unlike_surroundings(ref_lab[crop], ref_grad[crop], inside, ring)
        in_photo = _unlike_surroundings(photo_lab[crop], photo_grad[crop], inside, ring)
        mask = np.zeros(changed.shape, bool)
        mask[crop] = inside
        kind = "added" if in_photo >= in_ref else "missing"
        showing = photo_lab if kind == "added" else ref_lab
        found.append(
            _Region(
                mask=mask,
                bbox=(x, y, x + w, y + h),
                strength=float(diff[crop][inside].mean()),
                kind=kind,
                clarity=abs(in_photo - in_ref) / (in_photo + in_ref + 1e-6),
                contrast=_contrast(showing[crop], inside, ring),
            )
        )
    return found


def _merely_shifted(reference: Array, warped: Array, region: _Region) -> bool:
    """Whether the reference's content around the region is in the photo too, a little shifted:
    an item that stands tall seen from another angle, or one nudged by a few centimetres; not
    an item added or taken away. A patch with too little texture to tell is not."""
    x0, y0, x1, y1 = region.bbox
    w, h = x1 - x0, y1 - y0
    height, width = reference.shape[:2]
    px0, py0 = max(0, x0 - w // 10), max(0, y0 - h // 10)
    px1, py1 = min(width, x1 + w // 10), min(height, y1 + h // 10)
    template = reference[py0:py1, px0:px1]
    if float(template.reshape(-1, 3).std(axis=0).max()) < SHIFT_TEXTURE:
        return False
    reach_x, reach_y = max(8, round(w * SHIFT_REACH)), max(8, round(h * SHIFT_REACH))
    sx0, sy0 = max(0, px0 - reach_x), max(0, py0 - reach_y)
    sx1, sy1 = min(width, px1 + reach_x), min(height, py1 + reach_y)
    scores = cv2.matchTemplate(warped[sy0:sy1, sx0:sx1], template, cv2.TM_CCOEFF_NORMED)
    scores = np.nan_to_num(scores, nan=0.0, posinf=0.0, neginf=0.0)
    return bool(scores.size) and float(scores.max()) >= SHIFT_MATCH


def _colours(lab: Array, mask: Array) -> Array:
    """A region's chroma histogram (a, b): what an item looks like whatever its size or turn."""
    hist = cv2.calcHist([lab], [1, 2], mask, [12, 12], [0, 256, 0, 256])
    return cv2.normalize(hist, None, 1.0, 0.0, cv2.NORM_L1)


def _moved_match(
    reference: Array, warped: Array, missing: _Region, added: _Region
) -> tuple[float, float]:
    """How well the item where it was (in the reference) matches what the added region of the
    photo shows: the best correlation of its pattern, scaled to that region's size (further
    back, it looks smaller), and the likeness of their colours. Both 0..1; the images come
    blurred a little (an item seen from elsewhere is never pixel-exact)."""
    x0, y0, x1, y1 = missing.bbox
    a0, b0, a1, b1 = added.bbox
    tw, th, aw, ah = x1 - x0, y1 - y0, a1 - a0, b1 - b0
    if not (0.4 < aw / tw < 2.5 and 0.4 < ah / th < 2.5):
        return 0.0, 0.0
    if abs(missing.contrast - added.contrast) > SAME_CONTRAST:  # a dark item, a light one
        return 0.0, 0.0
    height, width = warped.shape[:2]
    template = reference[y0:y1, x0:x1]
    mask = missing.mask[y0:y1, x0:x1].astype(np.uint8) * 255
    pattern = 0.0
    sizes = {(tw, th)} | {(max(4, round(aw * f)), max(4, round(ah * f))) for f in (0.85, 1.0, 1.15)}
    for size in sizes:
        scaled = cv2.resize(template, size, interpolation=cv2.INTER_AREA)
        weights = cv2.resize(mask, size, interpolation=cv2.INTER_NEAREST)
        sx0, sy0 = max(0, a0 - size[0] // 4), max(0, b0 - size[1] // 4)
        sx1, sy1 = min(width, a1 + size[0] // 4), min(height, b1 + size[1] // 4)
        if sx1 - sx0 < size[0] or sy1 - sy0 < size[1] or not weights.any():
            continue
        scores = cv2.matchTemplate(
            warped[sy0:sy1, sx0:sx1], scaled, cv2.TM_CCOEFF_NORMED, mask=cv2.merge([weights] * 3)
        )
        scores = np.nan_to_num(scores, nan=0.0, posinf=0.0, neginf=0.0)
        pattern = max(pattern, float(scores.max()) if scores.size else 0.0)
    ref_lab = cv2.cvtColor(template, cv2.COLOR_BGR2Lab)
    photo_lab = cv2.cvtColor(warped[b0:b1, a0:a1], cv2.COLOR_BGR2Lab)
    added_mask = added.mask[b0:b1, a0:a1].astype(np.uint8) * 255
    distance = cv2.compareHist(
        _colours(ref_lab, mask), _colours(photo_lab, added_mask), cv2.HISTCMP_BHATTACHARYYA
    )
    return pattern, max(0.0, 1.0 - float(distance))


def _same_item(pattern: float, colours: float) -> float:
    """One likeness (over MOVED_MATCH: the same item) from the pattern's correlation, helped by
    colours that agree. Chosen on generated scenes: the pattern alone mistakes an item seen from
    elsewhere, the colours alone two different cups."""
    return pattern + (SAME_COLOURS_BONUS if colours >= SAME_COLOURS else 0.0)


def _to_box(points: Array, homography: Array, width: int, height: int) -> Box:
    mapped = cv2.perspectiveTransform(
        points.reshape(-1, 1, 2).astype(np.float64), homography
    ).reshape(-1, 2)
    x0, y0 = mapped.min(axis=0)
    x1, y1 = mapped.max(axis=0)
    return Box.from_pixels(float(x0), float(y0), float(x1), float(y1), width, height)


def _outline(region: _Region) -> Array:
    """The region's outline points (working reference pixels, pixel edges included)."""
    contours, _ = cv2.findContours(
        region.mask.astype(np.uint8), cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE
    )
    points = np.concatenate([c.reshape(-1, 2) for c in contours]).astype(np.float64)
    return np.concatenate([points + offset for offset in ((0, 0), (1, 0), (0, 1), (1, 1))])


def _score(*parts: _Region) -> float:
    """Confidence 0..1: how far above the noise the change is, and how clearly one image shows
    an item there and the other the bare counter."""
    each = [0.5 * min(1.0, p.strength / 3) + 0.5 * p.clarity for p in parts]
    return round(min(1.0, sum(each) / len(each)), 3)


def changes(reference_bgr: Array, photo_bgr: Array, alignment: Alignment) -> list[Change]:
    """Where the photo differs from the reference: the photo is warped onto the reference, both
    are compared in Lab with the lighting fitted away and small misalignments forgiven, and each
    changed region is an item that was added (the photo's region stands out from its surroundings)
    or is missing (the reference's does). A missing item that turns up in an added region is one
    "moved" change. Best first, at most MAX_CHANGES; boxes in the photo's own pixels' fractions."""
    reference, ref_scale = _small(reference_bgr)
    photo, photo_scale = _small(photo_bgr)
    ref_h, ref_w = reference.shape[:2]
    to_ref = _scaling(ref_scale) @ alignment.homography @ np.linalg.inv(_scaling(photo_scale))
    warped = cv2.warpPerspective(photo, to_ref, (ref_w, ref_h), flags=cv2.INTER_LINEAR)
    inside = cv2.warpPerspective(
        np.full(photo.shape[:2], 255, np.uint8), to_ref, (ref_w, ref_h), flags=cv2.INTER_NEAREST
    )
    border = max(3, max(ref_w, ref_h) // 80)
    valid = cv2.erode(inside, np.ones((2 * border + 1, 2 * border + 1), np.uint8)) > 0
    if valid.sum() < 0.05 * ref_w * ref_h:
        return []
    soft_ref = cv2.GaussianBlur(reference, (0, 0), 2.0)
    soft_photo = cv2.GaussianBlur(warped, (0, 0), 2.0)
    regions = [
        r
        for r in _regions(reference, warped, valid)
        if _score(r) >= MIN_SCORE and not _merely_shifted(soft_ref, soft_photo, r)
    ]
    missing = [r for r in regions if r.kind == "missing"]
    added = [r for r in regions if r.kind == "added"]
    pairs = sorted(
        (
            (_same_item(*_moved_match(soft_ref, soft_photo, m, a)), i, j)
            for i, m in enumerate(missing)
            for j, a in enumerate(added)
        ),
        reverse=True,
    )
    used_missing: set[int] = set()
    used_added: set[int] = set()
    photo_h, photo_w = photo_bgr.shape[:2]
    full_ref_h, full_ref_w = reference_bgr.shape[:2]
    to_photo = np.linalg.inv(to_ref)  # working reference -> working photo
    to_photo = np.linalg.inv(_scaling(photo_scale)) @ to_photo  # ... -> full photo
    result: list[tuple[float, Change]] = []

    def reference_box(region: _Region) -> Box:
        x0, y0, x1, y1 = region.bbox
        return Box.from_pixels(
            x0 / ref_scale, y0 / ref_scale, x1 / ref_scale, y1 / ref_scale, full_ref_w, full_ref_h
        )

    for match, i, j in pairs:
        if match < MOVED_MATCH or i in used_missing or j in used_added:
            continue
        used_missing.add(i)
        used_added.add(j)
        s = _score(missing[i], added[j])
        box = _to_box(_outline(added[j]), to_photo, photo_w, photo_h)
        result.append((s, Change("moved", box, reference_box(missing[i]), s)))
    for i, region in enumerate(missing):
        if i not in used_missing:
            s = _score(region)
            box = _to_box(_outline(region), to_photo, photo_w, photo_h)
            result.append((s, Change("missing", box, reference_box(region), s)))
    for j, region in enumerate(added):
        if j not in used_added:
            s = _score(region)
            result.append(
                (s, Change("added", _to_box(_outline(region), to_photo, photo_w, photo_h), None, s))
            )
    result.sort(key=lambda item: -item[0])
    return [change for _, change in result[:MAX_CHANGES]]


def edge_distance_mm(plane: Array, box: Box, width: int, height: int) -> float:
    """Distance (mm) of an item's front from the counter's front edge, on the markers' plane. The
    photo is taken from the public's side, so the bottom of the item's box is its front base:
    the box's bottom-left, bottom-centre and bottom-right are projected and the nearest counts."""
    x0, _y0, x1, y1 = (
        box.x * width,
        box.y * height,
        (box.x + box.w) * width,
        (box.y + box.h) * height,
    )
    bottom = np.array([[x0, y1], [(x0 + x1) / 2, y1], [x1, y1]], np.float64)
    return float(markers.to_mm(plane, bottom)[:, 1].min())
