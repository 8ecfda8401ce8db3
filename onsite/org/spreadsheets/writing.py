"""The downloadable template and the export, in the shape the import reads."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import pgettext
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
    if not with_data:
        _add_examples(workbook)
    return excel.workbook_bytes(workbook)


def _examples() -> dict[str, list[list[object]]]:
    """A small center filled in: one floor, the starter standards' three area types (same
    codes, so the starter workbook finds them), a window and a section, staff, the group
    chain and zones. Names are data, so they stay Chinese in every language."""
    yes = str(YES)
    window, section = str(Unit.Kind.WINDOW.label), str(Unit.Kind.SECTION.label)
    kinds = dict(Group.Kind.choices)
    roles = dict(Membership.Role.choices)
    return {
        "floors": [[1, "一楼大厅", 600, 400]],
        "area_types": [
            ["counter", "前台", 1600, 700, 1],
            ["back-office", "中间办公室", 4000, 3000, 2],
            ["chief-office", "科长办公室", 4000, 3500, 3],
        ],
        "units": [
            ["scjg", "市场监管窗口", window, "市场监督管理局", 1, 1],
            ["dck", "督查科", section, "行政服务中心", 1, 2],
        ],
        "staff": [
            ["zhang-wei", "张伟", "scjg", "科长", "13800000001", "G-1001", "ZhangWei", "",
             f"{Role(Role.GROUP_LEADER).label}, {Role(Role.STAFF).label}", yes],
            ["li-na", "李娜", "scjg", "窗口人员", "", "", "", "", str(Role(Role.STAFF).label), yes],
            ["wang-qiang", "王强", "dck", "督查科科长", "", "", "", "", str(Role(Role.SUPERVISOR).label), yes],
        ],
        "groups": [
            ["leading", "领导小组", str(kinds[Group.Kind.LEADERSHIP]), "", "", 1],
            ["promotion-1", "第一推行小组", str(kinds[Group.Kind.PROMOTION]), "leading", "", 1],
            ["working-1", "第一工作组", str(kinds[Group.Kind.WORKING]), "promotion-1", "scjg", 1],
        ],
        "members": [
            ["working-1", "zhang-wei", str(roles[Membership.Role.LEADER])],
            ["working-1", "li-na", str(roles[Membership.Role.MEMBER])],
        ],
        "zones": [
            ["scjg-c", "市场监管窗口前台", "counter", "scjg", "li-na", 1, 20, 40, 56, 18, yes],
            ["scjg-b", "市场监管中间办公室", "back-office", "scjg", "zhang-wei", 1, 20, 70, 56, 50, yes],
            ["scjg-k", "市场监管科长办公室", "chief-office", "scjg", "zhang-wei", "", "", "", "", "", yes],
        ],
    }  # fmt: skip


def _add_examples(workbook: Workbook) -> None:
    """Filled-in rows of every sheet on one sheet that the import never reads (its name is
    none of the sheets it imports)."""
    worksheet = workbook.create_sheet(_("Examples"))
    worksheet.append(
        [
            _(
                "Examples: copy rows like these to the sheets of the same name. This sheet is never imported."
            )
        ]
    )
    worksheet["A1"].font = Font(bold=True, size=13)
    examples = _examples()
    for sheet in SHEETS:
        worksheet.append([])
        worksheet.append([str(sheet.label)])
        worksheet.cell(row=worksheet.max_row, column=1).font = Font(bold=True, size=12)
        worksheet.append([f"{c.label} *" if c.required else str(c.label) for c in sheet.columns])
        for cell in worksheet[worksheet.max_row]:
            cell.font = Font(bold=True)
        for row in examples[sheet.key]:
            worksheet.append(row)
    for index in range(1, max(len(sheet.columns) for sheet in SHEETS) + 1):
        worksheet.column_dimensions[get_column_letter(index)].width = 16


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
        [_("The sheet Examples shows filled-in rows; it is never imported.")],
        [
            _("Roles: %(roles)s.")
            % {"roles": ", ".join(str(Role(r).label) for r in ASSIGNABLE_ROLES)}
        ],
        [],
        [_("Sheet"), _("Column"), pgettext("column", "Required"), _("Notes")],
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
        worksheet.cell(row=8, column=index).font = Font(bold=True)
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
            [u.username, u.full_name, u.unit.code if u.unit else None, u.title, u.phone,
             u.staff_number, u.wecom_userid, u.dingtalk_userid, ", ".join(roles_of[u.pk]), yes if u.is_active else no]
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
