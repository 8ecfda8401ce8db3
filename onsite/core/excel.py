"""The one way Onsite writes a table to an Excel sheet.

Every sheet gets a bold header row that stays frozen while scrolling, an autofilter over the
data and column widths taken from the content (a CJK character counts as two, capped), so a
file opens ready to read. Headers are passed in already translated: the caller runs under the
reader's language (a background job under the language of the person who asked).

Any text cell that starts with = + - @, a tab or a carriage return (or their full-width forms)
is written as text with Excel's quote prefix, so a note like "=HYPERLINK(…)" can never run as a
formula (CSV/formula injection). Works for normal and write-only (streaming) workbooks: in a
streaming sheet the widths come from the header and the first rows."""

from __future__ import annotations

import datetime
import io
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from decimal import Decimal
from itertools import islice
from typing import Any

from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter

FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "＝", "＋", "－", "＠")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MIN_WIDTH = 6
MAX_WIDTH = 60
WIDTH_SAMPLE = 200  # rows looked at for the widths of a streamed sheet
HEADER_FONT = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="DBEAFE")
HEADING_FONT = Font(bold=True, size=13)
# Called every `every` rows with the number of rows written so far.
RowProgress = Callable[[int], None]


def is_risky(value: object) -> bool:
    return isinstance(value, str) and value.startswith(FORMULA_START)


def cell_value(value: Any) -> Any:
    """Excel has no time zones: datetimes are written in the center's local time."""
    if isinstance(value, datetime.datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return value.replace(tzinfo=None)
    if isinstance(value, Decimal):
        return float(value)
    return value


def display_width(value: Any) -> int:
    """About how many character widths a value takes in Excel: wide (CJK) characters two."""
    if value is None:
        return 0
    if isinstance(value, datetime.datetime):
        return 16
    if isinstance(value, datetime.date):
        return 10
    text = value if isinstance(value, str) else str(value)
    longest = max((line for line in text.splitlines() or [""]), key=len)
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in longest)


def _cell(sheet: Any, value: Any, *, font: Font | None = None, fill: Any = None) -> Any:
    cell = WriteOnlyCell(sheet, value=cell_value(value))
    if is_risky(cell.value):
        cell.data_type = "s"  # text, never a formula
        cell.quotePrefix = True
    if font is not None:
        cell.font = font
    if fill is not None:
        cell.fill = fill
    return cell


def write_sheet(
    book: Workbook,
    *,
    title: str,
    header: Sequence[Any],
    rows: Iterable[Sequence[Any]],
    heading: str = "",
    progress: RowProgress | None = None,
    every: int = 500,
) -> Any:
    """Adds a sheet named `title` (cut to Excel's 31 characters) with an optional `heading`
    line above the `header` row, then `rows`. Returns the sheet and leaves the workbook open
    for more sheets."""
    sheet = book.create_sheet(_sheet_title(title))
    rows = iter(rows)
    sample = [list(row) for row in islice(rows, WIDTH_SAMPLE)]
    names = [str(h) for h in header]
    widths = [display_width(h) for h in names]
    for row in sample:
        for index, value in enumerate(row):
            if index < len(widths):
                widths[index] = max(widths[index], display_width(cell_value(value)))
    for index, width in enumerate(widths, start=1):
        # +2 for the filter button beside each header
        sheet.column_dimensions[get_column_letter(index)].width = min(
            MAX_WIDTH, max(MIN_WIDTH, width + 2)
        )
    header_row = 2 if heading else 1
    sheet.freeze_panes = f"A{header_row + 1}"
    if heading:
        sheet.append([_cell(sheet, heading, font=HEADING_FONT)])
    sheet.append([_cell(sheet, h, font=HEADER_FONT, fill=HEADER_FILL) for h in names])
    written = 0
    for values in _chain(sample, rows):
        sheet.append([_cell(sheet, value) for value in values])
        written += 1
        if progress is not None and written % every == 0:
            progress(written)
    last_row = header_row + max(written, 1)
    if names:
        sheet.auto_filter.ref = f"A{header_row}:{get_column_letter(len(names))}{last_row}"
    return sheet


def _chain(sample: list[list[Any]], rest: Iterable[Sequence[Any]]) -> Iterable[Sequence[Any]]:
    yield from sample
    yield from rest


def _sheet_title(title: str) -> str:
    # Excel refuses these characters in a sheet name.
    for bad in "[]:*?/\\":
        title = title.replace(bad, " ")
    return title.strip()[:31] or "Sheet"


def new_workbook(*, streaming: bool = False) -> Workbook:
    """An empty workbook (no default sheet); `streaming` writes rows out as they come."""
    book = Workbook(write_only=streaming)
    if not streaming:
        book.remove(book.active)
    return book


def workbook_bytes(book: Workbook) -> bytes:
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
