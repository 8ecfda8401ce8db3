"""The filing list sorts by its columns; an unknown key keeps the newest first."""

import datetime
import re

import pytest

from onsite.core.tests.factories import ZoneFactory
from onsite.standards.models import ItemFiling
from onsite.standards.tests.factories import ItemFactory, ItemFilingFactory

pytestmark = pytest.mark.django_db
DAY = datetime.date(2026, 12, 1)


@pytest.fixture
def filings(center):
    rows = []
    for code, item, qty, days in (
        ("b-zone", "绿植", 2, 30),
        ("a-zone", "台历", 1, 90),
        ("c-zone", "水杯", 3, 10),
    ):
        rows.append(
            ItemFilingFactory(
                zone=ZoneFactory(center=center, code=code),
                item=ItemFactory(center=center, name=item, code=f"i-{code}"),
                quantity=qty,
                valid_from=DAY,
                valid_to=DAY + datetime.timedelta(days=days),
                status=ItemFiling.Status.REQUESTED,
            )
        )
    return rows


def listed(client, **query):
    body = client.get("/standards/filings/", {"status": "all", **query}).content.decode()
    return re.findall(r'<span class="small text-muted">([a-c]-zone)</span>', body)


@pytest.mark.parametrize(
    ("sort", "order"),
    [
        (None, ["c-zone", "a-zone", "b-zone"]),  # newest filed first
        ("zone", ["a-zone", "b-zone", "c-zone"]),
        ("-quantity", ["c-zone", "b-zone", "a-zone"]),
        ("valid", ["c-zone", "b-zone", "a-zone"]),
        ("filed", ["b-zone", "a-zone", "c-zone"]),
        ("reason", ["c-zone", "a-zone", "b-zone"]),  # not a declared key
    ],
)
def test_the_filing_list_sorts_by_a_column(client_for, office_user, filings, sort, order):
    query = {"sort": sort} if sort else {}
    assert listed(client_for(office_user), **query) == order
