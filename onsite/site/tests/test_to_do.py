"""The home page lists everything waiting for the person, each one tap from the page where
it is done, and that page opens for them: sheets to rate, surveys, standards to
acknowledge, their rectifications, rectifications to verify, filings and red tags to decide.
A fixed number of queries whatever the data."""

import datetime
import re

import pytest
from django.utils import timezone

from onsite.core.tests.factories import UserFactory, ZoneFactory
from onsite.inspections.tests.conftest import inspect
from onsite.inspections.tests.factories import zone_with_standard
from onsite.programme.tests.conftest import open_round, world  # noqa: F401 - fixtures, by name
from onsite.rectification.models import Rectification
from onsite.redtags.actions import do_tag
from onsite.redtags.models import RedTag
from onsite.site.queries import to_do as to_do_summary
from onsite.standards.models import ItemFiling
from onsite.standards.tests.factories import ItemFactory, ItemFilingFactory

pytestmark = pytest.mark.django_db


def to_do(page: str) -> list[tuple[str, str]]:
    """(kind, href) of every to-do entry of a home page."""
    found = []
    for tag in re.findall(r"<a\b[^>]*>", page):
        if 'data-testid="to-do-item"' in tag:
            href = re.search(r'href="([^"]+)"', tag).group(1).replace("&amp;", "&")
            found.append((re.search(r'data-kind="([\w-]+)"', tag).group(1), href))
    return found


def follow(client, entries):
    for kind, href in entries:
        assert client.get(href).status_code == 200, (kind, href)


def test_a_working_group_member_who_rates_sees_the_sheets_on_the_home_page(
    client_for,
    world,  # noqa: F811 - the imported fixture, by name
    open_round,  # noqa: F811
):
    rater = world.raters[0]
    client = client_for(rater)
    entries = to_do(client.get("/").content.decode())
    rate = [href for kind, href in entries if kind == "rate"]
    mine = rater.rating_assignments.filter(round=open_round)
    assert len(rate) == mine.count() > 0
    assert all(href.startswith("/programme/assignments/") for href in rate)
    follow(client, entries)


def submitted_rectification(zone, by):
    inspect(zone, by, fail=("clause:C01",))
    rectification = Rectification.objects.filter(zone=zone).latest("pk")
    Rectification.objects.filter(pk=rectification.pk).update(
        status=Rectification.Status.SUBMITTED, submitted_at=timezone.now()
    )
    return rectification


def test_the_supervisor_sees_fixes_to_verify(client_for, center, supervisor):
    zone, _ = zone_with_standard(center, owner=UserFactory(center=center, roles=["staff"]))
    rectification = submitted_rectification(zone, supervisor)
    client = client_for(supervisor)
    entries = to_do(client.get("/").content.decode())
    assert ("verify", f"/rectification/{rectification.pk}/") in entries
    follow(client, entries)
    page = client.get(f"/rectification/{rectification.pk}/").content.decode()
    assert 'data-testid="verify-button"' in page, "the page where it is done"


def filing_and_red_tag(center, staff_user):
    zone = ZoneFactory(center=center, unit=staff_user.unit, owner=staff_user)
    filing = ItemFilingFactory(
        zone=zone,
        item=ItemFactory(center=center),
        status=ItemFiling.Status.REQUESTED,
        valid_from=timezone.localdate(),
        valid_to=timezone.localdate() + datetime.timedelta(days=30),
    )
    tag = do_tag(center=center, zone=zone, by=staff_user,
                 data={"item_name": "多余签字笔", "quantity": 3, "reason": "excess",
                       "proposal": "return_to_store"})  # fmt: skip
    RedTag.objects.filter(pk=tag.pk).update(hold_until=timezone.localdate())
    return filing, tag


def test_the_office_sees_filings_and_red_tags_to_decide(
    client_for, center, office_user, leader, staff_user
):
    filing, _tag = filing_and_red_tag(center, staff_user)
    client = client_for(office_user)
    entries = to_do(client.get("/").content.decode())
    assert ("filing", f"/standards/filings/{filing.pk}/") in entries
    assert ("red-tags", "/redtags/") in entries
    follow(client, entries)
    assert (
        'action="/standards/filings/'
        in client.get(f"/standards/filings/{filing.pk}/").content.decode()
    )
    # The center admin decides both, on the home page below the setup steps.
    admin = UserFactory(center=center, roles=["admin"])
    admin_client = client_for(admin)
    admin_entries = to_do(admin_client.get("/").content.decode())
    assert ("filing", f"/standards/filings/{filing.pk}/") in admin_entries
    assert ("red-tags", "/redtags/") in admin_entries
    follow(admin_client, admin_entries)
    # The leader decides red tags but not filings.
    kinds = [kind for kind, _href in to_do(client_for(leader).get("/").content.decode())]
    assert "red-tags" in kinds
    assert "filing" not in kinds
    # The window staff decide neither.
    kinds = [kind for kind, _href in to_do(client_for(staff_user).get("/").content.decode())]
    assert "red-tags" not in kinds
    assert "filing" not in kinds


def test_a_supervisor_s_own_rectification_is_one_tap_away(client_for, center, supervisor):
    zone, _ = zone_with_standard(center, owner=supervisor)
    inspect(zone, UserFactory(center=center, roles=["supervisor"]), fail=("clause:C01",))
    client = client_for(supervisor)
    entries = to_do(client.get("/").content.decode())
    assert ("mine", "/rectification/") in entries
    page = client.get("/rectification/").content.decode()
    assert page.count('href="/rectification/') >= 1


@pytest.mark.parametrize(
    "persona",
    ["admin_user", "staff_user", "member", "group_leader", "supervisor", "leader", "office_user"],
)
def test_every_to_do_link_opens_for_its_person(request, persona, client_for, center, staff_user):
    from onsite.inspections.tests.factories import published_standard
    from onsite.surveys.tests.factories import standard_survey

    user = request.getfixturevalue(persona)
    version = published_standard(center)
    ZoneFactory(center=center, owner=user, area_type=version.standard.area_type)
    standard_survey(center, title="现场管理认同度调查")
    filing_and_red_tag(center, staff_user)
    client = client_for(user)
    entries = to_do(client.get("/").content.decode())
    kinds = {kind for kind, _href in entries}
    assert {"survey", "acknowledge"} <= kinds
    follow(client, entries)


def test_the_to_do_keeps_a_fixed_query_count(
    client_for, center, office_user, staff_user, supervisor, django_assert_max_num_queries
):
    filing_and_red_tag(center, staff_user)
    with django_assert_max_num_queries(13) as small:
        to_do_summary(center=center, user=office_user)
    first, _ = zone_with_standard(center, owner=staff_user)
    for _n in range(4):
        filing_and_red_tag(center, staff_user)
        zone = ZoneFactory(center=center, area_type=first.area_type, owner=staff_user)
        submitted_rectification(zone, supervisor)
    with django_assert_max_num_queries(len(small.captured_queries)):
        summary = to_do_summary(center=center, user=office_user)
    assert len(summary["filings_to_decide"]) == 5
    assert summary["filings_more"] is False
    assert summary["red_tags_due"] == 5
    assert len(summary["to_verify"]) == 4
    client = client_for(office_user)
    client.get("/")
    with django_assert_max_num_queries(40) as home:
        client.get("/")
    filing_and_red_tag(center, staff_user)
    with django_assert_max_num_queries(len(home.captured_queries)):
        page = client.get("/").content.decode()
    assert 'data-kind="filing-all"' in page


def test_a_checklist_begun_waits_on_the_home_page_and_is_kept_for_the_floor(
    client_for, center, supervisor
):
    from onsite.core.tests.factories import UserFactory
    from onsite.inspections import services as inspections

    zone, _ = zone_with_standard(center)
    mine = inspections.start_inspection(zone=zone, kind="supervision", inspector=supervisor)
    other = UserFactory(center=center, roles=["supervisor"])
    theirs = inspections.start_inspection(
        zone=ZoneFactory(center=center, area_type=zone.area_type), kind="supervision",
        inspector=other,
    )  # fmt: skip
    page = client_for(supervisor).get("/").content.decode()
    assert f'href="/inspections/{mine.pk}/edit/" data-offline' in page
    assert f"/inspections/{theirs.pk}/edit/" not in page
