"""Serving stored photos: only after the caller's access check, never from /media/."""

from __future__ import annotations

from django.db.models.fields.files import FieldFile
from django.http import Http404, HttpResponse


def photo_response(stored: FieldFile, *, name: str) -> HttpResponse:
    """The stored JPEG (always our own re-encoding), private to the browser, not sniffed,
    shown inline under a neutral name."""
    try:
        with stored.open("rb") as handle:
            body = handle.read()
    except (FileNotFoundError, ValueError) as exc:
        raise Http404 from exc
    response = HttpResponse(body, content_type="image/jpeg")
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Disposition"] = f'inline; filename="{name}.jpg"'
    response["Cache-Control"] = "private, max-age=3600"
    return response
