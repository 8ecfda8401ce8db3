"""Reading citizen ratings (好差评) from an Excel or CSV file, or from API rows.

A file has a header row naming the columns in Chinese or English — date (日期), window (窗口:
the unit's code or name), rating (评价: 1–5 or a level name of the national five levels) and
optionally dimension (评价维度) — then one rating per row. Every row is checked; one bad row
and nothing is imported, and each problem is reported with its row number."""

from __future__ import annotations

import csv
import datetime
import io
import re
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import load_workbook

from onsite.dashboards.models import Level
from onsite.org.models import Unit

MAX_ROWS = 20_000
MAX_BYTES = 5 * 1024 * 1024
MAX_ERRORS = 200
DIMENSION_LENGTH = 50

COLUMNS: dict[str, set[str]] = {
    "date": {"date", "日期", "评价日期", "评价时间", "时间", "rated on", "rated_on"},
    "window": {"window", "窗口", "窗口编号", "窗口名称", "unit", "单位", "办事窗口"},
    "rating": {"rating", "评价", "评分", "评价等级", "满意度", "等级", "level", "score"},
    "dimension": {"dimension", "维度", "评价维度", "评价指标", "指标"},
}
REQUIRED = ("date", "window", "rating")
LEVEL_NAMES: dict[str, int] = {
    "非常满意": 5,
    "满意": 4,
    "基本满意": 3,
    "不满意": 2,
    "非常不满意": 1,
    "very satisfied": 5,
    "satisfied": 4,
    "basically satisfied": 3,
    "dissatisfied": 2,
    "very dissatisfied": 1,
}
DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y%m%d", "%Y年%m月%d日")


@dataclass(frozen=True)
class RatingRow:
    row: int
    rated_on: datetime.date
    unit: Unit
    rating: int
    dimension: str


@dataclass(frozen=True)
class RowError:
    row: int
    column: str
    value: str
    message: str


class RatingImportError(Exception):
    """The file or rows cannot be imported; `errors` says where and why (nothing saved)."""

    def __init__(self, errors: list[RowError]) -> None:
        super().__init__(f"{len(errors)} problem(s)")
        self.errors = errors


def column_label(key: str) -> str:
    return {
        "date": _("Date"),
        "window": _("Window"),
        "rating": _("Rating"),
        "dimension": _("Dimension"),
        "": _("File"),
    }[key]


def _norm(text: str) -> str:
    return re.sub(r"[\s:：*（）()]", "", text).lower()


NORMALISED = {key: {_norm(name) for name in names} for key, names in COLUMNS.items()}


def _file_error(message: str) -> RatingImportError:
    return RatingImportError([RowError(row=0, column="", value="", message=message)])


def read_table(content: bytes, filename: str) -> list[tuple[int, list[Any]]]:
    """The rows of the file's first sheet (or the CSV) with their 1-based row numbers."""
    if len(content) > MAX_BYTES:
        raise _file_error(_("The file is larger than 5 MB. Split it by month and import each."))
    if content.startswith(b"PK\x03\x04"):
        return _read_xlsx(content)
    if filename.lower().endswith((".xlsx", ".xlsm", ".xls")):
        raise _file_error(
            _("The file could not be read as an Excel workbook (.xlsx). Save it as .xlsx or CSV.")
        )
    return _read_csv(content)


def _read_xlsx(content: bytes) -> list[tuple[int, list[Any]]]:
    try:
        book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise _file_error(
            _("The file could not be read as an Excel workbook (.xlsx). Save it as .xlsx or CSV.")
        ) from exc
    try:
        sheet = book.worksheets[0]
        rows = []
        for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            if number > MAX_ROWS + 1:
                raise _file_error(_("The file has more than 20,000 rows. Split it by month."))
            rows.append((number, list(values)))
        return rows
    finally:
        book.close()


def _read_csv(content: bytes) -> list[tuple[int, list[Any]]]:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = content.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:  # pragma: no cover - gb18030 decodes any byte string
        raise _file_error(_("The file could not be read as text (UTF-8 or GBK)."))
    if "\x00" in text:
        raise _file_error(
            _("The file could not be read as an Excel workbook (.xlsx). Save it as .xlsx or CSV.")
        )
    sample = text[:4096]
    try:
        dialect: Any = csv.Sniffer().sniff(sample, delimiters=",\t;")
    except csv.Error:
        dialect = csv.excel
    rows = []
    for number, values in enumerate(csv.reader(io.StringIO(text), dialect), start=1):
        if number > MAX_ROWS + 1:
            raise _file_error(_("The file has more than 20,000 rows. Split it by month."))
        rows.append((number, list(values)))
    return rows


def _is_blank(values: Sequence[Any]) -> bool:
    return all(value is None or str(value).strip() == "" for value in values)


def find_columns(header: Sequence[Any]) -> dict[str, int]:
    found: dict[str, int] = {}
    for index, value in enumerate(header):
        name = _norm(str(value or ""))
        for key, names in NORMALISED.items():
            if name in names and key not in found:
                found[key] = index
    return found


def parse_date(value: Any) -> datetime.date | None:
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    text = str(value or "").strip()
    if not text:
        return None
    text = re.split(r"[ T]", text, maxsplit=1)[0]  # a time after the date is ignored
    for pattern in DATE_FORMATS:
        try:
            return datetime.datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    return None


def parse_rating(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        number = float(value)
        return int(number) if number.is_integer() and 1 <= number <= 5 else None
    text = str(value or "").strip()
    if not text:
        return None
    named = LEVEL_NAMES.get(text.lower())
    if named is not None:
        return named
    try:
        number = float(text)
    except ValueError:
        return None
    return int(number) if number.is_integer() and 1 <= number <= 5 else None


class UnitLookup:
    """Finds a unit of the center by code (any case) or by its exact name. One query."""

    def __init__(self, units: Iterable[Unit]) -> None:
        self.by_code: dict[str, Unit] = {}
        self.by_name: dict[str, Unit] = {}
        for unit in units:
            self.by_code[unit.code.lower()] = unit
            self.by_name.setdefault(unit.name.strip(), unit)

    def find(self, value: Any) -> Unit | None:
        text = str(value if value is not None else "").strip()
        if isinstance(value, float) and value.is_integer():
            text = str(int(value))
        return self.by_code.get(text.lower()) or self.by_name.get(text)


def check_rows(
    raw: Iterable[tuple[int, dict[str, Any]]], *, units: UnitLookup
) -> tuple[list[RatingRow], list[RowError]]:
    """Validates rows given as {column: value}; returns the good rows and every problem."""
    today = timezone.localdate()
    good: list[RatingRow] = []
    errors: list[RowError] = []
    levels = ", ".join(f"{level.value} {level.label}" for level in Level)
    for number, values in raw:
        problems: list[RowError] = []
        date_value = values.get("date")
        rated_on = parse_date(date_value)
        if rated_on is None:
            problems.append(
                RowError(
                    number,
                    "date",
                    _text(date_value),
                    _("Not a date. Write it as 2025-11-03."),
                )
            )
        elif rated_on > today:
            problems.append(
                RowError(number, "date", _text(date_value), _("The date is in the future."))
            )
        window_value = values.get("window")
        unit = units.find(window_value)
        if unit is None:
            problems.append(
                RowError(
                    number,
                    "window",
                    _text(window_value),
                    _("No window of this center has this code or name.")
                    if _text(window_value)
                    else _("The window is missing."),
                )
            )
        rating_value = values.get("rating")
        rating = parse_rating(rating_value)
        if rating is None:
            problems.append(
                RowError(
                    number,
                    "rating",
                    _text(rating_value),
                    _("The rating must be 1 to 5 or one of the five levels: %(levels)s.")
                    % {"levels": levels},
                )
            )
        dimension = _text(values.get("dimension"))
        if len(dimension) > DIMENSION_LENGTH:
            problems.append(
                RowError(
                    number,
                    "dimension",
                    dimension[:60],
                    _("The dimension is longer than 50 characters."),
                )
            )
        if problems:
            errors.extend(problems)
        elif rated_on is not None and unit is not None and rating is not None:
            good.append(RatingRow(number, rated_on, unit, rating, dimension))
    return good, errors


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        return value.date().isoformat() if value.time() == datetime.time() else str(value)
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()[:200]


def empty_batch() -> RatingImportError:
    return _file_error(_("There are no ratings to import."))


def parse_file(content: bytes, filename: str, *, units: UnitLookup) -> list[RatingRow]:
    """All rows of the file, or RatingImportError listing every bad row."""
    table = read_table(content, filename)
    body = [(number, values) for number, values in table if not _is_blank(values)]
    if not body:
        raise _file_error(_("The file is empty."))
    header_number, header = body[0]
    columns = find_columns(header)
    missing = [key for key in REQUIRED if key not in columns]
    if missing:
        raise RatingImportError(
            [
                RowError(
                    header_number,
                    key,
                    "",
                    _("Column “%(column)s” is missing from the header row.")
                    % {"column": column_label(key)},
                )
                for key in missing
            ]
        )
    rows = [
        (
            number,
            {key: values[index] if index < len(values) else None for key, index in columns.items()},
        )
        for number, values in body[1:]
    ]
    if not rows:
        raise _file_error(_("The file has a header row but no ratings."))
    good, errors = check_rows(rows, units=units)
    if errors:
        raise RatingImportError(errors[:MAX_ERRORS])
    return good


def error_rows(exc: RatingImportError) -> list[dict[str, Any]]:
    """The bad rows of an import, each with its row, column, value and what is wrong."""
    return [
        {
            "row": error.row,
            "column": str(column_label(error.column)),
            "value": error.value,
            "message": error.message,
        }
        for error in exc.errors
    ]
