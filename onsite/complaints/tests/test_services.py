"""差评 cases: opening (idempotent, race-safe, levels 1–2 only), due dates in working days,
every move and the refused ones, concurrent edits, escalation and reminders."""

import datetime
import threading

import pytest
from django.db import IntegrityError
from django.utils import timezone

from onsite.complaints import services
from onsite.complaints.models import Complaint, ComplaintSettings, Transition
from onsite.complaints.tests.conftest import (
    at,
    close,
    open_case,
    review,
    revisit,
    submit,
    take_to_closed,
    verify,
)
from onsite.core.concurrency import ConflictError
from onsite.core.refusals import Conflict, Invalid
from onsite.core.tests.factories import UnitFactory
from onsite.notifications.models import Notification

pytestmark = pytest.mark.django_db
D = datetime.date


def test_opening_is_idempotent_on_the_rating(window, staff_user):
    first, created = services.open_complaint(
        center=window.center, rating_id=7, unit=window, rated_at=at(D(2025, 6, 2)), level=1,
        case_number="BJ-1", item_code="11-2", item_name="食品经营许可", staff=staff_user,
        reason="等候时间长", comment="排了一个小时",
    )  # fmt: skip
    again, created_again = services.open_complaint(
        center=window.center, rating_id=7, unit=window, rated_at=at(D(2025, 6, 2)), level=2
    )
    assert created
    assert not created_again
    assert again.pk == first.pk
    assert again.level == 1
    assert Complaint.objects.count() == 1
    assert first.transitions.get().action == Transition.Action.OPENED


def test_the_same_rating_id_in_another_center_is_another_case(window, other_center):
    open_case(window, rating_id=7)
    other = UnitFactory(center=other_center)
    _case, created = services.open_complaint(
        center=other_center, rating_id=7, unit=other, rated_at=at(D(2025, 6, 2)), level=2
    )
    assert created


def test_a_race_lost_on_the_unique_row_returns_the_winner(window, monkeypatch):
    """The second writer read no case, then the first wrote it: the insert hits the unique
    constraint and the loser answers with the winner's case."""
    winner = open_case(window, rating_id=42)
    real_filter = Complaint.objects.filter

    class Blind:
        def first(self):
            return None  # as if read before the winner committed

    calls = []

    def filter_once(*args, **kwargs):
        if kwargs.get("rating_id") == 42 and not calls:
            calls.append(1)
            return Blind()
        return real_filter(*args, **kwargs)

    monkeypatch.setattr(Complaint.objects, "filter", filter_once)
    case, created = services.open_complaint(
        center=window.center, rating_id=42, unit=window, rated_at=at(D(2025, 6, 2)), level=1
    )
    assert (case.pk, created) == (winner.pk, False)
    assert Complaint.objects.count() == 1


def test_the_database_refuses_a_second_case_for_one_rating(window):
    case = open_case(window, rating_id=9)
    with pytest.raises(IntegrityError):
        Complaint.objects.create(
            center=case.center, rating_id=9, unit=window, rated_at=case.rated_at, level=1,
            due_on=case.due_on,
        )  # fmt: skip


@pytest.mark.parametrize("level", [0, 3, 4, 5])
def test_only_bad_ratings_open_a_case(window, level):
    with pytest.raises(ValueError, match="only ratings 1 to 2"):
        services.open_complaint(
            center=window.center, rating_id=1, unit=window, rated_at=at(D(2025, 6, 2)),
            level=level,
        )  # fmt: skip
    assert not Complaint.objects.exists()


def test_a_window_of_another_center_is_refused(window, other_center):
    with pytest.raises(ValueError, match="of the case's center"):
        services.open_complaint(
            center=other_center, rating_id=1, unit=window, rated_at=at(D(2025, 6, 2)), level=1
        )


def test_due_in_five_working_days_over_the_weekend(window):
    case = open_case(window, day=D(2025, 6, 5))  # a Thursday
    assert case.due_on == D(2025, 6, 12)  # Fri, Mon, Tue, Wed, Thu


def test_due_over_national_day_and_its_make_up_day(window):
    # 2025: 1–8 October off, Saturday 11 October a make-up working day.
    case = open_case(window, day=D(2025, 9, 30))
    assert case.due_on == D(2025, 10, 14)  # 9th, 10th, 11th (调休), 13th, 14th


def test_the_centers_deadline_counts(window, office_user):
    row = ComplaintSettings.for_center(window.center)
    assert row.due_days == 5
    services.update_settings(
        center=window.center, by=office_user, due_days=2, expected_version=row.version
    )
    case = open_case(window, day=D(2025, 6, 5))
    assert case.due_on == D(2025, 6, 9)
    with pytest.raises(ConflictError):  # a stale form
        services.update_settings(
            center=window.center, by=office_user, due_days=3, expected_version=row.version
        )
    with pytest.raises(Invalid):
        services.update_settings(
            center=window.center, by=office_user, due_days=0, expected_version=row.version + 1
        )


def test_the_whole_loop(case, staff_user, office_user, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        verify(case, staff_user)
        assert case.status == "verified"
        assert case.verified_by == staff_user
        submit(case, staff_user, outcome="explain", action="已向群众解释政策。")
        assert case.status == "review"
        review(case, office_user)
        assert case.status == "revisit"
        revisit(case, office_user, satisfied="yes")
        assert case.status == "revisit"
        assert case.was_revisited
        close(case, office_user)
    case.refresh_from_db()
    assert case.status == "closed"
    assert case.closed_at is not None
    assert list(case.transitions.values_list("action", flat=True)) == [
        "opened", "verified", "submitted", "approved", "revisited", "closed",
    ]  # fmt: skip
    told = set(Notification.objects.values_list("kind", "user"))
    assert ("complaints.submitted", office_user.pk) in told
    assert ("complaints.approved", staff_user.pk) in told
    assert ("complaints.closed", staff_user.pk) in told


def test_opening_tells_the_window(window, staff_user, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        open_case(window)
    assert list(Notification.objects.values_list("kind", "user")) == [
        ("complaints.opened", staff_user.pk)
    ]


def test_a_returned_case_goes_back_to_the_window(case, staff_user, office_user):
    verify(case, staff_user)
    submit(case, staff_user)
    with pytest.raises(Invalid):
        review(case, office_user, approve=False, note=" ")
    review(case, office_user, approve=False, note="解释不充分。")
    assert case.status == "verified"
    assert case.times_returned == 1
    submit(case, staff_user, outcome="appeal", action="群众误评，申诉。")
    assert case.status == "review"
    assert case.outcome == "appeal"


def test_refused_moves(case, staff_user, office_user):
    with pytest.raises(Conflict):
        submit(case, staff_user)  # not verified yet
    with pytest.raises(Conflict):
        review(case, office_user)
    with pytest.raises(Conflict):
        revisit(case, office_user)
    with pytest.raises(Conflict):
        close(case, office_user)
    with pytest.raises(Invalid):
        verify(case, staff_user, findings="  ")
    verify(case, staff_user)
    with pytest.raises(Conflict):
        verify(case, staff_user)  # once
    with pytest.raises(Invalid):
        submit(case, staff_user, outcome="ignore")
    with pytest.raises(Invalid):
        submit(case, staff_user, action="")
    submit(case, staff_user)
    review(case, office_user)
    with pytest.raises(Conflict) as no_call:
        close(case, office_user)  # the 回访 first
    assert no_call.value.code == "no_revisit"
    with pytest.raises(Invalid):
        revisit(case, office_user, satisfied="maybe")
    assert Complaint.objects.get().status == "revisit"


def test_a_stale_version_is_refused_and_nothing_is_written(case, staff_user):
    stale = case.version
    verify(case, staff_user)
    again = Complaint.objects.get(pk=case.pk)
    again.status = "open"  # as the second person's page still shows it
    with pytest.raises(Conflict):
        services.verify_complaint(
            complaint=again, by=staff_user, findings="另一次核实", expected_version=stale
        )
    case.refresh_from_db()
    assert case.findings.startswith("核实属实")
    assert case.transitions.filter(action="verified").count() == 1


def test_a_double_submit_with_one_key_moves_once(case, staff_user):
    for _ in range(2):
        services.verify_complaint(
            complaint=case, by=staff_user, findings="核实", expected_version=1,
            submission_key="k1",
        )  # fmt: skip
    assert case.transitions.filter(action="verified").count() == 1
    assert case.status == "verified"


def test_overdue_is_escalated_once(window, staff_user, office_user, admin_user,
                                   django_capture_on_commit_callbacks):  # fmt: skip
    case = open_case(window, day=D(2025, 6, 2))  # due Monday 9 June
    assert not Complaint.objects.overdue(D(2025, 6, 9)).exists()
    with django_capture_on_commit_callbacks(execute=True):
        assert services.escalate_overdue(on=D(2025, 6, 10)) == 1
    assert services.escalate_overdue(on=D(2025, 6, 11)) == 0
    told = set(
        Notification.objects.filter(kind="complaints.overdue").values_list("user", flat=True)
    )
    assert told == {staff_user.pk, office_user.pk, admin_user.pk}
    assert case.transitions.filter(action="escalated").count() == 1


def test_a_closed_case_is_not_overdue(case, staff_user, office_user):
    take_to_closed(case, staff_user, office_user)
    later = case.due_on + datetime.timedelta(days=30)
    assert services.escalate_overdue(on=later) == 0


def test_the_daily_run_escalates_cases(window, capsys):
    open_case(window, day=timezone.localdate() - datetime.timedelta(days=30))
    from django.core.management import call_command

    call_command("escalate_overdue")
    assert "Escalated 1 other" in capsys.readouterr().out
    assert Complaint.objects.exclude(escalated_at=None).count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_imports_at_once_open_one_case(window):
    """Two threads open the same rating at once: one case (PostgreSQL may let both read
    nothing and refuse the second write; SQLite queues the writers, so the second reads the
    first's case)."""
    results, barrier = [], threading.Barrier(2)

    def run():
        from django.db import connection as conn

        barrier.wait()
        try:
            results.append(services.open_complaint(
                center=window.center, rating_id=77, unit=window,
                rated_at=at(D(2025, 6, 2)), level=1,
            )[1])  # fmt: skip
        finally:
            conn.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == [False, True]
    assert Complaint.objects.filter(rating_id=77).count() == 1
