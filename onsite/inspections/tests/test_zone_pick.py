"""Picking the zone to inspect: a searchable list (code, name, unit) that works as a plain GET
and answers htmx with the results only; a person who may only self-check sees their zones."""

import re

import pytest
from django.urls import reverse

from onsite.core.tests.factories import UnitFactory, UserFactory, ZoneFactory

pytestmark = pytest.mark.django_db
URL = "/inspections/start/"


def picked(page: str) -> list[str]:
    return re.findall(r'href="/z/([\w-]+)/inspect"', page)


@pytest.fixture
def zones(center):
    tax = UnitFactory(center=center, code="tax", name="税务窗口")
    post = UnitFactory(center=center, code="post", name="邮政窗口")
    return [
        ZoneFactory(center=center, code="t-01", name="税务一号台", unit=tax),
        ZoneFactory(center=center, code="t-02", name="税务二号台", unit=tax),
        ZoneFactory(center=center, code="p-01", name="寄递台", unit=post),
        ZoneFactory(center=center, code="old", name="旧台", unit=post, is_active=False),
    ]


def test_the_supervisor_searches_zones_by_code_name_or_unit(client_for, supervisor, zones):
    assert reverse("inspections:zone-pick") == URL
    client = client_for(supervisor)
    page = client.get(URL).content.decode()
    assert picked(page) == ["p-01", "t-01", "t-02"], "active zones, by code"
    assert picked(client.get(URL, {"q": "T-0"}).content.decode()) == ["t-01", "t-02"]
    assert picked(client.get(URL, {"q": "寄递"}).content.decode()) == ["p-01"]
    assert picked(client.get(URL, {"q": "税务窗口"}).content.decode()) == ["t-01", "t-02"]
    assert picked(client.get(URL, {"q": "post"}).content.decode()) == ["p-01"]
    page = client.get(URL, {"q": "没有"}).content.decode()
    assert picked(page) == []
    assert 'data-testid="no-zone"' in page
    assert 'value="没有"' in page, "the search box keeps what was typed"


def test_htmx_gets_the_results_only(client_for, supervisor, zones):
    response = client_for(supervisor).get(URL, {"q": "t-0"}, headers={"HX-Request": "true"})
    body = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in body
    assert picked(body) == ["t-01", "t-02"]


def test_staff_see_the_zones_they_may_self_check(client_for, center, zones):
    person = UserFactory(center=center, roles=["staff"], unit=zones[2].unit)
    assert picked(client_for(person).get(URL).content.decode()) == ["p-01"]


def test_the_picker_is_refused_to_viewers_auditors_and_anonymous(
    client, client_for, viewer, auditor
):
    assert client_for(viewer).get(URL).status_code == 403
    assert client_for(auditor).get(URL).status_code == 403
    client.logout()
    assert client.get(URL).status_code == 302


def test_the_picker_pages_with_its_search_and_keeps_a_fixed_query_count(
    client_for, supervisor, center, django_assert_max_num_queries
):
    client = client_for(supervisor)
    unit = UnitFactory(center=center)
    ZoneFactory(center=center, code="a-00", unit=unit)
    client.get(URL)
    with django_assert_max_num_queries(20) as small:
        client.get(URL)
    for n in range(1, 40):
        ZoneFactory(center=center, code=f"a-{n:02d}", unit=unit)
    with django_assert_max_num_queries(len(small.captured_queries)):
        page = client.get(URL, {"q": "a-"}).content.decode()
    assert len(picked(page)) == 25
    assert "q=a-&amp;page=2" in page
    assert len(picked(client.get(URL, {"q": "a-", "page": 2}).content.decode())) == 15


def test_the_supervisor_home_links_to_the_picker(client_for, supervisor):
    assert f'href="{URL}"' in client_for(supervisor).get("/").content.decode()
