"""A red tag hung with no network (issue 16) on a phone-sized Chromium: the form keeps the tag
and its photo in the phone's outbox, and both arrive exactly once when the network returns,
also when an answer is lost after the server took the request (the resend is recognised by
its Idempotency-Key) or the server fails once."""

from __future__ import annotations

import pytest

from onsite.core.tests import browser
from onsite.core.tests.browser import fail_first, outbox_empty, phone_context, sign_in, until
from onsite.core.tests.factories import UserFactory, ZoneFactory
from onsite.redtags.models import RedTag

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

OUTBOX = "() => window.OnsiteOutbox.all().then(items => items.map(i => i.kind))"


@pytest.fixture
def tagger(center):
    user = UserFactory(center=center, username="tagger", roles=["staff"])
    ZoneFactory(center=center, code="w01-c", name="市场监管前台", unit=user.unit, owner=user)
    return user


def fill_tag(page, photo):
    page.set_input_files("#id_photo", photo)
    page.fill("#id_item_name", "多余签字笔")
    page.fill("#id_quantity", "12")
    page.select_option("#id_reason", "excess")
    page.select_option("#id_proposal", "discard")
    page.fill("#id_footprint", "0.05")
    page.fill("#id_note", "抽屉里")


def tag_offline(context, page, photo):
    page.goto("/redtags/new/?zone=w01-c")
    page.locator("[data-testid=tag-form][data-outbox-url]").wait_for()
    context.set_offline(True)
    fill_tag(page, photo)
    page.click("[data-testid=tag-form] button[name=another]")
    page.locator("[data-testid=kept-note]").wait_for()
    until(page, "() => window.OnsiteOutbox.all().then(items => items.length === 2)")
    assert page.evaluate(OUTBOX) == ["redtag", "photo"]
    assert page.input_value("#id_item_name") == ""  # emptied for the next tag
    assert page.locator("#id_zone option:checked").inner_text().startswith("w01-c")
    assert RedTag.objects.count() == 0  # nothing reached the server


def assert_arrived(tagger):
    tag = RedTag.objects.get()
    assert (tag.item_name, tag.quantity, tag.reason, tag.proposal, tag.note) == (
        "多余签字笔", 12, "excess", "discard", "抽屉里",
    )  # fmt: skip
    assert str(tag.footprint) == "0.05"
    assert (tag.zone.code, tag.tagged_by, tag.status) == ("w01-c", tagger, RedTag.Status.HELD)
    assert tag.photo
    assert tag.thumbnail
    return tag


def stored(settings):
    from pathlib import Path

    return [p for p in Path(settings.MEDIA_ROOT).rglob("*") if p.is_file()]


def test_a_red_tag_hung_offline_arrives_once_with_its_photo(
    chromium, live_server, tagger, tmp_path, settings
):
    photo = browser.camera_photo(tmp_path / "tag.jpg", (200, 60, 60), (1600, 1200))
    context = phone_context(chromium, live_server)
    page = context.new_page()
    sign_in(page, "tagger")
    tag_offline(context, page, photo)
    context.set_offline(False)
    page.evaluate("window.OnsiteOutbox.flush()")
    outbox_empty(page)
    assert_arrived(tagger)
    assert len(stored(settings)) == 2  # one photo and its thumbnail
    context.close()


@pytest.mark.parametrize("failure", ["500", "lost-answer"])
def test_the_network_failing_on_the_first_try_still_hangs_one_tag(
    chromium, live_server, tagger, tmp_path, settings, failure
):
    """Routing needs the page's own requests, so the worker is left out here: the outbox
    lives in the page and IndexedDB either way. The first send of the tag and the first of
    its photo each fail."""
    photo = browser.camera_photo(tmp_path / "tag.jpg", (200, 60, 60), (1600, 1200))
    context = phone_context(chromium, live_server, workers="block")
    page = context.new_page()
    sign_in(page, "tagger")
    tag_offline(context, page, photo)

    seen = fail_first(
        page,
        "**/api/v1/redtags/tags**",
        failure,
        kind=lambda request: "photo" if request.url.endswith("/photo") else "tag",
    )
    context.set_offline(False)
    page.evaluate("window.OnsiteOutbox.flush()")
    outbox_empty(page)
    assert seen["tag"] == 2
    assert seen["photo"] == 2
    assert_arrived(tagger)
    assert len(stored(settings)) == 2  # the resent photo was not stored again
    context.close()


@pytest.mark.parametrize("failure", ["dead", "lost-answer"])
def test_a_phone_online_on_a_dead_connection_keeps_the_tag(
    chromium, live_server, tagger, tmp_path, settings, failure
):
    """The phone says it is online, but the page's post never arrives ("dead") or arrives and
    its answer is lost ("lost-answer"): the tag waits in the outbox under the form's own key,
    so either way exactly one tag is hung."""
    photo = browser.camera_photo(tmp_path / "tag.jpg", (200, 60, 60), (1600, 1200))
    context = phone_context(chromium, live_server, workers="block")
    page = context.new_page()
    sign_in(page, "tagger")
    page.goto("/redtags/new/?zone=w01-c")
    posts = {"n": 0}

    def dead_page_post(route):
        if route.request.method != "POST":
            route.continue_()
            return
        posts["n"] += 1
        if failure == "lost-answer":
            route.fetch()
        route.abort("internetdisconnected")

    page.route("**/redtags/new/**", dead_page_post)
    fill_tag(page, photo)
    page.click("[data-testid=tag-form] button[type=submit]:not([name])")
    page.locator("[data-testid=kept-note]").wait_for()
    outbox_empty(page)  # online: the outbox sends it at once through the API
    assert posts["n"] == 1
    assert_arrived(tagger)
    context.close()
