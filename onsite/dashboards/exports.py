"""Excel exports of inspections, findings, rectifications, the ranking and citizen ratings.

Workbooks are streamed (rows go out as they come, memory stays flat) through the platform's
one sheet writer, `onsite.core.excel.write_sheet`: bold frozen header, autofilter, widths,
formula-injection guard. Headers are in the language active when the export was asked for."""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from onsite.core import excel
from onsite.core import jobs as core_jobs
from onsite.core.jobs import JobError
from onsite.core.models import Center
from onsite.core.months import add_months
from onsite.dashboards import queries
from onsite.dashboards.models import COMPONENTS, CitizenRating, Level, ReportJob
from onsite.dashboards.ratings import column_label
from onsite.inspections.models import Band, Finding, Inspection, Severity
from onsite.org.models import Unit
from onsite.rectification.models import Rectification
from onsite.standards.models import Pillar

PROGRESS_EVERY = 500
Progress = core_jobs.Progress


def inline_rows() -> int:
    """Exports up to this many rows download at once; bigger ones go to the task worker."""
    return int(getattr(settings, "DASHBOARDS_INLINE_EXPORT_ROWS", 2000))


def max_rows() -> int:
    return int(getattr(settings, "DASHBOARDS_EXPORT_MAX_ROWS", 500_000))


class ExportError(JobError):
    pass


@dataclass
class Export:
    """One sheet: a title, its column headings and its rows (a generator)."""

    sheet: str
    headers: list[str]
    rows: Iterator[list[Any]]
    count: int


def _yes(value: bool | None) -> str:
    if value is None:
        return ""
    return _("yes") if value else _("no")


def _unit_filter(rows: QuerySet[Any], unit: Unit | None, path: str) -> QuerySet[Any]:
    return rows.filter(**{path: unit}) if unit is not None else rows


def inspections(
    center: Center, first: datetime.date, last: datetime.date, unit: Unit | None = None
) -> Export:
    rows = _unit_filter(
        Inspection.objects.filter(
            center=center,
            status=Inspection.Status.SUBMITTED,
            inspected_on__gte=first,
            inspected_on__lte=last,
        ),
        unit,
        "zone__unit",
    )
    kinds = dict(Inspection.Kind.choices)
    bands = dict(Band.choices)

    def generate() -> Iterator[list[Any]]:
        for i in (
            rows.select_related("zone", "zone__unit", "inspector")
            .order_by("inspected_on", "pk")
            .iterator(chunk_size=2000)
        ):
            yield [
                i.inspected_on,
                i.zone.code,
                i.zone.name,
                i.zone.unit.code if i.zone.unit else "",
                i.zone.unit.name if i.zone.unit else "",
                str(kinds.get(i.kind, i.kind)),
                i.inspector.display_name,
                i.score,
                str(bands.get(i.band, i.band)),
                _yes(i.passed),
                i.note,
            ]

    return Export(
        sheet=_("Inspections"),
        headers=[
            _("Date"),
            _("Zone code"),
            _("Zone"),
            _("Unit code"),
            _("Unit"),
            _("Kind"),
            _("Inspector"),
            _("Score (%)"),
            _("Band"),
            _("Passed"),
            _("Note"),
        ],
        rows=generate(),
        count=rows.count(),
    )


def findings(
    center: Center, first: datetime.date, last: datetime.date, unit: Unit | None = None
) -> Export:
    rows = _unit_filter(
        Finding.objects.filter(center=center, found_on__gte=first, found_on__lte=last),
        unit,
        "zone__unit",
    )
    pillars = dict(Pillar.choices)
    severities = dict(Severity.choices)
    statuses = dict(Rectification.Status.choices)

    def generate() -> Iterator[list[Any]]:
        for f in (
            rows.select_related("zone", "zone__unit", "rectification")
            .order_by("found_on", "pk")
            .iterator(chunk_size=2000)
        ):
            rectification = getattr(f, "rectification", None)
            yield [
                f.found_on,
                f.zone.code,
                f.zone.name,
                f.zone.unit.name if f.zone.unit else "",
                f.check_key,
                str(pillars.get(f.pillar, f.pillar)),
                f.text,
                str(severities.get(f.severity, f.severity)),
                f.deduction,
                _yes(f.is_repeat),
                str(statuses.get(rectification.status, "")) if rectification else "",
                rectification.due_on if rectification else None,
            ]

    return Export(
        sheet=_("Findings"),
        headers=[
            _("Found on"),
            _("Zone code"),
            _("Zone"),
            _("Unit"),
            _("Check"),
            _("Pillar"),
            _("What is wrong"),
            _("Severity"),
            _("Deduction"),
            _("Repeat"),
            _("Rectification"),
            _("Due"),
        ],
        rows=generate(),
        count=rows.count(),
    )


def rectifications(
    center: Center, first: datetime.date, last: datetime.date, unit: Unit | None = None
) -> Export:
    rows = _unit_filter(
        Rectification.objects.filter(
            center=center, finding__found_on__gte=first, finding__found_on__lte=last
        ),
        unit,
        "zone__unit",
    )
    severities = dict(Severity.choices)
    statuses = dict(Rectification.Status.choices)
    today = timezone.localdate()

    def generate() -> Iterator[list[Any]]:
        for r in (
            rows.select_related("zone", "zone__unit", "finding", "assignee")
            .order_by("finding__found_on", "pk")
            .iterator(chunk_size=2000)
        ):
            yield [
                r.finding.found_on,
                r.zone.code,
                r.zone.unit.name if r.zone.unit else "",
                r.finding.text,
                r.assignee.display_name if r.assignee else "",
                str(severities.get(r.severity, r.severity)),
                str(statuses.get(r.status, r.status)),
                r.due_on,
                _yes(r.is_overdue(today)),
                r.submitted_at,
                r.closed_at,
                r.times_returned,
                r.note,
            ]

    return Export(
        sheet=_("Rectifications"),
        headers=[
            _("Found on"),
            _("Zone code"),
            _("Unit"),
            _("What is wrong"),
            _("Assigned to"),
            _("Severity"),
            _("Status"),
            _("Due"),
            _("Overdue"),
            _("Handed in"),
            _("Verified"),
            _("Times returned"),
            _("What was done"),
        ],
        rows=generate(),
        count=rows.count(),
    )


def ranking(
    center: Center, first: datetime.date, last: datetime.date, unit: Unit | None = None
) -> Export:
    months = []
    month = first.replace(day=1)
    while month <= last:
        months.append(month)
        month = add_months(month, 1)
    units = list(Unit.objects.filter(center=center).order_by("kind", "position", "code"))
    units_shown = {unit.pk} if unit is not None else {u.pk for u in units}

    def generate() -> Iterator[list[Any]]:
        for month in months:
            board = queries.ranking(center, month, units=units)
            for row in board.rows + board.unranked:
                if row.unit.pk not in units_shown:
                    continue
                yield [
                    f"{month:%Y-%m}",
                    row.rank,
                    row.unit.code,
                    row.unit.name,
                    row.index,
                    *[row.components.get(key) for key, _label in COMPONENTS],
                    row.totals.supervisions,
                    row.totals.acceptances,
                    row.totals.findings,
                    row.totals.repeat_findings,
                    row.totals.due,
                    row.totals.on_time,
                    row.totals.ratings,
                    row.totals.rating_mean,
                    row.cards.get("red_flag", 0),
                    row.cards.get("yellow", 0),
                    row.cards.get("red", 0),
                    row.proposals,
                ]

    return Export(
        sheet=_("Ranking"),
        headers=[
            _("Month"),
            _("Rank"),
            _("Unit code"),
            _("Unit"),
            _("Combined index"),
            *[str(label) for _key, label in COMPONENTS],
            _("Supervision checks"),
            _("Acceptance sheets"),
            _("Findings"),
            _("Repeat findings"),
            _("Rectifications due"),
            _("On time"),
            _("Citizen ratings"),
            _("Mean rating"),
            _("Red flags"),
            _("Yellow cards"),
            _("Red cards"),
            _("Proposals adopted"),
        ],
        rows=generate(),
        count=len(months) * len(units_shown),
    )


def ratings(
    center: Center, first: datetime.date, last: datetime.date, unit: Unit | None = None
) -> Export:
    rows = _unit_filter(
        CitizenRating.objects.filter(center=center, rated_on__gte=first, rated_on__lte=last),
        unit,
        "unit",
    )
    levels = dict(Level.choices)
    yes, no = _("Yes"), _("No")

    def generate() -> Iterator[list[Any]]:
        for r in (
            rows.select_related("unit", "batch", "staff")
            .order_by("rated_on", "pk")
            .iterator(chunk_size=2000)
        ):
            yield [
                r.rated_on,
                timezone.localtime(r.rated_at).strftime("%H:%M") if r.rated_at else "",
                r.unit.code,
                r.unit.name,
                r.rating,
                str(levels.get(r.rating, "")),
                r.dimension,
                r.case_number,
                r.item_code,
                r.item_name,
                r.department,
                r.get_channel_display() if r.channel else "",
                r.staff.username if r.staff else "",
                r.staff_name,
                r.reason_code,
                r.reason,
                r.comment,
                str(yes) if r.is_default else str(no),
                str(yes) if r.is_valid else str(no),
                str(yes) if r.is_bad else "",
                str(r.batch),
            ]

    return Export(
        sheet=_("Citizen ratings"),
        headers=[
            _("Date"),
            _("Time"),
            _("Unit code"),
            _("Window"),
            _("Rating"),
            _("Level"),
            _("Dimension"),
            *(column_label(key) for key in ("case", "item_code", "item_name")),
            *(column_label(key) for key in ("department", "channel")),
            _("Username"),
            *(column_label(key) for key in ("staff", "reason_code", "reason", "comment")),
            *(column_label(key) for key in ("default", "valid")),
            _("Counts as bad"),
            _("Imported from"),
        ],
        rows=generate(),
        count=rows.count(),
    )


EXPORTS: dict[str, Callable[..., Export]] = {
    ReportJob.Kind.INSPECTIONS: inspections,
    ReportJob.Kind.FINDINGS: findings,
    ReportJob.Kind.RECTIFICATIONS: rectifications,
    ReportJob.Kind.RANKING: ranking,
    ReportJob.Kind.RATINGS: ratings,
}


def prepare(
    kind: str, center: Center, first: datetime.date, last: datetime.date, unit: Unit | None = None
) -> Export:
    return EXPORTS[kind](center, first, last, unit)


def filename_for(kind: str, center: Center, first: datetime.date, last: datetime.date) -> str:
    span = (
        f"{first:%Y%m}"
        if (first.year, first.month) == (last.year, last.month)
        else (f"{first:%Y%m}-{last:%Y%m}")
    )
    return f"{center.code}-{kind}-{span}.xlsx"


def write_workbook(export: Export, *, title: str, progress: Progress | None = None) -> bytes:
    if export.count > max_rows():
        raise ExportError(
            gettext_noop("The export has more than %(max)s rows. Choose fewer months or one unit."),
            {"max": max_rows()},
        )
    book = excel.new_workbook(streaming=True)
    total = max(1, export.count)

    def rows_written(n: int) -> None:
        if progress is not None:
            progress(5 + min(85, 85 * n // total), "rows")

    excel.write_sheet(
        book,
        title=export.sheet,
        heading=title,
        header=export.headers,
        rows=export.rows,
        progress=rows_written,
        every=PROGRESS_EVERY,
    )
    if progress is not None:
        progress(92, "saving")
    return excel.workbook_bytes(book)


def title_for(export: Export, center: Center, first: datetime.date, last: datetime.date) -> str:
    """The line above the header: center, what and which months (no file type: it is a file)."""
    span = (
        f"{first:%Y-%m}"
        if (first.year, first.month) == (last.year, last.month)
        else (f"{first:%Y-%m} – {last:%Y-%m}")
    )
    return f"{center.name} · {export.sheet} · {span}"
