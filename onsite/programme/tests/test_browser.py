"""The issue's flow in a real Chromium: the office opens a round for three units; two raters
score blind on their phones; the round closes; the ranking, the red flag and a yellow card
appear, and the top unit's sort phase turns to accepted on its page."""

from pathlib import Path

import pytest

from onsite.core.tests.browser import sign_in
from onsite.core.tests.factories import UserFactory
from onsite.programme import services
from onsite.programme.models import AcceptanceRound, PhaseProgress, RatingSheet, SignOff

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SHOTS = Path(__file__).resolve().parents[3] / "var" / "screenshots"


def shot(page, name):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"programme-{name}.png"), full_page=True)


def rate_unit(page, round_id, code, *, fail=()):
    """On the rater's phone: open the unit from the round, rate its zone, submit."""
    page.goto(f"/programme/rounds/{round_id}/")
    page.click(f"[data-testid=my-unit][data-unit={code}]")
    page.click("[data-testid=rate-zone]")
    page.wait_for_url("**/inspections/*/edit/")
    cards = page.locator("[data-testid=check]")
    for index in fail:
        cards.nth(index).locator("[data-testid=fail]").click()
    with page.expect_navigation():  # the same URL again, once the page has posted
        page.click("[data-testid=pass-rest]")
    page.click("[data-testid=submit]")
    page.wait_for_url("**/inspections/*/")


def test_a_round_from_opening_to_cards_and_an_accepted_phase(page, phone_page, world):
    page.set_default_timeout(60_000)  # two shared cores: be patient, never time the app
    phone_page.set_default_timeout(60_000)
    UserFactory(center=world.center, username="office-b", roles=["office"])
    world.raters[0].full_name = "张评"
    world.raters[0].save()

    # The office opens a round for the three pilot units, previewing the assignment first.
    sign_in(page, "office-b")
    page.goto("/programme/")
    page.click("[data-testid=new-round]")
    for unit in world.units[:3]:
        page.check(f"input[name=units][value='{unit.pk}']")
    page.fill("#id_min_raters", "2")
    page.click("[data-testid=preview-button]")
    preview = page.locator("[data-testid=preview]")
    assert preview.get_attribute("data-ok") == "yes"
    assert "张评" in preview.inner_text()
    shot(page, "preview")
    page.click("[data-testid=open-button]")
    page.wait_for_url("**/programme/rounds/*/")
    round_ = AcceptanceRound.objects.get()
    assert round_.assignments.count() == 6

    # Rater 1 scores all three units; unit 2 loses half of its first check.
    sign_in(phone_page, "rater1")
    rate_unit(phone_page, round_.pk, "u1")
    rate_unit(phone_page, round_.pk, "u2", fail=[0])
    rate_unit(phone_page, round_.pk, "u3", fail=[0])
    phone_page.goto(f"/programme/rounds/{round_.pk}/")
    shot(phone_page, "rater-round")
    assert "83.3" not in phone_page.content()

    # Rater 2 cannot see rater 1's sheets, then scores blind.
    sign_in(phone_page, "rater2")
    theirs = RatingSheet.objects.filter(assignment__rater=world.raters[0]).first()
    response = phone_page.goto(f"/inspections/{theirs.inspection_id}/")
    assert response.status == 404
    response = phone_page.goto(f"/programme/assignments/{theirs.assignment_id}/")
    assert response.status == 404
    rate_unit(phone_page, round_.pk, "u1")
    rate_unit(phone_page, round_.pk, "u2")
    rate_unit(phone_page, round_.pk, "u3", fail=[0])
    phone_page.goto(f"/programme/rounds/{round_.pk}/")
    assert phone_page.locator("[data-testid=rater-scores]").count() == 0

    # The office sees who has submitted, not the scores, and closes the round.
    sign_in(page, "office-b")
    page.goto(f"/programme/rounds/{round_.pk}/")
    assert page.locator("[data-testid=rater-scores]").count() == 0
    assert "66.7" not in page.content()
    page.click("[data-testid=close-round]")
    page.click("[data-testid=confirm-ok]")  # it asks first
    page.wait_for_selector("[data-testid=results]")
    results = page.locator("[data-testid=results]")
    assert results.locator("tr[data-unit=u1] td").first.inner_text() == "1"
    assert results.locator("tr[data-unit=u3] td").first.inner_text() == "3"
    cards = page.locator("[data-testid=cards]")
    assert cards.locator("[data-kind=red_flag]").count() == 1
    assert cards.locator("[data-kind=yellow]").count() == 1
    shot(page, "results")

    # The ranking shows the red flag at the top and a yellow card at the bottom.
    page.goto("/programme/rankings/")
    ranking = page.locator("[data-testid=round-ranking]")
    assert ranking.locator("[data-unit=u1] [data-testid=red-flag]").count() == 1
    assert ranking.locator("[data-unit=u3] [data-testid=yellow-card]").count() == 1
    shot(page, "rankings")

    # On the unit's page: sort accepted, the flag, the next phase's gate.
    sign_in(phone_page, "office-b")
    phone_page.goto("/org/units/u1/")
    panel = phone_page.locator("[data-testid=programme-panel]")
    assert panel.locator("[data-phase=sort][data-status=accepted]").count() == 1
    assert panel.locator("[data-phase=set_in_order][data-status=in_progress]").count() == 1
    assert panel.locator("[data-testid=flag-holder]").count() == 1
    assert panel.locator("[data-testid=cards] [data-kind=red_flag]").count() == 1
    width = phone_page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, "no sideways scrolling on a phone"
    shot(phone_page, "unit-page")
    phone_page.goto("/org/units/u3/")
    panel = phone_page.locator("[data-testid=programme-panel]")
    assert panel.locator("[data-phase=sort][data-status=in_progress]").count() == 1
    assert (
        panel.locator("[data-testid=gate] [data-condition=acceptance]").get_attribute("data-holds")
        == "no"
    )

    # The timeline draws planned against actual.
    page.goto(f"/programme/{world.programme.pk}/timeline/")
    page.wait_for_selector("#timeline-chart canvas")
    shot(page, "timeline")


def test_a_gated_rollout_starts_with_a_second_signature(page, world):
    """Issue 21, point 1: the office cannot start the rollout while the pilot has not passed;
    the start page names the waiting pilot units and the planned date; the office asks for an
    override, a leader approves it, and the office starts the wave after confirming the
    number of units. Every count shown is checked against the database."""
    page.set_default_timeout(60_000)
    UserFactory(center=world.center, username="office-b", roles=["office"])
    leader = UserFactory(center=world.center, username="leader-a", roles=["leader"])
    rollout = world.programme.waves.get(kind="rollout")
    services.update_wave(
        wave=rollout,
        by=world.office,
        name=rollout.name,
        planned_start=rollout.planned_start,
        planned_end=rollout.planned_end,
        units=world.units[3:],
        expected_version=rollout.version,
    )

    sign_in(page, "office-b")
    page.goto(f"/programme/?programme={world.programme.pk}")
    page.click("[data-wave=rollout] [data-testid=wave-start]")
    page.wait_for_selector("[data-testid=wave-block]")
    waiting = PhaseProgress.objects.filter(
        programme=world.programme, phase="sort", unit__in=world.units[:3]
    ).exclude(status="accepted")
    assert page.locator("[data-testid=pilot-unit]").count() == waiting.count() == 3
    assert (
        rollout.planned_start.isoformat() in page.locator("[data-testid=not-before]").inner_text()
    )
    assert page.locator("[data-testid=start-wave]").count() == 0, "no start while blocked"
    shot(page, "rollout-blocked")
    page.fill("#sign-off-reason", "市局要求提前全面推行")
    page.click("[data-testid=ask-sign-off] button")
    page.wait_for_selector("[data-testid=sign-off][data-approved=no]")
    assert page.locator("[data-testid=approve-sign-off]").count() == 0, "not the asker"

    sign_in(page, "leader-a")
    page.goto(f"/programme/waves/{rollout.pk}/start/")
    page.click("[data-testid=approve-sign-off]")
    page.wait_for_selector("[data-testid=sign-off][data-approved=yes]")
    sign_off = SignOff.objects.get(wave=rollout)
    assert sign_off.requested_by.username == "office-b"
    assert sign_off.approved_by == leader

    sign_in(page, "office-b")
    page.goto(f"/programme/waves/{rollout.pk}/start/")
    to_start = PhaseProgress.objects.filter(
        programme=world.programme, phase="sort", unit__in=world.units[3:], status="not_started"
    ).count()
    assert page.locator("[data-testid=units-to-start]").inner_text() == "单位4"
    assert str(to_start) in page.locator("label[for=confirm-start]").inner_text()
    page.click("[data-testid=start-wave] button")  # not ticked: the browser asks first
    assert page.url.endswith(f"/programme/waves/{rollout.pk}/start/")
    assert PhaseProgress.objects.get(unit=world.units[3], phase="sort").status == "not_started"
    page.check("#confirm-start")
    with page.expect_navigation():
        page.click("[data-testid=start-wave] button")
    row = page.locator("[data-wave=rollout] tr[data-unit=u4] [data-phase=sort]")
    assert row.get_attribute("data-status") == "in_progress"
    assert PhaseProgress.objects.get(unit=world.units[3], phase="sort").status == "in_progress"
    shot(page, "rollout-started")
