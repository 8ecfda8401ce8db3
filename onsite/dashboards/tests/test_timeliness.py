"""整改及时率 (issue 21, point 5): a unit with overdue open items has a rate, not "—". A month's
rate counts the items due in it (past days) and the items still open past their due date from
earlier months; and a due day that passed without a refresh is counted all the same."""

import datetime

from django.utils import timezone

from onsite.dashboards import queries, rollups
from onsite.dashboards.tests.factories import (
    record_finding,
    record_inspection,
    record_rectification,
)
from onsite.rectification.models import Rectification, Transition


def overdue_from_last_month(hall, count=3):
    this_month = timezone.localdate().replace(day=1)
    due = this_month - datetime.timedelta(days=2)
    inspection = record_inspection(
        hall.zones[0], on=due - datetime.timedelta(days=5), score=70, inspector=hall.inspector
    )
    return [record_rectification(record_finding(inspection), due_on=due) for _ in range(count)]


def test_a_unit_with_three_overdue_items_has_a_rate_of_zero(client_for, leader, center, the_hall):
    overdue_from_last_month(the_hall)
    rollups.refresh(center, full=True)
    month = timezone.localdate().replace(day=1)
    row = queries.ranking(center, month).row_of(the_hall.units[0])
    assert (row.totals.due, row.totals.on_time) == (3, 0)
    assert row.totals.on_time_rate == 0.0
    # The center's month too (the dashboard's tile and trend).
    series = queries.monthly_series(center, last=month, months=2)
    assert series[-1][1].on_time_rate == 0.0
    page = client_for(leader).get(f"/dashboards/scorecards/{the_hall.units[0].code}/")
    assert page.context["card"].row.totals.on_time_rate == 0.0


def test_an_item_handed_in_stops_counting_in_later_months(center, the_hall):
    items = overdue_from_last_month(the_hall, count=2)
    Rectification.objects.filter(pk=items[0].pk).update(
        status=Rectification.Status.SUBMITTED, submitted_at=timezone.now()
    )
    rollups.refresh(center, full=True)
    month = timezone.localdate().replace(day=1)
    row = queries.ranking(center, month).row_of(the_hall.units[0])
    assert (row.totals.due, row.totals.on_time) == (1, 0)


def test_a_due_day_that_passed_between_refreshes_is_counted(center, the_hall):
    """Refreshed last 5 days ago, before the item fell due 3 days ago: nothing was written
    since, but the due day has passed and must be rewritten."""
    today = timezone.localdate()
    inspection = record_inspection(
        the_hall.zones[0], on=today - datetime.timedelta(days=8), score=70,
        inspector=the_hall.inspector,
    )  # fmt: skip
    item = record_rectification(
        record_finding(inspection), due_on=today - datetime.timedelta(days=3)
    )
    long_ago = timezone.now() - datetime.timedelta(days=7)
    Rectification.objects.filter(pk=item.pk).update(created_at=long_ago)
    Transition.objects.filter(rectification=item).update(at=long_ago)
    rollups.refresh(center, full=True, now=timezone.now() - datetime.timedelta(days=5))
    rollups.refresh(center)
    due = queries.month_totals_by_unit(center, item.due_on.replace(day=1))
    assert due[the_hall.units[0].pk].due >= 1
