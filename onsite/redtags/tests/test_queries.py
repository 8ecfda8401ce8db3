"""Figures per unit and phase, and the dashboard's 'items removed in sort'."""

from decimal import Decimal

from onsite.core.tests.factories import ZoneFactory
from onsite.redtags import actions, queries


def hang(zone, by, **data):
    values = {"item_name": "旧物", "quantity": 1, "reason": "not_used", "proposal": "discard"}
    values.update(data)
    return actions.do_tag(center=zone.center, zone=zone, by=by, data=values)


def test_items_removed_in_sort(
    center, zone, staff_user, office_user, pens, django_assert_max_num_queries
):
    thrown = hang(zone, staff_user, quantity=3, footprint="0.20")
    back = hang(zone, staff_user, quantity=5, supply=pens, footprint="0.10")
    kept = hang(zone, staff_user, quantity=1, footprint="1.00")
    later = hang(zone, staff_user, quantity=7, phase="shine")
    withdrawn = hang(zone, staff_user, quantity=9)
    actions.do_decide(tag=thrown, by=office_user, decision="discard")
    actions.do_decide(tag=back, by=office_user, decision="return_to_store")
    actions.do_decide(tag=kept, by=office_user, decision="keep_filed")
    actions.do_decide(tag=later, by=office_user, decision="discard")
    actions.do_withdraw(tag=withdrawn, by=staff_user)
    hang(zone, staff_user, quantity=2)
    with django_assert_max_num_queries(1):
        summary = queries.sort_summary(center=center)
    assert summary == {
        "tags": 4, "items": 11, "held": 1, "overdue": 0, "decided": 3, "removed": 8,
        "returned": 5, "discarded": 3, "space": Decimal("0.30"),
    }  # fmt: skip
    rows = queries.figures_by_unit(center=center)
    assert [(row.unit, row.phase, row.items) for row in rows] == [
        (zone.unit, "sort", 11),
        (zone.unit, "shine", 7),
    ]


def test_figures_keep_a_fixed_query_count(center, staff_user, django_assert_max_num_queries):
    for _n in range(2):
        hang(ZoneFactory(center=center), staff_user)
    with django_assert_max_num_queries(2) as small:
        queries.figures_by_unit(center=center)
    for _n in range(10):
        hang(ZoneFactory(center=center), staff_user)
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert len(queries.figures_by_unit(center=center)) == 12
