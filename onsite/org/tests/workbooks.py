"""Workbooks for import tests, written the way a person fills in the template."""

import io

from openpyxl import Workbook

GOOD = {
    "Floors": [["Level", "Name", "Width (dm)", "Depth (dm)"], [1, "一楼大厅", 600, 320]],
    "Area types": [["Code", "Name"], ["counter", "前台"], ["back-office", "中间办公室"]],
    "Units": [
        ["Code", "Name", "Kind", "Department", "Floor", "Order"],
        ["w10", "公安窗口", "窗口", "公安", 1, 10],
        ["w11", "人社窗口", "window", "人社", 1, 11],
    ],
    "Staff": [
        ["Username", "Full name", "Unit", "Job title", "Phone", "Roles", "Active"],
        ["w10-1", "赵强", "w10", "审批科科长", "13800000001", "窗口人员, 工作组成员", "是"],
        ["w10-2", "钱敏", "w10", "窗口工作人员", "", "", ""],
        ["w11-1", "孙丽", "w11", "窗口工作人员", "", "staff", "yes"],
    ],
    "Groups": [
        ["Code", "Name", "Kind", "Parent group", "Units covered", "Order"],
        ["wg10", "第10工作组", "工作组", "p9", "w10, w11", 10],
        ["p9", "第九推行小组", "promotion", "lead9", "", 9],
        ["lead9", "领导小组九", "leadership", "", "", 0],
    ],
    "Group members": [["Group", "Username", "Role in the group"], ["wg10", "w10-1", "组长"]],
    "Zones": [
        [
            "Code",
            "Name",
            "Area type",
            "Unit",
            "Zone owner",
            "Floor",
            "x (dm)",
            "y (dm)",
            "Width (dm)",
            "Depth (dm)",
            "Active",
        ],
        ["w10-c", "公安前台", "counter", "w10", "w10-2", 1, 20, 80, 56, 18, ""],
        ["w10-b", "公安中间办公室", "back-office", "w10", "w10-1", 1, 20, 20, 56, 50, ""],
        ["w11-c", "人社前台", "counter", "w11", "w11-1", 1, 84, 80, 56, 18, ""],
    ],
}


def workbook_bytes(sheets):
    book = Workbook()
    book.remove(book.active)
    for title, rows in sheets.items():
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def upload(data, name="org.xlsx"):
    file = io.BytesIO(data)
    file.name = name
    return file


def changed(sheets, title, row, column, value):
    """A copy of `sheets` with one cell replaced (row 0 is the header)."""
    copy = {key: [list(r) for r in rows] for key, rows in sheets.items()}
    header = copy[title][0]
    copy[title][row][header.index(column)] = value
    return copy
