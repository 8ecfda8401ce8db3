"""The top bar on a desk screen: one line in English and in Chinese, with the user's name on
one line (it stacked one character per line in English at 1440 px)."""

import pytest

from onsite.core.tests.browser import sign_in


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_the_navbar_is_one_line_at_1440_px(chromium, live_server, admin_user, language):
    admin_user.full_name = "欧阳文华"
    admin_user.save(update_fields=["full_name"])
    context = chromium.new_context(
        viewport={"width": 1440, "height": 900}, base_url=live_server.url
    )
    context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
    page = context.new_page()
    try:
        sign_in(page, "admin1")
        nav = page.locator("nav.onsite-navbar")
        assert nav.bounding_box()["height"] < 64  # one line: 56 px
        user = page.get_by_test_id("navbar-user")
        box = user.bounding_box()
        assert box["height"] < 48, "the user's name wraps"
        assert box["x"] + box["width"] <= 1440, "the user's name is pushed off the screen"
        assert page.evaluate("document.documentElement.scrollWidth") <= 1440
        assert user.get_attribute("title") == "欧阳文华"
    finally:
        context.close()
