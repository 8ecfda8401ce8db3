"""An item filing (报备) requested with no network (issue 16) on a phone-sized Chromium: the
form keeps it in the phone's outbox and it arrives exactly once when the network returns,
also when the answer is lost after the server took it (the resend is recognised by its
Idempotency-Key) or the server fails once. A filing carries no photo."""

from __future__ import annotations

import pytest

from onsite.core.tests.browser import fail_first, outbox_empty, phone_context, sign_in, until
from onsite.core.tests.factories import UserFactory, ZoneFactory
from onsite.standards.models import ItemFiling
from onsite.standards.tests.factories import ItemFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def owner(center):
    user = UserFactory(center=center, username="owner1", roles=["staff"])
    ZoneFactory(center=center, code="w01-c", name="市场监管前台", owner=user)
    ItemFactory(center=center, code="plant", name="绿植")
    return user


def file_offline(context, page):
    page.goto("/standards/filings/new/?zone=w01-c")
    page.locator("[data-testid=filing-form][data-outbox-url]").wait_for()
    context.set_offline(True)
    page.select_option("#id_item", "plant")
    page.fill("#id_quantity", "2")
    page.fill("#id_reason", "窗口需要美化环境")
    page.click("[data-testid=filing-form] button[type=submit]")
    page.locator("[data-testid=kept-note]").wait_for()
    until(page, "() => window.OnsiteOutbox.all().then(items => items.length === 1)")
    assert page.input_value("#id_reason") == ""
    assert ItemFiling.objects.count() == 0  # nothing reached the server


def assert_arrived(owner):
    filing = ItemFiling.objects.get()
    assert (filing.zone.code, filing.item.code, filing.quantity, filing.reason) == (
        "w01-c", "plant", 2, "窗口需要美化环境",
    )  # fmt: skip
    assert (filing.filed_by, filing.status) == (owner, ItemFiling.Status.REQUESTED)
    assert filing.valid_to > filing.valid_from


def test_a_filing_requested_offline_arrives_once(chromium, live_server, owner):
    context = phone_context(chromium, live_server)
    page = context.new_page()
    sign_in(page, "owner1")
    file_offline(context, page)
    context.set_offline(False)
    page.evaluate("window.OnsiteOutbox.flush()")
    outbox_empty(page)
    assert_arrived(owner)
    context.close()


@pytest.mark.parametrize("failure", ["500", "lost-answer"])
def test_the_network_failing_on_the_first_try_still_files_once(
    chromium, live_server, owner, failure
):
    """Routing needs the page's own requests, so the worker is left out here."""
    context = phone_context(chromium, live_server, workers="block")
    page = context.new_page()
    sign_in(page, "owner1")
    file_offline(context, page)
    seen = fail_first(page, "**/api/v1/standards/filings", failure)
    context.set_offline(False)
    page.evaluate("window.OnsiteOutbox.flush()")
    outbox_empty(page)
    assert seen[""] == 2
    assert_arrived(owner)
    context.close()
