"""The red-tag list sorts by its columns; an unknown key keeps the holding order."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from onsite.core.tests.factories import ZoneFactory
from onsite.redtags.models import RedTag
from onsite.redtags.tests.test_pages import hang

pytestmark = pytest.mark.django_db


@pytest.fixture
def tags(center, staff_user, zone):
    other = ZoneFactory(center=center, code="a01-c", unit=staff_user.unit)
    first = hang(zone, staff_user, item_name="旧台历", quantity=3)
    second = hang(other, staff_user, item_name="旧文件夹", quantity=1)
    third = hang(zone, staff_user, item_name="坏椅子", quantity=2)
    today = timezone.localdate()
    for tag, days in ((first, 5), (second, 9), (third, 1)):
        RedTag.objects.filter(pk=tag.pk).update(hold_until=today + timedelta(days=days))
    return [first.pk, second.pk, third.pk]


def listed(client, **query):
    body = client.get("/redtags/", query).content.decode()
    return [int(pk) for pk in re.findall(r'data-tag="(\d+)"', body)]


@pytest.mark.parametrize(
    ("sort", "order"),
    [
        (None, [2, 0, 1]),  # the holding list: the nearest deadline first
        ("-hold", [1, 0, 2]),
        ("zone", [1, 0, 2]),  # a01-c, then w01-c in the order tagged
        ("quantity", [1, 2, 0]),
        ("-quantity", [0, 2, 1]),
        ("tagged", [0, 1, 2]),
        ("status", [2, 0, 1]),  # not a declared key
    ],
)
def test_the_tag_list_sorts_by_a_column(client_for, office_user, tags, sort, order):
    query = {"sort": sort} if sort else {}
    assert listed(client_for(office_user), **query) == [tags[i] for i in order]


def test_sorting_keeps_the_filter(client_for, office_user, tags, staff_user):
    client = client_for(office_user)
    body = client.get("/redtags/", {"show": "all", "sort": "-quantity"}).content.decode()
    assert "?show=all&amp;sort=quantity" in body
    assert 'name="sort" value="-quantity"' in body
