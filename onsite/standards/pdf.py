"""PDFs of a standard: the one-page visual standard (定置图 + item table + clauses by pillar)
and the label sheet of position labels. WeasyPrint fetches nothing but our own static files
and data: URIs; text is laid out in Noto Sans CJK (Debian's fonts-noto-cjk)."""

from __future__ import annotations

from typing import Any

from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from weasyprint import CSS, HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

# A made-up origin: relative URLs in our templates resolve under it and the fetcher maps
# /static/… below it to files on disk. Nothing ever goes to the network.
BASE_URL = "https://onsite.invalid/"
STATIC_PREFIX = f"{BASE_URL}static/"


class StaticOnlyFetcher(URLFetcher):  # type: ignore[misc]
    """Refuses every URL except data: URIs and files of our static folders."""

    def fetch(self, url: str, headers: Any = None) -> Any:
        if url.startswith("data:"):
            return super().fetch(url, headers)
        if url.startswith(STATIC_PREFIX):
            relative = url.removeprefix(STATIC_PREFIX).split("?")[0].split("#")[0]
            if ".." not in relative.split("/"):
                found = finders.find(relative)
                if isinstance(found, str):
                    with open(found, "rb") as handle:
                        return URLFetcherResponse(url, handle.read())
        raise ValueError(f"refused to fetch {url[:100]}")


def render_pdf(template: str, context: dict[str, Any], *, stylesheet: str) -> bytes:
    html = render_to_string(template, context)
    css_path = finders.find(stylesheet)
    if not isinstance(css_path, str):
        raise FileNotFoundError(stylesheet)
    fetcher = StaticOnlyFetcher()
    document = HTML(string=html, base_url=BASE_URL, url_fetcher=fetcher)
    result = document.write_pdf(stylesheets=[CSS(filename=css_path, url_fetcher=fetcher)])
    return bytes(result)
