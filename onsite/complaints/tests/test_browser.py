"""A 差评 case on a phone (390 px), in a real Chromium: opened by `open_complaint`, the window's
staff member verifies it and reports the fix, the office approves it, records the 回访 and
closes it (the review and the close ask first)."""

import pytest

from onsite.complaints import services
from onsite.complaints.models import Complaint
from onsite.complaints.tests.conftest import at
from onsite.core.tests.browser import sign_in
from onsite.core.tests.factories import UnitFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def fits(page):
    assert page.evaluate("document.documentElement.scrollWidth") <= 390


def confirm(page, button):
    page.click(button)
    with page.expect_navigation():
        page.click("[data-testid=confirm-ok]")


def test_a_bad_rating_is_answered_reviewed_called_back_and_closed(phone_page, center):
    from django.utils import timezone

    unit = UnitFactory(center=center, code="w01", name="市场监管窗口")
    UserFactory(center=center, unit=unit, username="zhang", full_name="张伟", roles=["staff"])
    UserFactory(center=center, username="li", full_name="李主任", roles=["office"])
    case, _ = services.open_complaint(
        center=center, rating_id=501, unit=unit, rated_at=at(timezone.localdate()), level=1,
        case_number="BJ-2026-001", item_name="食品经营许可", reason="等候时间长",
    )  # fmt: skip
    page = phone_page

    sign_in(page, "zhang")
    page.goto("/")
    page.click("[data-kind=complaints-answer]")
    page.get_by_role("link", name="市场监管窗口").first.click()
    assert page.locator("[data-testid=status]").inner_text() == "待核实"
    fits(page)
    assert page.locator("[data-testid=verify-button]").bounding_box()["height"] >= 38
    page.fill("[data-testid=verify] textarea[name=findings]", "核实属实：高峰时段只开一个窗口。")
    page.click("[data-testid=verify-button]")
    page.wait_for_selector("[data-testid=submit]")
    page.check("[data-testid=submit] input[value=fix]")
    page.fill("[data-testid=submit] textarea[name=action]", "高峰时段增开一个窗口。")
    page.click("[data-testid=submit-button]")
    page.wait_for_selector(".alert-success")
    assert page.locator("[data-testid=status]").inner_text() == "待审核"
    fits(page)

    sign_in(page, "li")
    page.goto("/")
    page.click("[data-kind=complaints-review]")
    page.get_by_role("link", name="市场监管窗口").first.click()
    assert "高峰时段增开一个窗口。" in page.locator("[data-testid=outcome]").inner_text()
    page.check("[data-testid=review] input[value=approve]")
    confirm(page, "[data-testid=review-button]")
    assert page.locator("[data-testid=status]").inner_text() == "待回访"
    page.check("[data-testid=revisit-form] input[value=yes]")
    page.fill("[data-testid=revisit-form] textarea[name=note]", "群众对整改表示满意。")
    page.click("[data-testid=revisit-button]")
    page.wait_for_selector("[data-testid=close]")
    assert "满意" in page.locator("[data-testid=revisit]").inner_text()
    fits(page)
    confirm(page, "[data-testid=close-button]")
    assert page.locator("[data-testid=status]").inner_text() == "已办结"
    assert page.locator("[data-testid=history] li").count() == 6
    case.refresh_from_db()
    assert case.status == Complaint.Status.CLOSED
    assert case.citizen_satisfied == "yes"
