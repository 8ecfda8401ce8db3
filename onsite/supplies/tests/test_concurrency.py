"""Two store keepers issue the last units at the same moment, on two real connections.
Runs on whichever database the suite runs on (SQLite and PostgreSQL in `make test`)."""

import threading

import pytest
from django.db import connection
from django.utils import translation

from onsite.core.refusals import Refusal
from onsite.core.tests.factories import UnitFactory, UserFactory
from onsite.supplies import actions
from onsite.supplies.models import Movement, Requisition, Supply
from onsite.supplies.tests.factories import SupplyFactory

pytestmark = pytest.mark.django_db(transaction=True)


def _issue_at_once(requisitions, keeper):
    """Both issues start together (a barrier), each in its own thread and connection."""
    barrier = threading.Barrier(len(requisitions))
    outcomes = [None] * len(requisitions)

    def run(index, requisition):
        translation.activate("en")
        try:
            line = requisition.lines.get()
            barrier.wait(timeout=10)
            actions.do_issue(
                requisition=requisition, by=keeper, quantities={line.pk: line.approved}
            )
            outcomes[index] = "issued"
        except Refusal as exc:
            outcomes[index] = exc.messages[0]
        finally:
            connection.close()

    threads = [
        threading.Thread(target=run, args=(index, requisition))
        for index, requisition in enumerate(requisitions)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return outcomes


def test_two_issues_of_the_last_units_at_the_same_moment_never_go_negative(center):
    keeper = UserFactory(center=center, username="keeper", roles=["office"])
    toner = SupplyFactory(center=center, code="toner", name="硒鼓", on_hand=5, min_level=0)
    requisitions = []
    for code in ("w01", "w02"):
        unit = UnitFactory(center=center, code=code)
        requester = UserFactory(center=center, unit=unit, roles=["staff"])
        requisition = actions.do_request(center=center, unit=unit, by=requester, lines=[(toner, 5)])
        actions.do_approve(requisition=requisition, by=keeper, expected_version=1)
        requisitions.append(Requisition.objects.get(pk=requisition.pk))

    outcomes = _issue_at_once(requisitions, keeper)

    assert sorted(outcomes, key=str).count("issued") == 1, outcomes
    refusal = next(outcome for outcome in outcomes if outcome != "issued")
    assert "Only 0" in refusal
    toner.refresh_from_db()
    assert toner.on_hand == 0
    assert Movement.objects.filter(kind=Movement.Kind.ISSUE).count() == 1
    statuses = sorted(Requisition.objects.values_list("status", flat=True))
    assert statuses == ["approved", "issued"], "the refused issue left its requisition as it was"


def test_the_database_itself_refuses_a_negative_stock(center):
    toner = SupplyFactory(center=center, code="toner", on_hand=1)
    from django.db import IntegrityError, transaction
    from django.db.models import F

    with pytest.raises(IntegrityError), transaction.atomic():
        Supply.objects.filter(pk=toner.pk).update(on_hand=F("on_hand") - 2)
    toner.refresh_from_db()
    assert toner.on_hand == 1
