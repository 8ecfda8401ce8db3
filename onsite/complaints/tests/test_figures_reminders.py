"""The figures of a period (整改率, 回访率, on time) in a fixed number of queries, their
partial, and the reminders before a case's due date."""

import datetime

import pytest
from django.template.loader import render_to_string
from django.utils import timezone

from onsite.complaints.models import Complaint
from onsite.complaints.queries import figures
from onsite.complaints.tests.conftest import open_case, take_to_closed, verify
from onsite.core.tests.factories import UnitFactory, UserFactory
from onsite.notifications.models import Notification
from onsite.rectification.services import remind_due_soon

pytestmark = pytest.mark.django_db
D = datetime.date


def test_the_rates_per_window_and_for_the_center(window, staff_user, office_user):
    today = timezone.localdate()
    other = UnitFactory(center=window.center)
    other_person = UserFactory(center=window.center, unit=other, roles=["staff"])
    done = open_case(window)
    take_to_closed(done, staff_user, office_user, satisfied="yes")
    unreached = open_case(window)
    take_to_closed(unreached, staff_user, office_user, satisfied="unreached")
    verify(open_case(window), staff_user)  # still open
    late = open_case(other)
    take_to_closed(late, other_person, office_user, satisfied="no")
    # Closed after its due date.
    Complaint.objects.filter(pk=late.pk).update(due_on=today - datetime.timedelta(days=1))
    per_unit = figures(window.center, today - datetime.timedelta(days=7), today)
    mine, theirs, total = per_unit[window.pk], per_unit[other.pk], per_unit[None]
    assert (mine.opened, mine.resolved, mine.closed, mine.revisited, mine.on_time) == (
        3, 2, 2, 1, 2,
    )  # fmt: skip
    assert mine.resolution_rate == 66.7
    assert mine.revisit_rate == 50.0  # an unreached citizen is no 回访
    assert mine.on_time_rate == 100.0
    assert theirs.on_time_rate == 0.0
    assert theirs.revisit_rate == 100.0
    assert (total.opened, total.closed, total.revisited) == (4, 3, 2)
    assert mine.unit == window
    only = figures(window.center, today - datetime.timedelta(days=7), today, unit_ids=[other.pk])
    assert set(only) == {other.pk, None}
    html = render_to_string("complaints/_figures.html", {"f": mine})
    assert "66.7%" in html
    assert "50.0%" in html


def test_a_period_without_cases_has_no_rates(center):
    total = figures(center, D(2020, 1, 1), D(2020, 1, 31))[None]
    assert total.resolution_rate is None
    assert total.revisit_rate is None
    assert "—" in render_to_string("complaints/_figures.html", {"f": total})


def test_another_centers_cases_do_not_count(window, other_center):
    open_case(window)
    today = timezone.localdate()
    assert figures(other_center, today, today)[None].opened == 0


def test_figures_take_a_fixed_number_of_queries(
    window, staff_user, office_user, django_assert_num_queries
):
    today = timezone.localdate()
    for _ in range(2):
        take_to_closed(open_case(window), staff_user, office_user)
    with django_assert_num_queries(4):
        figures(window.center, today, today)
    for n in range(5):
        unit = UnitFactory(center=window.center)
        open_case(unit, rating_id=9000 + n)
    with django_assert_num_queries(4):
        assert len(figures(window.center, today, today)) == 7  # six windows and the total


@pytest.fixture
def remind(django_capture_on_commit_callbacks):
    def run(day):
        with django_capture_on_commit_callbacks(execute=True):
            return remind_due_soon(on=day, kinds=["complaints.due_soon"])

    return run


def test_the_window_is_reminded_two_working_days_before(remind, window, staff_user):
    case = open_case(window, day=D(2025, 6, 3))  # due Tuesday 10 June
    assert case.due_on == D(2025, 6, 10)
    assert remind(D(2025, 6, 5)) == 0  # Thursday: three working days
    assert remind(D(2025, 6, 6)) == 1  # Friday: Monday, Tuesday
    assert remind(D(2025, 6, 6)) == 0  # once
    [note] = Notification.objects.filter(kind="complaints.due_soon")
    assert note.user == staff_user
    assert "2025-06-10" in note.text


def test_the_office_is_reminded_once_the_case_waits_on_it(remind, window, staff_user, office_user):
    case = open_case(window, day=D(2025, 6, 3))
    verify(case, staff_user)
    from onsite.complaints.tests.conftest import submit

    submit(case, staff_user)
    assert remind(D(2025, 6, 6)) == 1
    assert list(
        Notification.objects.filter(kind="complaints.due_soon").values_list("user", flat=True)
    ) == [office_user.pk]


def test_a_closed_case_is_not_reminded(remind, window, staff_user, office_user):
    case = open_case(window, day=D(2025, 6, 3))
    take_to_closed(case, staff_user, office_user)
    assert remind(D(2025, 6, 6)) == 0
