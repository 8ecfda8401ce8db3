"""The issue's flow in a real Chromium: revise and publish the counter standard, then file,
approve and see a desk plant on the zone page."""

import datetime
from pathlib import Path

import pytest
from django.utils import timezone

from onsite.core.tests.browser import sign_in
from onsite.core.tests.factories import UserFactory, ZoneFactory
from onsite.standards.tests.conftest import make_published
from onsite.standards.tests.factories import ItemFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SHOTS = Path(__file__).resolve().parents[3] / "var" / "screenshots"


def shot(page, name):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"standards-{name}.png"), full_page=True)


def test_revise_publish_then_file_and_approve_a_plant(page, phone_page, center):
    admin = UserFactory(center=center, username="admin-b", roles=["admin"])
    UserFactory(center=center, username="office-b", roles=["office"])
    owner = UserFactory(center=center, username="owner-b", full_name="王芳", roles=["staff"])
    area, _v1 = make_published(center, admin)
    ZoneFactory(center=center, code="w01-c", name="市场监管前台", area_type=area, owner=owner)
    ItemFactory(center=center, code="plant", name="绿植")

    # The admin drafts v2: the phone is banned and the cup must keep 100 mm from the edge.
    sign_in(page, "admin-b")
    page.goto("/standards/area-types/counter/")
    page.click("[data-testid=start-revision]")
    page.wait_for_selector("[data-testid=publish]")
    page.click("tr[data-item=phone] a[href$='/edit/']")
    page.select_option("#id_kind", "banned")
    page.click("form.std-form button[type=submit]")
    page.wait_for_selector("tr[data-item=phone] [data-kind=banned]")
    page.click("tr[data-item=cup] a[href$='/edit/']")
    page.fill("#id_min_edge_distance_mm", "100")
    page.click("form.std-form button[type=submit]")
    page.wait_for_selector("tr[data-item=cup] >> text=≥ 100 mm")
    shot(page, "draft")
    page.click("[data-testid=publish]")
    page.click("[data-testid=confirm-ok]")  # it asks first
    page.wait_for_url("**/standards/area-types/counter/")
    assert "v2" in page.locator("[data-testid=versions]").inner_text()

    # The zone page shows the new rule to the zone owner on a phone.
    sign_in(phone_page, "owner-b")
    phone_page.goto("/z/w01-c/")
    assert "v2" in phone_page.locator("[data-testid=standard-version]").inner_text()
    assert phone_page.locator("li[data-item=phone] [data-kind=banned]").is_visible()
    assert (
        "≥ 100 mm" in phone_page.locator("[data-item=cup] [data-testid=edge-distance]").inner_text()
    )
    assert phone_page.locator("svg.std-plan g[data-item=cup][data-min='100']").count() == 1

    # The owner files a desk plant until a date.
    until = timezone.localdate() + datetime.timedelta(days=45)
    phone_page.click("[data-testid=file-item]")
    phone_page.select_option("#id_item", label="绿植")
    phone_page.fill("#id_reason", "窗口美化，摆放一盆小绿植")
    phone_page.fill("#id_valid_to", until.isoformat())
    phone_page.click("form.std-form button[type=submit]")
    shot(phone_page, "filing-submitted")
    phone_page.wait_for_url("**/standards/filings/*/")
    filing_url = phone_page.url
    phone_page.goto("/z/w01-c/")
    assert "绿植" not in phone_page.locator("[data-testid=active-filings]").inner_text()

    # The programme office approves it.
    sign_in(page, "office-b")
    page.goto("/standards/filings/")
    page.click("[data-testid=filings] tbody a")
    assert page.url == filing_url
    page.check("#id_decision_0")
    page.click("[data-testid=review]")
    page.wait_for_selector("[data-state=approved]")

    # Now the zone page lists the plant as allowed until its end date.
    phone_page.goto("/z/w01-c/")
    filings = phone_page.locator("[data-testid=active-filings]").inner_text()
    assert "绿植" in filings
    assert until.isoformat() in filings
    shot(phone_page, "zone-page")
