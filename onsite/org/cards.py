"""The printable A4 sheet of zone cards (PDF): name, code, owner, optional owner photo and a
QR code that opens the zone's page on a phone. A few cards are made at once; more (every zone
of a center takes seconds) are a background file with progress (`onsite.core.jobs`).

WeasyPrint fetches nothing from the network or the disk except our own static files and
data: URIs; the QR codes and photos are embedded as data: URIs."""

from __future__ import annotations

import base64
import mimetypes
from collections.abc import Callable, Sequence
from typing import Any
from urllib.parse import unquote, urlsplit

import segno
from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.exceptions import SuspiciousFileOperation
from django.db.models import QuerySet
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.urls import reverse
from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

from onsite.audit.services import record_event
from onsite.core.jobs import Built, Progress, queue_file_job
from onsite.core.models import Center, FileJob
from onsite.org.models import StaffPhoto, Zone

# Documents are rendered against this made-up origin, so `{% static %}` paths resolve to
# URLs the fetcher recognises and nothing can point the renderer at a real host.
BASE_URL = "https://onsite.invalid/"
CARDS_PER_PAGE = 8


class RefusedURLError(ValueError):
    pass


class StaticOnlyFetcher(URLFetcher):  # type: ignore[misc]
    """Serves data: URIs and the app's own static files; refuses everything else."""

    def fetch(self, url: str, headers: dict[str, str] | None = None) -> URLFetcherResponse:
        if url.startswith("data:"):
            return super().fetch(url, headers)
        path = _static_path(url)
        if path is None:
            raise RefusedURLError(f"refused: {url[:100]}")
        content_type = mimetypes.guess_type(path)[0] or "application/octet-stream"
        with open(path, "rb") as handle:
            body = handle.read()
        return URLFetcherResponse(url, body=body, headers={"Content-Type": content_type})


def _static_path(url: str) -> str | None:
    parts = urlsplit(url)
    prefix = urlsplit(BASE_URL)
    if (parts.scheme, parts.netloc) != (prefix.scheme, prefix.netloc):
        return None
    static = "/" + settings.STATIC_URL.strip("/") + "/"
    if not parts.path.startswith(static):
        return None
    relative = unquote(parts.path.removeprefix(static))
    if not relative or ".." in relative.split("/"):
        return None
    try:
        found = finders.find(relative)
    except SuspiciousFileOperation:
        return None
    return found if isinstance(found, str) else None


def qr_data_uri(url: str) -> str:
    return str(segno.make(url, error="m").svg_data_uri(scale=4, border=2))


def _photo_uris(zones: Sequence[Zone]) -> dict[int, str]:
    owners = {zone.owner_id for zone in zones if zone.owner_id}
    uris: dict[int, str] = {}
    for photo in StaffPhoto.objects.filter(user_id__in=owners):
        with photo.thumbnail.open("rb") as handle:
            uris[photo.user_id] = "data:image/jpeg;base64," + base64.b64encode(
                handle.read()
            ).decode("ascii")
    return uris


def render_cards_pdf(
    *,
    center: Center,
    zones: Sequence[Zone],
    zone_url: Callable[[Zone], str],
    progress: Progress | None = None,
) -> bytes:
    def step(percent: int, stage: str) -> None:
        if progress is not None:
            progress(percent, stage)

    step(5, "photos")
    photos = _photo_uris(zones)
    cards: list[dict[str, Any]] = []
    for n, zone in enumerate(zones, start=1):
        url = zone_url(zone)
        cards.append(
            {
                "zone": zone,
                "url": url,
                "qr": qr_data_uri(url),
                "photo": photos.get(zone.owner_id) if zone.owner_id else None,
            }
        )
        if n % 20 == 0:
            step(10 + 40 * n // len(zones), "codes")
    step(55, "rendering")
    pages = [cards[i : i + CARDS_PER_PAGE] for i in range(0, len(cards), CARDS_PER_PAGE)]
    html = render_to_string("org/cards_pdf.html", {"center": center, "pages": pages})
    pdf: bytes = HTML(string=html, base_url=BASE_URL, url_fetcher=StaticOnlyFetcher()).write_pdf()
    step(95, "saving")
    return pdf


# --- many cards: a background file ---------------------------------------------------------

JOB_KIND = "zone_cards"


def inline_cards() -> int:
    """Up to this many cards download at once; more are made in the background."""
    return int(getattr(settings, "ORG_INLINE_CARDS", 16))


def ordered(zones: QuerySet[Zone]) -> QuerySet[Zone]:
    return zones.select_related("area_type", "unit", "floor", "owner").order_by(
        "floor__level", "unit__position", "code"
    )


def queue_cards(*, request: HttpRequest, center: Center, zones: Sequence[Zone]) -> FileJob:
    """The cards of `zones` as a background file for the person asking, in their language.
    The QR codes point at the address this request came to."""
    return queue_file_job(
        center=center,
        by=request.user,
        kind=JOB_KIND,
        params={"zones": [zone.pk for zone in zones], "base": request.build_absolute_uri("/")},
    )


def build_cards_job(job: FileJob, progress: Progress) -> Built:
    zones = list(ordered(Zone.objects.filter(center=job.center, pk__in=job.params["zones"])))
    base = str(job.params["base"]).rstrip("/")
    pdf = render_cards_pdf(
        center=job.center,
        zones=zones,
        zone_url=lambda zone: base + reverse("zone-page", args=[zone.code]),
        progress=progress,
    )
    # The admin's setup checklist ticks "QR cards printed" from this row.
    record_event(
        None,
        action="org.cards_printed",
        actor=job.requested_by,
        center=job.center,
        detail={"zones": len(zones), "job": job.pk},
    )
    return Built(pdf, f"{job.center.code}-zone-cards.pdf")
