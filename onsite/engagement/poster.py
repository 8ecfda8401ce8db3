"""Printable posters (PDF) of board posts, drawn by WeasyPrint with the system's CJK font.

WeasyPrint would fetch any URL a document names (http, file …). Ours gets a fetcher that
serves only the app's own static files and data: URIs, and refuses everything else; photos
are embedded as data: URIs by us, so nothing is read from storage by URL."""

from __future__ import annotations

import base64
import mimetypes
from pathlib import Path
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.utils import timezone
from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

from onsite.engagement.models import Post

BASE_URL = "https://onsite.invalid/"


class OwnFilesOnly(URLFetcher):  # type: ignore[misc]
    """Static files of this app and data: URIs; anything else raises (and is left out)."""

    def fetch(self, url: str, headers: object = None) -> URLFetcherResponse:
        if url.startswith("data:"):
            return super().fetch(url, headers)
        parts = urlsplit(url)
        static_prefix = urlsplit(settings.STATIC_URL).path
        if f"{parts.scheme}://{parts.netloc}/" == BASE_URL and parts.path.startswith(static_prefix):
            relative = unquote(parts.path[len(static_prefix) :])
            found = finders.find(relative) if ".." not in relative.split("/") else None
            if isinstance(found, str):
                data = Path(found).read_bytes()
                mime = mimetypes.guess_type(found)[0] or "application/octet-stream"
                return URLFetcherResponse(url, body=data, headers={"Content-Type": mime})
        raise ValueError(f"refused to fetch {url!r}")


def data_uri(content: bytes, mime: str = "image/jpeg") -> str:
    return f"data:{mime};base64,{base64.b64encode(content).decode()}"


def poster_pdf(post: Post) -> bytes:
    photos = []
    for photo in post.photos.all()[:4]:
        with photo.image.open("rb") as handle:
            photos.append(data_uri(handle.read()))
    html = render_to_string(
        "engagement/poster.html",
        {"post": post, "photos": photos, "center": post.center, "printed_on": timezone.localdate()},
    )
    document = HTML(string=html, base_url=BASE_URL, url_fetcher=OwnFilesOnly())
    return bytes(document.write_pdf())
