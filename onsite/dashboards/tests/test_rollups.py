import datetime
import io
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db.models import Count, Sum
from django.utils import timezone

from onsite.dashboards import rollups
from onsite.dashboards.models import CheckDay, RatingImport, RollupState, UnitDay
from onsite.dashboards.queries import month_totals_by_unit
from onsite.dashboards.tests.factories import (
    history,
    record_finding,
    record_inspection,
    record_ratings,
    record_rectification,
)
from onsite.inspections.models import Finding, Inspection
from onsite.rectification.models import Rectification

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate


def sums(center):
    return UnitDay.objects.filter(center=center).aggregate(
        inspections=Sum("inspections"),
        score=Sum("score_sum"),
        findings=Sum("findings"),
        repeats=Sum("repeat_findings"),
        due=Sum("due"),
        on_time=Sum("on_time"),
        ratings=Sum("r1") + Sum("r2") + Sum("r3") + Sum("r4") + Sum("r5"),
        fives=Sum("r5"),
    )


def test_a_full_refresh_matches_the_source_tables(center, the_hall):
    start = TODAY() - datetime.timedelta(days=20)
    history(center, the_hall, start=start, days=21)
    days = rollups.refresh(center)
    assert days == 21  # the first run rebuilds every day since the first row
    got = sums(center)
    raw = Inspection.objects.filter(center=center).aggregate(n=Count("pk"), s=Sum("score"))
    assert got["inspections"] == raw["n"]
    assert got["score"] == raw["s"]
    assert got["findings"] == Finding.objects.filter(center=center).count()
    assert got["repeats"] == Finding.objects.filter(center=center, is_repeat=True).count()
    past_due = Rectification.objects.filter(center=center, due_on__lt=TODAY())
    assert got["due"] == past_due.count()
    on_time = [r for r in past_due if r.submitted_at and r.submitted_at.date() <= r.due_on]
    assert got["on_time"] == len(on_time) > 0
    assert got["on_time"] < got["due"]  # the history has late ones too
    assert (
        CheckDay.objects.filter(center=center).aggregate(n=Sum("failures"))["n"] == got["findings"]
    )


def test_an_incremental_refresh_rewrites_only_the_days_that_changed(center, the_hall):
    start = TODAY() - datetime.timedelta(days=60)
    history(center, the_hall, start=start, days=10)
    rollups.refresh(center)
    # The history was written two hours ago and refreshed one hour ago.
    earlier = timezone.now() - datetime.timedelta(hours=2)
    Inspection.objects.update(submitted_at=earlier)
    Finding.objects.update(created_at=earlier)
    Rectification.objects.update(created_at=earlier)
    RatingImport.objects.update(imported_at=earlier)
    RollupState.objects.update(refreshed_at=earlier + datetime.timedelta(hours=1))
    old_day = start + datetime.timedelta(days=3)
    record_inspection(the_hall.zones[0], on=old_day, score=10, inspector=the_hall.inspector)
    assert rollups.refresh(center) == 3  # that day, yesterday and today
    row = UnitDay.objects.get(center=center, day=old_day, unit=the_hall.units[0])
    raw = Inspection.objects.filter(zone__unit=the_hall.units[0], inspected_on=old_day)
    assert row.inspections == raw.count()
    assert row.score_sum == raw.aggregate(s=Sum("score"))["s"]


def test_a_late_hand_in_changes_the_day_it_was_due(center, the_hall):
    due = TODAY() - datetime.timedelta(days=5)
    inspection = record_inspection(
        the_hall.zones[0],
        on=due - datetime.timedelta(days=2),
        score=70,
        inspector=the_hall.inspector,
    )
    rectification = record_rectification(record_finding(inspection), due_on=due)
    rollups.refresh(center)
    row = UnitDay.objects.get(center=center, day=due, unit=the_hall.units[0])
    assert (row.due, row.on_time) == (1, 0)
    # Handed in (late) today: the refresh finds the due day through the rectification.
    Rectification.objects.filter(pk=rectification.pk).update(
        status="submitted", submitted_at=timezone.now()
    )
    rollups.refresh(center)
    row = UnitDay.objects.get(center=center, day=due, unit=the_hall.units[0])  # rewritten
    assert (row.due, row.on_time) == (1, 0)
    # Had it been handed in on its due day, it would count as on time.
    Rectification.objects.filter(pk=rectification.pk).update(
        submitted_at=timezone.make_aware(datetime.datetime.combine(due, datetime.time(16, 0)))
    )
    rollups.refresh(center, full=True)
    row = UnitDay.objects.get(center=center, day=due, unit=the_hall.units[0])
    assert (row.due, row.on_time) == (1, 1)


def test_a_rectification_due_today_is_not_late_yet(center, the_hall):
    inspection = record_inspection(
        the_hall.zones[0], on=TODAY(), score=70, inspector=the_hall.inspector
    )
    record_rectification(record_finding(inspection), due_on=TODAY())
    rollups.refresh(center)
    assert UnitDay.objects.get(center=center, day=TODAY(), unit=the_hall.units[0]).due == 0


def test_ratings_are_counted_by_level(center, the_hall):
    record_ratings(center, the_hall.units[1], on=TODAY(), ratings=[5, 5, 4, 2, 1, 3])
    rollups.refresh(center)
    totals = month_totals_by_unit(center, TODAY().replace(day=1))[the_hall.units[1].pk]
    assert (totals.r1, totals.r2, totals.r3, totals.r4, totals.r5) == (1, 1, 1, 1, 2)
    assert totals.ratings == 6
    assert totals.good_rate == pytest.approx(66.7)
    assert totals.rating_mean == pytest.approx(3.33)


def test_zones_without_a_unit_are_kept_apart(center, the_hall):
    zone = the_hall.zones[0]
    zone.unit = None
    zone.save()
    record_inspection(zone, on=TODAY(), score=50, inspector=the_hall.inspector)
    rollups.refresh(center)
    row = UnitDay.objects.get(center=center, day=TODAY(), unit=None)
    assert (row.inspections, row.score_sum) == (1, Decimal("50.0"))


def test_refreshing_one_center_leaves_the_other_alone(center, other_center, the_hall, other_hall):
    record_inspection(other_hall.zones[0], on=TODAY(), score=90, inspector=other_hall.inspector)
    rollups.refresh(center)
    assert not UnitDay.objects.filter(center=other_center).exists()
    rollups.refresh(other_center)
    assert UnitDay.objects.filter(center=other_center).count() == 1


def test_the_task_and_the_command_refresh(center, the_hall):
    from onsite.dashboards.tasks import refresh_rollups

    record_inspection(the_hall.zones[0], on=TODAY(), score=90, inspector=the_hall.inspector)
    result = refresh_rollups.enqueue(center_id=center.pk)  # the immediate backend in tests
    assert result.return_value >= 1
    assert UnitDay.objects.filter(center=center, inspections=1).exists()
    UnitDay.objects.all().delete()
    out = io.StringIO()
    call_command("refresh_rollups", "--center", center.code, "--full", stdout=out)
    assert f"{center.code}: " in out.getvalue()
    assert UnitDay.objects.filter(center=center, inspections=1).exists()


def test_a_stale_dashboard_queues_one_refresh(center, the_hall, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    assert rollups.request_refresh(center, None) is True
    state = RollupState.objects.get(center=center)
    assert state.queued_at is not None
    assert rollups.request_refresh(center, state) is False  # already queued
    rollups.refresh(center)
    state.refresh_from_db()
    assert state.queued_at is None
    assert rollups.request_refresh(center, state) is False  # fresh
    state.refreshed_at = timezone.now() - rollups.ROLLUP_MAX_AGE * 2
    assert rollups.request_refresh(center, state) is True


def test_repeat_findings_and_filings_are_counted(center, the_hall):
    from onsite.standards.tests.factories import ItemFilingFactory

    inspection = record_inspection(
        the_hall.zones[1], on=TODAY(), score=70, inspector=the_hall.inspector
    )
    record_finding(inspection, repeat=True)
    record_finding(inspection, key="clause:C02")
    ItemFilingFactory(center=center, zone=the_hall.zones[1])
    rollups.refresh(center)
    row = UnitDay.objects.get(center=center, day=TODAY(), unit=the_hall.units[0])
    assert (row.findings, row.repeat_findings, row.filings) == (2, 1, 1)
    assert set(CheckDay.objects.filter(center=center).values_list("check_key", "failures")) == {
        ("clause:C01", 1),
        ("clause:C02", 1),
    }
