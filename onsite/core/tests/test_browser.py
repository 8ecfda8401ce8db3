"""Flows a person clicks through, in a real Chromium."""

import pytest

from onsite.core.tests.browser import sign_in
from onsite.core.tests.factories import UserFactory, ZoneFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_user_signs_in_and_switches_language(page, center):
    UserFactory(center=center, username="zhang", full_name="张伟", roles=["staff"])
    page.goto("/")
    assert page.locator("html").get_attribute("lang") == "zh-hans"
    assert page.locator("h2.card-title").inner_text() == "登录"
    sign_in(page, "zhang")
    page.wait_for_url(lambda url: "/accounts/login" not in url)
    assert page.locator("h1").first.inner_text() == "我的工作"
    assert "张伟" in page.locator("nav").inner_text()
    page.click("[data-testid=language-switcher] button[value=en]")
    page.wait_for_selector("html[lang=en]")
    assert page.locator("h1").first.inner_text() == "My work"
    assert "Sign out" in page.locator("nav").inner_text()
    page.goto("/org/zones/")
    assert page.locator("h1").inner_text() == "Zones", "the choice is remembered"
    page.click("[data-testid=language-switcher] button[value=zh-hans]")
    page.wait_for_selector("html[lang=zh-hans]")
    assert page.locator("h1").inner_text() == "区域"


def test_a_user_cannot_open_another_centers_objects(page, center, other_center):
    UserFactory(center=center, username="li", roles=["leader"])
    ZoneFactory(center=center, code="mine-1", name="本中心前台")
    ZoneFactory(center=other_center, code="theirs-1", name="外中心前台")
    sign_in(page, "li")
    page.wait_for_url(lambda url: "/accounts/login" not in url)
    page.goto("/org/zones/")
    assert "本中心前台" in page.content()
    assert "外中心前台" not in page.content()
    response = page.goto("/org/zones/theirs-1/")
    assert response.status == 404
    assert "未找到" in page.locator("h1").inner_text()
    response = page.goto("/api/v1/org/zones/theirs-1")
    assert response.status == 404


def test_the_shell_fits_a_phone(phone_page, center):
    UserFactory(center=center, username="wang", roles=["supervisor"])
    sign_in(phone_page, "wang")
    phone_page.wait_for_url(lambda url: "/accounts/login" not in url)
    toggler = phone_page.locator(".navbar-toggler")
    assert toggler.is_visible()
    toggler.click()
    phone_page.locator("#mainnav").get_by_role("button", name="组织").click()
    phone_page.locator("#mainnav").get_by_role("link", name="区域").click()
    phone_page.wait_for_url("**/org/zones/")
    width = phone_page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, "no sideways scrolling on a phone"
