"""The workbook's sheets and columns, and the values the import passes around."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

MAX_BYTES = 5 * 1024 * 1024
MAX_UNZIPPED_BYTES = 80 * 1024 * 1024  # a small .xlsx that inflates past this is refused
MAX_ROWS = 5000
LANGUAGES = ("en", "zh-hans")
LIST_SPLIT = re.compile(r"[,，、;；\s]+")


# --- the workbook's shape ----------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    key: str
    label: Promise
    required: bool = False
    note: Promise | str = ""


@dataclass(frozen=True)
class Sheet:
    key: str
    label: Promise
    columns: tuple[Column, ...]

    def column(self, key: str) -> Column:
        return next(column for column in self.columns if column.key == key)


CODE_NOTE = _("Short and unique in the center; letters, digits, - and _.")
FLOORS = Sheet("floors", _("Floors"), (
    Column("level", pgettext_lazy("floor", "Level"), True, _("Whole number; matches the floor.")),
    Column("name", _("Name"), True),
    Column("width", _("Width (dm)"), True, _("Size of the plan in decimetres (10 dm = 1 m).")),
    Column("depth", _("Depth (dm)"), True),
))  # fmt: skip
AREA_TYPES = Sheet("area_types", _("Area types"), (
    Column("code", _("Code"), True, CODE_NOTE),
    Column("name", _("Name"), True),
    Column("width_mm", _("Width (mm)"), note=_("Size of the area's layout drawing.")),
    Column("depth_mm", _("Depth (mm)")),
    Column("order", _("Order")),
))  # fmt: skip
UNITS = Sheet("units", _("Units"), (
    Column("code", _("Code"), True, CODE_NOTE),
    Column("name", _("Name"), True),
    Column("kind", _("Kind"), True),
    Column("department", _("Department")),
    Column("floor", _("Floor"), note=_("Level of the floor.")),
    Column("order", _("Order")),
))  # fmt: skip
STAFF = Sheet("staff", _("Staff"), (
    Column("username", _("Username"), True, _("Matches the person; new staff sign in after the admin sets a password.")),
    Column("full_name", _("Full name"), True),
    Column("unit", _("Unit"), note=_("Code of the unit.")),
    Column("title", _("Job title")),
    Column("phone", _("Phone")),
    Column("staff_number", _("Staff number"), note=_("Optional: the staff number single sign-on may match people by; one person each.")),
    Column("wecom_userid", _("WeCom user id"), note=_("Optional: the person's UserID in WeCom, for work notices.")),
    Column("dingtalk_userid", _("DingTalk user id"), note=_("Optional: the person's userid in DingTalk, for work notices.")),
    Column("roles", _("Roles"), note=_("Separated by commas; empty keeps the current roles (new staff: window staff).")),
    Column("active", _("Active"), note=_("Yes or no; empty means yes.")),
))  # fmt: skip
GROUPS = Sheet("groups", _("Groups"), (
    Column("code", _("Code"), True, CODE_NOTE),
    Column("name", _("Name"), True),
    Column("kind", _("Kind"), True),
    Column("parent", _("Parent group"), note=_("Code of the group above: promotion group for a working group, leadership group for the others.")),
    Column("units", _("Units covered"), note=_("Unit codes separated by commas; working groups only; empty keeps the current ones.")),
    Column("order", _("Order")),
))  # fmt: skip
MEMBERS = Sheet("members", _("Group members"), (
    Column("group", _("Group"), True, _("Code of the group.")),
    Column("username", _("Username"), True),
    Column("role", _("Role in the group"), note=_("Leader, deputy or member; empty means member.")),
))  # fmt: skip
ZONES = Sheet("zones", _("Zones"), (
    Column("code", _("Code"), True, CODE_NOTE),
    Column("name", _("Name"), True),
    Column("area_type", _("Area type"), True, _("Code of the area type.")),
    Column("unit", _("Unit"), note=_("Code of the unit.")),
    Column("owner", _("Zone owner"), note=_("Username of the responsible person.")),
    Column("floor", _("Floor"), note=_("Level of the floor; empty: not on the plan yet.")),
    Column("x", _("x (dm)"), note=_("From the plan's left edge.")),
    Column("y", _("y (dm)"), note=_("From the plan's top edge.")),
    Column("width", _("Width (dm)")),
    Column("depth", _("Depth (dm)")),
    Column("active", _("Active"), note=_("Yes or no; empty means yes.")),
))  # fmt: skip
SHEETS = (FLOORS, AREA_TYPES, UNITS, STAFF, GROUPS, MEMBERS, ZONES)


def normal(text: object) -> str:
    return str(text).strip().rstrip("*").strip().casefold()


def in_every_language(label: Promise) -> set[str]:
    names = set()
    for language in LANGUAGES:
        with translation.override(language):
            names.add(normal(str(label)))
    return names


def choice_names(choices: Iterable[tuple[str, Promise]]) -> dict[str, str]:
    """Accepted spellings of each choice: its value and its label in every language."""
    names: dict[str, str] = {}
    for value, label in choices:
        names[normal(value)] = value
        for name in in_every_language(label):
            names[name] = value
    return names


YES = _("Yes")
NO = _("No")


def boolean_names() -> dict[str, bool]:
    names = {"1": True, "0": False, "true": True, "false": False, "y": True, "n": False}
    names.update(dict.fromkeys(in_every_language(YES), True))
    names.update(dict.fromkeys(in_every_language(NO), False))
    names.update({"是": True, "否": False, "yes": True, "no": False})
    return names


# --- reading -------------------------------------------------------------------------


@dataclass
class Row:
    number: int
    values: dict[str, str]

    def has(self, key: str) -> bool:
        return key in self.values

    def get(self, key: str) -> str:
        return self.values.get(key, "")


@dataclass
class RowError:
    sheet: str
    row: int | None
    column: str
    message: str


@dataclass
class SheetCount:
    label: str
    created: int = 0
    updated: int = 0
    unchanged: int = 0


@dataclass
class ImportResult:
    errors: list[RowError] = field(default_factory=list)
    counts: list[SheetCount] = field(default_factory=list)
    saved: bool = False

    @property
    def changed(self) -> int:
        return sum(count.created + count.updated for count in self.counts)


KEEP: Any = object()  # the column is not in the file: keep the stored value
