"""The account list sorts by username, name, status or last sign-in, keeping the search."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from onsite.core.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(center):
    now = timezone.now()
    UserFactory(center=center, username="p-bo", full_name="C 柏", last_login=now)
    UserFactory(
        center=center, username="p-al", full_name="B 艾", last_login=now - timedelta(days=3)
    )
    UserFactory(center=center, username="p-cy", full_name="A 岑", is_active=False)


def listed(client, **query):
    body = client.get("/accounts/users/", {"q": "p-", **query}).content.decode()
    return re.findall(r'href="/accounts/users/(p-\w+)/"', body)


@pytest.mark.parametrize(
    ("sort", "order"),
    [
        (None, ["p-al", "p-bo", "p-cy"]),
        ("-username", ["p-cy", "p-bo", "p-al"]),
        ("name", ["p-cy", "p-al", "p-bo"]),
        ("status", ["p-cy", "p-al", "p-bo"]),  # disabled first
        ("-last_login", ["p-bo", "p-al", "p-cy"]),  # never signed in last
        ("password", ["p-al", "p-bo", "p-cy"]),  # not a declared key
    ],
)
def test_the_account_list_sorts_by_a_column(client_for, center, people, sort, order):
    sysadmin = UserFactory(center=center, username="sys", roles=["sysadmin"])
    query = {"sort": sort} if sort else {}
    assert listed(client_for(sysadmin), **query) == order
