"""Demo 差评 cases: the cases the demo's citizen ratings opened (the dashboards step before,
which imports them through `open_complaint`) played forward into every state — verified, under
review, returned, waiting for the 回访, closed with the citizen satisfied, not satisfied or not
reached, open and overdue (then escalated) — through the same services as the pages.
Idempotent: only cases never moved are played, each with its own draw seeded by its rating,
so a second run changes nothing. Without cases (no bad rating in the demo) it does nothing."""

from __future__ import annotations

import datetime
import random

from django.db import transaction
from django.utils import timezone

from onsite.accounts.models import User
from onsite.complaints import access, services
from onsite.complaints.models import Complaint, Transition
from onsite.core.models import Center

# Where each step's moment is kept on the case, besides its history row.
STEP_FIELDS: dict[str, str] = {
    Transition.Action.OPENED: "created_at",
    Transition.Action.VERIFIED: "verified_at",
    Transition.Action.SUBMITTED: "submitted_at",
    Transition.Action.APPROVED: "reviewed_at",
    Transition.Action.RETURNED: "reviewed_at",
    Transition.Action.REVISITED: "revisited_at",
    Transition.Action.CLOSED: "closed_at",
    Transition.Action.ESCALATED: "escalated_at",
}
LATE_SHARE = 0.15  # cases the demo closes after their due date


def _backdate(case: Complaint, *, now: datetime.datetime) -> None:
    """Spreads the steps just played over the days after the rating, as the work would have
    been done: most cases closed by their due date, a few late. (Played now, every step would
    carry this moment: each case opened today, closed today, late.)"""
    steps = list(case.transitions.order_by("pk"))
    rng = random.Random(f"backdate-{case.rating_id}")  # noqa: S311 - a reproducible demo draw
    start = case.rated_at + datetime.timedelta(hours=1)
    due = datetime.datetime.combine(case.due_on, datetime.time(17), tzinfo=start.tzinfo)
    late = rng.random() < LATE_SHARE
    end = due + datetime.timedelta(days=2) if late else due - datetime.timedelta(hours=2)
    end = max(start, min(end, now))
    if steps[-1].action != Transition.Action.CLOSED:
        end = max(start, min(start + datetime.timedelta(days=len(steps)), now))
    gap = (end - start) / max(1, len(steps) - 1)
    fields: dict[str, datetime.datetime] = {}
    for index, step in enumerate(steps):
        moment = start + gap * index
        Transition.objects.filter(pk=step.pk).update(at=moment)
        fields[STEP_FIELDS[step.action]] = moment
    Complaint.objects.filter(pk=case.pk).update(**fields)


FINDINGS = "已调取录像核实：群众反映情况属实。"
ACTIONS = {
    Complaint.Outcome.FIX: "已整改：高峰时段增开窗口，并对窗口人员进行服务规范培训。",
    Complaint.Outcome.EXPLAIN: "已向群众解释：该事项须现场核验原件，按规定不能代办。",
    Complaint.Outcome.APPEAL: "申诉：办件记录显示群众未提交必要材料，差评与窗口服务无关。",
}


def _window_person(unit_id: int, people: dict[int, User | None]) -> User | None:
    if unit_id not in people:
        people[unit_id] = next(
            (
                u
                for u in User.objects.filter(unit_id=unit_id, is_active=True).order_by("pk")
                if u.has_role(*access.WRITERS)
            ),
            None,
        )
    return people[unit_id]


def _play(case: Complaint, *, person: User, office: User, today: datetime.date) -> None:
    rng = random.Random(case.rating_id)  # noqa: S311 - a reproducible demo draw
    age = (today - timezone.localdate(case.rated_at)).days
    roll = rng.random()
    if roll < 0.15 and age < 10:
        return  # still to verify (overdue once its days are past)
    services.verify_complaint(
        complaint=case, by=person, findings=FINDINGS, expected_version=case.version
    )
    if roll < 0.25:
        return
    outcome = rng.choice(list(Complaint.Outcome))
    services.submit_outcome(
        complaint=case, by=person, outcome=outcome, action=ACTIONS[outcome],
        expected_version=case.version,
    )  # fmt: skip
    if roll < 0.35:
        return  # waiting for the office's review
    if roll < 0.42:
        services.review_complaint(
            complaint=case, by=office, approve=False, note="解释不充分，请补充办件记录。",
            expected_version=case.version,
        )  # fmt: skip
        return
    services.review_complaint(complaint=case, by=office, approve=True, note="",
                              expected_version=case.version)  # fmt: skip
    if roll < 0.5:
        return  # the 回访 is still to make
    satisfied = rng.choices(list(Complaint.Satisfied), weights=[7, 2, 1])[0]
    services.record_revisit(
        complaint=case, by=office, satisfied=satisfied,
        note={"yes": "群众表示满意。", "no": "群众仍不满意，已做好解释。"}.get(satisfied, "电话未接通。"),
        expected_version=case.version,
    )  # fmt: skip
    services.close_complaint(complaint=case, by=office, expected_version=case.version)


@transaction.atomic
def seed(center: Center) -> None:
    office = next(iter(services.reviewers(center)), None)
    if office is None:
        return
    today = timezone.localdate()
    people: dict[int, User | None] = {}
    never_moved = (
        Complaint.objects.filter(center=center, status=Complaint.Status.OPEN)
        .filter(transitions__action="opened")
        .exclude(transitions__action="verified")
        .select_related("unit", "center")
        .order_by("rated_at", "pk")
        .distinct()
    )
    now = timezone.now()
    for case in never_moved:
        person = _window_person(case.unit_id, people)
        if person is not None:
            _play(case, person=person, office=office, today=today)
            _backdate(case, now=now)
    services.escalate_overdue(center=center, on=today)
