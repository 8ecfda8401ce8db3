import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from onsite.audit.models import AuditEvent
from onsite.core.concurrency import ConflictError
from onsite.core.refusals import Refusal
from onsite.inspections.models import Inspection
from onsite.notifications.models import Notification
from onsite.org.models import Membership
from onsite.programme import gates, services
from onsite.programme.assignment import Constraint
from onsite.programme.models import (
    AcceptanceRound,
    Card,
    ExitGate,
    Interview,
    MonthlyRanking,
    PhaseProgress,
    ProgressStatus,
    WavePhase,
)
from onsite.programme.services import phases
from onsite.programme.tests.conftest import rate

pytestmark = pytest.mark.django_db


def progress_of(world, unit, phase="sort"):
    return PhaseProgress.objects.get(programme=world.programme, unit=unit, phase=phase)


def test_a_new_programme_has_a_pilot_and_a_rollout_with_planned_phases(world):
    waves = list(world.programme.waves.order_by("position"))
    assert [w.kind for w in waves] == ["pilot", "rollout"]
    assert waves[0].planned_end < waves[1].planned_start
    plans = WavePhase.objects.filter(wave=waves[0]).order_by("planned_start")
    assert [p.phase for p in plans] == ["sort", "set_in_order", "shine", "standardize"]
    assert all(
        a.planned_end < b.planned_start for a, b in zip(plans, list(plans)[1:], strict=False)
    )


def test_starting_the_wave_puts_its_units_into_sort(world):
    statuses = {
        p.unit.code: p.status
        for p in PhaseProgress.objects.filter(programme=world.programme, phase="sort")
    }
    assert statuses == {"u1": "in_progress", "u2": "in_progress", "u3": "in_progress"}
    assert world.programme.__class__.objects.get().status == "running"


def test_opening_a_round_assigns_raters_under_the_rules(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        open_round = services.open_round(
            programme=world.programme,
            phase="sort",
            units=world.units[:3],
            by=world.office,
            seed=1,
        )
    pairs = sorted(open_round.assignments.values_list("rater__username", "unit__code"))
    assert pairs == [
        ("rater1", "u1"), ("rater1", "u2"), ("rater1", "u3"),
        ("rater2", "u1"), ("rater2", "u2"), ("rater2", "u3"),
    ]  # fmt: skip
    assert progress_of(world, world.units[0]).status == ProgressStatus.AWAITING
    assert AuditEvent.objects.filter(action="programme.round_opened").count() == 1
    assert Notification.objects.filter(user=world.raters[0], kind="programme.round_opened").exists()


def test_an_infeasible_round_says_why_and_saves_nothing(world):
    with pytest.raises(services.InfeasibleRoundError) as caught:
        services.open_round(
            programme=world.programme,
            phase="sort",
            units=world.units[:3],
            by=world.office,
            min_raters=3,
            seed=1,
        )
    (problem,) = caught.value.plan.problems
    assert problem.constraint == Constraint.MIN_RATERS
    assert AcceptanceRound.objects.count() == 0
    assert progress_of(world, world.units[0]).status == ProgressStatus.IN_PROGRESS


def test_a_unit_outside_the_phase_cannot_join_a_round(world):
    with pytest.raises(Refusal, match=r"单位4"):
        services.open_round(
            programme=world.programme, phase="sort", units=world.units, by=world.office, seed=1
        )


def test_opening_twice_with_one_key_makes_one_round(world):
    kwargs = {
        "programme": world.programme,
        "phase": "sort",
        "units": world.units[:3],
        "by": world.office,
        "seed": 3,
        "submission_key": "k-1",
    }
    first = services.open_round(**kwargs)
    again = services.open_round(**kwargs)
    assert first.pk == again.pk
    assert AcceptanceRound.objects.count() == 1


def test_closing_aggregates_ranks_issues_cards_and_accepts_phases(world, open_round):
    by_unit = {a.unit.code: a for a in open_round.assignments.select_related("unit", "rater")}
    for assignment in open_round.assignments.select_related("unit", "rater"):
        fail = {"clause:C01", "clause:C02"} if assignment.unit.code == "u3" else set()
        if assignment.unit.code == "u2" and assignment.rater.username == "rater2":
            fail = {"clause:C01"}
        rate(assignment, fail=fail)
    assert by_unit
    closed = services.close_round(round_=open_round, by=world.office)
    assert closed.is_closed
    entries = {e.unit.code: e for e in closed.entries.select_related("unit")}
    # A sort round's sheet has the sort clause C01 only (10 points; a failure loses 5).
    # u1: 100 and 100; u2: 100 and (C01 failed) 50; u3: 50 and 50.
    assert entries["u1"].score == Decimal("100.0")
    assert entries["u2"].score == Decimal("75.0")
    assert entries["u2"].spread == Decimal("50.0")
    assert entries["u3"].score == Decimal("50.0")
    assert [entries[c].rank for c in ("u1", "u2", "u3")] == [1, 2, 3]
    assert entries["u1"].agreement == Decimal("1.00")
    assert entries["u1"].accepted
    assert entries["u2"].accepted == (Decimal("75.0") >= closed.pass_mark)
    assert not entries["u3"].accepted
    flag = Card.objects.get(kind=Card.Kind.RED_FLAG)
    assert flag.unit.code == "u1"
    assert flag.issued_by == world.office
    yellow = Card.objects.get(kind=Card.Kind.YELLOW)
    assert yellow.unit.code == "u3"
    assert "单位" not in yellow.description or yellow.description
    # The gate: acceptance inspections count towards the zone average, no overdue, accepted.
    assert progress_of(world, world.units[0]).status == ProgressStatus.ACCEPTED
    assert progress_of(world, world.units[0], "set_in_order").status == ProgressStatus.IN_PROGRESS
    assert progress_of(world, world.units[2]).status == ProgressStatus.IN_PROGRESS
    snapshot = gates.GateResult.from_json(progress_of(world, world.units[0]).gate)
    assert snapshot.passes
    assert {c.code for c in snapshot.conditions} == {
        "score",
        "no_overdue",
        "acceptance",
        "red_tags",
    }


def test_closing_twice_changes_nothing(world, open_round):
    services.close_round(round_=open_round, by=world.office)
    services.close_round(round_=open_round, by=world.office)
    assert AuditEvent.objects.filter(action="programme.round_closed").count() == 1


def test_unsubmitted_sheets_do_not_count(world, open_round):
    assignment = open_round.assignments.filter(unit=world.units[0]).first()
    services.start_sheet(assignment=assignment, zone=world.zones[0], by=assignment.rater)
    services.close_round(round_=open_round, by=world.office)
    entry = open_round.entries.get(unit=world.units[0])
    assert entry.ratings == 0
    assert entry.score is None
    assert entry.accepted is False


def test_only_the_assigned_rater_starts_a_sheet(world, open_round):
    assignment = open_round.assignments.filter(rater=world.raters[0]).first()
    with pytest.raises(Refusal):
        services.start_sheet(
            assignment=assignment, zone=assignment.unit.zones.first(), by=world.raters[1]
        )


def test_a_sheet_started_twice_is_one_inspection(world, open_round):
    assignment = open_round.assignments.filter(rater=world.raters[0]).first()
    zone = assignment.unit.zones.first()
    first = services.start_sheet(assignment=assignment, zone=zone, by=assignment.rater)
    again = services.start_sheet(assignment=assignment, zone=zone, by=assignment.rater)
    assert first.pk == again.pk
    assert first.kind == Inspection.Kind.ACCEPTANCE


def test_the_gate_says_which_condition_holds(world):
    progress = progress_of(world, world.units[0])
    result = gates.evaluate_gate(progress)
    held = {c.code: c.holds for c in result.conditions}
    assert held == {"score": False, "no_overdue": True, "acceptance": False, "red_tags": True}
    assert not result.passes
    details = [c.detail for c in result.conditions]
    assert all(details)


def test_the_center_sets_the_gate(world):
    gate = ExitGate.for_center(world.center)["sort"]
    services.update_gate(
        gate=gate,
        by=world.office,
        data={
            "score_required": False,
            "min_score": None,
            "score_weeks": 4,
            "no_overdue_required": True,
            "acceptance_required": False,
            "red_tags_required": False,
        },
        expected_version=1,
    )
    progress = progress_of(world, world.units[0])
    result = services.check_gate(progress=progress, by=world.office)
    assert result.passes
    progress.refresh_from_db()
    assert progress.status == ProgressStatus.ACCEPTED
    with pytest.raises(ConflictError):
        services.update_gate(
            gate=ExitGate.objects.get(phase="sort"),
            by=world.office,
            data={
                "score_required": True,
                "min_score": 90,
                "score_weeks": 4,
                "no_overdue_required": True,
                "acceptance_required": True,
                "red_tags_required": True,
            },
            expected_version=1,
        )


def test_an_override_needs_a_reason_and_a_second_signature(world, leader, member):
    """Issue 21, point 1: 特批 is asked by one person and approved by a different member of
    the leadership; both are recorded and audited."""
    progress = progress_of(world, world.units[0])
    with pytest.raises(Refusal):
        services.override_phase(
            progress=progress, by=world.office, reason=" ", expected_version=progress.version
        )
    sign_off = services.override_phase(
        progress=progress,
        by=world.office,
        reason="领导小组决定提前进入整顿",
        expected_version=progress.version,
    )
    progress.refresh_from_db()
    assert progress.status == ProgressStatus.IN_PROGRESS, "one signature is not enough"
    with pytest.raises(Refusal) as same:
        phases.approve_sign_off(sign_off=sign_off, by=world.office)
    assert same.value.code == "not_allowed" or "leadership" in str(same.value.message)
    with pytest.raises(Refusal):
        phases.approve_sign_off(sign_off=sign_off, by=member)
    world.office.role_grants.create(role="leader")
    asking_leader = type(world.office).objects.get(pk=world.office.pk)  # roles are cached
    with pytest.raises(Refusal) as asker:
        phases.approve_sign_off(sign_off=sign_off, by=asking_leader)
    assert asker.value.code == "same_person"
    phases.approve_sign_off(sign_off=sign_off, by=leader)
    progress.refresh_from_db()
    assert progress.status == ProgressStatus.ACCEPTED
    assert progress.overridden
    transition = progress.transitions.last()
    assert transition.is_override
    assert transition.by == leader
    assert "领导小组决定提前进入整顿" in transition.note
    sign_off.refresh_from_db()
    assert (sign_off.requested_by, sign_off.approved_by) == (world.office, leader)
    assert AuditEvent.objects.filter(action="programme.sign_off_requested").exists()
    assert AuditEvent.objects.filter(action="programme.sign_off_approved", actor=leader).exists()
    event = AuditEvent.objects.get(action="programme.phase_overridden")
    assert (event.detail["requested_by"], event.detail["approved_by"]) == (
        world.office.pk,
        leader.pk,
    )


def rollout_with(world, units):
    rollout = world.programme.waves.get(kind="rollout")
    services.update_wave(
        wave=rollout,
        by=world.office,
        name=rollout.name,
        planned_start=rollout.planned_start,
        planned_end=rollout.planned_end,
        units=units,
        expected_version=rollout.version,
    )
    rollout.refresh_from_db()
    return rollout


def test_a_rollout_waits_for_the_pilot_and_its_planned_start(world, leader):
    """Issue 21, point 1: the rollout does not start while pilot units have not passed the
    sort phase or before its planned start, unless the leadership approves an override."""
    rollout = rollout_with(world, world.units[3:])
    assert rollout.planned_start > timezone.localdate()
    with pytest.raises(Refusal) as refused:
        services.start_wave(wave=rollout, by=world.office)
    assert refused.value.code == "pilot_not_passed"
    assert "单位1" in str(refused.value.message)
    assert rollout.planned_start.isoformat() in str(refused.value.message)
    assert progress_of(world, world.units[3]).status == ProgressStatus.NOT_STARTED
    block = phases.wave_block(rollout, with_gates=True)
    assert [p.unit.code for p, _gate in block.pilot] == ["u1", "u2", "u3"]
    assert all(gate is not None and not gate.passes for _p, gate in block.pilot)
    # The pilot passes; the planned date still blocks.
    PhaseProgress.objects.filter(
        programme=world.programme, unit__in=world.units[:3], phase="sort"
    ).update(status=ProgressStatus.ACCEPTED)
    with pytest.raises(Refusal):
        services.start_wave(wave=rollout, by=world.office)
    # An override asked by the office and approved by the leadership lets it start.
    sign_off = phases.request_sign_off(by=world.office, reason="上级要求提前推广", wave=rollout)
    with pytest.raises(Refusal):
        services.start_wave(wave=rollout, by=world.office)
    phases.approve_sign_off(sign_off=sign_off, by=leader)
    with pytest.raises(Refusal) as unconfirmed:
        services.start_wave(wave=rollout, by=world.office, confirm=5)
    assert unconfirmed.value.code == "confirm"
    assert services.start_wave(wave=rollout, by=world.office, confirm=1) == 1
    assert progress_of(world, world.units[3]).status == ProgressStatus.IN_PROGRESS


def test_a_rollout_starts_without_override_once_the_pilot_passed_and_the_day_came(world):
    rollout = rollout_with(world, world.units[3:])
    PhaseProgress.objects.filter(
        programme=world.programme, unit__in=world.units[:3], phase="sort"
    ).update(status=ProgressStatus.ACCEPTED)
    rollout.planned_start = timezone.localdate()
    rollout.save(update_fields=["planned_start"])
    assert services.start_wave(wave=rollout, by=world.office) == 1


def test_a_stale_version_is_a_conflict(world):
    progress = progress_of(world, world.units[0])
    stale = progress.version
    services.request_acceptance(progress=progress, by=world.office, expected_version=stale)
    progress.refresh_from_db()
    with pytest.raises(ConflictError):
        services.override_phase(
            progress=progress, by=world.office, reason="理由充分", expected_version=stale
        )


def test_the_next_rounds_avoid_last_rounds_pairs(world):
    extra = [services_user(world, f"rater{n}") for n in (3, 4)]
    first = services.open_round(
        programme=world.programme, phase="sort", units=world.units[:1], by=world.office, seed=5
    )
    services.close_round(round_=first, by=world.office)
    second = services.open_round(
        programme=world.programme, phase="sort", units=world.units[:1], by=world.office, seed=5
    )
    before = set(first.assignments.values_list("rater_id", flat=True))
    after = set(second.assignments.values_list("rater_id", flat=True))
    assert before.isdisjoint(after)
    assert len(extra) == 2


def services_user(world, username):
    from onsite.core.tests.factories import UserFactory

    user = UserFactory(center=world.center, username=username, roles=["member"])
    Membership.objects.create(group=world.groups[3], user=user, group_kind="working")
    return user


def test_publishing_a_month_ranks_cards_and_lists_interviews(world, open_round):
    for assignment in open_round.assignments.select_related("unit", "rater"):
        rate(assignment, fail={"clause:C01"} if assignment.unit.code == "u3" else set())
    services.close_round(round_=open_round, by=world.office)
    # A month is published once it has ended: the round closed last month.
    month = (timezone.localdate().replace(day=1) - datetime.timedelta(days=1)).replace(day=1)
    AcceptanceRound.objects.filter(pk=open_round.pk).update(
        closed_at=timezone.now().replace(year=month.year, month=month.month, day=15)
    )
    previous = (month - datetime.timedelta(days=1)).replace(day=1)
    # Last month u3 was last too (published earlier).
    earlier = MonthlyRanking.objects.create(center=world.center, month=previous)
    for rank, unit in enumerate(world.units[:3], start=1):
        earlier.rows.create(center=world.center, unit=unit, score=90 - rank, rank=rank, sources=1)
    ranking = services.publish_month(center=world.center, month=month, by=world.office)
    rows = list(ranking.rows.order_by("rank").values_list("unit__code", "rank"))
    assert rows == [("u1", 1), ("u2", 1), ("u3", 3)]
    assert Interview.objects.get().unit.code == "u3"
    holders = set(Card.objects.flag_holders().values_list("unit__code", flat=True))
    assert holders == {"u1", "u2"}, "the month's top units took the flag from the round's"
    again = services.publish_month(center=world.center, month=month, by=world.office)
    assert again.pk == ranking.pk


def test_a_future_month_cannot_be_published(world):
    future = timezone.localdate().replace(day=28) + datetime.timedelta(days=10)
    with pytest.raises(Refusal):
        services.publish_month(center=world.center, month=future, by=world.office)


def test_manual_cards_need_a_reason_and_can_be_revoked(world):
    with pytest.raises(Refusal):
        services.issue_card(
            center=world.center, unit=world.units[0], kind="yellow", reason="", by=world.office
        )
    card = services.issue_card(
        center=world.center,
        unit=world.units[0],
        kind="yellow",
        reason="台面物品超标",
        by=world.office,
        submission_key="c1",
    )
    same = services.issue_card(
        center=world.center,
        unit=world.units[0],
        kind="yellow",
        reason="台面物品超标",
        by=world.office,
        submission_key="c1",
    )
    assert card.pk == same.pk
    services.revoke_card(card=card, by=world.office, reason="复查已整改到位")
    card.refresh_from_db()
    assert card.is_revoked
    assert Card.objects.in_force().count() == 0


def test_overdue_and_repeated_findings_earn_one_card_each_per_month(world, supervisor):
    from onsite.inspections import services as inspection_services
    from onsite.inspections.services import AnswerInput

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
            inspection=inspection,
            by=supervisor,
            expected_version=inspection.version,
            answers=answers,
        )
        inspection_services.submit_inspection(inspection=inspection, by=supervisor)
    cards = services.issue_finding_cards(center=world.center, by=supervisor)
    assert sorted((c.unit.code, c.kind, c.cause) for c in cards) == [
        ("u1", "red", "repeat"),
        ("u1", "yellow", "overdue"),
    ]
    red = Card.objects.get(kind="red")
    assert "台面杂乱" in red.description
    assert "u1-c" in red.description
    assert services.issue_finding_cards(center=world.center, by=supervisor) == []
    assert Card.objects.count() == 2


def test_a_sort_round_rates_only_the_sort_checks(world, open_round):
    """Issue 21, point 6: a phase's acceptance sheet has the phase's checks, not all of them
    (the standard here has a sort clause and a set-in-order one)."""
    assignment = open_round.assignments.first()
    sheet = services.start_sheet(assignment=assignment, zone=world.zones[0], by=assignment.rater)
    pillars = set(sheet.answers.values_list("pillar", flat=True))
    assert pillars == {"sort"}
    assert {a.pillar for a in world.version.clauses.all()} == {"sort", "set_in_order"}
