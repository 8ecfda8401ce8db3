"""Photo intake: only real images get in, and what is stored is our own re-encoding.

A file is checked by its first bytes (not its name or declared type), decoded by Pillow with
an allowlist of formats and a pixel cap (a decompression bomb is refused before decoding),
turned upright from its EXIF orientation, and re-encoded as JPEG. Re-encoding drops EXIF
(GPS included) and anything appended to the file, such as a script after a PNG header.

Stored photos (and any other private file) go back to browsers only through
`serve_protected_file`, called by a view that has already checked who may see the file."""

from __future__ import annotations

import io
import mimetypes
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import PurePosixPath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db.models.fields.files import FieldFile
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.utils.http import content_disposition_header
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


def clean_photo(
    upload: UploadedFile[bytes], *, quota: Callable[[int], None] | None = None
) -> CleanPhoto:
    """Validates and re-encodes an uploaded photo. Raises ValidationError in the user's language.
    `quota`, when given, is called with the file's size once it is known to be a photo and
    before the costly decoding (the accounts app's daily quota); it raises to refuse."""
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
    if quota is not None:
        quota(size)
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
            # Pillow copies the source's metadata (a JPEG comment, PNG text, ICC profile) into
            # `info` and writes the comment back out on save: keep nothing but the pixels.
            picture.info.clear()
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


# --- serving private files ----------------------------------------------------------------

# Types a browser may show inline. Anything else is a download, so a stored file can never
# be rendered as a page of this site (no stored HTML/SVG ever runs here).
INLINE_TYPES = {"image/jpeg", "image/png", "image/webp", "application/pdf"}
DOWNLOAD_TYPES = {
    "text/csv",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "application/zip",
}


def serve_protected_file(
    request: HttpRequest,
    file: FieldFile,
    *,
    filename: str | None = None,
    as_attachment: bool = False,
    private: bool = True,
) -> HttpResponseBase:
    """Sends a stored file after the caller's access check. Sets the headers that keep it
    inert: an allow-listed Content-Type with nosniff, Content-Disposition, a CSP sandbox, and
    `private, no-store` caching for private files (a shared proxy or the browser's disk keeps
    no copy). With PROTECTED_MEDIA_ACCEL_PREFIX set, nginx sends the bytes (X-Accel-Redirect)
    from an `internal` location; otherwise they stream from the storage (local or S3)."""
    if not file or not file.name:
        raise Http404
    name = filename or PurePosixPath(file.name).name
    guessed, _encoding = mimetypes.guess_type(file.name)
    if guessed in INLINE_TYPES:
        content_type = guessed
    elif guessed in DOWNLOAD_TYPES:
        content_type, as_attachment = guessed, True
    else:
        content_type, as_attachment = "application/octet-stream", True
    accel = getattr(settings, "PROTECTED_MEDIA_ACCEL_PREFIX", "")
    response: HttpResponseBase
    if accel:
        if not file.storage.exists(file.name):
            raise Http404
        response = HttpResponse(content_type=content_type)
        response["X-Accel-Redirect"] = f"{accel.rstrip('/')}/{file.name.lstrip('/')}"
    else:
        try:
            handle = file.storage.open(file.name, "rb")
        except (FileNotFoundError, OSError) as exc:
            raise Http404 from exc
        response = FileResponse(handle, content_type=content_type)
    disposition = content_disposition_header(as_attachment, name)
    if disposition:
        response["Content-Disposition"] = disposition
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; img-src 'self'; sandbox"
    response["Cross-Origin-Resource-Policy"] = "same-origin"
    response["Cache-Control"] = "private, no-store" if private else "public, max-age=86400"
    return response
