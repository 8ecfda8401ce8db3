"""Standards exchange: a version to an Excel workbook and back, so one center can take over
another's standard. The import checks every row first and writes nothing if any row is
wrong; the result is a new draft of the chosen area type, never a published version."""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.http import HttpRequest
from django.utils.text import slugify
from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook
from openpyxl.cell.cell import Cell
from openpyxl.styles import Font
from openpyxl.utils.exceptions import InvalidFileException

from onsite.accounts.models import User
from onsite.audit.services import record_event
from onsite.org.models import AreaType
from onsite.standards.models import (
    Clause,
    Item,
    ItemRule,
    Pillar,
    Standard,
    StandardVersion,
)
from onsite.standards.services import parse_aliases

FORMAT = "onsite-standard/1"
MAX_ROWS = 500
CLAUSE_COLUMNS = ["code", "pillar", "position", "text", "check_method", "weight", "max_points",
                  "photo_required"]  # fmt: skip
ITEM_COLUMNS = ["item_code", "item_name", "aliases", "rule", "max_quantity", "container",
                "slot_x_mm", "slot_y_mm", "slot_w_mm", "slot_h_mm", "min_edge_distance_mm",
                "marking", "marking_colour", "note", "position"]  # fmt: skip
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _write(cell: Cell, value: Any) -> None:
    """A text that a spreadsheet would run as a formula stays text."""
    cell.value = value
    if isinstance(value, str) and value.startswith(FORMULA_START):
        cell.data_type = "s"


def _sheet(book: Workbook, title: str, header: list[str], rows: list[list[Any]]) -> None:
    sheet = book.create_sheet(title)
    sheet.append(header)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for values in rows:
        sheet.append([None] * len(values))
        for cell, value in zip(sheet[sheet.max_row], values, strict=True):
            _write(cell, value)


def export_version(version: StandardVersion) -> bytes:
    area_type = version.standard.area_type
    book = Workbook()
    meta = book.create_sheet("Standard", 0)
    book.remove(book.worksheets[1])
    for key, value in [
        ("format", FORMAT),
        ("area_type_code", area_type.code),
        ("area_type_name", area_type.name),
        ("title", version.standard.title),
        ("version", version.number),
        ("status", version.status),
        ("width_mm", version.width_mm),
        ("depth_mm", version.depth_mm),
        ("default_edge_distance_mm", version.default_edge_distance_mm),
        ("note", version.note),
    ]:
        meta.append([key, None])
        _write(meta.cell(row=meta.max_row, column=2), value)
    _sheet(
        book,
        "Clauses",
        CLAUSE_COLUMNS,
        [
            [
                c.code,
                c.pillar,
                c.position,
                c.text,
                c.check_method,
                c.weight,
                c.max_points,
                "yes" if c.photo_required else "no",
            ]
            for c in version.clauses.all()
        ],
    )
    _sheet(
        book,
        "Items",
        ITEM_COLUMNS,
        [
            [
                r.item.code,
                r.item.name,
                ", ".join(r.item.aliases),
                r.kind,
                r.max_quantity,
                r.container,
                r.slot_x_mm,
                r.slot_y_mm,
                r.slot_w_mm,
                r.slot_h_mm,
                r.min_edge_distance_mm,
                r.marking,
                r.marking_colour,
                r.note,
                r.position,
            ]
            for r in version.item_rules.select_related("item")
        ],
    )
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


# --- import ----------------------------------------------------------------------------------


class ImportFailedError(Exception):
    """The workbook has errors; nothing was imported. `errors` says where and what."""

    def __init__(self, errors: list[str]) -> None:
        super().__init__("; ".join(errors[:5]))
        self.errors = errors


def _choices(choices: Any) -> dict[str, str]:
    """Accepts the stored value or the label in either language, any case."""
    from django.utils import translation

    accepted: dict[str, str] = {}
    for value, label in choices:
        accepted[str(value).casefold()] = value
        for language in ("en", "zh-hans"):
            with translation.override(language):
                accepted[str(label).casefold()] = value
    return accepted


@dataclass
class _Rows:
    errors: list[str] = field(default_factory=list)

    def error(self, sheet: str, row: int, message: str) -> None:
        self.errors.append(
            _("Sheet %(sheet)s, row %(row)s: %(message)s")
            % {"sheet": sheet, "row": row, "message": message}
        )

    def text(self, value: Any, *, limit: int) -> str:
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
        text = self.text(value, limit=10).casefold()
        if text in {"", "no", "n", "false", "0", "否"}:
            return False
        if text in {"yes", "y", "true", "1", "是"}:
            return True
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
            % {"column": name, "value": key, "allowed": ", ".join(v for v, _l in choices)},
        )
        return None


def _read_rows(
    book: Any, title: str, columns: list[str], rows: _Rows
) -> list[tuple[int, dict[str, Any]]]:
    if title not in book.sheetnames:
        rows.errors.append(_("The workbook has no sheet “%(sheet)s”.") % {"sheet": title})
        return []
    sheet = book[title]
    values = list(sheet.iter_rows(values_only=True))
    if not values:
        return []
    header = [str(h).strip() if h is not None else "" for h in values[0]]
    missing = [c for c in columns if c not in header]
    if missing:
        rows.errors.append(
            _("Sheet %(sheet)s lacks the columns: %(columns)s.")
            % {"sheet": title, "columns": ", ".join(missing)}
        )
        return []
    result = []
    for number, raw in enumerate(values[1:], start=2):
        if all(v is None or str(v).strip() == "" for v in raw):
            continue
        result.append(
            (
                number,
                {c: raw[header.index(c)] if header.index(c) < len(raw) else None for c in columns},
            )
        )
    if len(result) > MAX_ROWS:
        rows.errors.append(
            _("Sheet %(sheet)s has more than %(max)s rows.") % {"sheet": title, "max": MAX_ROWS}
        )
        return []
    return result


@dataclass
class _Parsed:
    width_mm: int
    depth_mm: int
    default_edge_distance_mm: int
    note: str
    clauses: list[dict[str, Any]]
    items: list[dict[str, Any]]


def parse_workbook(content: bytes, *, area_type: AreaType) -> _Parsed:
    """Reads and checks every row; raises ImportFailedError listing all problems."""
    try:
        book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise ImportFailedError([_("This is not an Excel workbook (.xlsx).")]) from exc
    rows = _Rows()
    meta: dict[str, Any] = {}
    if "Standard" in book.sheetnames:
        for raw in book["Standard"].iter_rows(values_only=True):
            if raw and raw[0] is not None:
                meta[str(raw[0]).strip()] = raw[1] if len(raw) > 1 else None
    else:
        rows.errors.append(_("The workbook has no sheet “%(sheet)s”.") % {"sheet": "Standard"})
    if meta and meta.get("format") != FORMAT:
        rows.errors.append(
            _("This workbook is not an Onsite standard (format %(format)s expected).")
            % {"format": FORMAT}
        )
    width = rows.number("Standard", 0, "width_mm", meta.get("width_mm", area_type.width_mm),
                        low=100, high=100_000) or area_type.width_mm  # fmt: skip
    depth = rows.number("Standard", 0, "depth_mm", meta.get("depth_mm", area_type.depth_mm),
                        low=100, high=100_000) or area_type.depth_mm  # fmt: skip
    edge = rows.number("Standard", 0, "default_edge_distance_mm",
                       meta.get("default_edge_distance_mm", 50), low=0, high=1000)  # fmt: skip

    clauses: list[dict[str, Any]] = []
    codes: set[str] = set()
    for number, row in _read_rows(book, "Clauses", CLAUSE_COLUMNS, rows):
        code = rows.text(row["code"], limit=20)
        text = rows.text(row["text"], limit=2000)
        if not code:
            rows.error("Clauses", number, _("code is required."))
        elif code in codes:
            rows.error("Clauses", number, _("code %(code)s appears twice.") % {"code": code})
        codes.add(code)
        if not text:
            rows.error("Clauses", number, _("text is required."))
        clauses.append(
            {
                "code": code,
                "pillar": rows.choice("Clauses", number, "pillar", row["pillar"], Pillar.choices),
                "position": rows.number("Clauses", number, "position", row["position"],
                                        low=0, high=30000) or 0,
                "text": text,
                "check_method": rows.text(row["check_method"], limit=2000),
                "weight": rows.number("Clauses", number, "weight", row["weight"],
                                      low=1, high=100) or 1,
                "max_points": rows.number("Clauses", number, "max_points", row["max_points"],
                                          low=1, high=100) or 10,
                "photo_required": rows.flag("Clauses", number, "photo_required",
                                            row["photo_required"]),
            }
        )  # fmt: skip

    items: list[dict[str, Any]] = []
    item_codes: set[str] = set()
    for number, row in _read_rows(book, "Items", ITEM_COLUMNS, rows):
        code = rows.text(row["item_code"], limit=32)
        name = rows.text(row["item_name"], limit=50)
        if not code or slugify(code) != code:
            rows.error("Items", number, _("item_code must be letters, digits, - or _."))
        elif code in item_codes:
            rows.error("Items", number, _("item %(code)s appears twice.") % {"code": code})
        item_codes.add(code)
        if not name:
            rows.error("Items", number, _("item_name is required."))
        slot = [
            rows.number("Items", number, key, row[key], low=0 if key in ("slot_x_mm", "slot_y_mm") else 1,
                        high=100_000)
            for key in ("slot_x_mm", "slot_y_mm", "slot_w_mm", "slot_h_mm")
        ]  # fmt: skip
        if any(v is not None for v in slot) and any(v is None for v in slot):
            rows.error("Items", number, _("give all four slot values or none."))
        elif all(v is not None for v in slot):
            x, y, w, h = (int(v) for v in slot if v is not None)
            if x + w > width or y + h > depth:
                rows.error("Items", number, _("the slot does not fit on the plan."))
        items.append(
            {
                "code": code,
                "name": name,
                "aliases": parse_aliases(rows.text(row["aliases"], limit=500)),
                "kind": rows.choice("Items", number, "rule", row["rule"], ItemRule.Kind.choices),
                "max_quantity": rows.number("Items", number, "max_quantity", row["max_quantity"],
                                            low=0, high=999),
                "container": rows.text(row["container"], limit=50),
                "slot_x_mm": slot[0], "slot_y_mm": slot[1], "slot_w_mm": slot[2],
                "slot_h_mm": slot[3],
                "min_edge_distance_mm": rows.number("Items", number, "min_edge_distance_mm",
                                                    row["min_edge_distance_mm"], low=0, high=1000),
                "marking": rows.choice("Items", number, "marking", row["marking"] or "none",
                                       ItemRule.Marking.choices),
                "marking_colour": rows.text(row["marking_colour"], limit=20),
                "note": rows.text(row["note"], limit=200),
                "position": rows.number("Items", number, "position", row["position"],
                                        low=0, high=30000) or 0,
            }
        )  # fmt: skip
    book.close()
    # Items of this center with the same name but another code would break the catalogue.
    by_name = dict(
        Item.objects.filter(
            center_id=area_type.center_id, name__in=[i["name"] for i in items]
        ).values_list("name", "code")
    )
    for index, item in enumerate(items):
        existing = by_name.get(item["name"])
        if existing is not None and existing != item["code"]:
            rows.errors.append(
                _("Sheet Items: item %(name)s already exists here with code %(code)s.")
                % {"name": item["name"], "code": existing}
            )
        del index
    if rows.errors:
        raise ImportFailedError(rows.errors)
    return _Parsed(width, depth, edge or 0, str(meta.get("note") or "")[:2000], clauses, items)


@transaction.atomic
def import_version(
    *,
    area_type: AreaType,
    content: bytes,
    by: User,
    request: HttpRequest | None = None,
) -> StandardVersion:
    """Creates a draft of `area_type`'s standard from a workbook, all or nothing. Items are
    matched by code in this center's catalogue and added when missing."""
    parsed = parse_workbook(content, area_type=area_type)
    center_id = area_type.center_id
    standard, _created = Standard.objects.get_or_create(
        area_type=area_type, defaults={"center_id": center_id, "title": area_type.name}
    )
    published = StandardVersion.objects.published().filter(standard=standard).first()
    top = standard.versions.aggregate(top=Max("number"))["top"] or 0
    draft = StandardVersion.objects.create(
        center_id=center_id,
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
        Clause(center_id=center_id, standard_version=draft, **row) for row in parsed.clauses
    )
    catalogue = {i.code: i for i in Item.objects.filter(center_id=center_id)}
    for row in parsed.items:
        item = catalogue.get(row["code"])
        if item is None:
            item = Item.objects.create(
                center_id=center_id, code=row["code"], name=row["name"], aliases=row["aliases"]
            )
            catalogue[item.code] = item
        rule = {k: v for k, v in row.items() if k not in ("code", "name", "aliases")}
        ItemRule.objects.create(center_id=center_id, standard_version=draft, item=item, **rule)
    record_event(
        request,
        action="standards.version_imported",
        obj=draft,
        actor=by,
        center=area_type.center,
        detail={"clauses": len(parsed.clauses), "items": len(parsed.items)},
    )
    return draft
