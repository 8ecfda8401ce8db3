import datetime

import pytest
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from onsite.core.ranking import competition_ranks
from onsite.dashboards import queries, rollups
from onsite.dashboards.models import DEFAULT_WEIGHTS, IndexWeights
from onsite.dashboards.queries import combined_index, parse_month
from onsite.dashboards.tests.factories import (
    record_finding,
    record_inspection,
    record_ratings,
    record_rectification,
)

TODAY = timezone.localdate


# --- pure rules -------------------------------------------------------------------------------


def test_parse_month_accepts_a_past_month_and_refuses_the_rest():
    this = TODAY().replace(day=1)
    assert parse_month("2024-02") == datetime.date(2024, 2, 1)
    for bad in ["", None, "2024", "2024-13", "abcd-ef", "1999-12", "9999-01"]:
        assert parse_month(bad) == this


def test_the_index_is_the_weighted_mean_of_the_measured_parts():
    parts = {"audit": 90.0, "timeliness": 50.0, "repeats": None, "ratings": None,
             "proposals": None, "cards": 100.0}  # fmt: skip
    weights = {"audit": 40, "timeliness": 20, "repeats": 10, "ratings": 20, "proposals": 5,
               "cards": 5}  # fmt: skip
    assert combined_index(parts, weights) == pytest.approx(
        (40 * 90 + 20 * 50 + 5 * 100) / 65, abs=0.05
    )
    # A part weighted 0 does not count at all.
    assert combined_index(parts, {**weights, "timeliness": 0}) == pytest.approx(
        (40 * 90 + 5 * 100) / 45, abs=0.05
    )


def test_a_unit_without_an_audit_is_not_ranked():
    parts = {"audit": None, "timeliness": 80.0, "repeats": None, "ratings": 90.0,
             "proposals": 100.0, "cards": 100.0}  # fmt: skip
    assert combined_index(parts, DEFAULT_WEIGHTS) is None


def test_equal_indexes_share_a_rank():
    assert competition_ranks({1: 90.0, 2: 80.0, 3: 90.0, 4: 70.0}) == {1: 1, 2: 3, 3: 1, 4: 4}


@given(st.dictionaries(st.integers(1, 50), st.floats(0, 100), min_size=1))
def test_ranks_follow_the_values(values):
    ranks = competition_ranks(values)
    for a in values:
        for b in values:
            if values[a] > values[b]:
                assert ranks[a] < ranks[b]
            if values[a] == values[b]:
                assert ranks[a] == ranks[b]
    assert min(ranks.values()) == 1


# --- from the database ------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_ranking_combines_audits_timeliness_ratings_and_cards(center, the_hall):
    from onsite.programme.models import Card

    day = TODAY() - datetime.timedelta(days=1) if TODAY().day > 1 else TODAY()
    first, second, third = the_hall.units
    record_inspection(the_hall.zones[0], on=day, score=95, inspector=the_hall.inspector)
    record_inspection(the_hall.zones[2], on=day, score=95, inspector=the_hall.inspector)
    record_ratings(center, first, on=day, ratings=[5, 5])
    record_ratings(center, second, on=day, ratings=[1, 1])
    Card.objects.create(
        center=center, unit=second, kind=Card.Kind.YELLOW, cause=Card.Cause.MANUAL, issued_on=day
    )
    rollups.refresh(center)
    board = queries.ranking(center, day.replace(day=1))
    order = [row.unit.code for row in board.rows]
    assert order == [first.code, second.code]
    assert [row.unit.code for row in board.unranked] == [third.code]
    top = board.rows[0]
    assert top.components["audit"] == 95.0
    assert top.components["ratings"] == 100.0
    assert top.rank == 1
    assert board.rows[1].components["cards"] == 50.0
    assert board.rows[1].components["ratings"] == 0.0
    # The center changes the weights: only citizen ratings count now.
    IndexWeights.objects.create(center=center, audit=0, timeliness=0, repeats=0, ratings=1,
                                proposals=0, cards=0)  # fmt: skip
    board = queries.ranking(center, day.replace(day=1))
    assert [(row.unit.code, row.index) for row in board.rows] == [
        (first.code, 100.0),
        (second.code, 0.0),
    ]


@pytest.mark.django_db
def test_the_heat_map_colours_each_zone_by_its_latest_score(center, the_hall):
    green, yellow, red, never = the_hall.zones[:4]
    last_month = TODAY().replace(day=1) - datetime.timedelta(days=3)
    record_inspection(green, on=last_month, score=40, inspector=the_hall.inspector)
    record_inspection(green, on=TODAY(), score=92, inspector=the_hall.inspector)
    record_inspection(yellow, on=TODAY(), score=70, inspector=the_hall.inspector, kind="self_check")
    finding = record_finding(
        record_inspection(red, on=TODAY(), score=35, inspector=the_hall.inspector)
    )
    record_rectification(finding, due_on=TODAY())
    heat = queries.heat_map(center, month=TODAY().replace(day=1))
    cells = {cell.zone.code: cell for cell in heat.cells}
    assert (cells[green.code].band, cells[green.code].score) == ("green", 92.0)
    assert cells[yellow.code].band == "yellow"
    assert (cells[red.code].band, cells[red.code].open_findings) == ("red", 1)
    assert (cells[never.code].band, cells[never.code].score) == ("", None)
    assert heat.counts == {"green": 1, "yellow": 1, "red": 1, "none": 3}
    # Last month the same zone was red: the month picker shows how the hall changed.
    before = queries.heat_map(center, month=last_month.replace(day=1))
    cells = {cell.zone.code: cell for cell in before.cells}
    assert cells[green.code].band == "red"
    assert cells[red.code].open_findings == 0  # found this month, not open then


@pytest.mark.django_db
def test_the_heat_map_shows_one_floor_and_only_its_centers_zones(center, the_hall, other_hall):
    from onsite.core.tests.factories import FloorFactory, ZoneFactory

    upstairs = FloorFactory(center=center, level=2, name="2楼")
    ZoneFactory(center=center, code="up-1", floor=upstairs, area_type=the_hall.zones[0].area_type)
    heat = queries.heat_map(center, month=TODAY().replace(day=1), level=2)
    assert [c.zone.code for c in heat.cells] == ["up-1"]
    assert [f.level for f in heat.floors] == [1, 2]
    heat = queries.heat_map(center, month=TODAY().replace(day=1))
    assert {c.zone.center_id for c in heat.cells} == {center.pk}
    assert len(heat.cells) == len(the_hall.zones)


@pytest.mark.django_db
def test_the_pareto_adds_up_to_the_share_of_all_failures(center, the_hall):
    inspection = record_inspection(
        the_hall.zones[0], on=TODAY(), score=50, inspector=the_hall.inspector
    )
    for key, times in [("clause:C01", 3), ("clause:C02", 1)]:
        for _ in range(times):
            record_finding(inspection, key=key)
    rollups.refresh(center)
    rows = queries.pareto(center, TODAY().replace(day=1), total=4)
    assert [(r.check_key, r.failures, r.cumulative) for r in rows] == [
        ("clause:C01", 3, 75.0),
        ("clause:C02", 1, 100.0),
    ]
    assert rows[0].label == "要求 clause:C01"


@pytest.mark.django_db
def test_the_dashboard_figures(center, with_history, month_start):
    board = queries.dashboard(center, month_start)
    assert board.current.inspections > 0
    assert board.current.avg_score is not None
    assert len(board.trend) == 12
    assert board.trend[-1][0] == month_start
    assert board.pending_rectifications >= 0
    assert board.ranking.rows
    data = queries.chart_data(board)
    assert data["trend"]["months"][-1] == f"{month_start:%Y-%m}"
    assert len(data["pareto"]["counts"]) == len(board.pareto)
