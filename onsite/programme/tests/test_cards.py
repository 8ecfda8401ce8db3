"""Fair cards (issue 21, point 5): cards come only from complete, published months with enough
units scored, a yellow card only for a failing place, and an overdue card is lifted once the
items it was issued for are closed."""

import datetime

import pytest
from django.utils import timezone

from onsite.audit.models import AuditEvent
from onsite.core.refusals import Refusal
from onsite.core.tests.factories import UnitFactory
from onsite.inspections import services as inspection_services
from onsite.inspections.models import InspectionSettings
from onsite.inspections.services import AnswerInput
from onsite.programme import services
from onsite.programme.models import AcceptanceRound, Card, MonthlyRanking, Wave, WaveUnit
from onsite.programme.tests.conftest import closed_last_month, last_month, rate
from onsite.rectification.models import Rectification
from onsite.rectification.services import verify_rectification


def close_last_month(round_, by, *, fail_unit="u3", pass_mark=None):
    """Rates the round (the `fail_unit` fails one of two checks: 50 %), closes it and moves
    the close into last month, so last month's ranking has the three pilot units."""
    if pass_mark is not None:
        AcceptanceRound.objects.filter(pk=round_.pk).update(pass_mark=pass_mark)
    for assignment in round_.assignments.select_related("unit", "rater"):
        rate(assignment, fail={"clause:C01"} if assignment.unit.code == fail_unit else set())
    services.close_round(round_=round_, by=by)
    closed_last_month(round_)
    return round_


def month_cards():
    return sorted(
        Card.objects.filter(month__isnull=False).values_list("unit__code", "kind", "cause")
    )


def test_a_month_is_published_only_once_it_has_ended(world, open_round):
    """Published on its 4th day, a month ranked and carded units on four days of scores."""
    for assignment in open_round.assignments.select_related("unit", "rater"):
        rate(assignment)
    services.close_round(round_=open_round, by=world.office)
    this_month = timezone.localdate().replace(day=1)
    with pytest.raises(Refusal) as refused:
        services.publish_month(center=world.center, month=this_month, by=world.office)
    assert refused.value.code == "month_not_ended"
    assert not MonthlyRanking.objects.exists()
    assert month_cards() == []


def test_a_month_with_too_few_units_scored_earns_no_cards(world, open_round):
    """Three of seven units taking part were scored: the ranking is published, no cards."""
    rollout = world.programme.waves.get(kind=Wave.Kind.ROLLOUT)
    for n in range(5, 9):
        unit = UnitFactory(center=world.center, code=f"u{n}", name=f"单位{n}", position=n)
        WaveUnit.objects.create(
            center=world.center, programme=world.programme, wave=rollout, unit=unit
        )
    close_last_month(open_round, world.office)
    ranking = services.publish_month(center=world.center, month=last_month(), by=world.office)
    assert ranking.rows.count() == 3
    assert month_cards() == []
    event = AuditEvent.objects.get(action="programme.month_published")
    assert event.detail["cards"] is False


def test_a_month_with_enough_units_scored_cards_its_failing_last_place(world, open_round):
    close_last_month(open_round, world.office)
    services.publish_month(center=world.center, month=last_month(), by=world.office)
    assert month_cards() == [
        ("u1", "red_flag", "month_top"),
        ("u2", "red_flag", "month_top"),
        ("u3", "yellow", "month_bottom"),
    ]


def test_a_passing_last_place_gets_no_yellow_card(world, open_round, client_for, member):
    """u3 is last with 50 %, but the round's pass mark is 40 and the center's too: it passed,
    so neither the round nor the month gives it a yellow card."""
    close_last_month(open_round, world.office, pass_mark=40)
    entry = open_round.entries.get(unit__code="u3")
    assert (entry.rank, entry.accepted) == (3, True)
    assert not Card.objects.filter(round=open_round, kind=Card.Kind.YELLOW).exists()
    InspectionSettings.objects.update_or_create(center=world.center, defaults={"pass_mark": 40})
    page = client_for(member).get("/programme/rankings/").content.decode()
    assert 'data-unit="u3"' in page
    assert 'data-testid="yellow-card"' not in page
    services.publish_month(center=world.center, month=last_month(), by=world.office)
    assert ("u3", "yellow", "month_bottom") not in month_cards()


def test_a_failing_last_place_of_a_round_gets_its_yellow_card(world, open_round):
    close_last_month(open_round, world.office)
    entry = open_round.entries.get(unit__code="u3")
    assert (entry.rank, entry.accepted) == (3, False)
    yellow = Card.objects.get(round=open_round, kind=Card.Kind.YELLOW)
    assert yellow.unit.code == "u3"


def overdue_items(world, supervisor):
    """Two supervision findings on u1 (20 and 10 days ago) whose rectifications are overdue."""
    zone = world.zones[0]
    for days_ago in (20, 10):
        day = timezone.localdate() - datetime.timedelta(days=days_ago)
        inspection = inspection_services.start_inspection(
            zone=zone, kind="supervision", inspector=supervisor, on=day, resume=False
        )
        inspection.inspected_on = day
        inspection.save(update_fields=["inspected_on"])
        answers = [
            AnswerInput(a.pk, "fail" if a.key == "clause:C01" else "pass", note="台面杂乱")
            for a in inspection.answers.all()
        ]
        inspection = inspection_services.save_answers(
            inspection=inspection, by=supervisor, expected_version=inspection.version,
            answers=answers,
        )  # fmt: skip
        inspection_services.submit_inspection(inspection=inspection, by=supervisor)
    items = list(Rectification.objects.filter(zone=zone).order_by("pk"))
    Rectification.objects.filter(pk__in=[r.pk for r in items]).update(
        due_on=timezone.localdate() - datetime.timedelta(days=3)
    )
    return items


def close(item, by):
    Rectification.objects.filter(pk=item.pk).update(status=Rectification.Status.SUBMITTED)
    item.refresh_from_db()
    return verify_rectification(rectification=item, by=by, expected_version=item.version)


def test_an_overdue_card_is_lifted_when_its_items_are_closed(world, supervisor, client_for, member):
    items = overdue_items(world, supervisor)
    services.issue_finding_cards(center=world.center, by=supervisor)
    card = Card.objects.get(cause=Card.Cause.OVERDUE)
    assert sorted(card.params["items"]) == sorted(r.pk for r in items)

    close(items[0], supervisor)
    card.refresh_from_db()
    assert not card.is_revoked, "one of its two items is still open"

    close(items[1], supervisor)
    card.refresh_from_db()
    assert card.is_revoked
    assert card.is_lifted
    assert card.revoked_by is None
    assert card.params["lifted"] == {"items": 2, "on": f"{timezone.localdate():%Y-%m-%d}"}
    assert card.revoke_reason
    assert Card.objects.in_force().filter(cause=Card.Cause.OVERDUE).count() == 0
    event = AuditEvent.objects.get(action="programme.card_lifted")
    assert event.detail == {"unit": "u1", "items": sorted(r.pk for r in items)}
    body = client_for(member).get("/programme/cards/?unit=u1&show=all").content.decode()
    assert 'data-testid="card-lifted"' in body


def test_a_card_from_before_items_were_recorded_is_lifted_when_nothing_is_overdue(
    world, supervisor
):
    items = overdue_items(world, supervisor)
    services.issue_finding_cards(center=world.center, by=supervisor)
    card = Card.objects.get(cause=Card.Cause.OVERDUE)
    card.params = {k: v for k, v in card.params.items() if k != "items"}
    card.save(update_fields=["params"])
    close(items[0], supervisor)
    card.refresh_from_db()
    assert not card.is_revoked
    close(items[1], supervisor)
    card.refresh_from_db()
    assert card.is_lifted


def test_the_rankings_page_offers_to_publish_only_an_ended_month(
    client_for, world, open_round, supervisor
):
    for assignment in open_round.assignments.select_related("unit", "rater"):
        rate(assignment)
    services.close_round(round_=open_round, by=world.office)
    client = client_for(supervisor)
    current = client.get("/programme/rankings/").content.decode()
    assert 'data-unit="u1"' in current, "the month as it stands is shown"
    assert 'data-testid="publish-month"' not in current
    assert 'data-testid="month-not-ended"' in current
    closed_last_month(open_round)
    ended = client.get(f"/programme/rankings/?month={last_month():%Y-%m}").content.decode()
    assert 'data-testid="publish-month"' in ended
