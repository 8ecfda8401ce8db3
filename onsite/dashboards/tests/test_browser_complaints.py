"""From the rating system's file to a closed 差评 case, in a real Chromium on a phone: the
office imports the month's ratings on the ratings page; the one 不满意 opened a case for its
window; the window's staff member verifies it and reports the fix from the home to-do; the
office approves, records the 回访 and closes it; the window's scorecard then shows 整改率,
回访率 and on-time rate of 100 %. Importing the overlapping file again opens nothing."""

import io

import pytest
from django.utils import timezone
from openpyxl import Workbook

from onsite.complaints.models import Complaint
from onsite.core.tests.browser import sign_in
from onsite.core.tests.factories import UnitFactory, UserFactory
from onsite.dashboards.models import CitizenRating

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
HEADER = ["评价时间", "窗口", "评价", "办件编号", "事项名称", "评价渠道", "工作人员", "差评原因",
          "评价意见", "默认评价"]  # fmt: skip


def ratings_file(path, rows):
    book = Workbook()
    book.active.append(HEADER)
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    path.write_bytes(out.getvalue())
    return str(path)


def confirm(page, button):
    page.click(button)
    with page.expect_navigation():
        page.click("[data-testid=confirm-ok]")


def import_file(page, path):
    page.goto("/dashboards/ratings/")
    page.set_input_files("[data-testid=import-form] input[type=file]", path)
    with page.expect_navigation():
        page.click("[data-testid=import-form] button[name=import]")
    return page.locator(".alert").first.inner_text()


def test_a_bad_rating_from_the_file_to_a_closed_case(phone_page, center, tmp_path):
    unit = UnitFactory(center=center, code="w01", name="市场监管窗口")
    UserFactory(center=center, unit=unit, username="zhang", full_name="张伟", roles=["staff"])
    UserFactory(center=center, username="li", full_name="李主任", roles=["office"])
    now = timezone.localtime().strftime("%Y-%m-%d %H:%M")
    rows = [
        [now, "w01", "非常满意", "BJ-001", "食品经营许可", "评价器", "zhang", "", "", "否"],
        [now, "w01", "不满意", "BJ-002", "食品经营许可", "移动端", "张伟", "等候时间长",
         "排了两个小时。", "否"],
        [now, "w01", "基本满意", "BJ-003", "营业执照", "", "", "", "", "是"],
    ]  # fmt: skip
    page = phone_page

    sign_in(page, "li")
    said = import_file(page, ratings_file(tmp_path / "11月上半月.xlsx", rows))
    assert "3 条" in said
    assert "1 条差评已为窗口立案" in said
    case = Complaint.objects.get(center=center)
    rating = CitizenRating.objects.get(case_number="BJ-002")
    assert (case.rating_id, case.unit, case.staff.username) == (rating.pk, unit, "zhang")
    more = [*rows, [now, "w01", "满意", "BJ-004", "营业执照", "二维码", "", "", "", "否"]]
    said = import_file(page, ratings_file(tmp_path / "11月全月.xlsx", more))
    assert "已跳过 3 条" in said
    assert Complaint.objects.filter(center=center).count() == 1

    sign_in(page, "zhang")
    page.goto("/")
    page.click("[data-kind=complaints-answer]")
    page.get_by_role("link", name="市场监管窗口").first.click()
    assert "排了两个小时。" in page.content()
    page.fill("[data-testid=verify] textarea[name=findings]", "核实属实：高峰时段只开一个窗口。")
    page.click("[data-testid=verify-button]")
    page.wait_for_selector("[data-testid=submit]")
    page.check("[data-testid=submit] input[value=fix]")
    page.fill("[data-testid=submit] textarea[name=action]", "高峰时段增开一个窗口。")
    page.click("[data-testid=submit-button]")
    page.wait_for_selector(".alert-success")

    sign_in(page, "li")
    page.goto("/")
    page.click("[data-kind=complaints-review]")
    page.get_by_role("link", name="市场监管窗口").first.click()
    page.check("[data-testid=review] input[value=approve]")
    confirm(page, "[data-testid=review-button]")
    page.check("[data-testid=revisit-form] input[value=yes]")
    page.fill("[data-testid=revisit-form] textarea[name=note]", "群众对整改表示满意。")
    page.click("[data-testid=revisit-button]")
    page.wait_for_selector("[data-testid=close]")
    confirm(page, "[data-testid=close-button]")
    assert page.locator("[data-testid=status]").inner_text() == "已办结"
    case.refresh_from_db()
    assert (case.status, case.citizen_satisfied) == (Complaint.Status.CLOSED, "yes")

    page.goto("/dashboards/scorecards/w01/")
    for rate in ("resolution-rate", "revisit-rate", "on-time-rate"):
        assert page.locator(f"[data-testid={rate}]").inner_text() == "100.0%", rate
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
