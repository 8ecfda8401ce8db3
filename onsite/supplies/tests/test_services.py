"""The store's rules, through the actions the pages and the API share."""

import pytest

from onsite.audit.models import AuditEvent
from onsite.core.concurrency import ConflictError
from onsite.core.refusals import Refusal
from onsite.notifications.models import Notification
from onsite.supplies import actions
from onsite.supplies.models import Movement, Requisition, StockCount, Supply, SupplyReturn

pytestmark = pytest.mark.usefixtures("english")


def line_of(requisition):
    return requisition.lines.get()


def test_a_requisition_goes_request_approve_issue_in_parts(
    center, window, staff_user, office_user, toner
):
    requisition = actions.do_request(
        center=center, unit=window, by=staff_user, lines=[(toner, 4)], purpose="打印许可证"
    )
    assert requisition.status == Requisition.Status.SUBMITTED
    actions.do_approve(
        requisition=requisition, by=office_user, expected_version=requisition.version
    )
    line = line_of(requisition)
    assert (requisition.status, line.approved) == (Requisition.Status.APPROVED, 4)

    actions.do_issue(requisition=requisition, by=office_user, quantities={line.pk: 3})
    requisition.refresh_from_db()
    toner.refresh_from_db()
    assert requisition.status == Requisition.Status.PARTLY_ISSUED
    assert line_of(requisition).issued == 3
    assert toner.on_hand == 7
    movement = Movement.objects.get(kind=Movement.Kind.ISSUE)
    assert (movement.quantity, movement.balance, movement.unit) == (-3, 7, window)

    actions.do_issue(requisition=requisition, by=office_user, quantities={line.pk: 1})
    requisition.refresh_from_db()
    assert requisition.status == Requisition.Status.ISSUED
    assert [t.to_status for t in requisition.transitions.all()] == [
        "submitted",
        "approved",
        "partly_issued",
        "issued",
    ]
    assert AuditEvent.objects.filter(action="supplies.issue").count() == 2


def test_nothing_beyond_what_was_approved_is_issued(approved, office_user, toner):
    requisition = approved(quantity=2)
    line = line_of(requisition)
    with pytest.raises(Refusal, match="at most 2"):
        actions.do_issue(requisition=requisition, by=office_user, quantities={line.pk: 3})
    toner.refresh_from_db()
    assert toner.on_hand == 10
    assert not Movement.objects.exists()


def test_an_issue_larger_than_the_stock_is_refused_and_changes_nothing(
    approved, office_user, toner
):
    Supply.objects.filter(pk=toner.pk).update(on_hand=2)
    requisition = approved(quantity=4)
    line = line_of(requisition)
    with pytest.raises(Refusal) as raised:
        actions.do_issue(requisition=requisition, by=office_user, quantities={line.pk: 4})
    assert "Only 2" in raised.value.messages[0]
    toner.refresh_from_db()
    requisition.refresh_from_db()
    assert toner.on_hand == 2
    assert line_of(requisition).issued == 0
    assert requisition.status == Requisition.Status.APPROVED


@pytest.mark.parametrize("bad", [0, -3, 2.5, "4", None, True, 10**9])
def test_a_quantity_that_is_not_a_positive_whole_number_gets_a_clear_error(
    center, window, staff_user, toner, bad
):
    with pytest.raises(Refusal) as raised:
        actions.do_request(center=center, unit=window, by=staff_user, lines=[(toner, bad)])
    message = raised.value.messages[0]
    assert "whole number" in message or "more than the store could ever hold" in message
    assert not Requisition.objects.exists()


def test_a_requisition_needs_a_supply_once_each(center, window, staff_user, toner):
    with pytest.raises(Refusal, match="at least one supply"):
        actions.do_request(center=center, unit=window, by=staff_user, lines=[])
    with pytest.raises(Refusal, match="listed twice"):
        actions.do_request(
            center=center, unit=window, by=staff_user, lines=[(toner, 1), (toner, 2)]
        )


def test_another_centers_supply_cannot_be_requested(
    center, other_center, window, staff_user, toner
):
    from onsite.supplies.tests.factories import SupplyFactory

    theirs = SupplyFactory(center=other_center, code="toner")
    with pytest.raises(Refusal):
        actions.do_request(center=center, unit=window, by=staff_user, lines=[(theirs, 1)])


def test_a_double_submitted_requisition_is_created_once(center, window, staff_user, toner):
    first = actions.do_request(
        center=center, unit=window, by=staff_user, lines=[(toner, 1)], key="k-1"
    )
    again = actions.do_request(
        center=center, unit=window, by=staff_user, lines=[(toner, 1)], key="k-1"
    )
    assert first.pk == again.pk
    assert Requisition.objects.count() == 1


def test_a_double_submitted_issue_issues_once(approved, office_user, toner):
    requisition = approved(quantity=4)
    line = line_of(requisition)
    for _attempt in range(2):
        actions.do_issue(
            requisition=requisition, by=office_user, quantities={line.pk: 2}, key="issue-1"
        )
    toner.refresh_from_db()
    assert toner.on_hand == 8
    assert line_of(requisition).issued == 2


def test_approving_from_a_stale_page_conflicts(center, window, staff_user, office_user, toner):
    requisition = actions.do_request(center=center, unit=window, by=staff_user, lines=[(toner, 1)])
    actions.do_approve(requisition=requisition, by=office_user, expected_version=1)
    stale = Requisition.objects.get(pk=requisition.pk)
    stale.status = Requisition.Status.SUBMITTED  # as the second approver's page still shows it
    with pytest.raises(ConflictError):
        actions.do_approve(requisition=stale, by=office_user, expected_version=1)


def test_approving_less_than_requested_and_rejecting(
    center, window, staff_user, office_user, toner, paper, django_capture_on_commit_callbacks
):
    requisition = actions.do_request(
        center=center, unit=window, by=staff_user, lines=[(toner, 4), (paper, 10)]
    )
    lines = {line.supply.code: line for line in requisition.lines.all()}
    with pytest.raises(Refusal, match="at most the 4"):
        actions.do_approve(
            requisition=requisition,
            by=office_user,
            expected_version=1,
            approved={lines["toner"].pk: 5},
        )
    with pytest.raises(Refusal, match="reject"):
        actions.do_approve(
            requisition=requisition,
            by=office_user,
            expected_version=1,
            approved={lines["toner"].pk: 0, lines["a4-paper"].pk: 0},
        )
    actions.do_approve(
        requisition=requisition,
        by=office_user,
        expected_version=1,
        approved={lines["toner"].pk: 2},
    )
    assert {line.supply.code: line.approved for line in requisition.lines.all()} == {
        "toner": 2,
        "a4-paper": 10,
    }

    other = actions.do_request(center=center, unit=window, by=staff_user, lines=[(toner, 9)])
    with pytest.raises(Refusal, match="why"):
        actions.do_end(
            requisition=other, to=Requisition.Status.REJECTED, by=office_user, expected_version=1
        )
    with django_capture_on_commit_callbacks(execute=True):
        actions.do_end(
            requisition=other,
            to=Requisition.Status.REJECTED,
            by=office_user,
            expected_version=1,
            note="本月已领过",
        )
    other.refresh_from_db()
    assert (other.status, other.decision_note) == (Requisition.Status.REJECTED, "本月已领过")
    assert Notification.objects.filter(user=staff_user, kind="supplies.requisition_rejected")


def test_a_partly_issued_requisition_can_be_closed_but_not_cancelled(
    approved, office_user, staff_user
):
    requisition = approved(quantity=4)
    actions.do_issue(
        requisition=requisition, by=office_user, quantities={line_of(requisition).pk: 1}
    )
    requisition.refresh_from_db()
    with pytest.raises(Refusal):
        actions.do_end(
            requisition=requisition,
            to=Requisition.Status.CANCELLED,
            by=staff_user,
            expected_version=requisition.version,
        )
    actions.do_end(
        requisition=requisition,
        to=Requisition.Status.CLOSED,
        by=office_user,
        expected_version=requisition.version,
    )
    requisition.refresh_from_db()
    assert requisition.status == Requisition.Status.CLOSED
    with pytest.raises(Refusal):
        actions.do_issue(
            requisition=requisition, by=office_user, quantities={line_of(requisition).pk: 1}
        )


def test_falling_below_the_minimum_alerts_the_store_keepers_once(
    approved, office_user, admin_user, staff_user, toner, django_capture_on_commit_callbacks
):
    requisition = approved(quantity=9)
    line = line_of(requisition)
    with django_capture_on_commit_callbacks(execute=True):
        actions.do_issue(requisition=requisition, by=office_user, quantities={line.pk: 8})
    alerts = Notification.objects.filter(kind="supplies.low_stock")
    assert set(alerts.values_list("user__username", flat=True)) == {"office1", "admin1"}
    assert "硒鼓" in alerts.first().text
    with django_capture_on_commit_callbacks(execute=True):
        actions.do_issue(requisition=requisition, by=office_user, quantities={line.pk: 1})
    assert alerts.count() == 2, "told when it crosses the minimum, not on every issue after"


def test_receiving_never_takes_the_store_above_its_maximum(office_user, toner):
    with pytest.raises(Refusal, match="at most 30"):
        actions.do_receive(supply=toner, quantity=31, by=office_user)
    movement = actions.do_receive(supply=toner, quantity=30, by=office_user, note="采购")
    assert (movement.kind, movement.quantity, movement.balance) == ("receipt", 30, 40)
    toner.refresh_from_db()
    assert toner.on_hand == 40


def test_a_return_adds_to_the_stock_and_to_the_units_ledger(center, window, office_user, paper):
    returned = actions.do_return(
        center=center, supply=paper, quantity=5, unit=window, by=office_user, note="多领"
    )
    paper.refresh_from_db()
    assert paper.on_hand == 105
    assert returned.movement.balance == 105
    assert returned.movement.unit == window
    with pytest.raises(Refusal):
        actions.do_return(center=center, supply=paper, quantity=0, by=office_user)
    assert SupplyReturn.objects.count() == 1


def test_a_count_sets_the_books_and_every_difference_is_explained(
    center, office_user, toner, paper
):
    rows = [
        actions.CountRow(supply=toner, expected=10, counted=8),
        actions.CountRow(supply=paper, expected=100, counted=100),
    ]
    with pytest.raises(Refusal, match="explain the difference of -2"):
        actions.do_count(center=center, by=office_user, rows=rows)
    rows[0] = actions.CountRow(supply=toner, expected=10, counted=8, explanation="两个漏粉报废")
    count = actions.do_count(center=center, by=office_user, rows=rows)
    toner.refresh_from_db()
    assert toner.on_hand == 8
    assert [line.difference for line in count.lines.order_by("supply__code")] == [0, -2]
    assert Movement.objects.get(kind=Movement.Kind.COUNT).quantity == -2


def test_a_count_of_stock_that_moved_meanwhile_is_refused(center, office_user, toner):
    Supply.objects.filter(pk=toner.pk).update(on_hand=9)  # an issue while counting
    with pytest.raises(Refusal, match="changed while you were counting"):
        actions.do_count(
            center=center,
            by=office_user,
            rows=[actions.CountRow(supply=toner, expected=10, counted=8, explanation="x")],
        )
    assert not StockCount.objects.exists()


def test_editing_the_catalogue_never_touches_the_stock(office_user, toner):
    Supply.objects.filter(pk=toner.pk).update(on_hand=3)  # moved since the form was opened
    actions.do_update_supply(
        supply=toner, by=office_user, data={"name": "激光硒鼓", "min_level": 2}, expected_version=1
    )
    toner.refresh_from_db()
    assert (toner.name, toner.on_hand, toner.version) == ("激光硒鼓", 3, 2)
    with pytest.raises(ConflictError):
        actions.do_update_supply(
            supply=toner, by=office_user, data={"name": "x"}, expected_version=1
        )
    with pytest.raises(Refusal, match="minimum level cannot be above"):
        actions.do_update_supply(
            supply=toner, by=office_user, data={"min_level": 50}, expected_version=2
        )
