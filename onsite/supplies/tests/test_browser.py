"""The issue's "done when", clicked through in a real Chromium: a window's staff tag two
items on a phone; the office returns one to the store (the stock grows) and discards the other;
the window requisitions toner, the store issues part of it, and the stock and the window's
consumption follow."""

import os
import re

import pytest

from onsite.core.tests.browser import sign_in
from onsite.core.tests.factories import UnitFactory, UserFactory, ZoneFactory
from onsite.redtags.models import RedTag
from onsite.redtags.tests.conftest import png_bytes
from onsite.supplies.models import Requisition, Supply
from onsite.supplies.tests.factories import SupplyFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def shot(page, tmp_path, name):
    """Screenshots for a person to look at (SCREENSHOTS=dir keeps them somewhere known)."""
    folder = os.environ.get("SCREENSHOTS") or str(tmp_path)
    os.makedirs(folder, exist_ok=True)
    page.screenshot(path=os.path.join(folder, f"{name}.png"), full_page=True)


def test_tag_decide_requisition_and_partial_issue(page, phone_page, center, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    unit = UnitFactory(center=center, code="w01", name="市场监管窗口")
    UserFactory(center=center, unit=unit, username="zhang", full_name="张伟", roles=["staff"])
    UserFactory(center=center, username="li", full_name="李主任", roles=["office"])
    ZoneFactory(center=center, code="w01-c", name="市场监管前台", unit=unit)
    SupplyFactory(center=center, code="pen", name="签字笔", measure="支", unit_price="2.00",
                  on_hand=100, min_level=10, max_level=800)  # fmt: skip
    SupplyFactory(center=center, code="toner", name="硒鼓", measure="个", unit_price="380.00",
                  on_hand=10, min_level=3, max_level=40, category="toner")  # fmt: skip
    photo = tmp_path / "pens.png"
    photo.write_bytes(png_bytes("orange", (320, 240)))

    # A window's staff member tags two items in their zone, on a phone.
    staff = phone_page
    sign_in(staff, "zhang")
    staff.goto("/redtags/new/?zone=w01-c")
    staff.set_input_files("#id_photo", str(photo))
    staff.fill("#id_item_name", "多余签字笔")
    staff.fill("#id_quantity", "12")
    staff.select_option("#id_reason", "excess")
    staff.select_option("#id_proposal", "return_to_store")
    staff.select_option("#id_supply", label="签字笔")
    staff.fill("#id_footprint", "0.05")
    staff.get_by_role("button", name="挂牌并继续在此区域挂牌").click()
    staff.wait_for_selector(".alert-success")
    assert staff.locator("#id_zone option:checked").inner_text().startswith("w01-c")
    staff.fill("#id_item_name", "坏订书机")
    staff.fill("#id_quantity", "1")
    staff.select_option("#id_reason", "broken")
    staff.select_option("#id_proposal", "discard")
    staff.get_by_role("button", name="挂红牌").click()
    staff.wait_for_selector("[data-testid=status]")
    assert "暂存待处置" in staff.locator("[data-testid=status]").inner_text()
    staff.goto("/redtags/")
    assert staff.locator("[data-testid=tag-list] [data-tag]").count() == 2
    assert staff.evaluate("document.documentElement.scrollWidth") <= 390
    shot(staff, tmp_path, "1-holding-list-phone")

    # The office decides: the pens go back to the store, the stapler is discarded.
    office = page
    sign_in(office, "li")
    office.goto("/redtags/")
    office.get_by_role("link", name=re.compile("多余签字笔")).click()
    form = office.locator("[data-testid=decision-form]")
    assert form.locator("#id_decision").input_value() == "return_to_store"
    shot(office, tmp_path, "2-decide")
    form.get_by_role("button", name="记录处置决定").click()
    office.click("[data-testid=confirm-ok]")
    office.wait_for_selector("[data-testid=returned]")
    assert "12" in office.locator("[data-testid=returned]").inner_text()
    office.goto("/supplies/")
    assert office.locator("tr[data-supply=pen] [data-testid=on-hand]").inner_text() == "112"

    office.goto("/redtags/")
    stapler = office.locator("[data-tag]", has_text="坏订书机")
    stapler.locator("input[type=checkbox]").check()
    office.select_option("[data-testid=bulk-form] select[name=decision]", "discard")
    office.get_by_role("button", name="处置所选红牌").click()
    office.click("[data-testid=confirm-ok]")  # a decision is final: it asks first
    office.wait_for_selector(".alert-success")
    decisions = dict(RedTag.objects.values_list("item_name", "decision"))
    assert decisions == {"多余签字笔": "return_to_store", "坏订书机": "discard"}

    # The window requisitions toner.
    staff.goto("/supplies/requisitions/new/")
    staff.select_option("#id_form-0-supply", label="硒鼓")
    staff.fill("#id_form-0-quantity", "4")
    staff.fill("#id_purpose", "打印营业执照")
    staff.get_by_role("button", name="提交领用单").click()
    staff.wait_for_selector("[data-testid=status]")
    assert staff.locator("[data-testid=status]").inner_text() == "已提交"
    requisition = Requisition.objects.get()

    # The office approves it and the store issues part of it: only 2 of the 4 now.
    office.goto(f"/supplies/requisitions/{requisition.pk}/")
    office.locator("[data-testid=approve-form]").get_by_role("button", name="批准").click()
    office.wait_for_selector("[data-testid=issue-form]")
    office.locator("[data-testid=issue-form] input[name^=line_]").fill("2")
    shot(office, tmp_path, "3-issue")
    office.locator("[data-testid=issue-form]").get_by_role("button", name="发放").click()
    office.wait_for_selector(".alert-success")
    assert office.locator("[data-testid=status]").inner_text() == "部分发放"
    assert office.locator("[data-testid=issued]").inner_text() == "2"
    assert Supply.objects.get(code="toner").on_hand == 8

    office.goto("/supplies/")
    assert office.locator("tr[data-supply=toner] [data-testid=on-hand]").inner_text() == "8"
    office.goto("/supplies/consumption/?months=1")
    # Two toner cartridges (760 yuan) less the twelve pens it gave back through the red tag (24).
    assert office.locator("tr[data-unit=w01] [data-testid=value]").inner_text() == "736.00"
    office.wait_for_selector("#consumption-chart svg")
    shot(office, tmp_path, "4-consumption")

    # The window sees its own consumption: two toner cartridges.
    staff.goto("/supplies/consumption/w01/?months=1")
    assert staff.locator("tr[data-supply=toner] [data-testid=consumed]").inner_text() == "2"
    shot(staff, tmp_path, "5-unit-consumption-phone")
