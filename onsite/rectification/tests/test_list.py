"""The rectification list opens on what the person has to do: their own, not closed yet.
Whoever may see more switches to everyone's and any status with the filter, which always
shows what is applied."""

import re

import pytest
from django.urls import reverse

from onsite.core.tests.factories import UserFactory
from onsite.inspections.tests.conftest import inspect
from onsite.rectification.models import Rectification

pytestmark = pytest.mark.django_db
LIST = reverse("rectification:rectification-list")


def listed(page: str) -> list[int]:
    block = page.split('data-testid="rectification-list"', 1)[1]
    return [int(pk) for pk in re.findall(r'href="/rectification/(\d+)/"', block)]


@pytest.fixture
def three(zone, supervisor, owner, center):
    """The owner's open one, the owner's closed one, and a colleague's open one."""
    inspect(zone, supervisor, fail=("clause:C01", "clause:C02", "clause:C03"))
    mine_open, mine_closed, theirs = Rectification.objects.order_by("pk")
    Rectification.objects.filter(pk=mine_closed.pk).update(status=Rectification.Status.CLOSED)
    colleague = UserFactory(center=center, roles=["staff"], unit=owner.unit)
    Rectification.objects.filter(pk=theirs.pk).update(assignee=colleague)
    return mine_open, mine_closed, theirs


def test_the_list_opens_on_my_rectifications_not_closed_yet(client_for, owner, three):
    mine_open, _closed, _theirs = three
    page = client_for(owner).get(LIST).content.decode()
    assert listed(page) == [mine_open.pk]
    assert re.search(r'<option value="pending" selected>', page), "the filter shows it"
    assert re.search(r'id="r-mine" checked', page)


def test_everyone_and_every_status_with_the_filter_closed_last(client_for, supervisor, three):
    mine_open, mine_closed, theirs = three
    client = client_for(supervisor)
    page = client.get(LIST).content.decode()
    assert listed(page) == [], "nothing is assigned to the supervisor"
    assert 'data-testid="show-all"' in page, "the empty list offers everyone's"
    page = client.get(LIST, {"mine": "0", "status": "all"}).content.decode()
    assert listed(page) == [mine_open.pk, theirs.pk, mine_closed.pk]
    assert '<option value="all" selected>' in page
    assert 'id="r-mine" checked' not in page
    page = client.get(LIST, {"mine": "0"}).content.decode()
    assert listed(page) == [mine_open.pk, theirs.pk]
    # The checkbox posts mine=0 from a hidden field and mine=1 when ticked: ticked wins.
    assert listed(client.get(LIST + "?mine=0&mine=1&status=all").content.decode()) == []


def test_everyone_s_list_keeps_a_fixed_query_count(
    client_for, supervisor, owner, center, zone, django_assert_max_num_queries
):
    from onsite.core.tests.factories import ZoneFactory

    client = client_for(supervisor)
    inspect(zone, supervisor)
    url = LIST + "?mine=0&status=all"
    client.get(url)  # warm caches (content types, sessions)
    with django_assert_max_num_queries(20) as small:
        assert client.get(url).status_code == 200
    for _n in range(4):
        more = ZoneFactory(center=center, area_type=zone.area_type, owner=owner)
        inspect(more, supervisor, fail=("clause:C01", "clause:C02", "items:edge"))
    with django_assert_max_num_queries(len(small.captured_queries)):
        page = client.get(url).content.decode()
    assert len(listed(page)) == 13
