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
