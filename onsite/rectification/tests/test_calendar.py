import datetime

import pytest

from onsite.rectification.calendar import add_working_days, coming_year_warning, load_from_package
from onsite.rectification.models import CalendarDay, CalendarYear

pytestmark = pytest.mark.django_db
D = datetime.date


def test_the_calendar_is_seeded_from_the_package():
    assert CalendarYear.objects.filter(year=2025, is_confirmed=True).exists()
    assert CalendarDay.objects.get(day=D(2025, 10, 1)).is_working_day is False
    assert CalendarDay.objects.get(day=D(2025, 9, 28)).is_working_day is True  # 调休 Sunday


def test_due_dates_skip_a_national_holiday():
    # Tuesday 30 Sept 2025: National Day runs 1–8 Oct, so the next working day is 9 Oct.
    due = add_working_days(D(2025, 9, 30), 1)
    assert due.day == D(2025, 10, 9)
    assert due.is_provisional is False


def test_due_dates_count_a_make_up_working_day():
    # Thursday 9 Oct 2025 + 2: Friday 10 Oct, then Saturday 11 Oct is a make-up working day.
    assert add_working_days(D(2025, 10, 9), 2).day == D(2025, 10, 11)
    # Friday 26 Sept + 1: Sunday 28 Sept is a make-up working day.
    assert add_working_days(D(2025, 9, 26), 1).day == D(2025, 9, 28)


def test_fix_now_is_the_same_day():
    assert add_working_days(D(2025, 10, 3), 0).day == D(2025, 10, 3)


def test_a_year_the_package_does_not_know_counts_weekdays_and_is_provisional():
    # chinesecalendar 1.11 raises for 2027; the calendar must not.
    due = add_working_days(D(2027, 3, 5), 1)  # a Friday
    assert due.day == D(2027, 3, 8)
    assert due.is_provisional is True
    assert coming_year_warning(D(2026, 11, 1)) == 2027
    assert coming_year_warning(D(2024, 11, 1)) is None


def test_an_admin_entered_year_is_not_overwritten_by_the_package():
    CalendarYear.objects.filter(year=2025).update(source=CalendarYear.Source.MANUAL)
    CalendarDay.objects.filter(day=D(2025, 10, 1)).update(is_working_day=True)
    assert 2025 not in load_from_package([2025, 2024])
    assert CalendarDay.objects.get(day=D(2025, 10, 1)).is_working_day is True


def test_the_packages_holiday_names_are_shown_in_the_readers_language(center, client_for):
    """chinesecalendar names its days in English; the page showed "Spring Festival" to a
    Chinese reader. A name an admin typed is shown as typed."""
    from onsite.core.tests.factories import UserFactory

    CalendarDay.objects.update_or_create(
        day=D(2025, 12, 31),
        defaults={"is_working_day": False, "name": "中心年终盘点", "source": "manual"},
    )
    client = client_for(UserFactory(center=center, roles=["admin"]))
    page = client.get("/rectification/calendar/?year=2025").content.decode()
    assert "春节" in page
    assert "国庆节" in page
    assert "Spring Festival" not in page
    assert "中心年终盘点" in page
    client.cookies["django_language"] = "en"
    page = client.get("/rectification/calendar/?year=2025").content.decode()
    assert "Spring Festival" in page
