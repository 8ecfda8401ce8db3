"""The downloadable template and the export, in the shape the import reads."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from onsite.accounts.models import Role, RoleGrant, User
from onsite.core import excel
from onsite.core.models import Center
from onsite.org.models import AreaType, Coverage, Floor, Group, Membership, Unit, Zone
from onsite.org.services import ASSIGNABLE_ROLES
from onsite.org.spreadsheets.shape import (
    GROUPS,
    MAX_ROWS,
    MEMBERS,
    NO,
    SHEETS,
    STAFF,
    UNITS,
    YES,
    ZONES,
    Sheet,
)

# --- writing -------------------------------------------------------------------------


def _add_sheet(workbook: Workbook, sheet: Sheet, rows: Iterable[list[object]]) -> Any:
    return excel.write_sheet(
        workbook,
        title=str(sheet.label),
        header=[f"{c.label} *" if c.required else str(c.label) for c in sheet.columns],
        rows=rows,
    )


def _choice_list(worksheet: Any, sheet: Sheet, key: str, labels: list[str]) -> None:
    index = [column.key for column in sheet.columns].index(key) + 1
    letter = get_column_letter(index)
    validation = DataValidation(
        type="list", formula1='"' + ",".join(labels) + '"', allow_blank=True
    )
    validation.add(f"{letter}2:{letter}{MAX_ROWS + 1}")
    worksheet.add_data_validation(validation)


def build_workbook(center: Center, *, with_data: bool) -> bytes:
    """The template (headers, lists of allowed values, instructions) or a full export in
    the same shape, so an export imports back unchanged."""
    workbook = excel.new_workbook()
    data = _export_rows(center) if with_data else {sheet.key: [] for sheet in SHEETS}
    for sheet in SHEETS:
        worksheet = _add_sheet(workbook, sheet, data[sheet.key])
        if sheet is UNITS:
            _choice_list(worksheet, sheet, "kind", [str(label) for _v, label in Unit.Kind.choices])
        if sheet is GROUPS:
            _choice_list(worksheet, sheet, "kind", [str(label) for _v, label in Group.Kind.choices])
        if sheet is MEMBERS:
            _choice_list(
                worksheet, sheet, "role", [str(label) for _v, label in Membership.Role.choices]
            )
        if sheet in (STAFF, ZONES):
            _choice_list(worksheet, sheet, "active", [str(YES), str(NO)])
    _add_instructions(workbook)
    return excel.workbook_bytes(workbook)


def _add_instructions(workbook: Workbook) -> None:
    worksheet = workbook.create_sheet(_("Instructions"))
    lines: list[list[object]] = [
        [_("How to fill in this workbook")],
        [
            _(
                "Each sheet is imported by its name; a column by its header (in Chinese or English). Columns marked * are required."
            )
        ],
        [
            _(
                "Rows are matched by code (username for staff, level for floors): a row that exists is updated, a new one is added. Nothing is deleted."
            )
        ],
        [
            _(
                "A workbook with any bad row imports nothing; the errors list the sheet, row and column to fix."
            )
        ],
        [
            _("Roles: %(roles)s.")
            % {"roles": ", ".join(str(Role(r).label) for r in ASSIGNABLE_ROLES)}
        ],
        [],
        [_("Sheet"), _("Column"), _("Required"), _("Notes")],
    ]
    for sheet in SHEETS:
        for column in sheet.columns:
            lines.append(
                [
                    str(sheet.label),
                    str(column.label),
                    str(YES) if column.required else "",
                    str(column.note),
                ]
            )
    for number, values in enumerate(lines, start=1):
        for index, value in enumerate(values, start=1):
            cell = worksheet.cell(row=number, column=index, value=value)
            cell.alignment = Alignment(wrap_text=index == 4, vertical="top")
    worksheet["A1"].font = Font(bold=True, size=13)
    for index in range(1, 5):
        worksheet.cell(row=7, column=index).font = Font(bold=True)
    for letter, width in zip("ABCD", (16, 18, 8, 70), strict=True):
        worksheet.column_dimensions[letter].width = width


def _export_rows(center: Center) -> dict[str, list[list[object]]]:
    yes, no = str(YES), str(NO)
    kinds = dict(Unit.Kind.choices)
    group_kinds = dict(Group.Kind.choices)
    member_roles = dict(Membership.Role.choices)
    roles_of: dict[int, list[str]] = defaultdict(list)
    for user_id, role in (
        RoleGrant.objects.filter(user__center=center, role__in=ASSIGNABLE_ROLES)
        .order_by("role")
        .values_list("user_id", "role")
    ):
        roles_of[user_id].append(str(Role(role).label))
    units_of: dict[int, list[str]] = defaultdict(list)
    for group_id, code in (
        Coverage.objects.filter(group__center=center)
        .order_by("unit__code")
        .values_list("group_id", "unit__code")
    ):
        units_of[group_id].append(code)
    return {
        "floors": [[f.level, f.name, f.width, f.height] for f in Floor.objects.filter(center=center)],
        "area_types": [[a.code, a.name, a.width_mm, a.depth_mm, a.position] for a in AreaType.objects.filter(center=center)],
        "units": [
            [u.code, u.name, str(kinds[u.kind]), u.department, u.floor.level if u.floor else None, u.position]
            for u in Unit.objects.filter(center=center).select_related("floor")
        ],
        "staff": [
            [u.username, u.full_name, u.unit.code if u.unit else None, u.title, u.phone, ", ".join(roles_of[u.pk]), yes if u.is_active else no]
            for u in User.objects.filter(center=center).select_related("unit").order_by("username")
        ],
        "groups": [
            [g.code, g.name, str(group_kinds[g.kind]), g.parent.code if g.parent else None, ", ".join(units_of[g.pk]), g.position]
            for g in Group.objects.filter(center=center).select_related("parent")
        ],
        "members": [
            [m.group.code, m.user.username, str(member_roles[m.role])]
            for m in Membership.objects.filter(group__center=center).select_related("group", "user").order_by("group__kind", "group__position", "group__code", "user__username")
        ],
        "zones": [
            [z.code, z.name, z.area_type.code, z.unit.code if z.unit else None, z.owner.username if z.owner else None,
             z.floor.level if z.floor else None, z.x, z.y, z.width, z.height, yes if z.is_active else no]
            for z in Zone.objects.filter(center=center).select_related("area_type", "unit", "owner", "floor")
        ],
    }  # fmt: skip
