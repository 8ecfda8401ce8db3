"""What browser tests share: signing in through the real form."""

from __future__ import annotations

TEST_PASSWORD = "pw-Onsite-2026"  # the factories' password


def sign_in(page, username: str, password: str = TEST_PASSWORD) -> None:
    """Signs `username` in through the login form, as a person would, and returns once the
    browser has left the form. Whoever was signed in before is signed out first. A sign-in
    that stays on the form fails at once with what the form said, not after a timeout."""
    page.context.clear_cookies(name="sessionid")
    page.goto("/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    with page.expect_navigation(wait_until="commit"):
        page.click("main button[type=submit]")
    if "/accounts/login" in page.url:
        page.wait_for_load_state()
        said = page.locator("main").inner_text()
        raise AssertionError(f"{username} was not signed in; the form says: {said}")
