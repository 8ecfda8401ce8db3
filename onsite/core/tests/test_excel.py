import datetime

import pytest

from onsite.core import excel
from onsite.core.tests.excel_checks import assert_table_sheet, open_book


@pytest.mark.parametrize("streaming", [True, False])
def test_it_writes_a_ready_to_read_sheet(streaming):
    book = excel.new_workbook(streaming=streaming)
    excel.write_sheet(
        book,
        title="Zones: all/[x]",
        heading="Center · 2026-11",
        header=["Code", "名称"],
        rows=[["w01", "一号窗口综合受理区域"], ["=1+1", datetime.date(2026, 11, 3)]],
    )
    sheet = open_book(excel.workbook_bytes(book)).worksheets[0]
    assert sheet.title == "Zones  all  x"
    assert sheet["A1"].value == "Center · 2026-11"
    assert assert_table_sheet(sheet, header_row=2) == ["Code", "名称"]
    assert sheet.auto_filter.ref == "A2:B4"
    # CJK text counts double: ten characters need about twenty widths
    assert sheet.column_dimensions["B"].width >= 20
    assert sheet.column_dimensions["A"].width < 12
    risky = sheet["A4"]
    assert risky.value == "=1+1"
    assert risky.data_type == "s"
    assert risky.quotePrefix


def test_widths_are_capped_and_progress_is_reported():
    book = excel.new_workbook(streaming=True)
    seen = []
    excel.write_sheet(
        book,
        title="t",
        header=["Note"],
        rows=([("x" * 500)] for _ in range(5)),
        progress=seen.append,
        every=2,
    )
    sheet = open_book(excel.workbook_bytes(book)).worksheets[0]
    assert sheet.column_dimensions["A"].width == excel.MAX_WIDTH
    assert seen == [2, 4]
