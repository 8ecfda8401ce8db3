"""Checks every Excel file of the platform must pass: a bold frozen header, an autofilter over
the data and widths that fit the content. Used by the export tests of each app."""

from __future__ import annotations

import io
from typing import Any

from openpyxl import load_workbook


def open_book(content: bytes) -> Any:
    return load_workbook(io.BytesIO(content))


def assert_table_sheet(sheet: Any, *, header_row: int = 1) -> list[str]:
    """Returns the sheet's header texts after checking its looks."""
    header = [cell.value for cell in sheet[header_row] if cell.value is not None]
    assert header, "no header"
    assert all(sheet.cell(row=header_row, column=i).font.b for i in range(1, len(header) + 1))
    assert sheet.freeze_panes == f"A{header_row + 1}"
    assert sheet.auto_filter.ref is not None
    assert sheet.auto_filter.ref.startswith(f"A{header_row}:")
    widths = [sheet.column_dimensions[chr(ord("A") + i)].width for i in range(min(len(header), 26))]
    assert all(w and w >= 6 for w in widths), widths
    return [str(h) for h in header]
