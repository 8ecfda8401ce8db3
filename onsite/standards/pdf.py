"""PDFs of a standard: the one-page visual standard (定置图 + item table + clauses by pillar)
and the label sheet of position labels (in the background when there are many). WeasyPrint fetches nothing but our own static files
and data: URIs; text is laid out in Noto Sans CJK (Debian's fonts-noto-cjk)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.utils.translation import gettext_noop
from weasyprint import CSS, HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

from onsite.core.jobs import Built, JobError, Progress
from onsite.core.models import FileJob
from onsite.org.models import Zone
from onsite.standards.layout import render_plan_svg
from onsite.standards.models import Clause, ItemRule, StandardVersion
from onsite.standards.queries import group_by_pillar, version_contents

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


def visual_context(
    version: StandardVersion, *, clauses: list[Clause], rules: list[ItemRule], center: Any
) -> dict[str, Any]:
    """What standards/_visual_standard.html shows of one version: the one-page PDF and each
    section of the handbook."""
    return {
        "version": version,
        "area_type": version.standard.area_type,
        "center": center,
        "rules": rules,
        "clauses_by_pillar": group_by_pillar(clauses),
        "plan_svg": render_plan_svg(version, rules),
    }


# --- position labels: many zones make a background file ------------------------------------

LABELS_JOB = "standard_labels"


def inline_labels() -> int:
    """Up to this many labels download at once; more are made in the background."""
    return int(getattr(settings, "STANDARDS_INLINE_LABELS", 60))


def label_list(version: StandardVersion, *, zone_code: str = "") -> list[dict[str, Any]]:
    """A label per item rule (banned items have none) and active zone of the version's area
    type, or of the one zone."""
    _clauses, rules = version_contents(version)
    rules = [r for r in rules if r.kind != ItemRule.Kind.BANNED]
    zones = Zone.objects.filter(
        center_id=version.center_id, area_type_id=version.standard.area_type_id, is_active=True
    ).select_related("owner")
    if zone_code:
        zones = zones.filter(code=zone_code)
    return [{"zone": zone, "rule": rule} for zone in zones for rule in rules]


def render_labels(version: StandardVersion, labels: list[dict[str, Any]]) -> bytes:
    return render_pdf(
        "standards/labels_pdf.html",
        {"version": version, "labels": labels, "center": version.center},
        stylesheet="standards/print.css",
    )


def labels_filename(version: StandardVersion) -> str:
    return f"labels-{version.standard.area_type.code}.pdf"


def build_labels_job(job: FileJob, progress: Progress) -> Built:
    version = (
        StandardVersion.objects.select_related("center", "standard", "standard__area_type")
        .filter(center=job.center, pk=job.params.get("version"))
        .first()
    )
    if version is None:
        raise JobError(gettext_noop("This version of the standard no longer exists."))
    progress(10, "collecting")
    labels = label_list(version, zone_code=str(job.params.get("zone") or ""))
    progress(30, "rendering")
    content = render_labels(version, labels)
    progress(95, "saving")
    return Built(content, labels_filename(version))
