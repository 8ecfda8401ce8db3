"""The supply catalogue sorts by its columns; an unknown key keeps category then code."""

import re

import pytest

from onsite.supplies.models import Supply
from onsite.supplies.tests.factories import SupplyFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def supplies(center):
    SupplyFactory(center=center, code="pen", name="B 签字笔", on_hand=5, unit_price="2.00")
    SupplyFactory(center=center, code="mop", name="C 拖把", on_hand=30, unit_price="25.00",
                  category=Supply.Category.CLEANING)  # fmt: skip
    SupplyFactory(center=center, code="ink", name="A 墨盒", on_hand=12, unit_price="80.00")


def listed(client, **query):
    body = client.get("/supplies/", query).content.decode()
    return re.findall(r'data-supply="(\w+)"', body)


@pytest.mark.parametrize(
    ("sort", "order"),
    [
        ("name", ["ink", "pen", "mop"]),
        ("on_hand", ["pen", "ink", "mop"]),
        ("-unit_price", ["ink", "mop", "pen"]),
        ("drop table", None),  # not a declared key: the catalogue's own order
    ],
)
def test_the_supply_list_sorts_by_a_column(client_for, staff_user, supplies, sort, order):
    client = client_for(staff_user)
    if order is None:
        order = listed(client)
    assert listed(client, sort=sort) == order


def test_requisitions_sort_by_status_or_unit(
    client_for, office_user, center, window, other_window, staff_user, toner
):
    from onsite.supplies import actions

    tobacco = other_window.staff.get()
    first = actions.do_request(center=center, unit=window, by=staff_user, lines=[(toner, 1)])
    second = actions.do_request(center=center, unit=other_window, by=tobacco, lines=[(toner, 2)])
    actions.do_approve(requisition=second, by=office_user, expected_version=second.version)

    def listed(**query):
        body = client_for(office_user).get("/supplies/requisitions/", query).content.decode()
        return [int(pk) for pk in re.findall(r'href="/supplies/requisitions/(\d+)/"', body)]

    assert listed() == [second.pk, first.pk]  # newest first
    assert listed(sort="requested") == [first.pk, second.pk]
    assert listed(sort="status") == [first.pk, second.pk]  # submitted before approved
    assert listed(sort="-status") == [second.pk, first.pk]
    assert listed(sort="purpose") == [second.pk, first.pk]  # not a declared key
