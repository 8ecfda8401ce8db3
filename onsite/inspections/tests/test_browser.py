"""The issue's flow on a phone-sized Chromium: a supervisor scans a zone's URL, fails two
checks with photos and submits; the zone owner sees the rectification on the home page and
submits after-photos; the supervisor returns it once, then verifies it. Score, band and
history are checked along the way."""

import io
from pathlib import Path

import pytest
from PIL import Image

from onsite.core.tests.browser import sign_in
from onsite.core.tests.factories import UnitFactory, UserFactory
from onsite.inspections.models import Inspection
from onsite.inspections.tests.browser import start_inspection
from onsite.inspections.tests.factories import zone_with_standard
from onsite.rectification.models import Rectification

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SHOTS = Path(__file__).resolve().parents[3] / "var" / "screenshots"


def shot(page, name):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"inspections-{name}.png"), full_page=True)


def photo_file(tmp_path, name, colour):
    path = tmp_path / f"{name}.png"
    buffer = io.BytesIO()
    Image.new("RGB", (800, 600), colour).save(buffer, format="PNG")
    path.write_bytes(buffer.getvalue())
    return str(path)


def fail_with_photo(page, card, note, photo):
    card.locator("[data-testid=fail]").click()
    card.locator("textarea").fill(note)
    card.locator("[data-testid=photo-input]").set_input_files(photo)
    card.locator("[data-testid=photos] img").first.wait_for()


def test_inspect_rectify_return_verify_on_a_phone(phone_page, center, tmp_path):
    page = phone_page
    page.set_default_timeout(60_000)  # two shared cores: be patient, never time the app
    UserFactory(center=center, username="sup", roles=["supervisor"])
    owner = UserFactory(
        center=center, username="owner", roles=["staff"], unit=UnitFactory(center=center)
    )
    zone, _ = zone_with_standard(center, owner=owner)

    # The supervisor scans the zone's QR: /z/<code>/inspect.
    sign_in(page, "sup")
    start_inspection(page, zone)
    edit_url = page.url
    posts: list[str] = []
    page.on("request", lambda request: request.method == "POST" and posts.append(request.url))
    cards = page.locator("[data-testid=check]")
    assert cards.count() == 7  # 3 clauses + 4 item checks
    fail_with_photo(page, cards.nth(0), "台面有零食", photo_file(tmp_path, "a", (200, 40, 40)))
    fail_with_photo(page, cards.nth(4), "水杯两个", photo_file(tmp_path, "b", (40, 40, 200)))
    assert cards.nth(0).locator(".fail-fields").is_visible()
    shot(page, "phone-checklist")
    with page.expect_navigation():  # the same URL again, after the post
        page.click("[data-testid=pass-rest]")
    assert page.locator("[data-testid=score-bar]").inner_text().count("7/7") == 1
    page.click("[data-testid=submit]")
    page.wait_for_url("**/inspections/*/")
    # The page's posts, the script's first try included, go to the checklist's own address
    # (a form field named "action" once sent the try to ".../[object RadioNodeList]").
    form_posts = [url for url in posts if "/api/" not in url]
    assert form_posts
    assert set(form_posts) == {edit_url}, form_posts

    # 80 points possible; each failure loses half of a check's 10 points: 70/80.
    assert page.locator("[data-testid=score]").inner_text().startswith("87.5")
    assert page.locator("[data-testid=band]").first.get_attribute("class").endswith("band-green")
    assert page.locator("[data-testid=findings] .list-group-item").count() == 2
    shot(page, "result")
    inspection = Inspection.objects.get()
    assert inspection.is_submitted
    assert inspection.answers.filter(photos__isnull=False).distinct().count() == 2
    rectifications = list(Rectification.objects.order_by("pk"))
    assert [r.assignee_id for r in rectifications] == [owner.pk, owner.pk]

    # The zone owner sees both on the home page and fixes the first.
    sign_in(page, "owner")
    mine = page.locator("[data-testid=my-rectifications] a")
    assert mine.count() == 2
    shot(page, "owner-home")
    first = rectifications[0]
    page.goto(f"/rectification/{first.pk}/")
    page.locator("[data-testid=after-input]").set_input_files(
        photo_file(tmp_path, "after1", (40, 160, 40))
    )
    page.locator("[data-testid=after-photos] img").first.wait_for()
    page.fill("#id_note", "零食已收走")
    page.click("[data-testid=submit-fix]")
    page.locator("[data-testid=fix]").wait_for(state="detached")  # handed in: no form now
    assert "text-bg-info" in page.locator("[data-testid=status]").get_attribute("class").split()

    # The supervisor returns it once...
    sign_in(page, "sup")
    page.goto(f"/rectification/{first.pk}/")
    shot(page, "before-after")
    page.fill("#id_reason", "台面上还有零食袋")
    page.click("[data-testid=return-button]")
    page.wait_for_url(f"**/rectification/{first.pk}/")
    first.refresh_from_db()
    assert first.is_open
    assert first.times_returned == 1

    # ...the owner sees why, takes a new after-photo and submits again...
    sign_in(page, "owner")
    page.goto(f"/rectification/{first.pk}/")
    assert "零食袋" in page.locator("[data-testid=return-reason]").inner_text()
    assert page.locator("[data-testid=after-photos] img").count() == 0  # a new attempt
    page.locator("[data-testid=after-input]").set_input_files(
        photo_file(tmp_path, "after2", (40, 200, 80))
    )
    page.locator("[data-testid=after-photos] img").first.wait_for()
    page.fill("#id_note", "已全部清理")
    page.click("[data-testid=submit-fix]")
    page.locator("[data-testid=fix]").wait_for(state="detached")

    # ...and the supervisor verifies it.
    sign_in(page, "sup")
    page.goto(f"/rectification/{first.pk}/")
    page.click("[data-testid=verify-button]")
    page.wait_for_url(f"**/rectification/{first.pk}/")
    assert "text-bg-success" in page.locator("[data-testid=status]").get_attribute("class").split()
    history = page.locator("[data-testid=history] li")
    assert history.count() == 5  # assigned, submitted, returned, submitted, verified
    shot(page, "verified")

    # The result and the zone's history did not move; one rectification is left for the owner.
    page.goto(f"/inspections/{inspection.pk}/")
    assert page.locator("[data-testid=score]").inner_text().startswith("87.5")
    assert page.locator("[data-testid=history] a").count() == 1
    sign_in(page, "owner")
    assert page.locator("[data-testid=my-rectifications] a").count() == 1


def test_answers_typed_offline_are_kept_on_the_phone_and_sent_when_back(phone_page, center):
    page = phone_page
    page.set_default_timeout(60_000)
    UserFactory(center=center, username="sup", roles=["supervisor"])
    zone, _ = zone_with_standard(center)
    sign_in(page, "sup")
    start_inspection(page, zone)
    inspection = Inspection.objects.get()
    card = page.locator("[data-testid=check]").first

    page.context.set_offline(True)
    card.locator("[data-testid=fail]").click()
    card.locator("textarea").fill("断网时记录的问题")
    kept = (
        """() => window.OnsiteOutbox.all().then(items => JSON.stringify(items.map(i => i.json)))"""
    )
    for _ in range(100):  # the outbox answers through a promise: poll it
        if "断网时记录的问题" in page.evaluate(kept):
            break
        page.wait_for_timeout(200)
    assert "断网时记录的问题" in page.evaluate(kept)
    page.locator("[data-testid=sync-status].text-warning").wait_for()
    shot(page, "offline")
    assert not inspection.answers.exclude(result="").exists()  # nothing reached the server

    page.context.set_offline(False)
    page.locator("[data-testid=sync-status].text-success").wait_for()
    saved = inspection.answers.get(key="clause:C01")
    assert saved.result == "fail"
    assert saved.note == "断网时记录的问题"
    assert page.evaluate(kept) == "[]"


@pytest.mark.parametrize("button", ["save", "pass-rest"])
def test_a_full_save_right_after_typing_shows_no_conflict(phone_page, center, button):
    """A tap on "Save draft" or "Unanswered checks pass" before the autosave went out posts
    everything; the page that comes back must not claim that someone else saved."""
    page = phone_page
    page.set_default_timeout(60_000)
    UserFactory(center=center, username="sup", roles=["supervisor"])
    zone, _ = zone_with_standard(center)
    sign_in(page, "sup")
    start_inspection(page, zone)
    inspection = Inspection.objects.get()
    card = page.locator("[data-testid=check]").first
    card.locator("[data-testid=fail]").click()
    card.locator("textarea").fill("地面有纸屑 ")
    with page.expect_navigation():
        page.click(f"[data-testid={button}]")
    page.wait_for_load_state("networkidle")
    page.wait_for_timeout(1500)  # let the script's resume and any resend answer
    assert page.locator("[data-testid=conflict]").is_hidden()
    assert page.locator("[data-testid=unsaved]").count() == 0
    assert page.evaluate("() => window.OnsiteOutbox.all().then(items => items.length)") == 0
    saved = inspection.answers.get(key="clause:C01")
    assert (saved.result, saved.note) == ("fail", "地面有纸屑")
    # Another change afterwards autosaves on the new version, without a conflict.
    card.locator("textarea").fill("地面有纸屑两处")
    page.locator("[data-testid=sync-status].text-success").wait_for()
    assert page.locator("[data-testid=conflict]").is_hidden()
    saved.refresh_from_db()
    assert saved.note == "地面有纸屑两处"


def test_a_real_save_by_someone_else_still_shows_the_conflict(phone_page, center):
    from onsite.inspections import services
    from onsite.inspections.services import AnswerInput

    page = phone_page
    page.set_default_timeout(60_000)
    sup = UserFactory(center=center, username="sup", roles=["supervisor"])
    zone, _ = zone_with_standard(center)
    sign_in(page, "sup")
    start_inspection(page, zone)
    inspection = Inspection.objects.get()
    other = inspection.answers.get(key="clause:C02")
    services.save_answers(  # another phone of the same inspector saves first
        inspection=inspection,
        by=sup,
        expected_version=inspection.version,
        answers=[AnswerInput(other.pk, "pass")],
    )
    card = page.locator("[data-testid=check]").first
    card.locator("[data-testid=fail]").click()
    page.locator("[data-testid=conflict]").wait_for()
    assert page.locator("[data-testid=reapply]").is_visible()
