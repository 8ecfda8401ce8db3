"""On a phone, typing in the zone search narrows the list in place (htmx) and the address
follows, so the result can be shared or reloaded; sorting keeps the search."""

import pytest

from onsite.core.tests.browser import sign_in
from onsite.core.tests.factories import UnitFactory, ZoneFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_zone_search_narrows_the_list_in_place(phone_page, center, staff_user):
    tax = UnitFactory(center=center, code="w07", name="税务窗口")
    for n in range(60):
        ZoneFactory(center=center, code=f"z{n:02d}", name=f"区域{n}")
    ZoneFactory(center=center, code="w07-c", name="税务前台", unit=tax)
    ZoneFactory(center=center, code="w07-b", name="税务中间办公室", unit=tax)
    page = phone_page
    sign_in(page, staff_user.username)
    page.goto("/org/zones/")
    rows = page.locator("[data-testid=zone-table] tbody tr")
    assert rows.count() == 50, "one page"
    page.fill("[data-testid=zone-search]", "税务")
    page.wait_for_url("**q=*")
    page.wait_for_function(
        "document.querySelectorAll('[data-testid=zone-table] tbody tr').length === 2"
    )
    assert "w07-b" in rows.all_inner_texts()[0]
    page.get_by_role("link", name="编码").click()  # sort by code, descending now
    page.wait_for_url("**sort=-code*")
    assert page.locator("[data-testid=zone-search]").input_value() == "税务"
    assert [r.split()[0] for r in rows.all_inner_texts()] == ["w07-c", "w07-b"]
