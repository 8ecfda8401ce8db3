"""A window's staff member reports a broken rating device on a phone (390 px), with a photo;
the office logs the repair and closes it, in a real Chromium."""

import pytest

from onsite.core.tests.browser import sign_in
from onsite.core.tests.factories import UnitFactory, UserFactory, ZoneFactory
from onsite.equipment.models import Equipment, FaultReport
from onsite.redtags.tests.conftest import png_bytes

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_fault_reported_on_a_phone_is_repaired_and_closed(
    page, phone_page, center, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path / "media"
    unit = UnitFactory(center=center, code="w01", name="市场监管窗口")
    UserFactory(center=center, unit=unit, username="zhang", full_name="张伟", roles=["staff"])
    UserFactory(center=center, username="li", full_name="李主任", roles=["office"])
    zone = ZoneFactory(center=center, code="w01-c", name="市场监管前台", unit=unit)
    device = Equipment.objects.create(
        center=center, zone=zone, kind="rating_device", asset_number="PJ-001"
    )
    photo = tmp_path / "device.png"
    photo.write_bytes(png_bytes("gray", (320, 240)))

    staff = phone_page
    sign_in(staff, "zhang")
    staff.goto("/equipment/")
    staff.get_by_role("link", name="w01-c 评价器 · PJ-001").click()
    report = staff.locator("[data-testid=report-fault]")
    assert report.bounding_box()["height"] >= 44
    report.click()
    staff.fill("#fault-description", "评价器触摸无反应")
    staff.set_input_files("#fault-photo", str(photo))
    assert staff.locator("[data-testid=send-fault]").bounding_box()["height"] >= 44
    assert staff.evaluate("document.documentElement.scrollWidth") <= 390
    staff.click("[data-testid=send-fault]")
    staff.wait_for_selector("[data-testid=fault-status]")
    assert staff.locator("[data-testid=fault-status]").inner_text() == "已报修"
    assert staff.locator("img[alt=照片]").count() == 1
    fault = FaultReport.objects.get(equipment=device)

    office = page
    sign_in(office, "li")
    office.goto(f"/equipment/faults/{fault.pk}/")
    office.fill("#log-what", "更换触摸屏排线")
    office.click("[data-testid=log-repair]")
    office.wait_for_selector(".alert-success")
    assert office.locator("[data-testid=fault-status]").inner_text() == "维修中"
    office.fill("#close-note", "已修复，测试评价正常")
    office.click("[data-testid=close-fault]")  # closing asks first
    with office.expect_navigation():
        office.click("[data-testid=confirm-ok]")
    assert office.locator("[data-testid=fault-status]").inner_text() == "已修复关闭"
    log = office.locator("[data-testid=repair-log]").inner_text()
    assert "更换触摸屏排线" in log
    assert "已修复，测试评价正常" in log
    assert office.locator("[data-testid=history] li").count() == 3
