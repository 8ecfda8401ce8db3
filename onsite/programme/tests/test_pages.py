"""Every page: who may open it (allowed), who may not (wrong role 403, another center's
object 404, anonymous to the sign-in page), bad input, and fixed query counts."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from onsite.audit.models import AuditEvent
from onsite.core.tests.factories import UnitFactory
from onsite.programme import services
from onsite.programme.models import (
    AcceptanceRound,
    Card,
    ExitGate,
    Interview,
    MonthlyRanking,
    PhaseProgress,
    Programme,
    ProgressStatus,
    SignOff,
    WaveUnit,
)
from onsite.programme.tests.conftest import closed_last_month, rate

pytestmark = pytest.mark.django_db


@pytest.fixture
def elsewhere(other_center, other_admin):
    """Another center's programme, unit, round-free progress, card and interview."""
    unit = UnitFactory(center=other_center, code="y1")
    programme = services.create_programme(
        center=other_center, by=other_admin, name="外中心", starts_on=timezone.localdate()
    )
    wave = programme.waves.first()
    services.update_wave(
        wave=wave,
        by=other_admin,
        name=wave.name,
        planned_start=wave.planned_start,
        planned_end=wave.planned_end,
        units=[unit],
        expected_version=wave.version,
    )
    card = services.issue_card(
        center=other_center, unit=unit, kind="yellow", reason="外中心黄牌", by=other_admin
    )
    interview = Interview.objects.create(
        center=other_center,
        unit=unit,
        month=timezone.localdate().replace(day=1),
        previous_month=timezone.localdate().replace(day=1),
    )
    return {
        "programme": programme,
        "wave": wave,
        "unit": unit,
        "progress": PhaseProgress.objects.get(programme=programme, unit=unit, phase="sort"),
        "card": card,
        "interview": interview,
    }


def url(name, *args):
    return reverse(f"programme:{name}", args=args)


# --- who may open what ---------------------------------------------------------------------

READ_PAGES = ["overview", "round-list", "rankings", "card-list"]


@pytest.mark.parametrize("name", READ_PAGES)
def test_read_pages_open_for_members_staff_and_viewers(
    client_for, world, member, staff_user, viewer, name
):
    for user in (member, staff_user, viewer):
        assert client_for(user).get(url(name)).status_code == 200, user


@pytest.mark.parametrize("name", READ_PAGES)
def test_read_pages_refuse_the_auditor_and_anonymous(client, client_for, world, auditor, name):
    assert client.get(url(name)).status_code == 302
    assert client_for(auditor).get(url(name)).status_code == 403
    assert AuditEvent.objects.filter(action="access.denied", actor=auditor).exists()


@pytest.mark.parametrize(
    ("name", "allowed", "denied"),
    [
        ("programme-create", "office_user", "member"),
        ("gates", "admin_user", "supervisor"),
        ("round-create", "leader", "group_leader"),
        ("card-create", "supervisor", "member"),
        ("interview-list", "group_leader", "staff_user"),
    ],
)
def test_office_pages_by_role(request, client_for, world, name, allowed, denied):
    assert client_for(request.getfixturevalue(allowed)).get(url(name)).status_code == 200
    assert client_for(request.getfixturevalue(denied)).get(url(name)).status_code == 403


def test_a_viewer_never_writes(client_for, world, viewer):
    client = client_for(viewer)
    assert client.get(url("programme-create")).status_code == 403
    assert client.post(url("card-create"), {"unit": world.units[0].pk}).status_code == 403


def test_object_pages_of_another_center_are_404(client_for, world, office_user, elsewhere):
    client = client_for(office_user)
    pages = [
        url("programme-edit", elsewhere["programme"].pk),
        url("timeline", elsewhere["programme"].pk),
        url("wave-edit", elsewhere["wave"].pk),
        url("wave-start", elsewhere["wave"].pk),
        url("unit-progress", elsewhere["unit"].code),
        f"{url('overview')}?programme={elsewhere['programme'].pk}",
    ]
    for page in pages:
        assert client.get(page).status_code == 404, page
    posts = [
        url("wave-start", elsewhere["wave"].pk),
        url("wave-sign-off", elsewhere["wave"].pk),
        url("progress-start", elsewhere["progress"].pk),
        url("progress-override", elsewhere["progress"].pk),
        url("card-revoke", elsewhere["card"].pk),
        url("interview-hold", elsewhere["interview"].pk),
    ]
    for page in posts:
        assert client.post(page, {"version": 1, "reason": "试图越权操作"}).status_code == 404, page
    assert elsewhere["card"].__class__.objects.get(pk=elsewhere["card"].pk).revoked_at is None


# --- the programme, waves, phases ----------------------------------------------------------


def test_the_overview_shows_waves_and_phase_states(client_for, world, member):
    page = client_for(member).get(url("overview")).content.decode()
    assert 'data-wave="pilot"' in page
    assert 'data-unit="u1"' in page
    assert 'data-status="in_progress"' in page


def test_the_office_creates_a_programme_and_bad_dates_keep_the_input(
    client_for, office_user, center
):
    client = client_for(office_user)
    response = client.post(
        url("programme-create"),
        {"name": "二期", "starts_on": "2026-05-01", "ends_on": "2026-04-01", "note": "说明"},
    )
    assert response.status_code == 200
    assert "二期" in response.content.decode()
    assert not Programme.objects.exists()
    data = {"name": "二期", "starts_on": "2026-05-01", "ends_on": "", "submission_key": "p-1"}
    assert client.post(url("programme-create"), data).status_code == 302
    assert client.post(url("programme-create"), data).status_code == 302, "a double submit"
    assert Programme.objects.get().waves.count() == 2


def test_editing_with_a_stale_version_is_refused_and_nothing_is_overwritten(client_for, world):
    client = client_for(world.office)
    data = {
        "name": "改名",
        "starts_on": world.programme.starts_on.isoformat(),
        "ends_on": "",
        "status": "running",
        "note": "",
        "version": world.programme.version - 1 if world.programme.version > 1 else 99,
    }
    response = client.post(url("programme-edit", world.programme.pk), data)
    assert response.status_code == 200
    world.programme.refresh_from_db()
    assert world.programme.name == "标准化现场管理"
    data["version"] = world.programme.version
    assert client.post(url("programme-edit", world.programme.pk), data).status_code == 302
    world.programme.refresh_from_db()
    assert world.programme.name == "改名"


def test_the_office_moves_a_unit_into_the_rollout(client_for, world):
    rollout = world.programme.waves.get(kind="rollout")
    client = client_for(world.office)
    assert client.get(url("wave-edit", rollout.pk)).status_code == 200
    response = client.post(
        url("wave-edit", rollout.pk),
        {
            "name": rollout.name,
            "planned_start": rollout.planned_start.isoformat(),
            "planned_end": rollout.planned_end.isoformat(),
            "units": [world.units[3].pk],
            "sort_start": "2026-09-01",
            "sort_end": "",
            "version": rollout.version,
        },
    )
    assert response.status_code == 200, "half a phase's dates is refused"
    assert not WaveUnit.objects.filter(wave=rollout).exists()
    response = client.post(
        url("wave-edit", rollout.pk),
        {
            "name": rollout.name,
            "planned_start": rollout.planned_start.isoformat(),
            "planned_end": rollout.planned_end.isoformat(),
            "units": [world.units[3].pk],
            "version": rollout.version,
        },
    )
    assert response.status_code == 302
    assert WaveUnit.objects.get(wave=rollout).unit == world.units[3]
    assert PhaseProgress.objects.filter(programme=world.programme, unit=world.units[3]).count() == 5
    start = {"confirm": 1, "confirmed": "1"}
    page = client.post(url("wave-start", rollout.pk), start).content.decode()
    assert 'data-testid="wave-block"' in page, "the pilot has not passed: refused, page shown"
    assert (
        PhaseProgress.objects.get(unit=world.units[3], phase="sort").status
        == ProgressStatus.NOT_STARTED
    )
    pass_pilot(world)
    response = client.post(url("wave-start", rollout.pk), start)
    assert response.status_code == 302
    assert (
        PhaseProgress.objects.get(unit=world.units[3], phase="sort").status
        == ProgressStatus.IN_PROGRESS
    )


def pass_pilot(world):
    """The pilot's units pass the sort phase and the rollout's planned start comes."""
    PhaseProgress.objects.filter(
        programme=world.programme, unit__in=world.units[:3], phase="sort"
    ).update(status=ProgressStatus.ACCEPTED)
    world.programme.waves.filter(kind="rollout").update(planned_start=timezone.localdate())


def rollout_of(world, units):
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
    return rollout


def test_the_start_page_says_what_blocks_and_asks_to_confirm(client_for, world):
    """Issue 21, point 1: the page names the pilot units that have not passed, their
    conditions and the planned date; a start without the confirmation starts nothing."""
    rollout = rollout_of(world, world.units[3:])
    client = client_for(world.office)
    page = client.get(url("wave-start", rollout.pk)).content.decode()
    assert 'data-testid="wave-block"' in page
    assert page.count('data-testid="pilot-unit"') == 3
    assert 'data-condition="score" data-holds="no"' in page
    assert 'data-testid="not-before"' in page
    assert 'data-testid="start-wave"' not in page, "no start button while blocked"
    pass_pilot(world)
    page = client.get(url("wave-start", rollout.pk)).content.decode()
    assert 'data-testid="start-wave"' in page
    assert client.post(url("wave-start", rollout.pk), {"confirm": 1}).status_code == 302
    assert PhaseProgress.objects.get(unit=world.units[3], phase="sort").status == "not_started"
    stale = client.post(url("wave-start", rollout.pk), {"confirm": 7, "confirmed": "1"})
    assert "confirm" in stale.content.decode() or "确认" in stale.content.decode()
    assert PhaseProgress.objects.get(unit=world.units[3], phase="sort").status == "not_started"


def test_an_early_start_needs_a_second_signature(client_for, world, leader, group_leader):
    rollout = rollout_of(world, world.units[3:])
    ask = url("wave-sign-off", rollout.pk)
    assert client_for(group_leader).post(ask, {"reason": "提前推广"}).status_code == 403
    office = client_for(world.office)
    assert office.post(ask, {"reason": ""}).status_code == 302
    assert not SignOff.objects.exists(), "no reason, nothing asked"
    assert office.post(ask, {"reason": "上级要求提前推广"}).status_code == 302
    assert office.post(ask, {"reason": "上级要求提前推广"}).status_code == 302
    sign_off = SignOff.objects.get()
    approve = url("sign-off-approve", sign_off.pk)
    assert office.post(approve).status_code == 403, "the office does not approve"
    assert client_for(group_leader).post(approve).status_code == 403
    assert client_for(leader).post(approve).status_code == 302
    sign_off.refresh_from_db()
    assert sign_off.approved_by == leader
    office = client_for(world.office)
    response = office.post(url("wave-start", rollout.pk), {"confirm": 1, "confirmed": "1"})
    assert response.status_code == 302
    assert PhaseProgress.objects.get(unit=world.units[3], phase="sort").status == "in_progress"


def test_unit_progress_shows_the_gate_condition_by_condition(client_for, world, member):
    page = client_for(member).get(url("unit-progress", "u1")).content.decode()
    assert 'data-testid="gate"' in page
    assert 'data-condition="score" data-holds="no"' in page
    assert 'data-condition="no_overdue" data-holds="yes"' in page


def test_a_group_leader_puts_a_phase_forward_and_checks_its_gate(
    client_for, world, group_leader, member
):
    progress = PhaseProgress.objects.get(unit=world.units[0], phase="sort")
    client = client_for(group_leader)
    response = client.post(url("progress-request", progress.pk), {"version": progress.version})
    assert response.status_code == 302
    progress.refresh_from_db()
    assert progress.status == ProgressStatus.AWAITING
    client.post(url("progress-check", progress.pk), {"version": progress.version})
    progress.refresh_from_db()
    assert progress.status == ProgressStatus.AWAITING, "the gate does not pass yet"
    assert client_for(member).post(url("progress-check", progress.pk)).status_code == 403


def test_an_override_needs_the_office_and_a_reason(client_for, world, group_leader, leader):
    progress = PhaseProgress.objects.get(unit=world.units[0], phase="sort")
    target = url("progress-override", progress.pk)
    assert (
        client_for(group_leader)
        .post(target, {"version": progress.version, "reason": "理由充足"})
        .status_code
        == 403
    )
    client = client_for(world.office)
    response = client.post(target, {"version": progress.version, "reason": ""}, follow=True)
    assert "reason" in response.content.decode() or "理由" in response.content.decode()
    progress.refresh_from_db()
    assert progress.status == ProgressStatus.IN_PROGRESS
    client.post(target, {"version": progress.version, "reason": "领导小组决定"})
    progress.refresh_from_db()
    assert progress.status == ProgressStatus.IN_PROGRESS, "asked, not yet approved"
    page = client_for(leader).get(url("unit-progress", "u1")).content.decode()
    assert 'data-testid="approve-sign-off"' in page
    sign_off = SignOff.objects.get(progress=progress)
    assert client_for(leader).post(url("sign-off-approve", sign_off.pk)).status_code == 302
    progress.refresh_from_db()
    assert progress.status == ProgressStatus.ACCEPTED
    assert progress.overridden


def test_the_office_sets_a_gate(client_for, world):
    client = client_for(world.office)
    response = client.post(
        url("gates"),
        {
            "phase": "shine",
            "shine-score_required": "on",
            "shine-min_score": "85",
            "shine-score_weeks": "2",
            "shine-acceptance_required": "on",
            "shine-version": "1",
        },
    )
    assert response.status_code == 302
    gate = ExitGate.objects.get(phase="shine")
    assert (gate.min_score, gate.score_weeks, gate.no_overdue_required) == (85, 2, False)
    response = client.post(
        url("gates"),
        {"phase": "shine", "shine-score_weeks": "0", "shine-version": str(gate.version)},
    )
    assert response.status_code == 200, "a bad number is shown back, nothing saved"
    gate.refresh_from_db()
    assert gate.score_weeks == 2


# --- rounds --------------------------------------------------------------------------------


def test_the_round_form_previews_then_opens(client_for, world):
    client = client_for(world.office)
    page = client.get(url("round-create") + "?phase=sort").content.decode()
    assert "单位1" in page
    assert "单位4" not in page, "only units in the phase"
    data = {
        "phase": "sort",
        "units": [u.pk for u in world.units[:3]],
        "min_raters": "2",
        "seed": "",
        "submission_key": "key-1",
        "action": "preview",
    }
    response = client.post(url("round-create"), data)
    page = response.content.decode()
    assert 'data-ok="yes"' in page
    assert not AcceptanceRound.objects.exists()
    data["action"] = "open"
    response = client.post(url("round-create"), data)
    round_ = AcceptanceRound.objects.get()
    assert response.url == url("round-detail", round_.pk)
    assert client.post(url("round-create"), data).status_code == 302
    assert AcceptanceRound.objects.count() == 1, "a double submit opens one round"


def test_an_infeasible_round_says_which_rule_and_why(client_for, world):
    response = client_for(world.office).post(
        url("round-create"),
        {
            "phase": "sort",
            "units": [u.pk for u in world.units[:3]],
            "min_raters": "3",
            "submission_key": "key-2",
            "action": "open",
        },
    )
    page = response.content.decode()
    assert 'data-ok="no"' in page
    assert 'data-testid="problem"' in page
    assert "单位1" in page
    assert not AcceptanceRound.objects.exists()


def test_the_round_page_for_raters_and_the_office(client_for, world, open_round, member):
    rater = client_for(world.raters[0])
    page = rater.get(url("round-detail", open_round.pk)).content.decode()
    assert page.count('data-testid="my-unit"') == 3
    office_page = client_for(world.office).get(url("round-detail", open_round.pk)).content.decode()
    assert 'data-testid="close-form"' in office_page
    assert 'data-testid="assignments"' in office_page
    member_page = client_for(member).get(url("round-detail", open_round.pk)).content.decode()
    assert 'data-testid="assignments"' not in member_page
    assert 'data-testid="close-form"' not in member_page


def test_closing_needs_the_office_and_confirmation_when_ratings_are_missing(
    client_for, world, open_round, member
):
    target = url("round-close", open_round.pk)
    assert client_for(member).post(target, {"version": open_round.version}).status_code == 403
    client = client_for(world.office)
    client.post(target, {"version": open_round.version})
    open_round.refresh_from_db()
    assert open_round.is_open
    client.post(target, {"version": open_round.version, "confirm": "on"})
    open_round.refresh_from_db()
    assert open_round.is_closed


def test_a_rater_starts_a_sheet_on_the_inspection_engine(client_for, world, open_round):
    assignment = open_round.assignments.get(rater=world.raters[0], unit=world.units[0])
    client = client_for(world.raters[0])
    assert client.get(url("assignment-detail", assignment.pk)).status_code == 200
    response = client.post(url("sheet-start", assignment.pk, "u1-c"))
    sheet = assignment.sheets.get()
    assert response.url == reverse("inspections:inspection-edit", args=[sheet.inspection.pk])
    assert sheet.inspection.kind == "acceptance"
    assert client.get(url("sheet-start", assignment.pk, "u1-c")).status_code == 405


def test_nobody_else_starts_a_raters_sheet(client_for, world, open_round):
    assignment = open_round.assignments.get(rater=world.raters[0], unit=world.units[0])
    other_rater = client_for(world.raters[1])
    assert other_rater.get(url("assignment-detail", assignment.pk)).status_code == 404
    assert other_rater.post(url("sheet-start", assignment.pk, "u1-c")).status_code == 404
    office = client_for(world.office)
    assert office.get(url("assignment-detail", assignment.pk)).status_code == 200
    assert office.post(url("sheet-start", assignment.pk, "u1-c")).status_code == 403
    assert not assignment.sheets.exists()


# --- rankings, cards, interviews -----------------------------------------------------------


def closed_round(world, open_round):
    for assignment in open_round.assignments.select_related("unit", "rater"):
        rate(assignment, fail={"clause:C01"} if assignment.unit.code == "u3" else set())
    return services.close_round(round_=open_round, by=world.office)


def test_rankings_show_the_round_and_the_month(client_for, world, open_round, member):
    closed_round(world, open_round)
    page = client_for(member).get(url("rankings")).content.decode()
    assert 'data-testid="red-flag"' in page
    assert 'data-testid="yellow-card"' in page
    assert 'data-testid="flag-holders"' in page


def test_a_supervisor_publishes_the_month(client_for, world, open_round, supervisor, member):
    month = f"{closed_last_month(closed_round(world, open_round)):%Y-%m}"
    assert client_for(member).post(url("month-publish"), {"month": month}).status_code == 403
    response = client_for(supervisor).post(url("month-publish"), {"month": month})
    assert response.status_code == 302
    assert MonthlyRanking.objects.filter(center=world.center).count() == 1
    client_for(supervisor).post(url("month-publish"), {"month": "not-a-month"})
    assert MonthlyRanking.objects.count() == 1


def test_cards_issue_list_and_revoke(client_for, world, supervisor, member):
    client = client_for(supervisor)
    response = client.post(
        url("card-create"),
        {"unit": world.units[0].pk, "kind": "yellow", "reason": "", "submission_key": "c"},
    )
    assert response.status_code == 200
    assert not Card.objects.exists()
    client.post(
        url("card-create"),
        {"unit": world.units[0].pk, "kind": "yellow", "reason": "桌面杂乱", "submission_key": "c"},
    )
    card = Card.objects.get()
    page = client_for(member).get(url("card-list")).content.decode()
    assert "桌面杂乱" in page
    assert (
        client_for(member).post(url("card-revoke", card.pk), {"reason": "已整改到位"}).status_code
        == 403
    )
    assert client_for(member).post(url("finding-cards")).status_code == 403
    client = client_for(supervisor)  # one test client: sign the supervisor in again
    client.post(url("card-revoke", card.pk), {"reason": "已整改到位"})
    card.refresh_from_db()
    assert card.is_revoked
    assert client.post(url("finding-cards")).status_code == 302


def test_interviews_are_recorded(client_for, world, supervisor, member):
    interview = Interview.objects.create(
        center=world.center,
        unit=world.units[2],
        month=timezone.localdate().replace(day=1),
        previous_month=timezone.localdate().replace(day=1) - datetime.timedelta(days=20),
    )
    prefix = f"i{interview.pk}"
    target = url("interview-hold", interview.pk)
    data = {f"{prefix}-held_on": timezone.localdate().isoformat(), f"{prefix}-note": "限期整改",
            f"{prefix}-version": "1"}  # fmt: skip
    assert client_for(member).post(target, data).status_code == 403
    client_for(supervisor).post(target, {**data, f"{prefix}-note": ""})
    interview.refresh_from_db()
    assert interview.status == "pending"
    client_for(supervisor).post(target, data)
    interview.refresh_from_db()
    assert interview.status == "held"


def test_the_unit_page_shows_phases_gate_and_cards(client_for, world, open_round, member):
    closed_round(world, open_round)
    page = client_for(member).get(reverse("org:unit-detail", args=["u1"])).content.decode()
    assert 'data-testid="programme-panel"' in page
    assert 'data-testid="flag-holder"' in page
    assert 'data-phase="sort" data-status="accepted"' in page
    assert "流动红旗" in page or "Rotating red flag" in page


# --- query counts --------------------------------------------------------------------------


def more_units(world, n):
    units = [UnitFactory(center=world.center, code=f"x{i}") for i in range(n)]
    wave = world.programme.waves.get(kind="rollout")
    services.update_wave(
        wave=wave,
        by=world.office,
        name=wave.name,
        planned_start=wave.planned_start,
        planned_end=wave.planned_end,
        units=units,
        expected_version=wave.version,
    )
    for unit in units[:5]:
        services.issue_card(
            center=world.center, unit=unit, kind="yellow", reason="抽查不合格", by=world.office
        )
        Interview.objects.create(
            center=world.center, unit=unit, month=timezone.localdate().replace(day=1),
            previous_month=timezone.localdate().replace(day=1),
        )  # fmt: skip


@pytest.mark.parametrize(
    "name", ["overview", "round-list", "rankings", "card-list", "interview-list"]
)
def test_list_pages_keep_their_query_count(
    client_for, world, open_round, django_assert_max_num_queries, name
):
    services.issue_card(
        center=world.center, unit=world.units[0], kind="red", reason="重复问题", by=world.office
    )
    Interview.objects.create(
        center=world.center, unit=world.units[0], month=timezone.localdate().replace(day=1),
        previous_month=timezone.localdate().replace(day=1),
    )  # fmt: skip
    client = client_for(world.office)
    client.get(url(name))  # warm the session
    with django_assert_max_num_queries(30) as small:
        client.get(url(name))
    more_units(world, 12)
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert client.get(url(name)).status_code == 200


def test_the_round_page_keeps_its_query_count(client_for, world, django_assert_max_num_queries):
    client = client_for(world.office)
    small_round = services.open_round(
        programme=world.programme, phase="sort", units=world.units[:1], by=world.office, seed=2
    )
    client.get(url("round-detail", small_round.pk))
    with django_assert_max_num_queries(40) as small:
        client.get(url("round-detail", small_round.pk))
    services.close_round(round_=small_round, by=world.office)
    big_round = services.open_round(
        programme=world.programme, phase="sort", units=world.units[:3], by=world.office, seed=2
    )
    with django_assert_max_num_queries(len(small.captured_queries)):
        client.get(url("round-detail", big_round.pk))


# --- every action scoped to its programme (issue 21, point 2) ------------------------------


def second_programme(world):
    """A later programme of the same center, running: the "current" one by default."""
    programme = services.create_programme(
        center=world.center, by=world.office, name="第二期推进", starts_on=timezone.localdate()
    )
    pilot = programme.waves.get(kind="pilot")
    services.update_wave(
        wave=pilot,
        by=world.office,
        name=pilot.name,
        planned_start=pilot.planned_start,
        planned_end=pilot.planned_end,
        units=world.units[:1],
        expected_version=pilot.version,
    )
    services.start_wave(wave=pilot, by=world.office)
    return programme


def test_the_round_link_of_a_programme_opens_a_round_of_that_programme(client_for, world):
    other = second_programme(world)
    client = client_for(world.office)
    page = client.get(f"{url('overview')}?programme={world.programme.pk}").content.decode()
    link = f"{url('round-create')}?programme={world.programme.pk}"
    assert f'href="{link}"' in page
    form = client.get(link).content.decode()
    assert world.programme.name in form
    assert other.name not in form
    assert f'name="programme" value="{world.programme.pk}"' in form
    data = {
        "programme": world.programme.pk,
        "phase": "sort",
        "units": [u.pk for u in world.units[:3]],
        "min_raters": "2",
        "seed": "3",
        "submission_key": "scoped-1",
        "action": "open",
    }
    assert client.post(url("round-create"), data).status_code == 302
    round_ = AcceptanceRound.objects.get()
    assert round_.programme == world.programme
    listing = client.get(url("round-list")).content.decode()
    assert f'data-testid="round-programme">{world.programme.name}<' in listing
    detail = client.get(url("round-detail", round_.pk)).content.decode()
    assert world.programme.name in detail


def test_a_round_for_another_centers_programme_is_refused(client_for, world, elsewhere):
    client = client_for(world.office)
    theirs = elsewhere["programme"].pk
    assert client.get(f"{url('round-create')}?programme={theirs}").status_code == 404
    assert client.get(f"{url('round-create')}?programme=x").status_code == 404
    data = {
        "programme": theirs,
        "phase": "sort",
        "units": [u.pk for u in world.units[:3]],
        "min_raters": "2",
        "seed": "3",
        "submission_key": "scoped-2",
        "action": "open",
    }
    assert client.post(url("round-create"), data).status_code == 404
    assert not AcceptanceRound.objects.exists()


def test_another_centers_sign_off_is_404(client_for, world, leader, elsewhere, other_admin):
    theirs = SignOff.objects.create(
        center=elsewhere["wave"].center,
        kind="wave_start",
        wave=elsewhere["wave"],
        reason="外中心特批",
        requested_by=other_admin,
    )
    assert client_for(leader).post(url("sign-off-approve", theirs.pk)).status_code == 404
    theirs.refresh_from_db()
    assert theirs.approved_by is None
