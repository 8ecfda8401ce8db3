"""The organisation flows an admin clicks through, in a real Chromium."""

import pytest

from onsite.core.tests.browser import sign_in
from onsite.core.tests.factories import UserFactory
from onsite.org.models import Unit, Zone
from onsite.org.tests.test_cards import decode_qr_codes, tool
from onsite.org.tests.workbooks import GOOD, changed, workbook_bytes

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SHOTS = "var/screenshots"


def test_import_fix_and_print_the_new_zones(page, center, live_server, tmp_path):
    UserFactory(center=center, username="admin-li", full_name="李管理", roles=["admin"])
    bad = tmp_path / "org-bad.xlsx"
    bad.write_bytes(workbook_bytes(changed(GOOD, "Zones", 2, "Area type", "no-such-type")))
    good = tmp_path / "org.xlsx"
    good.write_bytes(workbook_bytes(GOOD))
    sign_in(page, "admin-li")

    # One bad row: the row error is shown and nothing is imported.
    page.goto("/org/import/")
    page.set_input_files("#id_file", str(bad))
    page.click("button[name=import]")
    errors = page.locator("[data-testid=import-errors]")
    errors.wait_for()
    assert "未导入任何内容" in errors.inner_text()
    row = errors.locator("tbody tr").first
    assert [cell.inner_text() for cell in row.locator("td").all()][:3] == ["区域", "3", "区域类型"]
    assert "no-such-type" in row.inner_text()
    page.screenshot(path=f"{SHOTS}/org-import-error.png", full_page=True)
    assert not Unit.objects.filter(center=center, code="w10").exists()
    assert not Zone.objects.filter(center=center).exists()

    # Fixed: everything is imported.
    page.set_input_files("#id_file", str(good))
    page.click("button[name=import]")
    page.locator("[data-testid=import-summary]").wait_for()
    assert "导入完成" in page.locator(".alert-success").inner_text()
    assert Zone.objects.filter(center=center).count() == 3

    # The floor plan shows the new zones.
    page.locator("#mainnav").get_by_role("button", name="组织").click()
    page.locator("#mainnav").get_by_role("link", name="平面图").click()
    page.wait_for_url("**/org/plan/")
    for code in ["w10-c", "w10-b", "w11-c"]:
        assert page.locator(f"#floor-plan g[data-code='{code}']").is_visible()
    page.screenshot(path=f"{SHOTS}/org-floor-plan.png", full_page=True)

    # The QR sheet downloads as a PDF whose codes open the zones' pages.
    with page.expect_download() as download:
        page.click("[data-testid=print-floor-cards]")
    pdf = tmp_path / "cards.pdf"
    download.value.save_as(pdf)
    assert pdf.read_bytes().startswith(b"%PDF")
    urls = decode_qr_codes(pdf.read_bytes(), tmp_path)
    assert f"{live_server.url}/z/w10-c/" in urls
    assert sorted(urls) == sorted(f"{live_server.url}/z/{c}/" for c in ["w10-c", "w10-b", "w11-c"])
    tool("pdftoppm", "-r", "60", "-png", "-f", "1", "-l", "1", str(pdf), f"{SHOTS}/org-cards")


def test_an_admin_drags_a_zone_on_the_plan(page, center, tmp_path):
    from onsite.core.tests.factories import AreaTypeFactory, FloorFactory, ZoneFactory

    UserFactory(center=center, username="admin-wu", roles=["admin"])
    floor = FloorFactory(center=center, level=1, name="一楼大厅", width=600, height=320)
    zone = ZoneFactory(center=center, code="w01-c", floor=floor, x=20, y=20, width=60, height=40,
                       area_type=AreaTypeFactory(center=center))  # fmt: skip
    sign_in(page, "admin-wu")
    page.goto("/org/plan/?floor=1")
    box = page.locator("#floor-plan g[data-code='w01-c'] rect").bounding_box()
    scale = page.locator("#floor-plan").bounding_box()["width"] / 600
    start = (box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.mouse.move(*start)
    page.mouse.down()
    page.mouse.move(start[0] + 50 * scale, start[1] + 30 * scale, steps=8)
    page.mouse.up()
    page.locator("#plan-status.alert-success").wait_for()
    zone.refresh_from_db()
    assert (zone.x, zone.y, zone.version) == (70, 50, 2)
    assert page.url.endswith("/org/plan/?floor=1"), "a drag does not follow the link"


def test_the_programme_view_on_a_phone(phone_page, center):
    from onsite.org.demo import seed_center

    seed_center("xx", "XX市行政服务中心", 36)
    sign_in(phone_page, "xx-deputy1", "Onsite@2026")
    phone_page.goto("/org/groups/")
    assert phone_page.locator("[data-testid=programme-summary]").is_visible()
    assert phone_page.locator("tr[data-group='wg01'] .badge").inner_text().strip() == "达标"
    width = phone_page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, "no sideways scrolling on a phone"
    phone_page.screenshot(path=f"{SHOTS}/org-groups-phone.png", full_page=True)
