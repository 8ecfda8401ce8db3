"""What the flow's tests share: real photos whose photo check is known, and a zone set up
for it (its center has the photo check on)."""

from __future__ import annotations

import io
import random
import struct
import zlib
from pathlib import Path

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image, ImageDraw

from onsite.inspections import services as inspections
from onsite.inspections.models import InspectionSettings
from onsite.inspections.tests.factories import zone_with_standard

DATA = Path(__file__).parent / "data"
SIZE = (1200, 900)
# Where the added item stands in the photo (pixels of SIZE): a box on the counter's right.
ITEM = (760, 380, 960, 640)


def counter_scene(*, item: bool = False, seed: str = "desk") -> bytes:
    """A textured counter top as a JPEG (shapes to match the reference on), with a dark
    parcel drawn on it when `item`: the photo and its reference differ only there."""
    rnd = random.Random(seed)
    scene = Image.linear_gradient("L").resize(SIZE).convert("RGB")
    scene = Image.blend(scene, Image.new("RGB", SIZE, (190, 170, 140)), 0.6)
    draw = ImageDraw.Draw(scene)
    for _ in range(160):
        x, y = rnd.randrange(SIZE[0]), rnd.randrange(SIZE[1])
        r = rnd.randrange(10, 70)
        colour = tuple(rnd.randrange(256) for _ in "rgb")
        if rnd.random() < 0.5:
            draw.ellipse([x, y, x + r, y + r * 0.7], fill=colour)
        else:
            draw.rectangle([x, y, x + r, y + r * 0.5], fill=colour, outline=(0, 0, 0))
    if item:
        draw.rectangle(ITEM, fill=(35, 60, 150), outline=(10, 10, 10), width=6)
        x0, y0, x1, _bottom = ITEM
        for n in range(5):
            draw.line(
                [x0 + 20, y0 + 30 + n * 45, x1 - 20, y0 + 30 + n * 45],
                fill=(240, 240, 240),
                width=8,
            )
    out = io.BytesIO()
    scene.save(out, format="JPEG", quality=92)
    return out.getvalue()


def upload(data: bytes, name: str = "photo.jpg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="image/jpeg")


def coffee() -> bytes:
    """A real photo of a cup (scikit-image's sample, CC0): the detector finds the cup."""
    return (DATA / "coffee.jpg").read_bytes()


def bomb_png(width: int = 60000, height: int = 60000) -> bytes:
    """A small PNG whose header claims `width` × `height` pixels: a decompression bomb."""
    out = io.BytesIO()
    Image.new("L", (32, 32)).save(out, format="PNG")
    data = bytearray(out.getvalue())
    start = 8 + 8  # signature, then the IHDR chunk's length and type
    data[start : start + 8] = struct.pack(">II", width, height)
    crc = zlib.crc32(bytes(data[12 : start + 13]))
    data[start + 13 : start + 17] = struct.pack(">I", crc)
    return bytes(data)


def photo_check_on(center, on: bool = True) -> None:
    InspectionSettings.objects.update_or_create(center=center, defaults={"photo_check": on})


def checked_zone(center, *, owner=None, **kwargs):
    """A zone with a published standard (a cup ≤ 1, snacks banned) in a center with the
    photo check on."""
    photo_check_on(center)
    return zone_with_standard(center, owner=owner, **kwargs)


def start(zone, inspector, kind="supervision"):
    return inspections.start_inspection(zone=zone, kind=kind, inspector=inspector, resume=False)


def first_clause(inspection):
    return inspection.answers.filter(source="clause").order_by("position").first()
