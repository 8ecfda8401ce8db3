"""Reminders before deadlines (`onsite.notifications.reminders`): rectifications and item
filings, N working days before, once per item and due date."""

from __future__ import annotations

import datetime

import pytest
from django.utils import translation

from onsite.core.tests.factories import UserFactory
from onsite.inspections.models import InspectionSettings
from onsite.inspections.tests.conftest import inspect
from onsite.notifications.models import DeadlineReminder, Notification
from onsite.rectification import services
from onsite.rectification.models import Rectification
from onsite.standards.models import ItemFiling
from onsite.standards.tests.factories import ItemFilingFactory

D = datetime.date


@pytest.fixture
def remind(django_capture_on_commit_callbacks):
    """The daily run on `day`, its notifications delivered (they wait for the commit)."""

    def run(day):
        with django_capture_on_commit_callbacks(execute=True):
            return services.remind_due_soon(on=day)

    return run


def due_on(zone, supervisor, day):
    inspect(zone, supervisor, on=D(2025, 6, 2), severity="serious")
    rectification = Rectification.objects.get()
    Rectification.objects.filter(pk=rectification.pk).update(due_on=day)
    return rectification


def told(kind="rectification.due_soon"):
    return list(Notification.objects.filter(kind=kind).order_by("pk"))


def test_two_working_days_before_counting_over_the_weekend(remind, zone, supervisor, owner):
    due_on(zone, supervisor, D(2025, 6, 10))  # a Tuesday
    assert remind(D(2025, 6, 5)) == 0  # Thursday: three working days
    assert remind(D(2025, 6, 6)) == 1  # Friday: Monday, Tuesday
    [note] = told()
    assert note.user == owner
    assert "2025-06-10" in note.text


def test_a_public_holiday_is_not_a_working_day_and_a_make_up_day_is(remind, zone, supervisor):
    # National Day 2025: 1-8 October off, Sunday 28 September a make-up working day.
    due_on(zone, supervisor, D(2025, 10, 9))
    assert remind(D(2025, 9, 28)) == 0  # 29th and 30th come first
    assert remind(D(2025, 9, 29)) == 1  # the 30th, then the 9th


def test_not_sent_twice_and_sent_again_when_the_due_date_moves(remind, zone, supervisor):
    rectification = due_on(zone, supervisor, D(2025, 6, 10))
    assert remind(D(2025, 6, 6)) == 1
    assert remind(D(2025, 6, 6)) == 0
    assert remind(D(2025, 6, 9)) == 0  # still due the 10th: told already
    assert len(told()) == 1
    Rectification.objects.filter(pk=rectification.pk).update(due_on=D(2025, 6, 13))
    assert remind(D(2025, 6, 10)) == 0  # Friday is three days away
    assert remind(D(2025, 6, 11)) == 1
    assert len(told()) == 2
    assert DeadlineReminder.objects.filter(object_id=rectification.pk).count() == 2


def test_a_closed_rectification_is_not_reminded(remind, zone, supervisor):
    rectification = due_on(zone, supervisor, D(2025, 6, 10))
    Rectification.objects.filter(pk=rectification.pk).update(status=Rectification.Status.CLOSED)
    assert remind(D(2025, 6, 6)) == 0
    assert told() == []


def test_the_centers_notice_sets_the_timing(remind, center, zone, supervisor):
    due_on(zone, supervisor, D(2025, 6, 10))
    InspectionSettings.objects.update_or_create(center=center, defaults={"remind_days": 4})
    assert remind(D(2025, 6, 3)) == 0  # five working days
    assert remind(D(2025, 6, 4)) == 1  # Wednesday: four


def test_another_centers_notice_does_not_apply(remind, center, other_center, zone, supervisor):
    due_on(zone, supervisor, D(2025, 6, 10))
    InspectionSettings.objects.create(center=other_center, remind_days=4)
    assert remind(D(2025, 6, 4)) == 0  # this center keeps two
    assert remind(D(2025, 6, 6)) == 1


def test_a_filing_about_to_lapse_reminds_the_filer_and_the_zone_owner(remind, center, zone, owner):
    filer = UserFactory(center=center, username="filer1", roles=["staff"])
    filing = ItemFilingFactory(
        zone=zone,
        filed_by=filer,
        status=ItemFiling.Status.APPROVED,
        valid_from=D(2025, 1, 1),
        valid_to=D(2025, 6, 10),
    )
    assert remind(D(2025, 6, 5)) == 0
    assert remind(D(2025, 6, 6)) == 1
    assert remind(D(2025, 6, 6)) == 0
    notes = told("standards.filing_due_soon")
    assert {n.user for n in notes} == {filer, owner}
    with translation.override("en"):
        assert "valid until 2025-06-10" in notes[0].text
    with translation.override("zh-hans"):
        assert "2025-06-10" in notes[0].text
        assert "valid until" not in notes[0].text
    assert notes[0].url.endswith(f"/filings/{filing.pk}/")


def test_a_filing_renewed_or_withdrawn_is_not_reminded(remind, center, zone, owner):
    lapsing = ItemFilingFactory(
        zone=zone, status=ItemFiling.Status.APPROVED,
        valid_from=D(2025, 1, 1), valid_to=D(2025, 6, 10),
    )  # fmt: skip
    ItemFilingFactory(
        zone=zone, item=lapsing.item, status=ItemFiling.Status.REQUESTED,
        valid_from=D(2025, 6, 11), valid_to=D(2025, 12, 31),
    )  # fmt: skip
    ItemFilingFactory(
        zone=zone, status=ItemFiling.Status.WITHDRAWN,
        valid_from=D(2025, 1, 1), valid_to=D(2025, 6, 10),
    )  # fmt: skip
    assert remind(D(2025, 6, 6)) == 0
