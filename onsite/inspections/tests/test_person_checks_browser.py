"""A person check on a phone: the supervisor fails "badge worn", picks the staff member from
the zone's unit and submits; that person finds the finding on their home page."""

import pytest

from onsite.core.tests.browser import sign_in
from onsite.core.tests.factories import UnitFactory, UserFactory, ZoneFactory
from onsite.inspections.models import Finding
from onsite.inspections.tests.browser import start_inspection
from onsite.inspections.tests.factories import published_standard
from onsite.standards.models import Clause
from onsite.standards.tests.factories import ClauseFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_failed_badge_check_names_the_person_and_lands_on_their_home(phone_page, center):
    page = phone_page
    page.set_default_timeout(60_000)  # two shared cores: be patient, never time the app
    UserFactory(center=center, username="sup", roles=["supervisor"])
    unit = UnitFactory(center=center, name="市场监管窗口")
    clerk = UserFactory(
        center=center, username="wang", full_name="王小明", roles=["staff"], unit=unit
    )
    UserFactory(center=center, username="far", roles=["staff"], unit=UnitFactory(center=center))
    version = published_standard(center, clauses=1, with_items=False)
    ClauseFactory(
        standard_version=version, code="RY-1", text="规范佩戴工牌", position=5,
        subject=Clause.Subject.PERSON,
    )  # fmt: skip
    zone = ZoneFactory(center=center, area_type=version.standard.area_type, unit=unit)

    sign_in(page, "sup")
    start_inspection(page, zone)
    card = page.locator("[data-testid=check]", has_text="规范佩戴工牌")
    card.locator("[data-testid=fail]").click()
    picker = card.locator("[data-testid=person]")
    assert picker.is_visible()
    options = picker.locator("option").all_inner_texts()
    assert any("王小明 · 市场监管窗口 · wang" in o for o in options)
    assert not any("far" in o for o in options)
    assert picker.bounding_box()["height"] >= 44
    picker.select_option(str(clerk.pk))
    card.locator("textarea").fill("未佩戴工牌")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    with page.expect_navigation():
        page.click("[data-testid=pass-rest]")
    page.click("[data-testid=submit]")
    page.wait_for_url("**/inspections/*/")
    assert "王小明" in page.locator("[data-testid=answer-person]").inner_text()
    assert Finding.objects.get().person == clerk

    sign_in(page, "wang")
    mine = page.locator("[data-testid=my-rectifications] a")
    assert mine.count() == 1
    assert "未佩戴工牌" in mine.inner_text()
