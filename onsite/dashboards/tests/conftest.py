import datetime

import pytest
from django.utils import timezone

from onsite.dashboards import rollups
from onsite.dashboards.tests.factories import hall, history


@pytest.fixture
def the_hall(center):
    return hall(center)


@pytest.fixture
def other_hall(other_center):
    return hall(other_center, units=1, zones_per_unit=1, prefix="y")


@pytest.fixture
def month_start():
    return timezone.localdate().replace(day=1)


@pytest.fixture
def with_history(center, the_hall, month_start):
    """Ten days of history ending today (some of it last month), roll-ups refreshed."""
    start = timezone.localdate() - datetime.timedelta(days=9)
    history(center, the_hall, start=start, days=10)
    rollups.refresh(center)
    return the_hall
