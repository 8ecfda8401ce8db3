"""Monthly reports as PDF (WeasyPrint): the center's month, or one unit's.

The charts are SVG drawn here (`svgcharts`), the heat map is the same SVG as the page's,
photos come from media storage. WeasyPrint would fetch any URL a document names (http,
file …); `OwnFilesFetcher` serves only our static files and the media files this report put
in its own allowlist, and refuses everything else — no network, no other center's files."""

from __future__ import annotations

import datetime
import mimetypes
from collections.abc import Callable
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import quote, unquote, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.files.storage import default_storage
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from onsite.accounts.models import User
from onsite.core.models import Center
from onsite.core.months import month_end
from onsite.dashboards import queries, svgcharts
from onsite.inspections.models import AnswerPhoto, Finding
from onsite.org.models import Unit
from onsite.rectification.models import Rectification, RectificationPhoto

BASE_URL = "https://onsite.invalid/"
PHOTO_PAIRS = 6
TOP_FINDINGS = 10
Progress = Callable[[int, str], None]


class FetchRefusedError(ValueError):
    """WeasyPrint catches it and leaves the resource out."""


class OwnFilesFetcher:
    """The only door WeasyPrint has to the outside: `https://onsite.invalid/static/…` from
    our static folders, `https://onsite.invalid/media/…` for the names in `media`; nothing
    else (no http, file:, data:, no path outside those folders)."""

    def __init__(self, *, media: set[str] | None = None) -> None:
        self.media = set(media or ())
        self.refused: list[str] = []
        self.served: list[str] = []

    def __call__(self, url: str, headers: object = None) -> Any:
        return self.fetch(url, headers)

    def fetch(self, url: str, headers: object = None) -> Any:
        from weasyprint.urls import URLFetcherResponse  # loaded with WeasyPrint, see _render

        parts = urlsplit(url)
        path = unquote(parts.path)
        if f"{parts.scheme}://{parts.netloc}/" == BASE_URL and not _escapes(path):
            static = urlsplit(settings.STATIC_URL).path
            media = urlsplit(settings.MEDIA_URL).path
            if path.startswith(static):
                found = finders.find(path[len(static) :])
                if isinstance(found, str):
                    self.served.append(url)
                    return URLFetcherResponse(
                        url, body=Path(found).read_bytes(), headers={"Content-Type": _mime(found)}
                    )
            elif path.startswith(media) and path[len(media) :] in self.media:
                name = path[len(media) :]
                with default_storage.open(name, "rb") as handle:
                    body = handle.read()
                self.served.append(url)
                return URLFetcherResponse(url, body=body, headers={"Content-Type": _mime(name)})
        self.refused.append(url)
        raise FetchRefusedError(f"refused to fetch {url!r}")

    def media_url(self, name: str) -> str:
        """Allows one stored file and answers the URL the document should name."""
        self.media.add(name)
        return BASE_URL + urlsplit(settings.MEDIA_URL).path.lstrip("/") + quote(name)


def _escapes(path: str) -> bool:
    return ".." in PurePosixPath(path).parts or "\\" in path or "\x00" in path


def _mime(name: str) -> str:
    return mimetypes.guess_type(name)[0] or "application/octet-stream"


def static_url(relative: str) -> str:
    return BASE_URL + urlsplit(settings.STATIC_URL).path.lstrip("/") + relative


# --- what a report shows -------------------------------------------------------------------


def _pairs(picked: list[Rectification], fetcher: OwnFilesFetcher) -> list[dict[str, Any]]:
    """Before (the finding's first photo) and after (the last attempt's last photo) of each
    rectification, as URLs the fetcher will serve. Two queries."""
    answer_ids = {r.finding.answer_id: r.pk for r in picked}
    before: dict[int, AnswerPhoto] = {}
    for photo in AnswerPhoto.objects.filter(answer_id__in=list(answer_ids)).order_by(
        "uploaded_at", "pk"
    ):
        before.setdefault(answer_ids[photo.answer_id], photo)
    after: dict[int, RectificationPhoto] = {}
    for rphoto in RectificationPhoto.objects.filter(rectification__in=picked).order_by(
        "attempt", "uploaded_at", "pk"
    ):
        after[rphoto.rectification_id] = rphoto  # the last attempt's last photo wins
    pairs = []
    for rectification in picked:
        first, last = before.get(rectification.pk), after.get(rectification.pk)
        if first is None or last is None:
            continue
        pairs.append(
            {
                "rectification": rectification,
                "before": fetcher.media_url(str((first.thumbnail or first.image).name)),
                "after": fetcher.media_url(str((last.thumbnail or last.image).name)),
            }
        )
    return pairs


def top_findings(
    center: Center, month: datetime.date, *, unit: Unit | None = None
) -> list[Finding]:
    rows = Finding.objects.filter(
        center=center, found_on__gte=month, found_on__lte=month_end(month)
    )
    if unit is not None:
        rows = rows.filter(zone__unit=unit)
    return list(
        rows.select_related("zone", "zone__unit", "rectification").order_by(
            "-deduction", "-is_repeat", "-found_on", "pk"
        )[:TOP_FINDINGS]
    )


def trend_chart(trend: list[tuple[datetime.date, queries.Totals]]) -> str:
    return svgcharts.line_chart(
        [f"{month:%m}" for month, _totals in trend],
        [
            svgcharts.Series(_("Average score"), [t.avg_score for _m, t in trend], "#0d6efd"),
            svgcharts.Series(
                _("Supervision score"), [t.supervision_score for _m, t in trend], "#198754"
            ),
            svgcharts.Series(
                _("Citizen rating (0–100)"), [t.rating_index for _m, t in trend], "#fd7e14"
            ),
        ],
        title=_("Scores over the last 12 months"),
    )


def ranking_chart(board: queries.Ranking, *, limit: int = 15) -> str:
    rows = board.rows[:limit]
    return svgcharts.bar_chart(
        [f"{row.rank}. {row.unit.name}" for row in rows],
        [row.score for row in rows],
        max_value=100,
    )


def pareto_chart(rows: list[queries.ParetoRow]) -> str:
    return svgcharts.pareto_chart(
        [row.failures for row in rows],
        [row.cumulative for row in rows],
    )


def heat_maps(center: Center, month: datetime.date) -> list[queries.HeatMap]:
    """Every floor that has zones (five queries a floor)."""
    first = queries.heat_map(center, month=month)
    maps = [first]
    for floor in first.floors[1:]:
        maps.append(queries.heat_map(center, month=month, level=floor.level))
    return [m for m in maps if m.cells]


def _render(html: str, fetcher: OwnFilesFetcher) -> bytes:
    # WeasyPrint loads Pango and its fonts (about a second): only the worker pays for it.
    from weasyprint import CSS, HTML

    document = HTML(string=html, base_url=BASE_URL, url_fetcher=fetcher)
    stylesheet = CSS(url=static_url("dashboards/report.css"), url_fetcher=fetcher)
    return bytes(document.write_pdf(stylesheets=[stylesheet]))


def center_report(
    center: Center,
    month: datetime.date,
    *,
    by: User | None = None,
    progress: Progress | None = None,
    fetcher: OwnFilesFetcher | None = None,
) -> bytes:
    step = progress or (lambda pct, stage: None)
    fetcher = fetcher or OwnFilesFetcher()
    step(10, "collecting")
    board = queries.dashboard(center, month)
    findings = top_findings(center, month)
    step(30, "charts")
    charts = {
        "trend": trend_chart(board.trend),
        "ranking": ranking_chart(board.ranking),
        "pareto": pareto_chart(board.pareto),
    }
    step(45, "heatmap")
    maps = heat_maps(center, month)
    step(60, "photos")
    pairs = _pairs(_closed_with_photos(center, month), fetcher)
    step(75, "rendering")
    html = render_to_string(
        "dashboards/report_pdf.html",
        {
            "center": center,
            "month": month,
            "board": board,
            "ranking": board.ranking,
            "charts": charts,
            "maps": maps,
            "findings": findings,
            "pairs": pairs,
            "generated_at": timezone.localtime(),
            "by": by,
            "unit": None,
        },
    )
    return _render(html, fetcher)


def _closed_with_photos(
    center: Center, month: datetime.date, *, unit: Unit | None = None
) -> list[Rectification]:
    closed = Rectification.objects.filter(
        center=center,
        status=Rectification.Status.CLOSED,
        closed_at__date__gte=month,
        closed_at__date__lte=month_end(month),
        photos__isnull=False,
        finding__answer__photos__isnull=False,
    )
    if unit is not None:
        closed = closed.filter(zone__unit=unit)
    ids = list(
        closed.order_by("-finding__deduction", "-closed_at", "pk")
        .values_list("pk", flat=True)
        .distinct()[: PHOTO_PAIRS * 4]
    )
    seen: list[int] = []
    for pk in ids:
        if pk not in seen:
            seen.append(pk)
    rows = Rectification.objects.filter(pk__in=seen[:PHOTO_PAIRS]).select_related("zone", "finding")
    order = {pk: n for n, pk in enumerate(seen)}
    return sorted(rows, key=lambda r: order[r.pk])


def unit_report(
    center: Center,
    unit: Unit,
    month: datetime.date,
    *,
    by: User | None = None,
    progress: Progress | None = None,
    fetcher: OwnFilesFetcher | None = None,
) -> bytes:
    step = progress or (lambda pct, stage: None)
    fetcher = fetcher or OwnFilesFetcher()
    step(10, "collecting")
    card = queries.unit_card(center, unit, month)
    board = queries.ranking(center, month)
    findings = top_findings(center, month, unit=unit)
    step(30, "charts")
    charts = {
        "trend": svgcharts.line_chart(
            [f"{m:%Y-%m}" for m, _t in card.history],
            [
                svgcharts.Series(
                    _("Supervision score"),
                    [t.supervision_score for _m, t in card.history],
                    "#198754",
                ),
                svgcharts.Series(
                    _("Rectification on time"),
                    [t.on_time_rate for _m, t in card.history],
                    "#0d6efd",
                ),
                svgcharts.Series(
                    _("Citizen rating (0–100)"),
                    [t.rating_index for _m, t in card.history],
                    "#fd7e14",
                ),
            ],
            title=_("The last six months"),
        ),
        "ranking": ranking_chart(board),
    }
    step(45, "heatmap")
    mine = {zone.pk for zone, _inspection in card.zones}
    maps = [m for m in heat_maps(center, month) if any(c.zone.pk in mine for c in m.cells)]
    step(60, "photos")
    pairs = _pairs(_closed_with_photos(center, month, unit=unit), fetcher)
    step(75, "rendering")
    html = render_to_string(
        "dashboards/report_pdf.html",
        {
            "center": center,
            "month": month,
            "card": card,
            "ranking": board,
            "charts": charts,
            "maps": maps,
            "mine": mine,
            "findings": findings,
            "pairs": pairs,
            "generated_at": timezone.localtime(),
            "by": by,
            "unit": unit,
        },
    )
    return _render(html, fetcher)
