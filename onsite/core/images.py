"""Photo intake: only real images get in, and what is stored is our own re-encoding.

A file is checked by its first bytes (not its name or declared type), decoded by Pillow with
an allowlist of formats and a pixel cap (a decompression bomb is refused before decoding),
turned upright from its EXIF orientation, and re-encoded as JPEG. Re-encoding drops EXIF
(GPS included) and anything appended to the file, such as a script after a PNG header."""

from __future__ import annotations

import io
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

try:  # HEIC/HEIF from iPhones: decoded through pillow-heif, stored as JPEG like the rest.
    from pillow_heif import register_heif_opener

    register_heif_opener()
    _HEIF = True
except ImportError:  # pragma: no cover - pillow-heif is in the lock file
    _HEIF = False

MAX_BYTES = getattr(settings, "PHOTO_MAX_BYTES", 15 * 1024 * 1024)
MAX_PIXELS = getattr(settings, "PHOTO_MAX_PIXELS", 40_000_000)
STORED_MAX_SIDE = 2048
THUMB_SIDE = 320
ALLOWED_FORMATS = ("JPEG", "PNG", "WEBP", "HEIF")

_SIGNATURES = (
    (b"\xff\xd8\xff", "JPEG"),
    (b"\x89PNG\r\n\x1a\n", "PNG"),
)


def sniff_format(head: bytes) -> str | None:
    for signature, name in _SIGNATURES:
        if head.startswith(signature):
            return name
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "WEBP"
    if head[4:8] == b"ftyp" and head[8:12] in {
        b"heic",
        b"heix",
        b"mif1",
        b"msf1",
        b"heim",
        b"heis",
    }:
        return "HEIF" if _HEIF else None
    return None


@dataclass
class CleanPhoto:
    image: ContentFile[bytes]
    thumbnail: ContentFile[bytes]
    width: int
    height: int


def clean_photo(upload: UploadedFile[bytes]) -> CleanPhoto:
    """Validates and re-encodes an uploaded photo. Raises ValidationError in the user's language."""
    size = upload.size or 0
    if size > MAX_BYTES:
        raise ValidationError(
            _("The photo is too large (%(size)d MB); the limit is %(limit)d MB.")
            % {"size": round(size / 1024 / 1024), "limit": MAX_BYTES // 1024 // 1024},
            code="too_large",
        )
    upload.seek(0)
    head = upload.read(32)
    expected = sniff_format(head)
    if expected is None:
        raise ValidationError(
            _("This file is not a photo. Please upload a JPEG, PNG, WebP or HEIC image."),
            code="not_image",
        )
    upload.seek(0)
    data = upload.read(MAX_BYTES + 1)
    Image.MAX_IMAGE_PIXELS = MAX_PIXELS
    try:
        with Image.open(io.BytesIO(data), formats=ALLOWED_FORMATS) as probe:
            if probe.format != expected:
                raise ValidationError(
                    _("The file's content does not match its type."), code="mismatch"
                )
            if probe.width * probe.height > MAX_PIXELS:
                raise ValidationError(
                    _(
                        "The photo has too many pixels (%(pixels)d million); the limit is %(limit)d million."
                    )
                    % {
                        "pixels": probe.width * probe.height // 1_000_000,
                        "limit": MAX_PIXELS // 1_000_000,
                    },
                    code="too_many_pixels",
                )
            probe.load()
            picture = ImageOps.exif_transpose(probe).convert("RGB")
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise ValidationError(_("The photo has too many pixels."), code="too_many_pixels") from exc
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise ValidationError(
            _("The photo could not be read; it may be damaged. Please take it again."),
            code="unreadable",
        ) from exc
    picture.thumbnail((STORED_MAX_SIDE, STORED_MAX_SIDE))
    width, height = picture.size
    stored = _jpeg(picture, quality=85)
    picture.thumbnail((THUMB_SIDE, THUMB_SIDE))
    return CleanPhoto(
        image=ContentFile(stored, name="photo.jpg"),
        thumbnail=ContentFile(_jpeg(picture, quality=75), name="thumb.jpg"),
        width=width,
        height=height,
    )


def _jpeg(picture: Image.Image, *, quality: int) -> bytes:
    out = io.BytesIO()
    picture.save(out, format="JPEG", quality=quality, optimize=True)
    return out.getvalue()
