"""Two taps on "rate this zone" at once (two requests, two database connections): one
rating sheet, one draft inspection, both requests answered with it."""

import threading

import pytest
from django.db import connection

from onsite.inspections.models import Inspection
from onsite.programme import services
from onsite.programme.models import RatingSheet

pytestmark = pytest.mark.django_db(transaction=True)


def test_starting_a_sheet_twice_at_once_makes_one(world):
    round_ = services.open_round(
        programme=world.programme, phase="sort", units=world.units[:1], by=world.office, seed=1
    )
    assignment = round_.assignments.select_related("rater", "round").first()
    zone = world.zones[0]
    barrier = threading.Barrier(2)
    results, errors = [], []

    def tap():
        try:
            barrier.wait(timeout=30)
            results.append(
                services.start_sheet(assignment=assignment, zone=zone, by=assignment.rater).pk
            )
        except Exception as exc:  # the test reports whatever went wrong
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=tap) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    assert len(results) == 2
    assert results[0] == results[1]
    assert RatingSheet.objects.filter(assignment=assignment).count() == 1
    assert Inspection.objects.filter(kind="acceptance", zone=zone).count() == 1
