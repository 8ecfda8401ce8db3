"""From .xlsx bytes to rows keyed by column, refusing files that are not workbooks."""

from __future__ import annotations

import io
import zipfile
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from openpyxl import load_workbook

from onsite.core.templatetags.lists import join_list
from onsite.org.spreadsheets.shape import (
    MAX_BYTES,
    MAX_ROWS,
    MAX_UNZIPPED_BYTES,
    SHEETS,
    Row,
    RowError,
    Sheet,
    in_every_language,
    normal,
)


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _open_workbook(data: bytes) -> Any:
    if len(data) > MAX_BYTES:
        raise ValidationError(
            _("The file is too large; the limit is %(limit)d MB.")
            % {"limit": MAX_BYTES // 1024 // 1024}
        )
    if not data.startswith(b"PK\x03\x04"):
        raise ValidationError(_("This is not an Excel workbook (.xlsx)."))
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            if sum(info.file_size for info in archive.infolist()) > MAX_UNZIPPED_BYTES:
                raise ValidationError(_("The workbook is too large once unpacked."))
        return load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except ValidationError:
        raise
    except Exception as exc:  # openpyxl raises many kinds on a damaged or foreign file
        raise ValidationError(
            _("The workbook could not be read. Save it as .xlsx in Excel or WPS and try again.")
        ) from exc


def read_workbook(data: bytes) -> tuple[dict[str, list[Row]], list[RowError]]:
    """Rows of every sheet this import knows (by sheet name in any language), and the
    problems with the workbook's shape."""
    workbook = _open_workbook(data)
    errors: list[RowError] = []
    found: dict[str, list[Row]] = {}
    titles = {
        name: sheet for sheet in SHEETS for name in {sheet.key, *in_every_language(sheet.label)}
    }
    try:
        for worksheet in workbook.worksheets:
            sheet = titles.get(normal(worksheet.title))
            if sheet is None or sheet.key in found:
                continue
            found[sheet.key] = _read_sheet(sheet, worksheet, errors)
    finally:
        workbook.close()
    if not found and not errors:
        names = join_list(sheet.label for sheet in SHEETS)
        errors.append(
            RowError(
                "",
                None,
                "",
                _("The workbook has no sheet to import. Sheets are named: %(names)s.")
                % {"names": names},
            )
        )
    return found, errors


def _read_sheet(sheet: Sheet, worksheet: Any, errors: list[RowError]) -> list[Row]:
    rows = worksheet.iter_rows(values_only=True)
    header = next(rows, None) or ()
    spellings = {
        name: column.key
        for column in sheet.columns
        for name in {column.key, *in_every_language(column.label)}
    }
    positions: dict[int, str] = {}
    for index, title in enumerate(header):
        key = spellings.get(normal(title)) if title is not None else None
        if key is not None and key not in positions.values():
            positions[index] = key
    missing = [c for c in sheet.columns if c.required and c.key not in positions.values()]
    for column in missing:
        errors.append(
            RowError(
                str(sheet.label),
                1,
                str(column.label),
                _("This column is missing from the header row."),
            )
        )
    if missing:
        return []  # its rows cannot be read until the header is fixed
    result: list[Row] = []
    for number, cells in enumerate(rows, start=2):
        values = {
            key: _cell_text(cells[i]) if i < len(cells) else "" for i, key in positions.items()
        }
        if not any(values.values()):
            continue
        if len(result) >= MAX_ROWS:
            errors.append(
                RowError(
                    str(sheet.label),
                    number,
                    "",
                    _("Too many rows: at most %(max)d per sheet.") % {"max": MAX_ROWS},
                )
            )
            break
        result.append(Row(number, values))
    return result
