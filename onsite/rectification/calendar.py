"""Chinese working days, counted from the calendar kept in the database.

A day is a working day if it is Monday to Friday and not a public holiday, or if it is a
make-up working day (调休) at a weekend. The exceptions come from `chinesecalendar` for the
years it knows and from admins for later years (the State Council announces each year's
arrangement in the autumn before). A year the database does not know counts Monday to Friday:
a due date never fails to compute, it is only marked provisional."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

import chinese_calendar
from django.db import transaction
from django.utils import timezone

from onsite.rectification.models import CalendarDay, CalendarYear


@dataclass(frozen=True)
class PackageDay:
    day: datetime.date
    is_working_day: bool
    name: str


def package_years() -> range:
    """The years `chinesecalendar` has data for."""
    years = [d.year for d in chinese_calendar.holidays]
    return range(min(years), max(years) + 1)


def package_days(year: int) -> list[PackageDay] | None:
    """Holidays and make-up working days of `year` as the package knows them; None if the
    package has no data for that year (it raises NotImplementedError then)."""
    try:
        chinese_calendar.is_workday(datetime.date(year, 6, 1))
    except NotImplementedError:
        return None
    days = [
        PackageDay(day, False, str(name))
        for day, name in chinese_calendar.holidays.items()
        if day.year == year
    ]
    days += [
        PackageDay(day, True, str(name))
        for day, name in chinese_calendar.workdays.items()
        if day.year == year
    ]
    return sorted(days, key=lambda d: d.day)


@transaction.atomic
def load_from_package(years: Iterable[int] | None = None) -> list[int]:
    """Copies the package's days into the calendar for the years it knows, unless an admin
    already entered that year by hand. Returns the years loaded. Safe to run again."""
    loaded: list[int] = []
    wanted = list(years) if years is not None else list(package_years())
    manual = set(
        CalendarYear.objects.filter(year__in=wanted, source=CalendarYear.Source.MANUAL).values_list(
            "year", flat=True
        )
    )
    for year in wanted:
        if year in manual:
            continue
        days = package_days(year)
        if days is None:
            continue
        CalendarDay.objects.filter(day__year=year).delete()
        CalendarDay.objects.bulk_create(
            CalendarDay(
                day=d.day,
                is_working_day=d.is_working_day,
                name=d.name,
                source=CalendarYear.Source.PACKAGE,
            )
            for d in days
        )
        CalendarYear.objects.update_or_create(
            year=year,
            defaults={
                "source": CalendarYear.Source.PACKAGE,
                "is_confirmed": True,
                "updated_at": timezone.now(),
            },
        )
        loaded.append(year)
    return loaded


def is_working_day(day: datetime.date, exceptions: dict[datetime.date, bool]) -> bool:
    if day in exceptions:
        return exceptions[day]
    return day.weekday() < 5


def _exceptions(start: datetime.date, end: datetime.date) -> dict[datetime.date, bool]:
    return dict(
        CalendarDay.objects.filter(day__gte=start, day__lte=end).values_list(
            "day", "is_working_day"
        )
    )


def unconfirmed_years(first: int, last: int) -> set[int]:
    confirmed = set(
        CalendarYear.objects.filter(year__gte=first, year__lte=last, is_confirmed=True).values_list(
            "year", flat=True
        )
    )
    return {y for y in range(first, last + 1) if y not in confirmed}


@dataclass(frozen=True)
class DueDate:
    day: datetime.date
    is_provisional: bool  # counted through a year the calendar has not confirmed


class WorkingDays:
    """The calendar over a span of days, read once (two queries; more only when a count runs
    past the span). `add_working_days` counts with it; a generator counting thousands of due
    dates reads one for its whole history."""

    def __init__(self, start: datetime.date, end: datetime.date) -> None:
        self.start, self.end = start, end
        self.exceptions = _exceptions(start, end)
        self.unconfirmed = unconfirmed_years(start.year, end.year)

    def _reach(self, day: datetime.date, margin: int) -> None:
        if day <= self.end:
            return
        end = day + datetime.timedelta(days=margin)
        self.exceptions.update(_exceptions(self.end + datetime.timedelta(days=1), end))
        self.unconfirmed |= unconfirmed_years(self.end.year + 1, end.year)
        self.end = end

    def listed(self) -> list[datetime.date]:
        """The working days of the span, in order."""
        count = (self.end - self.start).days + 1
        span = (self.start + datetime.timedelta(days=n) for n in range(count))
        return [day for day in span if is_working_day(day, self.exceptions)]

    def add(self, start: datetime.date, days: int) -> DueDate:
        """The `days`-th working day after `start` (`start` itself is not counted); `start`
        itself when `days` is 0."""
        day, counted = start, 0
        while counted < max(days, 0):
            day += datetime.timedelta(days=1)
            self._reach(day, days * 2 + 30)
            if is_working_day(day, self.exceptions):
                counted += 1
        self._reach(day, 0)
        provisional = any(y in self.unconfirmed for y in range(start.year, day.year + 1))
        return DueDate(day, provisional)


def add_working_days(start: datetime.date, days: int) -> DueDate:
    """The `days`-th working day after `start` (`start` itself is not counted); `start`
    itself when `days` is 0. Two queries (more only for very long spans)."""
    end = start + datetime.timedelta(days=max(days, 0) * 2 + 30)
    return WorkingDays(start, end).add(start, days)


def working_days_between(start: datetime.date, end: datetime.date) -> int:
    """Working days after `start` up to and including `end` (0 if `end` <= `start`)."""
    if end <= start:
        return 0
    exceptions = _exceptions(start, end)
    total, day = 0, start
    while day < end:
        day += datetime.timedelta(days=1)
        total += is_working_day(day, exceptions)
    return total


def coming_year_warning(today: datetime.date | None = None) -> int | None:
    """The coming year, while its holidays and make-up days are not confirmed; else None."""
    year = (today or timezone.localdate()).year + 1
    return year if unconfirmed_years(year, year) else None
