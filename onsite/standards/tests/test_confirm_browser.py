"""Discarding a draft asks first, on a phone: cancel leaves it, confirm discards it."""

from pathlib import Path

import pytest
from playwright.sync_api import expect

from onsite.core.tests.browser import sign_in
from onsite.core.tests.factories import UserFactory
from onsite.standards.models import StandardVersion
from onsite.standards.services import start_revision
from onsite.standards.tests.conftest import make_published

SHOTS = Path(__file__).resolve().parents[3] / "var" / "screenshots"
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_discarding_a_draft_asks_first_and_cancel_keeps_it(phone_page, center):
    admin = UserFactory(center=center, username="admin-c", roles=["admin"])
    area, _v1 = make_published(center, admin)
    draft = start_revision(area_type=area, by=admin, note="try")
    page = phone_page
    sign_in(page, "admin-c")
    page.goto(f"/standards/versions/{draft.pk}/")
    discard = page.get_by_role("button", name="放弃草稿")
    dialog = page.get_by_role("alertdialog")

    # Opens a dialog in Chinese with the question; the focus is on the safe choice.
    discard.click()
    dialog.wait_for(state="visible")
    assert "放弃该草稿" in dialog.inner_text()
    expect(dialog.get_by_role("button", name="取消")).to_be_focused()
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "confirm-phone.png"))
    dialog.get_by_role("button", name="取消").click()
    dialog.wait_for(state="hidden")
    assert StandardVersion.objects.filter(pk=draft.pk).exists()

    # Escape cancels too, and gives the focus back to the button.
    discard.click()
    dialog.wait_for(state="visible")
    page.keyboard.press("Escape")
    dialog.wait_for(state="hidden")
    expect(discard).to_be_focused()
    assert StandardVersion.objects.filter(pk=draft.pk).exists()

    # Confirming posts the form.
    discard.click()
    dialog.wait_for(state="visible")
    with page.expect_navigation():
        dialog.get_by_role("button", name="放弃草稿").click()
    assert not StandardVersion.objects.filter(pk=draft.pk).exists()
    assert "/standards/versions/" not in page.url


def test_saving_a_zone_asks_only_when_it_is_deactivated(page, center, admin_user):
    from onsite.core.tests.factories import ZoneFactory
    from onsite.org.models import Zone

    zone = ZoneFactory(center=center, code="z-9", name="大厅")
    sign_in(page, admin_user.username)
    page.goto(f"/org/zones/{zone.code}/edit/")
    page.click("form.org-form button[type=submit]")  # still active: no question
    page.wait_for_url(f"**/org/zones/{zone.code}/")
    page.goto(f"/org/zones/{zone.code}/edit/")
    page.uncheck("#id_is_active")
    page.click("form.org-form button[type=submit]")
    dialog = page.get_by_role("alertdialog")
    dialog.wait_for(state="visible")
    assert "停用该区域" in dialog.inner_text()
    with page.expect_navigation():
        dialog.get_by_role("button", name="停用").click()
    assert not Zone.objects.get(pk=zone.pk).is_active
