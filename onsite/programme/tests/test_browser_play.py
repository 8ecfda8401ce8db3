"""Issue 21's play, on a fresh demo, as the programme office and the raters would: a second
programme from the start (pilot units picked, pilot started), the rollout blocked until the
pilot has passed sort, a sort round on the pilot units scored on the raters' phones, the
ranking and its cards, the rollout started once the pilot passed, and last month published
with its cards. Every count a page shows is checked against the database."""

from __future__ import annotations

import datetime
import re

import pytest
from django.core.management import call_command
from django.test import override_settings
from django.utils import timezone, translation

from onsite.accounts.models import User
from onsite.core.models import Center
from onsite.core.tests.browser import camera_photo, sign_in
from onsite.inspections.models import Answer, Inspection, InspectionSettings
from onsite.org.demo import DEMO_PASSWORD, seed_demo
from onsite.org.models import Unit
from onsite.programme import queries
from onsite.programme.gates import zone_average
from onsite.programme.models import (
    PHASE_PILLARS,
    AcceptanceRound,
    Card,
    MonthlyRanking,
    PhaseProgress,
    Programme,
    RoundUnit,
    Wave,
    WaveUnit,
)
from onsite.programme.services.rankings import month_earns_cards
from onsite.programme.tests.test_browser import shot
from onsite.rectification.models import Rectification
from onsite.redtags.queries import has_overdue_tags
from onsite.site.management.commands.seed_demo import DEMO_STEPS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NAME = "第二轮标准化现场管理"
OFFICE = "xx-deputy1"


@pytest.fixture
def demo():
    """The demo as `make run` seeds it (the main center with 12 windows, as the crawl does:
    every kind of row, fewer of them)."""
    fast = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    tasks = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    with override_settings(PASSWORD_HASHERS=fast, TASKS=tasks):
        with translation.override("zh-hans"):
            seed_demo(main_windows=12)
            center = Center.objects.get(code="xx")
            for step in DEMO_STEPS:
                step.seed(center)
        yield center
    call_command("flush", interactive=False, verbosity=0)


def number(text: str) -> int:
    """The one number in a short text ("3 个单位", "单位 3")."""
    found = re.findall(r"\d+", text)
    assert len(found) == 1, text
    return int(found[0])


def clean_windows(center: Center) -> list[Unit]:
    """Windows with nothing overdue and a good record of the last four weeks: their sort
    gate passes once a round accepts them."""
    today = timezone.localdate()
    since = today - datetime.timedelta(weeks=4)
    overdue = set(
        Rectification.objects.filter(center=center)
        .overdue(today)
        .values_list("zone__unit_id", flat=True)
    )
    return [
        u
        for u in Unit.objects.filter(center=center, kind=Unit.Kind.WINDOW).order_by("code")
        if u.pk not in overdue
        and not has_overdue_tags(u)
        and (zone_average(u, since=since, until=today)[0] or 0) >= 85
    ]


def rate_all(page, round_id: int, code: str, *, fail: int = 0, photo: str = "") -> int:
    """On the rater's phone: every zone of the unit in the round, the first `fail` checks of
    each failed and the rest passed, then submitted. Returns the number of checks rated."""
    rated = 0
    page.goto(f"/programme/rounds/{round_id}/")
    page.click(f"[data-testid=my-unit][data-unit={code}]")
    assignment_url = page.url
    while page.locator("[data-testid=rate-zone]").count():
        page.locator("[data-testid=rate-zone]").first.click()
        page.wait_for_url("**/inspections/*/edit/")
        cards = page.locator("[data-testid=check]")
        rated += cards.count()
        for index in range(min(fail, cards.count())):
            card = cards.nth(index)
            card.locator("[data-testid=fail]").click()
            card.locator("textarea").fill("物品未定位，台面有杂物")
            card.locator("[data-testid=photo-input]").set_input_files(photo)
            card.locator("[data-testid=photos] img").first.wait_for()
        with page.expect_navigation():
            page.click("[data-testid=pass-rest]")
        page.click("[data-testid=submit]")
        page.wait_for_url("**/inspections/*/")
        page.goto(assignment_url)
    return rated


def close_round(page, round_: AcceptanceRound) -> None:
    page.goto(f"/programme/rounds/{round_.pk}/")
    page.click("[data-testid=close-round]")
    page.click("[data-testid=confirm-ok]")
    page.wait_for_selector("[data-testid=results]")


def check_results(page, round_: AcceptanceRound) -> None:
    """The results table and the round's cards, row by row against the database."""
    rows = page.locator("[data-testid=results] tbody tr")
    entries = list(RoundUnit.objects.filter(round=round_).select_related("unit"))
    assert rows.count() == len(entries)
    for entry in entries:
        cells = page.locator(f"[data-testid=results] tr[data-unit={entry.unit.code}] td")
        assert cells.nth(0).inner_text() == str(entry.rank)
        assert cells.nth(2).inner_text() == f"{entry.score}"
        assert cells.nth(3).inner_text().startswith(str(entry.ratings))
        assert ("未通过" in cells.nth(6).inner_text()) is (not entry.accepted)
    cards = page.locator("[data-testid=cards] [data-card]")
    assert cards.count() == Card.objects.filter(round=round_).count()
    for kind in ("red_flag", "yellow"):
        shown = page.locator(f"[data-testid=cards] [data-kind={kind}]").count()
        assert shown == Card.objects.filter(round=round_, kind=kind).count(), kind


def open_round_for(
    page, programme: Programme, units: list[Unit], phase: str = "sort"
) -> AcceptanceRound:
    """From the programme's overview, as the office: the round form, the preview, open."""
    page.goto(f"/programme/?programme={programme.pk}")
    page.click("[data-testid=new-round]")
    assert page.locator("[data-testid=round-programme]").get_attribute("value") == str(programme.pk)
    if phase != "sort":  # the form opens on the first phase; picking one reloads its units
        with page.expect_navigation():
            page.select_option("#pick-phase", phase)
    offered = page.locator("[data-testid=round-form] input[name=units]").count()
    assert offered == queries.units_at(programme, phase).count()
    for unit in units:
        page.check(f"input[name=units][value='{unit.pk}']")
    page.fill("#id_min_raters", "2")
    page.click("[data-testid=preview-button]")
    assert page.locator("[data-testid=preview]").get_attribute("data-ok") == "yes"
    before = set(AcceptanceRound.objects.values_list("pk", flat=True))
    page.click("[data-testid=open-button]")
    page.wait_for_url("**/programme/rounds/*/")
    round_ = AcceptanceRound.objects.exclude(pk__in=before).get()
    assert round_.programme == programme
    assert page.locator("h1 [data-testid=round-programme]").inner_text() == programme.name
    shown = page.locator("[data-testid=assignments] tbody tr").count()
    assert shown == round_.assignments.count() >= 2 * len(units)
    return round_


def rate_round(phone_page, round_: AcceptanceRound, failing: dict[str, list[int]], photo) -> None:
    """Every rater of the round, signed in on their phone, rates their units. `failing` gives
    per unit how many checks each of its raters fails, in the raters' order (the rest pass)."""
    by_rater: dict[User, list[str]] = {}
    for a in round_.assignments.select_related("rater", "unit").order_by("rater__username"):
        by_rater.setdefault(a.rater, []).append(a.unit.code)
    fails = {code: list(counts) for code, counts in failing.items()}
    for rater, codes in by_rater.items():
        sign_in(phone_page, rater.username, DEMO_PASSWORD)
        for code in codes:
            fail = fails[code].pop(0) if fails.get(code) else 0
            rate_all(phone_page, round_.pk, code, fail=fail, photo=photo)


def test_a_second_programme_from_pilot_to_cards(demo, page, phone_page, tmp_path):
    page.set_default_timeout(60_000)
    phone_page.set_default_timeout(60_000)
    today = timezone.localdate()
    photo = camera_photo(tmp_path / "counter.jpg", size=(1600, 1200))
    windows = clean_windows(demo)
    assert len(windows) >= 3, [u.code for u in windows]
    pilot_units = windows[:3]
    rollout_units = list(
        Unit.objects.filter(center=demo, kind=Unit.Kind.WINDOW)
        .exclude(pk__in=[u.pk for u in pilot_units])
        .order_by("code")[:4]
    )

    # The office plans a second programme, begun 130 days ago (the rollout's third starts now).
    sign_in(page, OFFICE, DEMO_PASSWORD)
    page.goto("/programme/")
    page.click("[data-testid=new-programme]")  # beside the running programme
    page.fill("#id_name", NAME)
    page.fill("#id_starts_on", (today - datetime.timedelta(days=130)).isoformat())
    page.fill("#id_ends_on", (today + datetime.timedelta(days=230)).isoformat())
    with page.expect_navigation():
        page.click("main form button[type=submit]")
    programme = Programme.objects.get(center=demo, name=NAME)
    pilot = programme.waves.get(kind=Wave.Kind.PILOT)
    rollout = programme.waves.get(kind=Wave.Kind.ROLLOUT)
    assert rollout.planned_start <= today

    # It picks the pilot's and the rollout's units on each wave's page.
    for wave, units in ((pilot, pilot_units), (rollout, rollout_units)):
        page.goto(f"/programme/?programme={programme.pk}")
        page.click(f"[data-wave={wave.kind}] a[href$='/waves/{wave.pk}/edit/']")
        for unit in units:
            page.check(f"input[name=units][value='{unit.pk}']")
        with page.expect_navigation():
            page.click("main form button[type=submit]")
    page.goto(f"/programme/?programme={programme.pk}")
    for wave in (pilot, rollout):
        rows = page.locator(f"[data-wave={wave.kind}] tr[data-unit]")
        assert rows.count() == WaveUnit.objects.filter(wave=wave).count()
    shot(page, "play-planned")

    # The pilot starts after the office confirms the number of units.
    page.click("[data-wave=pilot] [data-testid=wave-start]")
    assert page.locator("[data-testid=wave-block]").count() == 0, "a pilot is never blocked"
    waiting = PhaseProgress.objects.filter(
        programme=programme, phase="sort", status="not_started", unit__in=pilot_units
    ).count()
    assert number(page.locator("label[for=confirm-start]").inner_text()) == waiting == 3
    page.check("#confirm-start")
    with page.expect_navigation():
        page.click("[data-testid=start-wave] button")
    started = page.locator("[data-wave=pilot] [data-phase=sort][data-status=in_progress]")
    assert (
        started.count()
        == PhaseProgress.objects.filter(
            programme=programme, phase="sort", status="in_progress"
        ).count()
        == 3
    )

    # The rollout cannot start: the three pilot units have not passed sort.
    page.click("[data-wave=rollout] [data-testid=wave-start]")
    page.wait_for_selector("[data-testid=wave-block]")
    not_passed = (
        PhaseProgress.objects.filter(programme=programme, phase="sort", unit__in=pilot_units)
        .exclude(status="accepted")
        .count()
    )
    assert page.locator("[data-testid=pilot-unit]").count() == not_passed == 3
    assert page.locator("[data-testid=not-before]").count() == 0, "its planned start has come"
    assert page.locator("[data-testid=start-wave]").count() == 0
    shot(page, "play-rollout-blocked")

    # A sort round on the pilot units; the raters score on their phones: all pass, the third
    # with one check failed (last, but passed: no yellow card).
    sort_round = open_round_for(page, programme, pilot_units)
    assert sort_round.phase == "sort"
    rate_round(phone_page, sort_round, {pilot_units[2].code: [1, 0]}, photo)
    close_round(page, sort_round)
    check_results(page, sort_round)
    assert Card.objects.filter(round=sort_round, kind="yellow").count() == 0
    shot(page, "play-sort-results")
    accepted = PhaseProgress.objects.filter(
        programme=programme, phase="sort", unit__in=pilot_units, status="accepted"
    )
    assert accepted.count() == 3, "each pilot unit's gate held once the round accepted it"

    # Now the rollout starts: the page names the units and asks to confirm their number.
    page.goto(f"/programme/?programme={programme.pk}")
    page.click("[data-wave=rollout] [data-testid=wave-start]")
    assert page.locator("[data-testid=wave-block]").count() == 0
    to_start = PhaseProgress.objects.filter(
        programme=programme, phase="sort", status="not_started", unit__in=rollout_units
    )
    assert number(page.locator("label[for=confirm-start]").inner_text()) == to_start.count() == 4
    names = page.locator("[data-testid=units-to-start]").inner_text()
    assert all(u.name in names for u in rollout_units)
    page.check("#confirm-start")
    with page.expect_navigation():
        page.click("[data-testid=start-wave] button")
    started = page.locator("[data-wave=rollout] [data-phase=sort][data-status=in_progress]")
    assert (
        started.count()
        == to_start.model.objects.filter(
            programme=programme, phase="sort", status="in_progress", unit__in=rollout_units
        ).count()
        == 4
    )
    shot(page, "play-rollout-started")

    # The pilot's next phase: a set-in-order round rates the set-in-order checks only. The
    # first unit passes, the second loses one check, the third fails most: last and failed,
    # it gets the yellow card; the first takes the red flag.
    assert all(
        PhaseProgress.objects.get(programme=programme, unit=u, phase="set_in_order").status
        == "in_progress"
        for u in pilot_units
    )
    order_round = open_round_for(page, programme, pilot_units, "set_in_order")
    assert order_round.phase == "set_in_order"
    failing = {pilot_units[1].code: [1, 0], pilot_units[2].code: [4, 4]}
    rate_round(phone_page, order_round, failing, photo)
    sheets = Inspection.objects.filter(rating_sheet__assignment__round=order_round)
    pillars = set(Answer.objects.filter(inspection__in=sheets).values_list("pillar", flat=True))
    assert pillars, "the sheets were rated"
    assert pillars <= set(PHASE_PILLARS["set_in_order"]), pillars
    close_round(page, order_round)
    check_results(page, order_round)
    results = {
        r.unit_id: r for r in RoundUnit.objects.filter(round=order_round).select_related("unit")
    }
    last = results[pilot_units[2].pk]
    assert not last.accepted
    assert last.rank == 3
    assert Card.objects.get(round=order_round, kind="yellow").unit == pilot_units[2]
    assert Card.objects.get(round=order_round, kind="red_flag").unit == pilot_units[0]
    shot(page, "play-order-results")

    # The rankings page shows the round as the database has it, flag and card included.
    page.goto(f"/programme/rankings/?round={order_round.pk}")
    ranking = page.locator("[data-testid=round-ranking]")
    assert ranking.locator("li[data-unit]").count() == len(results)
    for result in results.values():
        row = ranking.locator(f"li[data-unit={result.unit.code}]")
        assert row.get_attribute("data-rank") == str(result.rank)
        assert row.locator(".fw-semibold").inner_text() == f"{result.score}"
    assert ranking.locator(f"[data-unit={pilot_units[0].code}] [data-testid=red-flag]").count()
    assert ranking.locator(f"[data-unit={pilot_units[2].code}] [data-testid=yellow-card]").count()
    holders = page.locator("[data-testid=flag-holders]").inner_text()
    for card in Card.objects.filter(center=demo).flag_holders().select_related("unit"):
        assert card.unit.name in holders

    # Last month, published: its rows and its cards are the database's.
    month = (today.replace(day=1) - datetime.timedelta(days=1)).replace(day=1)
    page.goto(f"/programme/rankings/?month={month:%Y-%m}")
    page.click("[data-testid=publish-month]")
    page.click("[data-testid=confirm-ok]")
    page.wait_for_selector("[data-testid=month-ranking] .badge.text-bg-success")
    published = MonthlyRanking.objects.get(center=demo, month=month)
    rows = page.locator("[data-testid=month-ranking] li[data-unit]")
    assert rows.count() == published.rows.count() > 0
    for row in published.rows.select_related("unit"):
        shown = page.locator(f"[data-testid=month-ranking] li[data-unit={row.unit.code}]")
        assert shown.get_attribute("data-rank") == str(row.rank)
        assert shown.locator(".fw-semibold").inner_text() == f"{row.score}"
    month_cards = Card.objects.filter(
        center=demo, month=month, cause__in=["month_top", "month_bottom"]
    )
    scored = published.rows.count()
    if month_earns_cards(demo.pk, scored):
        assert month_cards.filter(kind="red_flag").count() >= 1
        lowest = published.rows.order_by("-rank").first()
        under = lowest.score < InspectionSettings.for_center(demo.pk).pass_mark
        assert month_cards.filter(kind="yellow").exists() is under
    else:
        assert not month_cards.exists()
    shot(page, "play-month")

    # The card list shows every card in force, the round's and the month's.
    page.goto("/programme/cards/")
    listed = page.locator("[data-testid=cards] [data-card]")
    in_force = Card.objects.filter(center=demo, revoked_at__isnull=True)
    assert listed.count() == min(in_force.count(), 30)  # a page of the list
    for card in [*Card.objects.filter(round=order_round), *month_cards]:
        assert page.locator(f"[data-card='{card.pk}']").count() == 1, card
