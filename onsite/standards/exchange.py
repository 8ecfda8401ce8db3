"""Standards exchange: standards to an Excel workbook and back, so a new center starts from
the starter workbook and one center can take over another's standard.

A workbook holds one or several standards: one row each on the Standards sheet (area type
code and name, plan size, default edge distance), and clause and item rows that name their
area type (a workbook of one standard may leave that column empty). Sheets and headers are
written in the reader's language and read in either language or as the English keys; a
workbook exported before (format onsite-standard/1: a key/value "Standard" sheet) still
imports.

The import checks every row first and writes nothing if any row is wrong. Each standard of
the workbook becomes a new draft, never a published version, of the area type chosen on
the page or, when none is chosen, of the center's area type with the same code, else the
same name, else a new area type made from the row."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.http import HttpRequest
from django.utils import translation
from django.utils.functional import Promise
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.utils.exceptions import InvalidFileException
from openpyxl.worksheet.datavalidation import DataValidation

from onsite.accounts.models import User
from onsite.audit.services import record_event
from onsite.core import excel
from onsite.core.models import Center
from onsite.org import actions as org_actions
from onsite.org.models import AreaType
from onsite.standards.models import (
    DEFAULT_EDGE_DISTANCE_MM,
    Clause,
    Item,
    ItemRule,
    Pillar,
    Standard,
    StandardVersion,
)
from onsite.standards.services import parse_aliases

LEGACY_FORMAT = "onsite-standard/1"
MAX_ROWS = 500
MAX_STANDARDS = 50
LANGUAGES = ("en", "zh-hans")


# --- the workbook's shape ------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    key: str
    label: Promise
    required: bool = False
    width: int = 12


@dataclass(frozen=True)
class Sheet:
    key: str
    label: Promise
    columns: tuple[Column, ...]

    @property
    def keys(self) -> list[str]:
        return [column.key for column in self.columns]


# Labels carry a context ("standards workbook"): "Title" or "Note" mean other things elsewhere.
STANDARDS = Sheet("Standards", pgettext_lazy("standards workbook", "Standards"), (
    Column("area_type_code", pgettext_lazy("standards workbook", "Area type code"), True, 16),
    Column("area_type_name", pgettext_lazy("standards workbook", "Area type"), True, 16),
    Column("title", pgettext_lazy("standards workbook", "Title"), width=24),
    Column("width_mm", pgettext_lazy("standards workbook", "Width (mm)")),
    Column("depth_mm", pgettext_lazy("standards workbook", "Depth (mm)")),
    Column("default_edge_distance_mm", pgettext_lazy("standards workbook", "Default edge distance (mm)"), width=16),
    Column("note", pgettext_lazy("standards workbook", "Note"), width=40),
))  # fmt: skip
CLAUSES = Sheet("Clauses", pgettext_lazy("standards workbook", "Clauses"), (
    Column("area_type", pgettext_lazy("standards workbook", "Area type code"), width=16),
    Column("code", pgettext_lazy("standards workbook", "Clause code"), True),
    Column("pillar", pgettext_lazy("standards workbook", "Pillar"), True, 14),
    Column("position", pgettext_lazy("standards workbook", "Order"), width=8),
    Column("text", pgettext_lazy("standards workbook", "Requirement"), True, 50),
    Column("check_method", pgettext_lazy("standards workbook", "Check method"), width=30),
    Column("weight", pgettext_lazy("standards workbook", "Weight"), width=8),
    Column("max_points", pgettext_lazy("standards workbook", "Max points"), width=10),
    Column("photo_required", pgettext_lazy("standards workbook", "Photo required"), width=10),
    Column("subject", pgettext_lazy("standards workbook", "Checks"), width=14),
))  # fmt: skip
ITEMS = Sheet("Items", pgettext_lazy("standards workbook", "Items"), (
    Column("area_type", pgettext_lazy("standards workbook", "Area type code"), width=16),
    Column("item_code", pgettext_lazy("standards workbook", "Item code"), True, 14),
    Column("item_name", pgettext_lazy("standards workbook", "Item"), True, 14),
    Column("aliases", pgettext_lazy("standards workbook", "Aliases"), width=20),
    Column("rule", pgettext_lazy("standards workbook", "Rule"), True, 10),
    Column("max_quantity", pgettext_lazy("standards workbook", "Max quantity"), width=10),
    Column("container", pgettext_lazy("standards workbook", "Container"), width=12),
    Column("slot_x_mm", pgettext_lazy("standards workbook", "Slot x (mm)")),
    Column("slot_y_mm", pgettext_lazy("standards workbook", "Slot y (mm)")),
    Column("slot_w_mm", pgettext_lazy("standards workbook", "Slot width (mm)")),
    Column("slot_h_mm", pgettext_lazy("standards workbook", "Slot depth (mm)")),
    Column("min_edge_distance_mm", pgettext_lazy("standards workbook", "Min. edge distance (mm)"), width=14),
    Column("marking", pgettext_lazy("standards workbook", "Marking"), width=12),
    Column("marking_colour", pgettext_lazy("standards workbook", "Marking colour"), width=12),
    Column("note", pgettext_lazy("standards workbook", "Note"), width=20),
    Column("position", pgettext_lazy("standards workbook", "Order"), width=8),
))  # fmt: skip
INSTRUCTIONS = pgettext_lazy("standards workbook", "Instructions")
YES = gettext_lazy("Yes")
NO = gettext_lazy("No")


def _normal(text: object) -> str:
    return str(text).strip().rstrip("*").strip().casefold()


def _spellings(key: str, label: Promise) -> set[str]:
    names = {_normal(key)}
    for language in LANGUAGES:
        with translation.override(language):
            names.add(_normal(str(label)))
    return names


def _choices(choices: Iterable[tuple[Any, Any]]) -> dict[str, str]:
    """Accepts the stored value or the label in either language, any case."""
    accepted: dict[str, str] = {}
    for value, label in choices:
        accepted[str(value).casefold()] = value
        for language in LANGUAGES:
            with translation.override(language):
                accepted[str(label).casefold()] = value
    return accepted


# --- writing -------------------------------------------------------------------------------


def _add_sheet(book: Workbook, sheet: Sheet, rows: list[list[Any]]) -> Any:
    return excel.write_sheet(
        book,
        title=str(sheet.label),
        header=[f"{c.label} *" if c.required else str(c.label) for c in sheet.columns],
        rows=rows,
    )


def _choice_list(worksheet: Any, sheet: Sheet, key: str, labels: list[str]) -> None:
    letter = get_column_letter(sheet.keys.index(key) + 1)
    validation = DataValidation(
        type="list", formula1='"' + ",".join(labels) + '"', allow_blank=True
    )
    validation.add(f"{letter}2:{letter}{MAX_ROWS + 1}")
    worksheet.add_data_validation(validation)


def _yes_no(flag: bool) -> str:
    return str(YES if flag else NO)


@dataclass(kw_only=True)
class StandardRow:
    """A standard's own values: one row of the Standards sheet."""

    area_type_code: str
    area_type_name: str
    title: str
    width_mm: int
    depth_mm: int
    default_edge_distance_mm: int
    note: str


@dataclass(kw_only=True)
class Written(StandardRow):
    """One standard as the workbook shows it."""

    clauses: list[dict[str, Any]]
    rules: list[dict[str, Any]]


def build_workbook(standards: list[Written]) -> bytes:
    """Headers, choices and yes/no in the active language, so the reader can edit it."""
    pillars = dict(Pillar.choices)
    subjects = dict(Clause.Subject.choices)
    kinds = dict(ItemRule.Kind.choices)
    markings = dict(ItemRule.Marking.choices)
    book = excel.new_workbook()
    _add_sheet(book, STANDARDS, [
        [s.area_type_code, s.area_type_name, s.title, s.width_mm, s.depth_mm,
         s.default_edge_distance_mm, s.note]
        for s in standards
    ])  # fmt: skip
    clauses = _add_sheet(book, CLAUSES, [
        [s.area_type_code, c["code"], str(pillars[c["pillar"]]), c["position"], c["text"],
         c["check_method"], c["weight"], c["max_points"], _yes_no(c["photo_required"]),
         str(subjects[c.get("subject") or Clause.Subject.ZONE])]
        for s in standards for c in s.clauses
    ])  # fmt: skip
    _choice_list(clauses, CLAUSES, "pillar", [str(label) for label in pillars.values()])
    _choice_list(clauses, CLAUSES, "subject", [str(label) for label in subjects.values()])
    _choice_list(clauses, CLAUSES, "photo_required", [str(YES), str(NO)])
    items = _add_sheet(book, ITEMS, [
        [s.area_type_code, r["item_code"], r["item_name"], ", ".join(r["aliases"]),
         str(kinds[r["kind"]]), r["max_quantity"], r["container"], r["slot_x_mm"],
         r["slot_y_mm"], r["slot_w_mm"], r["slot_h_mm"], r["min_edge_distance_mm"],
         str(markings[r["marking"]]), r["marking_colour"], r["note"], r["position"]]
        for s in standards for r in s.rules
    ])  # fmt: skip
    _choice_list(items, ITEMS, "rule", [str(label) for label in kinds.values()])
    _choice_list(items, ITEMS, "marking", [str(label) for label in markings.values()])
    _add_instructions(book)
    return excel.workbook_bytes(book)


def _add_instructions(book: Workbook) -> None:
    worksheet = book.create_sheet(str(INSTRUCTIONS))
    lines = [
        _("How to fill in this workbook"),
        _(
            "One row per standard on the sheet %(standards)s; clause and item rows name the "
            "area type code of their standard. Columns marked * are required."
        )
        % {"standards": STANDARDS.label},
        _(
            "On import each standard becomes a draft of the area type with the same code, "
            "else the same name; an area type that does not exist yet is added."
        ),
        _(
            "Item rules: an item without a rule is not allowed unless it is filed with the "
            "center. Sizes and positions are in millimetres from the top left corner."
        ),
        _("A workbook with any bad row imports nothing; the errors name the sheet and row."),
    ]
    for number, text in enumerate(lines, start=1):
        cell = worksheet.cell(row=number, column=1, value=text)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    worksheet["A1"].font = Font(bold=True, size=13)
    worksheet.column_dimensions["A"].width = 100


CLAUSE_FIELDS = ("code", "pillar", "position", "text", "check_method", "weight", "max_points",
                 "photo_required", "subject")  # fmt: skip
RULE_FIELDS = ("kind", "max_quantity", "container", "slot_x_mm", "slot_y_mm", "slot_w_mm",
               "slot_h_mm", "min_edge_distance_mm", "marking", "marking_colour", "note",
               "position")  # fmt: skip


def written_version(version: StandardVersion) -> Written:
    area_type = version.standard.area_type
    return Written(
        area_type_code=area_type.code,
        area_type_name=area_type.name,
        title=version.standard.title,
        width_mm=version.width_mm,
        depth_mm=version.depth_mm,
        default_edge_distance_mm=version.default_edge_distance_mm,
        note=version.note,
        clauses=[{key: getattr(c, key) for key in CLAUSE_FIELDS} for c in version.clauses.all()],
        rules=[
            {
                "item_code": r.item.code,
                "item_name": r.item.name,
                "aliases": r.item.aliases,
                **{key: getattr(r, key) for key in RULE_FIELDS},
            }
            for r in version.item_rules.select_related("item")
        ],
    )


def export_version(version: StandardVersion) -> bytes:
    return build_workbook([written_version(version)])


# --- reading -------------------------------------------------------------------------------


class ImportFailedError(Exception):
    """The workbook has errors; nothing was imported. `errors` says where and what."""

    def __init__(self, errors: list[str]) -> None:
        super().__init__("; ".join(errors[:5]))
        self.errors = errors


@dataclass
class _Rows:
    errors: list[str] = field(default_factory=list)

    def error(self, sheet: str, row: int, message: str) -> None:
        self.errors.append(
            _("Sheet %(sheet)s, row %(row)s: %(message)s")
            % {"sheet": sheet, "row": row, "message": message}
        )

    def text(self, value: Any, *, limit: int) -> str:
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        return "" if value is None else str(value).strip()[:limit]

    def number(
        self, sheet: str, row: int, name: str, value: Any, *, low: int, high: int,
        required: bool = False,
    ) -> int | None:  # fmt: skip
        if value is None or str(value).strip() == "":
            if required:
                self.error(sheet, row, _("%(column)s is required.") % {"column": name})
            return None
        try:
            number = int(float(str(value).strip()))
        except ValueError:
            self.error(sheet, row, _("%(column)s must be a whole number.") % {"column": name})
            return None
        if not low <= number <= high:
            self.error(
                sheet,
                row,
                _("%(column)s must be between %(low)s and %(high)s.")
                % {"column": name, "low": low, "high": high},
            )
            return None
        return number

    def flag(self, sheet: str, row: int, name: str, value: Any) -> bool:
        text = _normal(self.text(value, limit=10))
        if text in {"yes", "y", "true", "1", "是"} | _spellings("yes", YES):
            return True
        if text in {"", "no", "n", "false", "0", "否"} | _spellings("no", NO):
            return False
        self.error(sheet, row, _("%(column)s must be yes or no.") % {"column": name})
        return False

    def choice(self, sheet: str, row: int, name: str, value: Any, choices: Any) -> str | None:
        accepted = _choices(choices)
        key = self.text(value, limit=50).casefold()
        if key in accepted:
            return accepted[key]
        self.error(
            sheet,
            row,
            _("%(column)s “%(value)s” is not one of: %(allowed)s.")
            % {"column": name, "value": key, "allowed": ", ".join(str(lb) for _v, lb in choices)},
        )
        return None


def _find_sheet(book: Any, sheet: Sheet) -> Any:
    names = _spellings(sheet.key, sheet.label)
    return next((ws for ws in book.worksheets if _normal(ws.title) in names), None)


def _sheet_title(book: Any, sheet: Sheet) -> str:
    """How errors name a sheet: as the uploaded file titles it (its language may not be the
    reader's), or in the reader's language when the file lacks it."""
    worksheet = _find_sheet(book, sheet)
    return str(sheet.label) if worksheet is None else str(worksheet.title)


def _read_rows(book: Any, sheet: Sheet, rows: _Rows) -> list[tuple[int, dict[str, Any]]] | None:
    """The sheet's rows keyed by column, or None when the workbook has no such sheet."""
    worksheet = _find_sheet(book, sheet)
    if worksheet is None:
        return None
    values = list(worksheet.iter_rows(values_only=True))
    if not values:
        return []
    spellings = {
        name: column.key
        for column in sheet.columns
        for name in _spellings(column.key, column.label)
    }
    positions: dict[str, int] = {}
    for index, title in enumerate(values[0]):
        key = spellings.get(_normal(title)) if title is not None else None
        if key is not None and key not in positions:
            positions[key] = index
    missing = [str(c.label) for c in sheet.columns if c.required and c.key not in positions]
    if missing:
        rows.errors.append(
            _("Sheet %(sheet)s lacks the columns: %(columns)s.")
            % {"sheet": sheet.label, "columns": ", ".join(missing)}
        )
        return []
    result = []
    for number, raw in enumerate(values[1:], start=2):
        if all(v is None or str(v).strip() == "" for v in raw):
            continue
        result.append(
            (number, {key: raw[i] if i < len(raw) else None for key, i in positions.items()})
        )
    if len(result) > MAX_ROWS:
        rows.errors.append(
            _("Sheet %(sheet)s has more than %(max)s rows.")
            % {"sheet": sheet.label, "max": MAX_ROWS}
        )
        return []
    return result


@dataclass(kw_only=True)
class Parsed(StandardRow):
    """One standard of the workbook, checked, with the area type it goes to (None: a new
    area type is made from `area_type_code` and `area_type_name`)."""

    area_type: AreaType | None
    clauses: list[dict[str, Any]] = field(default_factory=list)
    items: list[dict[str, Any]] = field(default_factory=list)


def _legacy_meta(book: Any, rows: _Rows) -> list[tuple[int, dict[str, Any]]] | None:
    """The one standard of a workbook exported as onsite-standard/1 (key/value sheet)."""
    worksheet = next((ws for ws in book.worksheets if ws.title == "Standard"), None)
    if worksheet is None:
        return None
    meta: dict[str, Any] = {}
    for raw in worksheet.iter_rows(values_only=True):
        if raw and raw[0] is not None:
            meta[str(raw[0]).strip()] = raw[1] if len(raw) > 1 else None
    if meta.get("format") != LEGACY_FORMAT:
        rows.errors.append(
            _("This workbook is not an Onsite standard (format %(format)s expected).")
            % {"format": LEGACY_FORMAT}
        )
        return []
    return [(1, {key: meta.get(key) for key in STANDARDS.keys})]


def _resolve(
    center: Center, standard_rows: list[tuple[int, dict[str, Any]]], rows: _Rows,
    area_type: AreaType | None,
) -> list[Parsed]:  # fmt: skip
    """Each Standards row with its target area type, size and edge distance."""
    sheet = str(STANDARDS.label)
    label = {column.key: str(column.label) for column in STANDARDS.columns}
    if area_type is not None and len(standard_rows) > 1:
        rows.errors.append(
            _(
                "This workbook holds %(count)s standards; leave the area type empty to import "
                "each into the area type it names."
            )
            % {"count": len(standard_rows)}
        )
        return []
    if len(standard_rows) > MAX_STANDARDS:
        rows.errors.append(
            _("Sheet %(sheet)s has more than %(max)s rows.")
            % {"sheet": sheet, "max": MAX_STANDARDS}
        )
        return []
    existing = list(AreaType.objects.filter(center=center))
    by_code = {a.code: a for a in existing}
    by_name = {a.name.casefold(): a for a in existing}
    parsed: list[Parsed] = []
    taken: dict[int, int] = {}
    for number, row in standard_rows:
        code = rows.text(row.get("area_type_code"), limit=32)
        name = rows.text(row.get("area_type_name"), limit=50)
        target = area_type
        if target is None:
            if not code or slugify(code) != code:
                rows.error(sheet, number, _("the area type code must be letters, digits, - or _."))
            if not name:
                rows.error(sheet, number, _("the area type name is required."))
            target = by_code.get(code) or by_name.get(name.casefold())
        if target is not None:
            if target.pk in taken:
                rows.error(
                    sheet,
                    number,
                    _("row %(other)s already goes to the area type %(name)s.")
                    % {"other": taken[target.pk], "name": target.name},
                )
            taken[target.pk] = number
        elif any(p.area_type is None and p.area_type_code == code for p in parsed):
            rows.error(sheet, number, _("code %(code)s appears twice.") % {"code": code})
        default_width = target.width_mm if target else AreaType._meta.get_field("width_mm").default
        default_depth = target.depth_mm if target else AreaType._meta.get_field("depth_mm").default
        width = rows.number(sheet, number, label["width_mm"], row.get("width_mm"),
                            low=100, high=100_000)  # fmt: skip
        depth = rows.number(sheet, number, label["depth_mm"], row.get("depth_mm"),
                            low=100, high=100_000)  # fmt: skip
        edge = rows.number(sheet, number, label["default_edge_distance_mm"],
                           row.get("default_edge_distance_mm"), low=0, high=1000)  # fmt: skip
        parsed.append(
            Parsed(
                area_type=target,
                area_type_code=target.code if target else code,
                area_type_name=target.name if target else name,
                title=rows.text(row.get("title"), limit=100) or (target.name if target else name),
                width_mm=width or int(default_width),
                depth_mm=depth or int(default_depth),
                default_edge_distance_mm=DEFAULT_EDGE_DISTANCE_MM if edge is None else edge,
                note=rows.text(row.get("note"), limit=2000),
            )
        )
    return parsed


def _owner(
    sheet: str, number: int, row: dict[str, Any], standards: list[Parsed],
    spelled: list[tuple[str, str]], rows: _Rows,
) -> Parsed | None:  # fmt: skip
    """The standard a clause or item row belongs to, by its area type code (or name)."""
    named = rows.text(row.get("area_type"), limit=50).casefold()
    if not named and len(standards) == 1:
        return standards[0]
    for standard, (code, name) in zip(standards, spelled, strict=True):
        if named and named in (code.casefold(), name.casefold()):
            return standard
    rows.error(
        sheet,
        number,
        _("the area type code must be one of: %(codes)s.")
        % {"codes": ", ".join(code for code, _name in spelled)},
    )
    return None


def _read_clauses(book: Any, standards: list[Parsed], spelled: list[tuple[str, str]],
                  rows: _Rows) -> None:  # fmt: skip
    sheet = _sheet_title(book, CLAUSES)
    found = _read_rows(book, CLAUSES, rows)
    if found is None:
        rows.errors.append(_("The workbook has no sheet “%(sheet)s”.") % {"sheet": sheet})
        return
    label = {column.key: str(column.label) for column in CLAUSES.columns}
    for number, row in found:
        standard = _owner(sheet, number, row, standards, spelled, rows)
        code = rows.text(row["code"], limit=20)
        text = rows.text(row["text"], limit=2000)
        if not code:
            rows.error(sheet, number, _("%(column)s is required.") % {"column": label["code"]})
        elif standard is not None and any(c["code"] == code for c in standard.clauses):
            rows.error(sheet, number, _("code %(code)s appears twice.") % {"code": code})
        if not text:
            rows.error(sheet, number, _("%(column)s is required.") % {"column": label["text"]})
        clause = {
            "code": code,
            "pillar": rows.choice(sheet, number, label["pillar"], row["pillar"], Pillar.choices),
            "position": rows.number(sheet, number, label["position"], row.get("position"),
                                    low=0, high=30000),
            "text": text,
            "check_method": rows.text(row.get("check_method"), limit=2000),
            "weight": rows.number(sheet, number, label["weight"], row.get("weight"),
                                  low=1, high=100) or 1,
            "max_points": rows.number(sheet, number, label["max_points"], row.get("max_points"),
                                      low=1, high=100) or 10,
            "photo_required": rows.flag(sheet, number, label["photo_required"],
                                        row.get("photo_required")),
            # What the check looks at: blank is the zone, as before the column existed.
            "subject": (rows.choice(sheet, number, label["subject"], row.get("subject"),
                                    Clause.Subject.choices)
                        if rows.text(row.get("subject"), limit=50) else Clause.Subject.ZONE),
        }  # fmt: skip
        if standard is not None:
            if clause["position"] is None:
                clause["position"] = len(standard.clauses) + 1
            standard.clauses.append(clause)


def _read_items(book: Any, standards: list[Parsed], spelled: list[tuple[str, str]],
                rows: _Rows) -> None:  # fmt: skip
    sheet = _sheet_title(book, ITEMS)
    found = _read_rows(book, ITEMS, rows)
    if found is None:
        return  # a standard may have clauses only
    label = {column.key: str(column.label) for column in ITEMS.columns}
    for number, row in found:
        standard = _owner(sheet, number, row, standards, spelled, rows)
        code = rows.text(row["item_code"], limit=32)
        name = rows.text(row["item_name"], limit=50)
        if not code or slugify(code) != code:
            rows.error(sheet, number, _("item_code must be letters, digits, - or _."))
        elif standard is not None and any(i["code"] == code for i in standard.items):
            rows.error(sheet, number, _("item %(code)s appears twice.") % {"code": code})
        if not name:
            rows.error(sheet, number, _("%(column)s is required.") % {"column": label["item_name"]})
        slot = [
            rows.number(sheet, number, label[key], row.get(key),
                        low=0 if key in ("slot_x_mm", "slot_y_mm") else 1, high=100_000)
            for key in ("slot_x_mm", "slot_y_mm", "slot_w_mm", "slot_h_mm")
        ]  # fmt: skip
        if any(v is not None for v in slot) and any(v is None for v in slot):
            rows.error(sheet, number, _("give all four slot values or none."))
        elif standard is not None and all(v is not None for v in slot):
            x, y, w, h = (int(v) for v in slot if v is not None)
            if x + w > standard.width_mm or y + h > standard.depth_mm:
                rows.error(sheet, number, _("the slot does not fit on the plan."))
        item = {
            "code": code,
            "name": name,
            "aliases": parse_aliases(rows.text(row.get("aliases"), limit=500)),
            "kind": rows.choice(sheet, number, label["rule"], row["rule"], ItemRule.Kind.choices),
            "max_quantity": rows.number(sheet, number, label["max_quantity"],
                                        row.get("max_quantity"), low=0, high=999),
            "container": rows.text(row.get("container"), limit=50),
            "slot_x_mm": slot[0], "slot_y_mm": slot[1], "slot_w_mm": slot[2],
            "slot_h_mm": slot[3],
            "min_edge_distance_mm": rows.number(sheet, number, label["min_edge_distance_mm"],
                                                row.get("min_edge_distance_mm"), low=0, high=1000),
            "marking": rows.choice(sheet, number, label["marking"], row.get("marking") or "none",
                                   ItemRule.Marking.choices),
            "marking_colour": rows.text(row.get("marking_colour"), limit=20),
            "note": rows.text(row.get("note"), limit=200),
            "position": rows.number(sheet, number, label["position"], row.get("position"),
                                    low=0, high=30000),
        }  # fmt: skip
        if standard is not None:
            if item["position"] is None:
                item["position"] = len(standard.items) + 1
            standard.items.append(item)


def _check_catalogue(center: Center, standards: list[Parsed], rows: _Rows) -> None:
    """Items are matched by code, then by name; new ones must not share a name."""
    wanted = [item for standard in standards for item in standard.items]
    known = dict(
        Item.objects.filter(center=center, code__in={i["code"] for i in wanted}).values_list(
            "code", "name"
        )
    )
    named = set(
        Item.objects.filter(center=center, name__in={i["name"] for i in wanted}).values_list(
            "name", flat=True
        )
    )
    new_names: dict[str, str] = {}
    for item in wanted:
        if item["code"] in known or item["name"] in named:
            continue
        other = new_names.setdefault(item["name"], item["code"])
        if other != item["code"]:
            rows.errors.append(
                _("Sheet %(sheet)s: the item %(name)s has two codes, %(one)s and %(other)s.")
                % {"sheet": ITEMS.label, "name": item["name"], "one": other, "other": item["code"]}
            )


def parse_workbook(
    content: bytes, *, center: Center, area_type: AreaType | None = None
) -> list[Parsed]:
    """Reads and checks every row; raises ImportFailedError listing all problems."""
    try:
        book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise ImportFailedError([_("This is not an Excel workbook (.xlsx).")]) from exc
    rows = _Rows()
    try:
        standard_rows = _read_rows(book, STANDARDS, rows)
        if standard_rows is None:
            standard_rows = _legacy_meta(book, rows)
        if standard_rows is None:
            if area_type is None:
                rows.errors.append(
                    _(
                        "The workbook has no sheet “%(sheet)s”: add it, or choose the area "
                        "type to import into."
                    )
                    % {"sheet": STANDARDS.label}
                )
                raise ImportFailedError(rows.errors)
            standard_rows = [(1, {})]
        if not standard_rows and not rows.errors:
            rows.errors.append(_("Sheet %(sheet)s has no rows.") % {"sheet": STANDARDS.label})
        standards = _resolve(center, standard_rows, rows, area_type)
        # Clause and item rows may name their standard by the workbook's code or name.
        spelled = [
            (rows.text(row.get("area_type_code"), limit=32) or s.area_type_code,
             rows.text(row.get("area_type_name"), limit=50) or s.area_type_name)
            for s, (_number, row) in zip(standards, standard_rows, strict=False)
        ]  # fmt: skip
        if standards:
            _read_clauses(book, standards, spelled, rows)
            _read_items(book, standards, spelled, rows)
    finally:
        book.close()
    _check_catalogue(center, standards, rows)
    if rows.errors:
        raise ImportFailedError(rows.errors)
    return standards


# --- import --------------------------------------------------------------------------------


@transaction.atomic
def import_standards(
    *,
    center: Center,
    content: bytes,
    by: User,
    area_type: AreaType | None = None,
    request: HttpRequest | None = None,
) -> list[StandardVersion]:
    """A draft for each standard of the workbook, all or nothing (see the module's doc).
    Items are matched by code, then by name, in this center's catalogue and added when
    missing."""
    parsed = parse_workbook(content, center=center, area_type=area_type)
    catalogue = {i.code: i for i in Item.objects.filter(center=center)}
    by_name = {i.name: i for i in catalogue.values()}
    top = AreaType.objects.filter(center=center).aggregate(top=Max("position"))["top"] or 0
    drafts = []
    for standard in parsed:
        target = standard.area_type
        if target is None:
            top += 1
            # Through org's front door: the same audit row as the area-type page writes.
            target = org_actions.do_save_area_type(
                request,
                area_type=AreaType(center=center),
                data={
                    "code": standard.area_type_code,
                    "name": standard.area_type_name,
                    "width_mm": standard.width_mm,
                    "depth_mm": standard.depth_mm,
                    "position": top,
                },
            )
        drafts.append(_draft(center, target, standard, catalogue, by_name, by, request))
    return drafts


def _draft(
    center: Center, area_type: AreaType, parsed: Parsed, catalogue: dict[str, Item],
    by_name: dict[str, Item], by: User, request: HttpRequest | None,
) -> StandardVersion:  # fmt: skip
    standard, _created = Standard.objects.get_or_create(
        area_type=area_type, defaults={"center": center, "title": parsed.title}
    )
    published = StandardVersion.objects.published().filter(standard=standard).first()
    top = standard.versions.aggregate(top=Max("number"))["top"] or 0
    draft = StandardVersion.objects.create(
        center=center,
        standard=standard,
        number=top + 1,
        based_on=published,
        note=parsed.note,
        width_mm=parsed.width_mm,
        depth_mm=parsed.depth_mm,
        default_edge_distance_mm=parsed.default_edge_distance_mm,
        created_by=by,
    )
    Clause.objects.bulk_create(
        Clause(center=center, standard_version=draft, **row) for row in parsed.clauses
    )
    for row in parsed.items:
        item = catalogue.get(row["code"]) or by_name.get(row["name"])
        if item is None:
            item = Item.objects.create(
                center=center, code=row["code"], name=row["name"], aliases=row["aliases"]
            )
            catalogue[item.code] = by_name[item.name] = item
        rule = {k: v for k, v in row.items() if k not in ("code", "name", "aliases")}
        ItemRule.objects.create(center=center, standard_version=draft, item=item, **rule)
    record_event(
        request,
        action="standards.version_imported",
        obj=draft,
        actor=by,
        center=center,
        detail={"clauses": len(parsed.clauses), "items": len(parsed.items)},
    )
    return draft


def import_version(
    *,
    area_type: AreaType,
    content: bytes,
    by: User,
    request: HttpRequest | None = None,
) -> StandardVersion:
    """A draft of `area_type`'s standard from a workbook of one standard, all or nothing."""
    return import_standards(
        center=area_type.center, content=content, by=by, area_type=area_type, request=request
    )[0]
