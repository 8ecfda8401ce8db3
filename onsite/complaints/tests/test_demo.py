"""The demo plays the cases the demo ratings opened into several states, once."""

import datetime

import pytest
from django.utils import timezone

from onsite.complaints import demo
from onsite.complaints.models import Complaint, Transition
from onsite.complaints.tests.conftest import open_case

pytestmark = pytest.mark.django_db


def test_the_demo_plays_the_open_cases_once(window, staff_user, office_user):
    today = timezone.localdate()
    for n in range(40):
        open_case(window, day=today - datetime.timedelta(days=n % 12), rating_id=100 + n)
    demo.seed(window.center)
    states = set(Complaint.objects.values_list("status", flat=True))
    assert {"closed", "review", "revisit", "verified"} <= states
    steps = Transition.objects.count()
    demo.seed(window.center)
    assert Transition.objects.count() == steps


def test_without_cases_or_office_it_does_nothing(center, window):
    demo.seed(center)
    open_case(window)
    demo.seed(center)  # no office to review: nothing is played
    assert Complaint.objects.get().status == "open"


def test_the_demo_spreads_each_case_over_the_days_after_its_rating(window, office_user):
    """Played at one moment, every step would carry it: each case opened and closed today,
    and late. The demo spreads the steps from the rating on, most closed by their due date."""
    today = timezone.localdate()
    for n in range(40):
        open_case(window, day=today - datetime.timedelta(days=8 + n % 10), rating_id=300 + n)
    demo.seed(window.center)
    now = timezone.now()
    closed = Complaint.objects.filter(status="closed")
    assert closed.count() >= 10
    on_time = [c for c in closed if timezone.localdate(c.closed_at) <= c.due_on]
    assert len(on_time) >= 0.7 * closed.count()
    for case in Complaint.objects.all():
        moments = list(case.transitions.order_by("pk").values_list("at", flat=True))
        assert moments == sorted(moments)
        assert case.rated_at < moments[0] <= moments[-1] <= now
        assert case.created_at == moments[0]
