"""The center admin's setup checklist on the home page: ticks from the data, links the admin
can open, a fixed number of queries, gone once every step is done."""

import re

import pytest
from django.utils import timezone

from onsite.core.tests.factories import (
    AreaTypeFactory,
    GroupFactory,
    UnitFactory,
    UserFactory,
    ZoneFactory,
)
from onsite.inspections.models import Inspection
from onsite.inspections.tests.factories import InspectionFactory, zone_with_standard
from onsite.org.models import Group, Membership

pytestmark = pytest.mark.django_db

STEPS = ["organisation", "owners", "staff", "passwords", "groups", "standards", "cards",
         "inspection"]  # fmt: skip


def _steps(body):
    """{step key: done} as the page shows it."""
    return {
        key: done == "1"
        for key, done in re.findall(r'data-step="([a-z]+)" data-done="([01])"', body)
    }


def _home(client):
    response = client.get("/")
    assert response.status_code == 200
    return response.content.decode()


def _complete(center):
    """A center that has done every step but printing cards and the first inspection."""
    unit = UnitFactory(center=center)
    owner = UserFactory(center=center, unit=unit, roles=["staff"])
    zone, version = zone_with_standard(center, owner=owner)
    _group_of(center, owner)
    return zone, version, owner


def _group_of(center, *people):
    group = GroupFactory(center=center)
    for person in people:
        Membership.objects.create(group=group, user=person, group_kind=Group.Kind.WORKING)


def test_a_new_centers_admin_sees_every_step_to_do(client_for, admin_user):
    body = _home(client_for(admin_user))
    assert 'data-testid="setup"' in body
    assert _steps(body) == dict.fromkeys(STEPS, False)


def test_every_link_of_the_checklist_opens_for_the_admin(client_for, admin_user):
    client = client_for(admin_user)
    body = _home(client)
    section = body[body.index('data-testid="setup"') : body.index("</section>")]
    links = re.findall(r'href="([^"]+)"', section)
    assert len(links) >= 6
    for link in links:
        assert client.get(link).status_code == 200, link


def test_steps_tick_themselves_from_the_data(client_for, admin_user, center):
    client = client_for(admin_user)
    zone, _version, _owner = _complete(center)
    ZoneFactory(center=center, area_type=zone.area_type, owner=None)
    imported = UserFactory(center=center, roles=["staff"])
    imported.set_unusable_password()
    imported.save()
    steps = _steps(_home(client))
    for key in ("organisation", "staff", "groups", "standards"):
        assert steps[key], key
    assert not steps["owners"], "a zone without an owner"
    assert not steps["passwords"], "an imported person without a password"
    assert not steps["cards"]
    assert not steps["inspection"]
    body = _home(client)
    assert "1 zone has no owner" in body or "1 个区域没有负责人" in body


def test_printing_the_cards_and_a_first_inspection_complete_the_checklist(
    client_for, admin_user, center
):
    client = client_for(admin_user)
    zone, version, owner = _complete(center)
    assert client.get("/org/cards.pdf").status_code == 200
    assert _steps(_home(client))["cards"]
    InspectionFactory(
        zone=zone,
        standard_version=version,
        inspector=owner,
        kind=Inspection.Kind.SELF_CHECK,
        status=Inspection.Status.SUBMITTED,
        submitted_at=timezone.now(),
    )
    body = _home(client)
    assert 'data-testid="setup"' not in body, "all done: the checklist is gone"


def test_an_area_type_in_use_without_a_published_standard_keeps_the_step_open(
    client_for, admin_user, center
):
    _complete(center)
    ZoneFactory(center=center, area_type=AreaTypeFactory(center=center, code="back-office"))
    assert not _steps(_home(client_for(admin_user)))["standards"]


def test_another_centers_progress_ticks_nothing_here(
    client_for, admin_user, other_center, other_admin
):
    _complete(other_center)
    client_for(other_admin).get("/org/cards.pdf")
    assert _steps(_home(client_for(admin_user))) == dict.fromkeys(STEPS, False)


@pytest.mark.parametrize("persona", ["office_user", "leader", "supervisor", "staff_user"])
def test_only_the_center_admin_gets_the_checklist(client_for, request, persona):
    user = request.getfixturevalue(persona)
    assert 'data-testid="setup"' not in _home(client_for(user))


def test_the_checklist_costs_the_same_queries_for_a_big_center(
    client_for, admin_user, center, django_assert_max_num_queries
):
    client = client_for(admin_user)
    _complete(center)
    with django_assert_max_num_queries(30) as small:
        _home(client)
    for n in range(5):
        unit = UnitFactory(center=center)
        people = [UserFactory(center=center, unit=unit, roles=["staff"]) for _p in range(3)]
        area = AreaTypeFactory(center=center, code=f"area-{n}")
        for person in people:
            ZoneFactory(center=center, unit=unit, area_type=area, owner=person)
        _group_of(center, *people)
    with django_assert_max_num_queries(len(small.captured_queries)):
        _home(client)
