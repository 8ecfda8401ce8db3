"""The handbook (现场管理执行标准汇编): every current published standard of one center in one
printable PDF — a cover, a table of contents by area type with page numbers, and each version
laid out exactly as its one-page visual standard (standards/_visual_standard.html)."""

from __future__ import annotations

import datetime
import json
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db.models import Prefetch
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import SafeString
from django.utils.translation import gettext

from onsite.core.jobs import Built, Progress
from onsite.core.models import Center, FileJob
from onsite.standards.models import ItemRule, StandardVersion
from onsite.standards.pdf import render_pdf, visual_context

HANDBOOK_JOB = "standards_handbook"


def inline_standards() -> int:
    """A handbook of up to this many standards downloads at once (the demo's 3 take about
    2 s); more are made in the background."""
    return int(getattr(settings, "STANDARDS_INLINE_HANDBOOK", 8))


def count_standards(center: Center | None) -> int:
    return StandardVersion.objects.published().filter(center=center).count()


@dataclass(frozen=True)
class Section:
    version: StandardVersion
    html: SafeString


def current_versions(center: Center | None) -> list[StandardVersion]:
    """The published version of each standard of the center, in area-type order, with its
    clauses and item rules (3 queries, however many standards)."""
    rules = ItemRule.objects.select_related("item")
    versions = list(
        StandardVersion.objects.published()
        .filter(center=center)
        .select_related("standard__area_type")
        .prefetch_related("clauses", Prefetch("item_rules", queryset=rules))
        .order_by("standard__area_type__position", "standard__area_type__code")
    )
    for version in versions:
        for rule in version.item_rules.all():
            rule.standard_version = version  # edge_distance_mm() reads the default here
    return versions


def page_footer() -> SafeString:
    """The CSS `content` of the page footer, "Page n of m" in the active language."""
    text = gettext("Page %(page)s of %(pages)s") % {"page": "\0page\0", "pages": "\0pages\0"}
    parts = text.split("\0")
    # Even parts are our own translated words, odd parts the counter names put in above.
    tokens = [
        f"counter({part})" if n % 2 else json.dumps(part, ensure_ascii=False)
        for n, part in enumerate(parts)
        if part
    ]
    return SafeString(" ".join(tokens).replace("<", "\\3c "))


def render_handbook(center: Center | None, *, today: datetime.date | None = None) -> bytes:
    versions = current_versions(center)
    sections = [
        Section(
            version,
            SafeString(
                render_to_string(
                    "standards/_visual_standard.html",
                    visual_context(
                        version,
                        clauses=list(version.clauses.all()),
                        rules=list(version.item_rules.all()),
                        center=center,
                    ),
                )
            ),
        )
        for version in versions
    ]
    published = [v.published_at for v in versions if v.published_at]
    context: dict[str, Any] = {
        "center": center,
        "sections": sections,
        "issued_on": today or timezone.localdate(),
        "version_date": timezone.localtime(max(published)).date() if published else None,
        "page_footer": page_footer(),
    }
    return render_pdf("standards/handbook_pdf.html", context, stylesheet="standards/print.css")


def filename(*, today: datetime.date | None = None) -> str:
    return f"standards-handbook-{(today or timezone.localdate()):%Y%m%d}.pdf"


def build_handbook_job(job: FileJob, progress: Progress) -> Built:
    progress(20, "rendering")
    content = render_handbook(job.center)
    progress(95, "saving")
    return Built(content, filename())
