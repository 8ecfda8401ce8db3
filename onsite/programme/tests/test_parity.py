"""Every write of the programme through both doors, the page and the API operation: an allowed
person gets the same outcome (state and audit rows), a refused one the same refusal (403
`not_allowed` and one `access.denied` row), and a state the act does not fit the same code
(the page's `Onsite-Refusal` header, the API's 409/422 body). Each door runs on the same
starting state: the act and its preparation are rolled back after each door.

A write with only one door is listed in `ONE_DOOR` with the reason."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.db import transaction
from django.db.models import Max
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from onsite.accounts.models import ApiToken
from onsite.audit.models import AuditEvent
from onsite.core.tests.factories import UserFactory
from onsite.programme import services
from onsite.programme.models import (
    AcceptanceRound,
    Card,
    ExitGate,
    Interview,
    PhaseProgress,
    Programme,
    Wave,
)
from onsite.programme.services import phases
from onsite.programme.tests.conftest import closed_last_month, last_month, rate

pytestmark = pytest.mark.django_db
API = "/api/v1/programme"
Build = Callable[[Any, dict[str, Any]], tuple[str, dict[str, Any]]]


@dataclass(frozen=True)
class Act:
    """One write: how to prepare it, each door's request (URL and body from the world and the
    prepared objects), and the state it leaves."""

    name: str
    allowed: str  # a persona fixture, or "rater"
    refused: str
    prepare: Callable[[Any], dict[str, Any]]
    page: Build | None
    api: Build | None
    state: Callable[[Any, dict[str, Any]], Any]
    conflicts: dict[str, tuple[Callable[[Any], dict[str, Any]], Build | None, Build | None]] = (
        field(default_factory=dict)
    )


def nothing(w):
    return {}


def sort_of(w, unit):
    return PhaseProgress.objects.get(programme=w.programme, unit=unit, phase="sort")


def pilot_passed(w):
    """The pilot's units have passed the sort phase and the rollout's planned start has come:
    nothing blocks the rollout."""
    PhaseProgress.objects.filter(programme=w.programme, unit__in=w.units[:3], phase="sort").update(
        status="accepted"
    )
    Wave.objects.filter(programme=w.programme, kind=Wave.Kind.ROLLOUT).update(
        planned_start=timezone.localdate()
    )


def overridden(w):
    """The sort phase of u1 accepted by an approved override (two people)."""
    progress = sort_of(w, w.units[0])
    sign_off = services.override_phase(
        progress=progress, by=w.office, reason="已经同意", expected_version=progress.version
    )
    leader = UserFactory(center=w.center, username="leader-parity", roles=["leader"])
    phases.approve_sign_off(sign_off=sign_off, by=leader)
    return {"progress": sort_of(w, w.units[0])}


def rollout_u4(w, *, start=False):
    """The fourth unit joins the rollout (its phases not started; or started)."""
    pilot_passed(w)
    rollout = w.programme.waves.get(kind=Wave.Kind.ROLLOUT)
    services.update_wave(
        wave=rollout,
        by=w.office,
        name=rollout.name,
        planned_start=rollout.planned_start,
        planned_end=rollout.planned_end,
        units=[w.units[3]],
        expected_version=rollout.version,
    )
    if start:
        services.start_wave(wave=rollout, by=w.office)
    return {"progress": sort_of(w, w.units[3]), "wave": rollout}


def opened(w):
    round_ = services.open_round(
        programme=w.programme, phase="sort", units=w.units[:3], by=w.office, seed=1
    )
    assignment = round_.assignments.filter(rater=w.raters[0]).select_related("unit").first()
    return {"round": round_, "assignment": assignment, "zone": f"{assignment.unit.code}-c"}


def closed(w):
    objs = opened(w)
    services.close_round(round_=objs["round"], by=w.office)
    return objs


def rated_and_closed(w):
    objs = opened(w)
    for assignment in objs["round"].assignments.select_related("unit", "rater"):
        rate(assignment)
    services.close_round(round_=objs["round"], by=w.office)
    closed_last_month(objs["round"])  # a month is published once it has ended
    return objs


def open_gate(w):
    """The sort phase's gate asks nothing: checking it accepts the phase."""
    ExitGate.objects.create(
        center=w.center,
        phase="sort",
        score_required=False,
        no_overdue_required=False,
        acceptance_required=False,
        red_tags_required=False,
    )
    return {"progress": sort_of(w, w.units[0])}


def a_card(w):
    card = services.issue_card(
        center=w.center, unit=w.units[0], kind="yellow", reason="现场杂乱", by=w.office
    )
    return {"card": card}


def an_interview(w):
    month = timezone.localdate().replace(day=1)
    return {
        "interview": Interview.objects.create(
            center=w.center, unit=w.units[2], month=month, previous_month=month
        )
    }


def url(name, *args):
    return reverse(f"programme:{name}", args=args)


def progress_state(objs):
    progress = objs["progress"]
    progress.refresh_from_db()
    return progress.status, progress.overridden


def round_state(w, objs):
    return list(AcceptanceRound.objects.values_list("status", "phase", "min_raters"))


def programme_form(w, **changes):
    p = w.programme
    data = {
        "name": p.name,
        "starts_on": p.starts_on.isoformat(),
        "ends_on": p.ends_on.isoformat() if p.ends_on else "",
        "note": p.note,
        "status": p.status,
        "version": p.version,
    }
    return {**data, **changes}


def wave_form(w, **changes):
    wave = w.pilot
    wave.refresh_from_db()
    data = {
        "name": "试点波次",
        "planned_start": wave.planned_start.isoformat(),
        "planned_end": wave.planned_end.isoformat(),
        "units": [u.pk for u in w.units[:3]],
        "version": wave.version,
    }
    return {**data, **changes}


def gate_form(version):
    return {
        "phase": "sort",
        "sort-score_required": "on",
        "sort-min_score": "90",
        "sort-score_weeks": "4",
        "sort-version": version,
    }


def round_page(units, *, min_raters=2):
    return {
        "action": "open",
        "phase": "sort",
        "units": [u.pk for u in units],
        "min_raters": min_raters,
        "seed": 1,
        "name": "",
        "due_on": "",
        "submission_key": "",
    }


def round_api(min_raters=2):
    return {"phase": "sort", "units": ["u1", "u2", "u3"], "min_raters": min_raters, "seed": 1}


def interview_form(interview, *, version=None):
    prefix = f"i{interview.pk}"
    return {
        f"{prefix}-held_on": timezone.localdate().isoformat(),
        f"{prefix}-note": "限期整改",
        f"{prefix}-version": interview.version if version is None else version,
    }


THIS_MONTH = timezone.localdate().replace(day=1)
MONTH = {"month": f"{last_month():%Y-%m}"}


ACTS = [
    Act(
        "create_programme",
        "office_user",
        "member",
        nothing,
        page=lambda w, o: (
            url("programme-create"),
            {"name": "二期", "starts_on": "2026-05-01", "ends_on": "", "note": ""},
        ),
        api=lambda w, o: ("/programmes", {"name": "二期", "starts_on": "2026-05-01"}),
        state=lambda w, o: list(Programme.objects.values_list("name", "starts_on", "status")),
        conflicts={
            "name_taken": (
                nothing,
                lambda w, o: (
                    url("programme-create"),
                    {"name": w.programme.name, "starts_on": "2026-05-01"},
                ),
                lambda w, o: ("/programmes", {"name": w.programme.name, "starts_on": "2026-05-01"}),
            )
        },
    ),
    Act(
        "edit_programme",
        "office_user",
        "member",
        nothing,
        page=lambda w, o: (url("programme-edit", w.programme.pk), programme_form(w, name="新名称")),
        api=None,
        state=lambda w, o: list(Programme.objects.values_list("name", "version")),
        conflicts={
            "stale": (
                nothing,
                lambda w, o: (url("programme-edit", w.programme.pk), programme_form(w, version=0)),
                None,
            )
        },
    ),
    Act(
        "edit_wave",
        "office_user",
        "member",
        nothing,
        page=lambda w, o: (url("wave-edit", w.pilot.pk), wave_form(w)),
        api=None,
        state=lambda w, o: list(Wave.objects.values_list("name", "version")),
        conflicts={
            "stale": (
                nothing,
                lambda w, o: (url("wave-edit", w.pilot.pk), wave_form(w, version=0)),
                None,
            )
        },
    ),
    Act(
        "start_wave",
        "office_user",
        "group_leader",
        rollout_u4,
        page=lambda w, o: (url("wave-start", o["wave"].pk), {"confirm": 1, "confirmed": "1"}),
        api=None,
        state=lambda w, o: progress_state(o),
    ),
    Act(
        "start_phase",
        "group_leader",
        "member",
        rollout_u4,
        page=lambda w, o: (url("progress-start", o["progress"].pk), {"version": 1}),
        api=None,
        state=lambda w, o: progress_state(o),
        conflicts={
            "wrong_state": (
                lambda w: {"progress": sort_of(w, w.units[0])},
                lambda w, o: (url("progress-start", o["progress"].pk), {"version": 2}),
                None,
            )
        },
    ),
    Act(
        "request_acceptance",
        "group_leader",
        "member",
        lambda w: rollout_u4(w, start=True),
        page=lambda w, o: (
            url("progress-request", o["progress"].pk),
            {"version": o["progress"].version},
        ),
        api=None,
        state=lambda w, o: progress_state(o),
        conflicts={
            "wrong_state": (
                rollout_u4,
                lambda w, o: (url("progress-request", o["progress"].pk), {"version": 1}),
                None,
            )
        },
    ),
    Act(
        "check_gate",
        "group_leader",
        "member",
        open_gate,
        page=lambda w, o: (url("progress-check", o["progress"].pk), {}),
        api=lambda w, o: (f"/progress/{o['progress'].pk}/check", {}),
        state=lambda w, o: progress_state(o),
    ),
    Act(
        "override_phase",
        "office_user",
        "group_leader",
        lambda w: {"progress": sort_of(w, w.units[0])},
        page=lambda w, o: (
            url("progress-override", o["progress"].pk),
            {"reason": "领导小组同意", "version": o["progress"].version},
        ),
        api=lambda w, o: (
            f"/progress/{o['progress'].pk}/override",
            {"reason": "领导小组同意", "version": o["progress"].version},
        ),
        state=lambda w, o: progress_state(o),
        conflicts={
            "wrong_state": (
                overridden,
                lambda w, o: (
                    url("progress-override", o["progress"].pk),
                    {"reason": "再次同意", "version": o["progress"].version},
                ),
                lambda w, o: (
                    f"/progress/{o['progress'].pk}/override",
                    {"reason": "再次同意", "version": o["progress"].version},
                ),
            ),
            "stale": (
                lambda w: {"progress": sort_of(w, w.units[0])},
                lambda w, o: (
                    url("progress-override", o["progress"].pk),
                    {"reason": "领导小组同意", "version": 0},
                ),
                lambda w, o: (
                    f"/progress/{o['progress'].pk}/override",
                    {"reason": "领导小组同意", "version": 0},
                ),
            ),
        },
    ),
    Act(
        "edit_gate",
        "admin_user",
        "supervisor",
        nothing,
        page=lambda w, o: (url("gates"), gate_form(1)),
        api=None,
        state=lambda w, o: list(ExitGate.objects.values_list("phase", "min_score", "version")),
        conflicts={"stale": (nothing, lambda w, o: (url("gates"), gate_form(7)), None)},
    ),
    Act(
        "open_round",
        "office_user",
        "member",
        nothing,
        page=lambda w, o: (url("round-create"), round_page(w.units[:3])),
        api=lambda w, o: ("/rounds", round_api()),
        state=round_state,
        conflicts={
            "infeasible": (
                nothing,
                lambda w, o: (url("round-create"), round_page(w.units[:3], min_raters=3)),
                lambda w, o: ("/rounds", round_api(min_raters=3)),
            )
        },
    ),
    Act(
        "close_round",
        "office_user",
        "member",
        opened,
        page=lambda w, o: (url("round-close", o["round"].pk), {"version": 1, "confirm": "on"}),
        api=lambda w, o: (f"/rounds/{o['round'].pk}/close", {"version": 1, "confirm": True}),
        state=round_state,
        conflicts={
            "incomplete_sheets": (
                opened,
                lambda w, o: (url("round-close", o["round"].pk), {"version": 1}),
                lambda w, o: (f"/rounds/{o['round'].pk}/close", {"version": 1}),
            ),
            "stale": (
                opened,
                lambda w, o: (url("round-close", o["round"].pk), {"version": 0, "confirm": "on"}),
                lambda w, o: (f"/rounds/{o['round'].pk}/close", {"version": 0, "confirm": True}),
            ),
        },
    ),
    Act(
        "start_sheet",
        "rater",
        "office_user",
        opened,
        page=lambda w, o: (url("sheet-start", o["assignment"].pk, o["zone"]), {}),
        api=lambda w, o: (f"/assignments/{o['assignment'].pk}/sheets", {"zone": o["zone"]}),
        state=lambda w, o: list(o["assignment"].sheets.values_list("zone__code", flat=True)),
        conflicts={
            "round_closed": (
                closed,
                lambda w, o: (url("sheet-start", o["assignment"].pk, o["zone"]), {}),
                lambda w, o: (f"/assignments/{o['assignment'].pk}/sheets", {"zone": o["zone"]}),
            )
        },
    ),
    Act(
        "publish_month",
        "supervisor",
        "member",
        rated_and_closed,
        page=lambda w, o: (url("month-publish"), MONTH),
        api=lambda w, o: ("/rankings/monthly", MONTH),
        state=lambda w, o: (
            list(Card.objects.filter(month__isnull=False).values_list("unit__code", "kind")),
        ),
        conflicts={
            "no_scores": (
                nothing,
                lambda w, o: (url("month-publish"), MONTH),
                lambda w, o: ("/rankings/monthly", MONTH),
            ),
            "month_not_ended": (
                nothing,
                lambda w, o: (url("month-publish"), {"month": f"{THIS_MONTH:%Y-%m}"}),
                lambda w, o: ("/rankings/monthly", {"month": f"{THIS_MONTH:%Y-%m}"}),
            ),
        },
    ),
    Act(
        "issue_card",
        "supervisor",
        "member",
        nothing,
        page=lambda w, o: (
            url("card-create"),
            {"unit": w.units[1].pk, "kind": "red", "reason": "同一问题再次出现"},
        ),
        api=lambda w, o: ("/cards", {"unit": "u2", "kind": "red", "reason": "同一问题再次出现"}),
        state=lambda w, o: list(Card.objects.values_list("unit__code", "kind", "reason")),
    ),
    Act(
        "revoke_card",
        "supervisor",
        "member",
        a_card,
        page=lambda w, o: (url("card-revoke", o["card"].pk), {"reason": "复查已整改"}),
        api=lambda w, o: (f"/cards/{o['card'].pk}/revoke", {"reason": "复查已整改"}),
        state=lambda w, o: list(Card.objects.values_list("revoke_reason", "revoked_by")),
    ),
    Act(
        "finding_cards",
        "supervisor",
        "member",
        nothing,
        page=lambda w, o: (url("finding-cards"), {}),
        api=None,
        state=lambda w, o: Card.objects.count(),
    ),
    Act(
        "hold_interview",
        "supervisor",
        "group_leader",
        an_interview,
        page=lambda w, o: (
            url("interview-hold", o["interview"].pk),
            interview_form(o["interview"]),
        ),
        api=None,
        state=lambda w, o: list(Interview.objects.values_list("status", "note")),
        conflicts={
            "stale": (
                an_interview,
                lambda w, o: (
                    url("interview-hold", o["interview"].pk),
                    interview_form(o["interview"], version=0),
                ),
                None,
            )
        },
    ),
]

ONE_DOOR = {
    "edit_programme": "no API operation: the programme is edited on its page only",
    "edit_wave": "no API operation: waves are planned on their page only",
    "start_wave": "no API operation: the office starts a wave on the overview",
    "start_phase": "no API operation: a phase is started on the unit's page",
    "request_acceptance": "no API operation: a phase is put forward on the unit's page",
    "edit_gate": "no API operation: the gates are set on their page only",
    "finding_cards": "no API operation: the cards for findings are issued on the cards page",
    "hold_interview": "no API operation: an interview is recorded on the interview list",
}
"""Writes with a page and no API operation (a read-only API operation, the round preview,
writes nothing: it is the page's preview, not an act)."""


def test_every_act_is_listed_once():
    names = [a.name for a in ACTS]
    assert len(names) == len(set(names))
    assert {a.name for a in ACTS if a.api is None} == set(ONE_DOOR)


def person(request, w, name):
    return w.raters[0] if name == "rater" else request.getfixturevalue(name)


def last_seq():
    return AuditEvent.objects.aggregate(n=Max("seq"))["n"] or 0


def doors(act):
    return [("page", act.page), ("api", act.api)] if act.api else [("page", act.page)]


@pytest.mark.parametrize("act", ACTS, ids=lambda a: a.name)
def test_an_allowed_person_gets_the_same_outcome_through_both_doors(request, world, act):
    user = person(request, world, act.allowed)
    seen = {}
    for door, build in doors(act):
        with transaction.atomic():
            objs = act.prepare(world)
            post = door_client(door, user)
            before = last_seq()
            response = post(*build(world, objs))
            assert response.status_code in ((302, 200) if door == "page" else (200,)), (
                door,
                response.status_code,
                getattr(response, "content", b"")[:300],
            )
            assert not response.has_header("Onsite-Refusal"), response["Onsite-Refusal"]
            seen[door] = (new_actions(before), act.state(world, objs))
            transaction.set_rollback(True)
    assert seen["page"][0], "the act writes its audit row"
    assert "access.denied" not in seen["page"][0]
    if act.api:
        assert seen["page"] == seen["api"]


@pytest.mark.parametrize("act", ACTS, ids=lambda a: a.name)
def test_a_refused_person_gets_the_same_refusal_through_both_doors(request, world, act):
    user = person(request, world, act.refused)
    for door, build in doors(act):
        with transaction.atomic():
            objs = act.prepare(world)
            state = act.state(world, objs)
            post = door_client(door, user)
            before = last_seq()
            response = post(*build(world, objs))
            assert response.status_code == 403, (door, response.status_code)
            code = response["Onsite-Refusal"] if door == "page" else response.json()["code"]
            assert code == "not_allowed", door
            assert new_actions(before) == ["access.denied"], door
            assert act.state(world, objs) == state, "nothing written"
            transaction.set_rollback(True)


CONFLICTS = [(act, code) for act in ACTS for code in act.conflicts]


@pytest.mark.parametrize(("act", "code"), CONFLICTS, ids=[f"{a.name}-{c}" for a, c in CONFLICTS])
def test_a_state_the_act_does_not_fit_is_the_same_code_through_both_doors(
    request, world, act, code
):
    user = person(request, world, act.allowed)
    prepare, page, api = act.conflicts[code]
    for door, build in [("page", page), ("api", api)]:
        if build is None:
            continue
        with transaction.atomic():
            objs = prepare(world)
            post = door_client(door, user)
            before = last_seq()
            response = post(*build(world, objs))
            if door == "page":
                assert response["Onsite-Refusal"] == code
            else:
                assert response.status_code in (409, 422), response.status_code
                assert response.json()["code"] == code
            assert new_actions(before) == [], "nothing written, nobody refused access"
            transaction.set_rollback(True)


def door_client(door, user):
    """Signs in (page) or issues a token (API) first, so only the act's rows are counted."""
    client = Client()
    if door == "page":
        client.force_login(user)
        return lambda path, body: client.post(path, body)
    token = ApiToken.issue(user=user, name="parity")[1]
    return lambda path, body: client.post(
        f"{API}{path}", body, content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {token}"
    )


def new_actions(before):
    return list(
        AuditEvent.objects.filter(seq__gt=before).order_by("seq").values_list("action", flat=True)
    )
