"""The security flows a person clicks through, in a real Chromium."""

import re
from pathlib import Path

import pytest

from onsite.audit.services import record_event
from onsite.core.tests.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SHOTS = Path(__file__).resolve().parents[3] / "var" / "screenshots"


def shot(page, name):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"security-{name}.png"), full_page=True)


def sign_in(page, username, password="pw-Onsite-2026"):
    page.goto("/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("main button[type=submit]")


def test_a_temporary_password_is_replaced_at_first_sign_in_on_a_phone(page, phone_page, center):
    page.set_default_timeout(60_000)  # two shared cores: be patient, never time the app
    phone_page.set_default_timeout(60_000)
    UserFactory(center=center, username="sys", full_name="系统管理员", roles=["sysadmin"])
    UserFactory(center=center, username="newbie", full_name="新员工", roles=["staff"])

    sign_in(page, "sys")
    page.wait_for_url(lambda url: "/accounts/login" not in url)
    page.get_by_role("link", name="账号").first.click()
    page.get_by_role("link", name="newbie").click()
    page.click("[data-testid=reset-password]")
    page.click("[data-testid=confirm-ok]")  # the old password stops working: it asks first
    temporary = page.locator("[data-testid=temporary-password] code").inner_text().strip()
    shot(page, "temporary-password")

    sign_in(phone_page, "newbie", temporary)
    phone_page.wait_for_url(re.compile(r".*/accounts/password/.*"))
    assert "临时密码" in phone_page.locator("[data-testid=forced]").inner_text()
    phone_page.fill("#id_old_password", temporary)
    phone_page.fill("#id_new_password1", "newbie")
    phone_page.fill("#id_new_password2", "newbie")
    phone_page.click("main button[type=submit]")
    assert phone_page.locator(".invalid-feedback").count() >= 2, "the policy is explained"
    shot(phone_page, "password-policy-phone")
    width = phone_page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, "no sideways scrolling on a phone"
    phone_page.fill("#id_old_password", temporary)
    phone_page.fill("#id_new_password1", "Counter-Top-42")
    phone_page.fill("#id_new_password2", "Counter-Top-42")
    phone_page.click("main button[type=submit]")
    phone_page.wait_for_url(lambda url: "/accounts/login" not in url)
    assert phone_page.locator("h1").first.inner_text() == "我的工作"


def test_five_wrong_passwords_pause_sign_in(page, center):
    UserFactory(center=center, username="amy", roles=["staff"])
    for _ in range(5):
        sign_in(page, "amy", "Wrong-pass-1")
    assert page.locator("[data-testid=locked]").is_visible()
    sign_in(page, "amy")
    assert "登录失败次数过多" in page.locator("[data-testid=locked]").inner_text()
    shot(page, "locked")


def test_the_auditor_filters_exports_and_verifies_the_trail(page, center, auditor):
    for n in range(3):
        record_event(None, action=f"inspection.submit.{n}", center=center)
    record_event(None, action="auth.login_failed", outcome="failure", center=center)
    sign_in(page, "auditor1")
    page.wait_for_url(lambda url: "/accounts/login" not in url)
    page.get_by_role("link", name="审计日志").first.click()
    page.fill("#id_action", "auth.")
    page.click("[data-testid=audit-filters] button[type=submit]")
    rows = page.locator("tbody tr")
    assert "inspection.submit" not in page.locator("tbody").inner_text()
    assert rows.count() >= 1
    with page.expect_download() as download:
        page.click("[data-testid=audit-export] button[value=csv]")
    content = Path(download.value.path()).read_text(encoding="utf-8-sig")
    assert "auth.login_failed" in content
    assert "inspection.submit" not in content
    page.click("[data-testid=verify-chain]")
    assert "审计链完整" in page.locator(".alert").first.inner_text()
    shot(page, "audit-trail")


def test_the_system_admin_creates_an_account_and_prints_passwords_on_a_phone(
    page, phone_page, center, tmp_path
):
    import shutil
    import subprocess

    from onsite.core.tests.factories import UnitFactory

    unit = UnitFactory(center=center, code="scjg", name="市场监管窗口")
    UserFactory(center=center, username="sys", full_name="系统管理员", roles=["sysadmin"])
    for username, name in (("zhang-wei", "张伟"), ("li-na", "李娜")):  # as the import made them
        person = UserFactory(center=center, unit=unit, username=username, full_name=name)
        person.set_unusable_password()
        person.save()

    sign_in(phone_page, "sys")
    phone_page.wait_for_url(lambda url: "/accounts/login" not in url)
    phone_page.get_by_role("link", name="新建账号").click()
    phone_page.fill("#id_username", "wang-fang")
    phone_page.fill("#id_full_name", "王芳")
    phone_page.select_option("#id_unit", label="市场监管窗口")
    phone_page.click("[data-testid=account-form] button[type=submit]")
    assert phone_page.locator("[data-testid=temporary-password] code").inner_text().strip()
    shot(phone_page, "account-created-phone")

    phone_page.goto("/")
    phone_page.get_by_role("link", name="发放临时密码").click()
    phone_page.select_option("#id_unit", label="市场监管窗口")  # submits itself
    phone_page.wait_for_url(re.compile(r".*unit=scjg.*"))
    assert phone_page.locator("[data-testid=password-row] input:checked").count() == 3
    phone_page.click("[data-testid=review]")
    assert "这将使所选 3 人的现有密码失效" in phone_page.locator("main").inner_text()
    shot(phone_page, "passwords-confirm-phone")
    assert phone_page.evaluate("document.documentElement.scrollWidth") <= 390
    with phone_page.expect_download() as download:
        phone_page.click("[data-testid=issue]")
    pdf = tmp_path / "slips.pdf"
    download.value.save_as(pdf)
    text = subprocess.run(  # noqa: S603
        [shutil.which("pdftotext") or "pdftotext", "-layout", str(pdf), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert all(name in text for name in ("zhang-wei", "li-na", "wang-fang"))

    # Slips are printed two to a row; a sheet with one person reads unambiguously.
    phone_page.goto("/accounts/users/passwords/?show=all&unit=scjg")
    phone_page.get_by_role("checkbox", name="李娜").uncheck()
    phone_page.get_by_role("checkbox", name="王芳").uncheck()
    phone_page.click("[data-testid=review]")
    with phone_page.expect_download() as download:
        phone_page.click("[data-testid=issue]")
    download.value.save_as(pdf)
    text = subprocess.run(  # noqa: S603
        [shutil.which("pdftotext") or "pdftotext", str(pdf), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    password = re.search(r"临时密码\s+(\S{12})", text).group(1)
    sign_in(page, "zhang-wei", password)
    page.wait_for_url(re.compile(r".*/accounts/password/.*"))
