"""Printable red tags: a PDF (Chinese fonts from the system) with a QR code to each entry.

WeasyPrint fetches nothing from the network or the disk on its own: the fetcher below hands
it our static files and data: URIs and refuses everything else, so a name or note typed into
a tag cannot make the server read a file or call a URL."""

from __future__ import annotations

import base64
import mimetypes
from collections.abc import Sequence
from typing import Any

import segno
from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

from onsite.core.jobs import Built, Progress
from onsite.core.models import FileJob
from onsite.redtags.models import RedTag

# The PDF's base URL: relative links resolve under it and nowhere else.
PDF_BASE_URL = "https://onsite.invalid/"


class StaticOnlyFetcher(URLFetcher):  # type: ignore[misc]
    """Answers data: URIs and our own static files; refuses any other URL."""

    def fetch(self, url: str, headers: Any = None) -> URLFetcherResponse:
        if url.startswith("data:"):
            return super().fetch(url, headers)
        static_prefix = PDF_BASE_URL.rstrip("/") + settings.STATIC_URL
        if url.startswith(static_prefix):
            relative = url.removeprefix(static_prefix).split("?")[0].split("#")[0]
            found = finders.find(relative) if ".." not in relative else None
            if isinstance(found, str):
                with open(found, "rb") as handle:
                    body = handle.read()
                kind = mimetypes.guess_type(found)[0] or "application/octet-stream"
                return URLFetcherResponse(url, body=body, headers={"Content-Type": kind})
        raise ValueError(f"Refused to fetch {url[:80]}")


def qr_data_uri(url: str) -> str:
    return str(segno.make(url, error="m").svg_data_uri(scale=4, border=2))


def _thumbnail_uri(tag: RedTag) -> str:
    if not tag.thumbnail:
        return ""
    try:
        with tag.thumbnail.open("rb") as handle:
            data = handle.read()
    except OSError:
        return ""
    return "data:image/jpeg;base64," + base64.b64encode(data).decode()


def render_tags_pdf(tags: Sequence[RedTag], *, site_url: str) -> bytes:
    """Four tags to an A4 page. `site_url` is the scheme and host the QR codes point at."""
    cards = []
    for tag in tags:
        url = site_url.rstrip("/") + reverse("redtags:tag-detail", args=[tag.pk])
        cards.append({"tag": tag, "url": url, "qr": qr_data_uri(url), "photo": _thumbnail_uri(tag)})
    # Four to a page, two to a row: a table lays out the same in every PDF engine.
    pages = [
        [
            cards[start + row : start + row + 2]
            for row in (0, 2)
            if cards[start + row : start + row + 2]
        ]
        for start in range(0, len(cards), 4)
    ]
    html = render_to_string(
        "redtags/tags_pdf.html", {"pages": pages, "printed_at": timezone.localtime()}
    )
    pdf = HTML(string=html, base_url=PDF_BASE_URL, url_fetcher=StaticOnlyFetcher()).write_pdf()
    return bytes(pdf)


# --- many tags: a background file ----------------------------------------------------------

TAGS_JOB = "red_tags"


def inline_tags() -> int:
    """Up to this many tags print at once; more are made in the background."""
    return int(getattr(settings, "REDTAGS_INLINE_TAGS", 24))


def tags_filename() -> str:
    return f"red-tags-{timezone.localdate().isoformat()}.pdf"


def build_tags_job(job: FileJob, progress: Progress) -> Built:
    progress(10, "collecting")
    tags = list(
        RedTag.objects.filter(center=job.center, pk__in=job.params.get("tags", []))
        .select_related("zone", "unit", "tagged_by", "transfer_to")
        .order_by("pk")
    )
    progress(30, "rendering")
    content = render_tags_pdf(tags, site_url=str(job.params.get("base", "")))
    progress(95, "saving")
    return Built(content, tags_filename())
