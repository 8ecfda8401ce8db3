"""Inspections and findings sort by their columns; an unknown key keeps the newest first."""

import datetime
import re

import pytest
from django.urls import reverse

from onsite.core.tests.factories import ZoneFactory
from onsite.inspections.tests.conftest import inspect

pytestmark = pytest.mark.django_db
DAY = datetime.date(2026, 11, 2)


@pytest.fixture
def inspected(center, supervisor, owner, zone):
    """Three inspections: b-zone newest and worst, c-zone oldest and best."""
    zones = {
        code: ZoneFactory(center=center, code=code, area_type=zone.area_type, owner=owner)
        for code in ("b-zone", "a-zone", "c-zone")
    }
    inspect(zones["c-zone"], supervisor, on=DAY, fail=())
    inspect(zones["a-zone"], supervisor, on=DAY + datetime.timedelta(days=1), severity="serious")
    inspect(
        zones["b-zone"], supervisor, on=DAY + datetime.timedelta(days=2),
        fail=("clause:C01", "clause:C02"), severity="fix_now",
    )  # fmt: skip
    return zones


def inspection_zones(client, **query):
    body = client.get(reverse("inspections:inspection-list"), query).content.decode()
    return re.findall(r"<td>([a-c]-zone) ", body)


def finding_zones(client, **query):
    body = client.get(reverse("inspections:finding-list"), query).content.decode()
    return re.findall(r"<strong>([a-c]-zone)</strong>", body)


@pytest.mark.parametrize(
    ("sort", "order"),
    [
        (None, ["b-zone", "a-zone", "c-zone"]),  # newest first
        ("date", ["c-zone", "a-zone", "b-zone"]),
        ("zone", ["a-zone", "b-zone", "c-zone"]),
        ("-zone", ["c-zone", "b-zone", "a-zone"]),
        ("score", ["b-zone", "a-zone", "c-zone"]),
        ("-score", ["c-zone", "a-zone", "b-zone"]),
        ("nonsense", ["b-zone", "a-zone", "c-zone"]),
        ("-status", ["b-zone", "a-zone", "c-zone"]),  # a field, but not a declared key
    ],
)
def test_inspections_sort_by_a_column(client_for, supervisor, inspected, sort, order):
    query = {"sort": sort} if sort else {}
    assert inspection_zones(client_for(supervisor), **query) == order


def test_sorting_keeps_the_filter(client_for, supervisor, inspected):
    client = client_for(supervisor)
    assert inspection_zones(client, sort="zone", zone="b-zone") == ["b-zone"]
    body = client.get(reverse("inspections:inspection-list"), {"status": "submitted"}).content
    assert b"?status=submitted&amp;sort=zone" in body


@pytest.mark.parametrize(
    ("sort", "order"),
    [
        (None, ["b-zone", "b-zone", "a-zone"]),
        ("zone", ["a-zone", "b-zone", "b-zone"]),
        ("severity", ["b-zone", "b-zone", "a-zone"]),  # fix now first
        ("-severity", ["a-zone", "b-zone", "b-zone"]),
        ("bogus", ["b-zone", "b-zone", "a-zone"]),
    ],
)
def test_findings_sort_by_a_column(client_for, supervisor, inspected, sort, order):
    query = {"sort": sort} if sort else {}
    assert finding_zones(client_for(supervisor), **query) == order
