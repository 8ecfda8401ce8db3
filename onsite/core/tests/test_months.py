import datetime

from hypothesis import given
from hypothesis import strategies as st

from onsite.core.months import add_months, month_end, month_start, next_month, previous_month

days = st.dates(min_value=datetime.date(2000, 1, 1), max_value=datetime.date(2100, 12, 31))


def test_month_arithmetic_crosses_years():
    assert add_months(datetime.date(2025, 11, 17), 3) == datetime.date(2026, 2, 1)
    assert previous_month(datetime.date(2026, 1, 31)) == datetime.date(2025, 12, 1)
    assert next_month(datetime.date(2025, 12, 31)) == datetime.date(2026, 1, 1)
    assert month_end(datetime.date(2028, 2, 3)) == datetime.date(2028, 2, 29)


@given(days, st.integers(min_value=-240, max_value=240))
def test_adding_then_subtracting_months_returns_to_the_month(day, months):
    assert add_months(add_months(day, months), -months) == month_start(day)
    assert month_end(day).month == day.month
    assert next_month(month_end(day)) == month_end(day) + datetime.timedelta(days=1)
