import datetime
import itertools

import pytest
from django.utils import timezone

from onsite.complaints import services
from onsite.core.tests.factories import UnitFactory, UserFactory

_ratings = itertools.count(1000)


def at(day, hour=10):
    """A moment of `day` in the center's time zone."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def open_case(window, *, day=None, level=1, rating_id=None, **kwargs):
    complaint, created = services.open_complaint(
        center=window.center,
        rating_id=rating_id or next(_ratings),
        unit=window,
        rated_at=at(day or timezone.localdate()),
        level=level,
        **kwargs,
    )
    assert created
    return complaint


@pytest.fixture
def window(staff_user):
    return staff_user.unit


@pytest.fixture
def window_lead(window):
    return UserFactory(center=window.center, unit=window, roles=["member"], username="lead1")


@pytest.fixture
def other_window_staff(center):
    return UserFactory(center=center, unit=UnitFactory(center=center), roles=["staff"])


@pytest.fixture
def case(window):
    return open_case(window)


def verify(case, by, findings="核实属实：等候时间过长。"):
    return services.verify_complaint(
        complaint=case, by=by, findings=findings, expected_version=case.version
    )


def submit(case, by, outcome="fix", action="已增加窗口人员。"):
    return services.submit_outcome(
        complaint=case, by=by, outcome=outcome, action=action, expected_version=case.version
    )


def review(case, by, approve=True, note=""):
    return services.review_complaint(
        complaint=case, by=by, approve=approve, note=note, expected_version=case.version
    )


def revisit(case, by, satisfied="yes", note="群众表示满意。"):
    return services.record_revisit(
        complaint=case, by=by, satisfied=satisfied, note=note, expected_version=case.version
    )


def close(case, by):
    return services.close_complaint(complaint=case, by=by, expected_version=case.version)


def take_to_closed(case, window_person, office, satisfied="yes"):
    verify(case, window_person)
    submit(case, window_person)
    review(case, office)
    revisit(case, office, satisfied=satisfied)
    return close(case, office)
