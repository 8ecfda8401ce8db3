"""Calendar months as the first day of the month: the one month arithmetic of every app."""

from __future__ import annotations

import datetime

from django.utils import timezone


def month_start(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def add_months(day: datetime.date, months: int) -> datetime.date:
    """The first day of the month `months` after (or, negative, before) `day`'s month."""
    index = day.year * 12 + day.month - 1 + months
    return datetime.date(index // 12, index % 12 + 1, 1)


def previous_month(day: datetime.date) -> datetime.date:
    return add_months(day, -1)


def next_month(day: datetime.date) -> datetime.date:
    return add_months(day, 1)


def month_end(day: datetime.date) -> datetime.date:
    """The last day of `day`'s month."""
    return add_months(day, 1) - datetime.timedelta(days=1)


def this_month() -> datetime.date:
    """The first day of the current month in the server's time zone."""
    return month_start(timezone.localdate())
