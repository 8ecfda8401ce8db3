"""Consumption per unit and per head, the peer comparison and the dashboard's read functions."""

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from onsite.core.tests.factories import UnitFactory, UserFactory
from onsite.org.models import Unit
from onsite.supplies import queries
from onsite.supplies.models import Movement


def use(center, unit, supply, quantity, by, *, days_ago=1, returned=False):
    """A ledger row as the services write it (an issue is negative)."""
    sign = 1 if returned else -1
    return Movement.objects.create(
        center=center, supply=supply, unit=unit, by=by,
        kind=Movement.Kind.RETURN if returned else Movement.Kind.ISSUE,
        quantity=sign * quantity, balance=0, unit_price=supply.unit_price,
        at=timezone.now() - timedelta(days=days_ago),
    )  # fmt: skip


def windows(center, sizes, prefix="p"):
    units = []
    for index, size in enumerate(sizes):
        unit = UnitFactory(center=center, code=f"{prefix}{index}", kind=Unit.Kind.WINDOW)
        for n in range(size):
            UserFactory(center=center, unit=unit, username=f"{prefix}{index}-{n}")
        units.append(unit)
    return units


def test_a_unit_using_far_more_per_head_than_its_peers_is_flagged(center, office_user, paper):
    small, large, normal, wasteful = windows(center, [2, 8, 4, 2])
    use(center, small, paper, 4, office_user)  # 100 yuan for 2 people: 50 a head
    use(center, large, paper, 16, office_user)  # 400 for 8: 50 a head
    use(center, normal, paper, 8, office_user)  # 200 for 4: 50 a head
    use(center, wasteful, paper, 20, office_user)  # 500 for 2: 250 a head
    use(center, wasteful, paper, 4, office_user, returned=True)  # 100 back: 200 a head
    rows = {
        row.unit.code: row
        for row in queries.consumption_by_unit(center=center, since=queries.period_start(1))
    }
    assert rows["p3"].value == Decimal("400.00")
    assert rows["p3"].per_head == Decimal("200.00")
    assert rows["p3"].peer_median == Decimal("50.00")
    assert (rows["p3"].ratio, rows["p3"].is_outlier) == (Decimal("4.00"), True)
    assert [code for code, row in rows.items() if row.is_outlier] == ["p3"]
    assert rows["p1"].ratio == Decimal("1.00"), "a big window using a lot is not wasteful per head"


def test_too_few_peers_are_not_compared(center, office_user, paper):
    a, b = windows(center, [2, 2])
    use(center, a, paper, 1, office_user)
    use(center, b, paper, 30, office_user)
    rows = queries.consumption_by_unit(center=center, since=queries.period_start(1))
    assert not any(row.is_outlier for row in rows)
    assert all(row.peer_median is None for row in rows if row.unit.code in {"p0", "p1"})


def test_movements_before_the_period_do_not_count(center, office_user, paper):
    (unit,) = windows(center, [1])
    use(center, unit, paper, 3, office_user, days_ago=200)
    rows = queries.consumption_by_unit(center=center, since=queries.period_start(3))
    assert next(row for row in rows if row.unit == unit).value == Decimal("0.00")


def test_the_trend_has_every_month_oldest_first(center, office_user, paper, other_center):
    (unit,) = windows(center, [1])
    use(center, unit, paper, 2, office_user, days_ago=0)
    other_unit = UnitFactory(center=other_center)
    from onsite.supplies.tests.factories import SupplyFactory

    use(other_center, other_unit, SupplyFactory(center=other_center), 99, office_user, days_ago=0)
    trend = queries.consumption_trend(center=center, months=3)
    assert [row["month"].day for row in trend] == [1, 1, 1]
    assert trend[0]["month"] < trend[1]["month"] < trend[2]["month"]
    assert [row["value"] for row in trend] == [Decimal("0.00"), Decimal("0.00"), Decimal("50.00")]
    assert queries.consumption_trend(center=center, months=3, unit=other_unit)[-1]["value"] == 0


def test_the_dashboard_summary_keeps_a_fixed_query_count(
    center, office_user, paper, toner, django_assert_max_num_queries
):
    units = windows(center, [3, 3, 3])
    for unit in units:
        use(center, unit, paper, 3, office_user)
    with django_assert_max_num_queries(4) as small:
        summary = queries.supplies_summary(center=center)
    assert len(summary["trend"]) == 6
    units = windows(center, [3] * 10, prefix="q")
    for unit in units:
        use(center, unit, paper, 3, office_user)
        use(center, unit, toner, 1, office_user)
    with django_assert_max_num_queries(len(small.captured_queries)):
        queries.supplies_summary(center=center)
