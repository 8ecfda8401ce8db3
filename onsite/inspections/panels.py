"""What an app above inspections shows under a check's photos (the photo check's draft
findings), without inspections importing it: the app registers a panel source in its
AppConfig.ready, as the programme registers its sealer in `access`."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

from django.http import HttpRequest
from django.utils.html import format_html_join
from django.utils.safestring import SafeString

from onsite.inspections.models import Answer, Inspection

PanelSource = Callable[[HttpRequest, Inspection, Sequence[Answer]], Mapping[int, str]]
"""Answers the HTML (already escaped: a rendered template) to show under the photos of some of
the `answers`, by answer id. One call per page, so a source keeps its query count fixed."""
_sources: list[PanelSource] = []


def register_panel_source(source: PanelSource) -> None:
    if source not in _sources:
        _sources.append(source)


def attach_panels(request: HttpRequest, inspection: Inspection, answers: Sequence[Answer]) -> None:
    """Sets `answer.panel` (safe HTML, "" when no source has anything) on every answer."""
    parts: dict[int, list[str]] = {}
    for source in _sources:
        for answer_id, html in source(request, inspection, answers).items():
            parts.setdefault(answer_id, []).append(html)
    for answer in answers:
        pieces = parts.get(answer.pk, [])
        answer.panel = (  # type: ignore[attr-defined]
            format_html_join("", "{}", ((SafeString(p),) for p in pieces)) if pieces else ""
        )
