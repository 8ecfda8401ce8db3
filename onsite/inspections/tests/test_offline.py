"""Offline-first phone work (issue 16) on a phone-sized Chromium: the checklist opens from the
phone's page cache with no network, answers and photos wait in the outbox (IndexedDB), a submit
made offline waits behind them, and everything arrives exactly once when the network returns,
also when the server fails (500), the connection times out, or an answer is lost after the
server took the request (the resend is recognised by its Idempotency-Key)."""

from __future__ import annotations

from pathlib import Path

import pytest

from onsite.core.tests import browser
from onsite.core.tests.browser import (
    fail_first,
    outbox_empty,
    phone_context,
    sign_in,
    until,
    until_kept,
)
from onsite.core.tests.factories import UserFactory
from onsite.inspections.models import AnswerPhoto, Inspection
from onsite.inspections.tests.browser import start_inspection as open_checklist
from onsite.inspections.tests.factories import zone_with_standard

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SHOTS = Path(__file__).resolve().parents[3] / "var" / "screenshots"
CHECKS = 20  # 16 clauses + 4 item checks

OUTBOX = """() => window.OnsiteOutbox.all().then(items => items.map(
    i => ({kind: i.kind, state: i.state, error: i.error})))"""


def shot(page, name):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"offline-{name}.png"), full_page=False)


def camera_photo(tmp_path, name, colour, size=(4000, 3000)):
    return browser.camera_photo(tmp_path / f"{name}.jpg", colour, size)


def outbox(page):
    return page.evaluate(OUTBOX)


def start_inspection(page, zone):
    open_checklist(page, zone)
    return Inspection.objects.get()


def answer_all(page, photos):
    """Fails the first check of each photo and passes the rest; one photo per failed check."""
    cards = page.locator("[data-testid=check]")
    assert cards.count() == CHECKS
    for n in range(CHECKS):
        card = cards.nth(n)
        if n < len(photos):
            card.locator("[data-testid=fail]").click()
            card.locator("textarea").fill(f"问题{n + 1}：台面有杂物")
            card.locator("[data-testid=photo-input]").set_input_files(photos[n])
            card.locator("[data-testid=photo-waiting], .photo-thumb img").first.wait_for()
        else:
            card.locator("[data-testid=pass]").click()


def submit_offline(page, context, photos):
    """Offline: every check answered (a photo on each failed one), then Submit, which waits."""
    context.set_offline(True)
    answer_all(page, photos)
    page.click("[data-testid=submit]")
    page.locator("[data-testid=submit-queued]").wait_for()


def assert_arrived(inspection, photos):
    inspection.refresh_from_db()
    assert inspection.status == Inspection.Status.SUBMITTED
    answers = inspection.answers.all()
    assert sum(a.result != "" for a in answers) == CHECKS
    failed = [a for a in answers if a.result == "fail"]
    assert len(failed) == photos
    assert all(a.note.startswith("问题") for a in failed)
    assert AnswerPhoto.objects.filter(answer__inspection=inspection).count() == photos
    assert all(a.photos.count() == 1 for a in failed)
    assert Inspection.objects.count() == 1


def test_a_whole_inspection_offline_reload_close_reopen(chromium, live_server, center, tmp_path):
    UserFactory(center=center, username="sup", roles=["supervisor"])
    zone, _ = zone_with_standard(center, clauses=16)
    photos = [
        camera_photo(tmp_path, f"p{n}", c)
        for n, c in enumerate([(200, 60, 60), (60, 160, 60), (60, 60, 200)])
    ]
    context = phone_context(chromium, live_server)
    page = context.new_page()
    sign_in(page, "sup")
    inspection = start_inspection(page, zone)
    until_kept(page)

    context.set_offline(True)
    answer_all(page, photos)
    assert [i["kind"] for i in outbox(page)].count("photo") == 3
    assert page.locator("[data-testid=outbox-count]").inner_text() != ""
    page.reload()  # offline: the checklist opens from the phone's cache with the answers
    assert page.locator("[data-testid=check]").count() == CHECKS
    checked = page.locator("input.btn-check:checked")
    checked.nth(CHECKS - 1).wait_for(state="attached")
    assert checked.count() == CHECKS
    assert page.locator("[data-testid=photo-waiting]").count() == 3
    shot(page, "reloaded")
    page.click("[data-testid=submit]")
    page.locator("[data-testid=submit-queued]").wait_for()
    assert [i["kind"] for i in outbox(page)][-1] == "submit"
    assert Inspection.objects.get().status == Inspection.Status.DRAFT  # nothing reached it
    assert not inspection.answers.exclude(result="").exists()
    page.close()

    context.set_offline(False)
    page = context.new_page()
    page.goto("/")
    outbox_empty(page)
    assert_arrived(inspection, 3)
    # Photos went prepared on the phone: at most 2048 px on the longest side.
    assert all(max(p.width, p.height) <= 2048 for p in AnswerPhoto.objects.all())
    context.close()


@pytest.mark.parametrize("failure", ["500", "timedout", "lost-answer"])
def test_the_network_failing_mid_sync_still_arrives_once(
    chromium, live_server, center, tmp_path, failure
):
    """Routing needs the page's own requests, so the worker is left out here: the outbox
    lives in the page and IndexedDB either way."""
    UserFactory(center=center, username="sup", roles=["supervisor"])
    zone, _ = zone_with_standard(center, clauses=16)
    photos = [camera_photo(tmp_path, "p0", (200, 60, 60), (1600, 1200))]
    context = phone_context(chromium, live_server, workers="block")
    page = context.new_page()
    page.add_init_script("window.OnsiteOutboxTimeout = 4000")
    sign_in(page, "sup")
    inspection = start_inspection(page, zone)
    submit_offline(page, context, photos)

    seen = fail_first(page, "**/api/v1/inspections/**", failure, times=3)
    context.set_offline(False)
    page.evaluate("window.OnsiteOutbox.flush()")
    page.wait_for_url(f"**/inspections/{inspection.pk}/", timeout=120_000)
    assert seen[""] > 3
    assert_arrived(inspection, 1)
    context.close()


def test_a_double_sync_from_two_pages_arrives_once(chromium, live_server, center, tmp_path):
    UserFactory(center=center, username="sup", roles=["supervisor"])
    zone, _ = zone_with_standard(center, clauses=16)
    photos = [camera_photo(tmp_path, "p0", (200, 60, 60), (1600, 1200))]
    context = phone_context(chromium, live_server)
    page = context.new_page()
    sign_in(page, "sup")
    inspection = start_inspection(page, zone)
    until_kept(page)
    submit_offline(page, context, photos)
    context.set_offline(False)
    other = context.new_page()
    other.goto("/")  # the same outbox, a second sender
    page.evaluate("window.OnsiteOutbox.flush()")
    other.evaluate("window.OnsiteOutbox.flush()")
    outbox_empty(other)
    assert_arrived(inspection, 1)
    context.close()


def test_someone_else_saved_meanwhile_shows_what_differs(chromium, live_server, center):
    from onsite.inspections import services
    from onsite.inspections.services import AnswerInput

    sup = UserFactory(center=center, username="sup", roles=["supervisor"])
    zone, _ = zone_with_standard(center)
    context = phone_context(chromium, live_server)
    page = context.new_page()
    sign_in(page, "sup")
    inspection = start_inspection(page, zone)
    first = inspection.answers.get(key="clause:C01")
    context.set_offline(True)
    card = page.locator("[data-testid=check]").first
    card.locator("[data-testid=fail]").click()
    card.locator("textarea").fill("地面有纸屑")
    services.save_answers(  # another phone saves the same check first
        inspection=inspection,
        by=sup,
        expected_version=inspection.version,
        answers=[AnswerInput(first.pk, "pass")],
    )
    context.set_offline(False)
    page.evaluate("window.OnsiteOutbox.flush()")
    page.locator("[data-testid=conflict]").wait_for()
    page.locator("[data-testid=conflict-diff]").wait_for()
    diff = page.locator("[data-testid=conflict-diff]").inner_text()
    form = page.locator("#answers-form")
    mine, theirs = form.get_attribute("data-result-fail"), form.get_attribute("data-result-pass")
    assert f"{mine} (地面有纸屑)" in diff
    assert diff.endswith(theirs)
    first.refresh_from_db()
    assert first.result == "pass"  # nothing was overwritten
    assert outbox(page)[0]["state"] == "conflict"
    page.click("[data-testid=reapply]")
    outbox_empty(page)
    first.refresh_from_db()
    assert (first.result, first.note) == ("fail", "地面有纸屑")
    context.close()


def test_sign_out_leaves_nothing_of_the_person_on_the_phone(chromium, live_server, center):
    UserFactory(center=center, username="sup", roles=["supervisor"])
    zone, _ = zone_with_standard(center)
    context = phone_context(chromium, live_server)
    page = context.new_page()
    sign_in(page, "sup")
    start_inspection(page, zone)
    until_kept(page)
    context.set_offline(True)
    page.locator("[data-testid=check]").first.locator("[data-testid=fail]").click()
    until(page, "() => window.OnsiteOutbox.all().then(items => items.length === 1)")
    # The sign-out button asks first while something waits (signing out deletes it).
    page.wait_for_function("() => document.querySelector('form[data-sign-out][data-confirm]')")
    context.set_offline(False)
    page.evaluate("window.OnsiteOutbox.flush()")
    outbox_empty(page)
    page.locator("#outbox").wait_for(state="hidden")  # as the docs say: sign out once it is gone
    # The button stops asking once the outbox has redrawn itself empty.
    page.wait_for_function("() => !document.querySelector('form[data-sign-out][data-confirm]')")
    page.click(".navbar-toggler")  # the phone's menu
    page.click("form[data-sign-out] button")
    page.wait_for_url("**/accounts/login/**")
    until(page, "() => caches.keys().then(keys => keys.length === 0)")
    assert page.evaluate("() => indexedDB.databases().then(d => d.length)") == 0


def test_the_whole_flow_completes_on_a_slow_3g_network(chromium, live_server, center, tmp_path):
    """Online all the way, but on Chromium's emulated slow 3G: answers autosave, three 12 MP
    photos go prepared on the phone, and the submit waits until they went. (How long it takes
    is measured by `make bench-offline`, not here.)"""
    UserFactory(center=center, username="sup", roles=["supervisor"])
    zone, _ = zone_with_standard(center, clauses=16)
    photos = [
        camera_photo(tmp_path, f"p{n}", c) for n, c in enumerate([(200, 60, 60), (60, 160, 60)])
    ] + [camera_photo(tmp_path, "p2", (60, 60, 200))]
    context = phone_context(chromium, live_server)
    context.set_default_timeout(180_000)
    page = context.new_page()
    sign_in(page, "sup")
    inspection = start_inspection(page, zone)
    browser.slow_network(page)
    answer_all(page, photos)
    with page.expect_navigation(url=f"**/inspections/{inspection.pk}/", timeout=300_000):
        page.click("[data-testid=submit]")
    assert_arrived(inspection, 3)
    context.close()


def test_a_refused_photo_says_why_and_can_be_deleted_from_the_phone(
    chromium, live_server, center, tmp_path
):
    """A file the server refuses (not a photo) turns red in the queue with the server's
    reason; the other items go on; the person deletes it from the phone."""
    UserFactory(center=center, username="sup", roles=["supervisor"])
    zone, _ = zone_with_standard(center)
    context = phone_context(chromium, live_server)
    page = context.new_page()
    sign_in(page, "sup")
    start_inspection(page, zone)
    not_a_photo = tmp_path / "notes.jpg"
    not_a_photo.write_text("这不是照片")
    card = page.locator("[data-testid=check]").first
    card.locator("[data-testid=fail]").click()
    card.locator("[data-testid=photo-input]").set_input_files(str(not_a_photo))
    until(page, "() => OnsiteOutbox.all().then(i => i.some(x => x.state === 'failed'))")
    page.click("#outbox summary")
    failed = page.locator("[data-testid=outbox-item][data-state=failed]")
    failed.wait_for()
    assert failed.locator(".text-danger").inner_text().strip() != ""  # the server's reason
    assert page.locator("#outbox.outbox-trouble").count() == 1
    assert [i["kind"] for i in outbox(page)] == ["photo"]  # the answers went meanwhile
    failed.locator("[data-testid=outbox-discard]").click()
    outbox_empty(page)
    assert not AnswerPhoto.objects.exists()
    context.close()
