"""The rectification list sorts by due date, status, severity or zone, keeping its filter."""

import datetime
import re

import pytest
from django.urls import reverse

from onsite.inspections.tests.conftest import inspect
from onsite.rectification.models import Rectification

pytestmark = pytest.mark.django_db
LIST = reverse("rectification:rectification-list")
DAY = datetime.date(2026, 12, 10)


def listed(page: str) -> list[int]:
    block = page.split('data-testid="rectification-list"', 1)[1]
    return [int(pk) for pk in re.findall(r'href="/rectification/(\d+)/"', block)]


@pytest.fixture
def three(zone, supervisor):
    """Due on day 3 (open), day 1 (submitted), day 2 (closed)."""
    inspect(zone, supervisor, fail=("clause:C01", "clause:C02", "clause:C03"))
    rows = list(Rectification.objects.order_by("pk"))
    for row, days, status in zip(rows, (3, 1, 2), ("open", "submitted", "closed"), strict=True):
        Rectification.objects.filter(pk=row.pk).update(
            due_on=DAY + datetime.timedelta(days=days), status=status
        )
    return [r.pk for r in rows]


@pytest.mark.parametrize(
    ("sort", "order"),
    [
        ("due", [1, 2, 0]),
        ("-due", [0, 2, 1]),
        ("status", [0, 1, 2]),  # open, submitted, closed: the workflow's order
        ("-status", [2, 1, 0]),
        ("bogus", [0, 1, 2]),  # the list's own order: open first, then by due date
        ("-pk", [0, 1, 2]),
    ],
)
def test_the_list_sorts_by_a_column(client_for, supervisor, three, sort, order):
    page = client_for(supervisor).get(LIST, {"mine": "0", "status": "all", "sort": sort})
    assert page.status_code == 200
    assert listed(page.content.decode()) == [three[i] for i in order]


def test_sorting_keeps_the_filter_and_says_what_is_applied(client_for, supervisor, three):
    client = client_for(supervisor)
    page = client.get(LIST, {"mine": "0", "sort": "-due"}).content.decode()
    assert listed(page) == [three[0], three[1]], "still not closed only"
    assert 'aria-current="true"' in page
    assert 'name="sort" value="-due"' in page, "the filter form carries the sort"
    assert "?mine=0&amp;sort=due" in page, "a second click turns it round"
