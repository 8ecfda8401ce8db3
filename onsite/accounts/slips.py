"""The printable sheet of sign-in slips: one per person with their name, unit, username,
temporary password and a QR code of the sign-in address. Rendered straight into the
response and never written anywhere: the passwords exist only on the paper.

WeasyPrint fetches nothing: the QR codes are data: URIs, the fonts come from the system
(Noto Sans CJK), and every other URL a typed name might smuggle in is refused."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import segno
from django.template.loader import render_to_string
from django.utils import timezone
from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

from onsite.accounts.models import User
from onsite.core.models import Center

BASE_URL = "https://onsite.invalid/"
SLIPS_PER_PAGE = 8


class DataOnlyFetcher(URLFetcher):  # type: ignore[misc]
    def fetch(self, url: str, headers: Any = None) -> URLFetcherResponse:
        if url.startswith("data:"):
            return super().fetch(url, headers)
        raise ValueError(f"Refused to fetch {url[:80]}")


@dataclass(frozen=True)
class Slip:
    account: User
    password: str


def render_slips_pdf(*, center: Center, slips: Sequence[Slip], sign_in_url: str) -> bytes:
    qr = str(segno.make(sign_in_url, error="m").svg_data_uri(scale=4, border=2))
    pages = [slips[i : i + SLIPS_PER_PAGE] for i in range(0, len(slips), SLIPS_PER_PAGE)]
    html = render_to_string(
        "accounts/slips_pdf.html",
        {
            "center": center,
            "pages": pages,
            "qr": qr,
            "sign_in_url": sign_in_url,
            "printed_at": timezone.localtime(),
        },
    )
    pdf = HTML(string=html, base_url=BASE_URL, url_fetcher=DataOnlyFetcher()).write_pdf()
    return bytes(pdf)
