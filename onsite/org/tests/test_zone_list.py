"""The zone list: paged, searchable (code, name, unit, owner) with an htmx refresh and a plain
GET without script, sortable by its columns."""

import re

import pytest

from onsite.core.tests.factories import UnitFactory, UserFactory, ZoneFactory
from onsite.org.views.zones import ZONE_PAGE_SIZE

pytestmark = pytest.mark.django_db


def listed(response):
    return re.findall(r'href="/org/zones/([\w-]+)/"', response.content.decode())


@pytest.fixture
def zones(center, other_center):
    tax = UnitFactory(center=center, code="w07", name="税务窗口")
    water = UnitFactory(center=center, code="w02", name="水务窗口")
    owner = UserFactory(center=center, username="lixia", full_name="李霞")
    ZoneFactory(center=center, code="b-desk", name="税务前台", unit=tax, owner=owner)
    ZoneFactory(center=center, code="a-desk", name="供水前台", unit=water)
    ZoneFactory(center=center, code="c-hall", name="等候区", unit=None)
    ZoneFactory(center=other_center, code="a-theirs", name="税务前台")


def test_the_list_is_paged(client_for, leader, center):
    for n in range(ZONE_PAGE_SIZE + 3):
        ZoneFactory(center=center, code=f"z{n:03d}")
    client = client_for(leader)
    first = client.get("/org/zones/")
    assert len(listed(first)) == ZONE_PAGE_SIZE
    assert f"{ZONE_PAGE_SIZE + 3} " in first.content.decode()  # the count above the table
    second = client.get("/org/zones/", {"page": 2})
    assert listed(second) == ["z050", "z051", "z052"]


@pytest.mark.parametrize(
    ("words", "found"),
    [
        ("desk", ["a-desk", "b-desk"]),  # code
        ("等候", ["c-hall"]),  # name
        ("税务窗口", ["b-desk"]),  # unit name
        ("w02", ["a-desk"]),  # unit code
        ("李霞", ["b-desk"]),  # owner
        ("lixia", ["b-desk"]),  # owner's username
        ("nothing", []),
    ],
)
def test_the_search_finds_by_code_name_unit_or_owner(client_for, staff_user, zones, words, found):
    response = client_for(staff_user).get("/org/zones/", {"q": words})
    assert listed(response) == found


def test_htmx_gets_the_results_only_and_plain_get_the_page(client_for, staff_user, zones):
    client = client_for(staff_user)
    partial = client.get("/org/zones/", {"q": "desk"}, headers={"hx-request": "true"})
    body = partial.content.decode()
    assert "<html" not in body
    assert 'data-testid="zone-table"' in body
    assert listed(partial) == ["a-desk", "b-desk"]
    page = client.get("/org/zones/", {"q": "desk"}).content.decode()
    assert "<html" in page
    assert 'name="q" value="desk"' in page


@pytest.mark.parametrize(
    ("sort", "order"),
    [
        ("code", ["a-desk", "b-desk", "c-hall"]),
        ("-code", ["c-hall", "b-desk", "a-desk"]),
        ("unit", ["a-desk", "b-desk", "c-hall"]),  # w02, w07, none last
        ("-unit", ["b-desk", "a-desk", "c-hall"]),
        ("owner", ["b-desk", "a-desk", "c-hall"]),  # 李霞 first, the factory's owners after
        ("bogus", ["a-desk", "b-desk", "c-hall"]),  # ignored: by code
        ("-name;drop", ["a-desk", "b-desk", "c-hall"]),
    ],
)
def test_sorting_by_a_column(client_for, staff_user, zones, sort, order):
    response = client_for(staff_user).get("/org/zones/", {"sort": sort})
    assert response.status_code == 200
    assert listed(response) == order


def test_sorting_keeps_the_search_and_paging_keeps_both(client_for, leader, center):
    for n in range(ZONE_PAGE_SIZE + 2):
        ZoneFactory(center=center, code=f"q{n:03d}")
    ZoneFactory(center=center, code="other")
    client = client_for(leader)
    body = client.get("/org/zones/", {"q": "q", "sort": "-code"}).content.decode()
    assert 'aria-sort="descending"' in body
    assert listed(client.get("/org/zones/", {"q": "q", "sort": "-code"}))[0] == "q051"
    # the header link flips the direction and keeps the search; "next page" keeps both
    assert "?q=q&amp;sort=code" in body
    assert "?q=q&amp;sort=-code&amp;page=2" in body


@pytest.mark.parametrize(
    ("sort", "order"),
    [
        (None, ["w01", "w02", "s01"]),  # windows first, then sections
        ("code", ["s01", "w01", "w02"]),
        ("-name", ["s01", "w02", "w01"]),
        ("headcount", ["w02", "s01", "w01"]),
        ("-headcount", ["w01", "s01", "w02"]),
        ("id", ["w01", "w02", "s01"]),  # not a declared key
    ],
)
def test_the_unit_list_sorts_by_a_column(client_for, leader, center, sort, order):
    from onsite.org.models import Unit

    for code, name, kind, staff in (
        ("w01", "A 窗口", Unit.Kind.WINDOW, 3),
        ("w02", "B 窗口", Unit.Kind.WINDOW, 0),
        ("s01", "C 科室", Unit.Kind.SECTION, 1),
    ):
        unit = UnitFactory(center=center, code=code, name=name, kind=kind)
        for _n in range(staff):
            UserFactory(center=center, unit=unit)
    body = client_for(leader).get("/org/units/", {"sort": sort} if sort else {}).content.decode()
    assert [c for c in re.findall(r'href="/org/units/([\w-]+)/"', body) if c in order] == order


def test_the_staff_list_sorts_by_name_or_title_and_keeps_the_search(client_for, leader, center):
    UserFactory(center=center, username="s-1", full_name="C 甲", title="科员")
    UserFactory(center=center, username="s-2", full_name="A 乙", title="主任")
    UserFactory(center=center, username="s-3", full_name="B 丙", title="副主任")
    client = client_for(leader)

    def listed(**query):
        body = client.get("/org/staff/", {"q": "s-", **query}).content.decode()
        return re.findall(r'href="/org/staff/(s-\d)/"', body)

    assert listed(sort="name") == ["s-2", "s-3", "s-1"]
    assert listed(sort="-name") == ["s-1", "s-3", "s-2"]
    assert listed(sort="nonsense") == listed()
    body = client.get("/org/staff/", {"q": "s-", "sort": "name"}).content.decode()
    assert "?q=s-&amp;sort=-name" in body
