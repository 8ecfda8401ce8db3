"""Reading citizen ratings (好差评) from an Excel or CSV file, or from API rows.

A file has a header row naming the columns in Chinese or English — date (日期 or 评价时间, with
or without the time), window (窗口: the unit's code or name), rating (评价: 1–5 or a level name
of the national five levels) — then one rating per row. The national system's other fields are
read when their column is there: dimension (评价维度), case number (办件编号), service item code
and name (事项编码/名称), department (部门), channel (评价渠道), staff member (工作人员: username
or full name), reason code and reason (差评原因), comment (评价意见), default rating (默认评价:
是/否) and valid (是否有效). Every row is checked; one bad row and nothing is imported, and each
problem is reported with its row number."""

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
from django.utils.translation import pgettext
from openpyxl import load_workbook

from onsite.accounts.models import User
from onsite.core import excel
from onsite.dashboards.models import Channel, Level, RatingDimensions
from onsite.org.models import Unit

MAX_ROWS = 20_000
MAX_BYTES = 5 * 1024 * 1024
MAX_ERRORS = 200
DIMENSION_LENGTH = 50
EARLIEST = datetime.date(2000, 1, 1)  # 好差评 began in 2019; an older date is a typing slip

COLUMNS: dict[str, set[str]] = {
    "date": {"date", "日期", "评价日期", "评价时间", "时间", "rated on", "rated_on"},
    "window": {"window", "窗口", "窗口编号", "窗口名称", "unit", "单位", "办事窗口"},
    "rating": {"rating", "评价", "评分", "评价等级", "满意度", "等级", "level", "score"},
    "dimension": {"dimension", "维度", "评价维度", "评价指标", "指标"},
    "case": {"case number", "case_number", "case", "办件编号", "办件号", "受理编号", "业务编号"},
    "item_code": {
        "service item code",
        "item code",
        "item_code",
        "事项编码",
        "事项编号",
        "事项代码",
    },
    "item_name": {"service item", "item", "item_name", "事项名称", "办理事项", "事项"},
    "department": {"department", "部门", "实施部门", "所属部门", "办理部门"},
    "channel": {"channel", "渠道", "评价渠道", "评价方式"},
    "staff": {"staff", "staff member", "工作人员", "被评价人", "经办人", "办理人员", "窗口人员"},
    "reason_code": {"reason code", "reason_code", "差评原因编码", "评价原因编码", "原因编码"},
    "reason": {"reason", "差评原因", "评价原因", "原因", "评价内容"},
    "comment": {"comment", "评价意见", "意见", "留言", "评价留言", "评价建议"},
    "default": {
        "default rating",
        "default",
        "is_default",
        "默认评价",
        "是否默认评价",
        "是否默认",
        "默认",
    },
    "valid": {"valid", "is_valid", "是否有效", "有效", "有效性"},
}
# The keys an API row may carry, in the order a file's columns are read.
KEYS = tuple(COLUMNS)
TEXT_LIMITS = {
    "case": 64,
    "item_code": 64,
    "item_name": 200,
    "department": 100,
    "reason_code": 20,
    "reason": 200,
    "comment": 2000,
    "staff": 100,
}
CHANNEL_NAMES: dict[str, str] = {
    **dict.fromkeys(("pc", "pc端", "网上", "网站", "政务服务网", "网页", "online"), Channel.PC),
    **dict.fromkeys(("mobile", "移动端", "app", "手机", "小程序", "移动"), Channel.MOBILE),
    **dict.fromkeys(("qr", "二维码", "扫码", "扫码评价", "qr code"), Channel.QR),
    **dict.fromkeys(
        ("hall", "评价器", "大厅评价器", "窗口评价器", "平板", "现场", "窗口", "大厅"), Channel.HALL
    ),
    **dict.fromkeys(("sms", "短信", "text message"), Channel.SMS),
    **dict.fromkeys(("phone", "telephone", "电话", "12345", "热线"), Channel.PHONE),
    **dict.fromkeys(("other", "其他", "自助终端", "其他终端", "other terminal"), Channel.OTHER),
}
YES = {"是", "y", "yes", "true", "1", "有效", "默认"}
NO = {"否", "n", "no", "false", "0", "无效", "非默认"}
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
TIME_FORMATS = ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y/%m/%d %H:%M:%S", "%Y/%m/%d %H:%M")
DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y%m%d", "%Y年%m月%d日")


@dataclass(frozen=True)
class RatingRow:
    row: int
    rated_on: datetime.date
    unit: Unit
    rating: int
    dimension: str
    rated_at: datetime.datetime | None = None
    case_number: str = ""
    item_code: str = ""
    item_name: str = ""
    department: str = ""
    channel: str = ""
    staff: User | None = None
    staff_name: str = ""
    reason_code: str = ""
    reason: str = ""
    comment: str = ""
    is_default: bool = False
    is_valid: bool = True


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
        "case": _("Case number"),
        "item_code": _("Service item code"),
        "item_name": _("Service item"),
        "department": _("Department"),
        "channel": _("Channel"),
        "staff": pgettext("rating column", "Staff member"),
        "reason_code": _("Reason code"),
        "reason": pgettext("rating column", "Reason"),
        "comment": pgettext("rating column", "Comment"),
        "default": _("Default rating"),
        "valid": pgettext("rating column", "Valid"),
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


def parse_time(value: Any) -> datetime.datetime | None:
    """The moment of a rating when the date cell carries a time (评价时间), in the center's
    time zone; None for a bare date."""
    if isinstance(value, datetime.datetime) and value.time() == datetime.time():
        return None  # a spreadsheet's date cell: a day, not a moment
    moment: datetime.datetime | None = value if isinstance(value, datetime.datetime) else None
    text = str(value or "").strip().replace("T", " ")[:19]
    for pattern in TIME_FORMATS:
        if moment is not None:
            break
        try:
            moment = datetime.datetime.strptime(text, pattern)
        except ValueError:
            continue
    if moment is None:
        return None
    return timezone.make_aware(moment) if timezone.is_naive(moment) else moment


def parse_flag(value: Any, *, blank: bool) -> bool | None:
    """是/否 (yes/no, 1/0, true/false); a blank cell is `blank`; anything else None."""
    if isinstance(value, bool):
        return value
    text = _text(value).lower()
    if not text:
        return blank
    if text in YES:
        return True
    if text in NO:
        return False
    return None


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


class StaffLookup:
    """Finds the staff member a rating names, by username or by full name when only one
    person of the center has it. An unknown or ambiguous name is kept as text, not refused:
    the national system knows people the center may not have entered."""

    def __init__(self, people: Iterable[User]) -> None:
        self.by_username: dict[str, User] = {}
        names: dict[str, list[User]] = {}
        for person in people:
            self.by_username[person.username.lower()] = person
            names.setdefault(person.full_name.strip(), []).append(person)
        self.by_name = {name: found[0] for name, found in names.items() if len(found) == 1}

    def find(self, text: str) -> User | None:
        if not text:
            return None
        return self.by_username.get(text.lower()) or self.by_name.get(text)


class DimensionLookup:
    """The center's dimension lists by the day they took effect; `allowed(day)` is the set in
    force on that day, or None when the center keeps no list (any dimension goes)."""

    def __init__(self, lists: Iterable[RatingDimensions]) -> None:
        self.lists = sorted(
            ((found.valid_from, found.version, set(found.names)) for found in lists), reverse=True
        )

    def allowed(self, day: datetime.date) -> set[str] | None:
        for valid_from, _version, names in self.lists:
            if valid_from <= day:
                return names
        return None


@dataclass
class Lookups:
    units: UnitLookup
    staff: StaffLookup
    dimensions: DimensionLookup


def check_rows(
    raw: Iterable[tuple[int, dict[str, Any]]], *, lookups: Lookups
) -> tuple[list[RatingRow], list[RowError]]:
    """Validates rows given as {column: value}; returns the good rows and every problem."""
    good: list[RatingRow] = []
    errors: list[RowError] = []
    for number, values in raw:
        row, problems = _check_row(number, values, lookups)
        errors.extend(problems)
        if row is not None:
            good.append(row)
    return good, errors


def _check_row(
    number: int, values: dict[str, Any], lookups: Lookups
) -> tuple[RatingRow | None, list[RowError]]:
    problems: list[RowError] = []

    def refuse(column: str, value: Any, message: str) -> None:
        problems.append(RowError(number, column, _text(value)[:60], message))

    date_value = values.get("date")
    rated_on = parse_date(date_value)
    if rated_on is None:
        refuse("date", date_value, _("Not a date. Write it as 2025-11-03."))
    elif rated_on > timezone.localdate():
        refuse("date", date_value, _("The date is in the future."))
    elif rated_on < EARLIEST:
        refuse("date", date_value, _("The date is before 2000: check the year."))
    unit = lookups.units.find(values.get("window"))
    if unit is None:
        refuse(
            "window",
            values.get("window"),
            _("No window of this center has this code or name.")
            if _text(values.get("window"))
            else _("The window is missing."),
        )
    rating = parse_rating(values.get("rating"))
    if rating is None:
        levels = ", ".join(f"{level.value} {level.label}" for level in Level)
        refuse(
            "rating",
            values.get("rating"),
            _("The rating must be 1 to 5 or one of the five levels: %(levels)s.")
            % {"levels": levels},
        )
    dimension = _text(values.get("dimension"))
    if len(dimension) > DIMENSION_LENGTH:
        refuse("dimension", dimension, _("The dimension is longer than 50 characters."))
    elif dimension and rated_on is not None:
        allowed = lookups.dimensions.allowed(rated_on)
        if allowed is not None and dimension not in allowed:
            refuse(
                "dimension",
                dimension,
                _("Not a dimension of the list in force on this day: %(names)s.")
                % {"names": "、".join(sorted(allowed)) or "—"},
            )
    texts = {key: _text(values.get(key)) for key in TEXT_LIMITS}
    for key, limit in TEXT_LIMITS.items():
        if len(texts[key]) > limit:
            refuse(key, texts[key], _("Longer than %(limit)s characters.") % {"limit": limit})
    channel = ""
    if channel_text := _text(values.get("channel")):
        channel = CHANNEL_NAMES.get(channel_text.lower(), "")
        if not channel:
            refuse(
                "channel",
                channel_text,
                _("Unknown channel. Use one of: %(names)s.")
                % {"names": "、".join(str(label) for label in Channel.labels)},
            )
    flags = {
        key: parse_flag(values.get(key), blank=blank)
        for key, blank in (("default", False), ("valid", True))
    }
    for key, flag in flags.items():
        if flag is None:
            refuse(key, values.get(key), _("Write 是 or 否 (yes or no)."))
    if problems or rated_on is None or unit is None or rating is None:
        return None, problems
    return (
        RatingRow(
            number,
            rated_on,
            unit,
            rating,
            dimension,
            rated_at=parse_time(date_value),
            case_number=texts["case"],
            item_code=texts["item_code"],
            item_name=texts["item_name"],
            department=texts["department"],
            channel=channel,
            staff=lookups.staff.find(texts["staff"]),
            staff_name=texts["staff"],
            reason_code=texts["reason_code"],
            reason=texts["reason"],
            comment=texts["comment"],
            is_default=bool(flags["default"]),
            is_valid=bool(flags["valid"]),
        ),
        [],
    )


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


def parse_file(content: bytes, filename: str, *, lookups: Lookups) -> list[RatingRow]:
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
    good, errors = check_rows(rows, lookups=lookups)
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


def template_workbook(window: Unit | None, now: datetime.datetime) -> bytes:
    """The import template in the national system's shape: every column, three example rows
    (a good rating, a 差评 with its reason, a default rating), and the levels and channels."""
    code = window.code if window else "w01"
    moment = now.strftime("%Y-%m-%d %H:%M")
    book = excel.new_workbook()
    excel.write_sheet(
        book,
        title=_("Ratings"),
        header=[column_label(key) for key in ("date", "window", "rating", *KEYS[3:])],
        rows=[
            [
                moment,
                code,
                5,
                _("Service attitude"),
                "3101152025110300001",
                "310115001000",
                _("Business licence"),
                _("Market regulation"),
                str(Channel.HALL.label),
                "",
                "",
                "",
                "",
                str(_("No")),
                str(_("Yes")),
            ],
            [
                moment,
                code,
                str(Level.DISSATISFIED.label),
                _("Service efficiency"),
                "3101152025110300002",
                "310115001000",
                _("Business licence"),
                _("Market regulation"),
                str(Channel.MOBILE.label),
                "",
                "202",
                _("Waited too long"),
                _("Two hours in the queue."),
                str(_("No")),
                str(_("Yes")),
            ],
            [
                moment,
                window.name if window else "",
                str(Level.BASICALLY_SATISFIED.label),
                "",
                "3101152025110300003",
                "",
                "",
                "",
                "",
                "",
                "",
                "",
                "",
                str(_("Yes")),
                str(_("Yes")),
            ],
        ],
    )
    excel.write_sheet(
        book,
        title=_("Levels"),
        header=[_("Rating"), _("Level")],
        rows=[[level.value, str(level.label)] for level in Level],
    )
    excel.write_sheet(
        book, title=_("Channels"), header=[_("Channel")], rows=[[str(c)] for c in Channel.labels]
    )
    return excel.workbook_bytes(book)
