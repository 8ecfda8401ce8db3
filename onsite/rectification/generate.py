"""Synthetic rectifications: one per generated finding, assigned to the zone owner, due in
working days by severity (counted by the working-day calendar, as `open_rectifications`
counts them), and played forward to the end of the history — fixed and verified (some
returned once first), late, escalated when overdue, and a few never fixed — so every state
is present and recent ones are still open or waiting for verification."""

from __future__ import annotations

import bisect
import datetime
import random
from collections import Counter
from typing import Any

from onsite.accounts.models import Role, User
from onsite.core.generate import IdPool, at_time, copy_rows, period
from onsite.core.models import Center
from onsite.inspections.models import Finding, InspectionSettings, Severity
from onsite.rectification.calendar import WorkingDays
from onsite.rectification.models import MOVES, Rectification, RectificationPhoto, Transition

PHOTO = "generated/inspection-photo.jpg"
THUMBNAIL = "generated/inspection-thumbnail.jpg"
NEVER_FIXED = 0.005
LATE = 0.08
RETURNED = 0.1
_Step = tuple[str, str, str, int | None, datetime.datetime, str]  # action, from, to, by, at, note
FIX_NOTES = ["已清理台面", "已按定置图归位", "已补贴标识", "已清洁", "已理线收纳", "已更新资料"]


def generate(
    center: Center, *, years: float, rng: random.Random, until: datetime.date
) -> dict[str, int]:
    counts: Counter[str] = Counter()
    start, end = period(years=years, until=until)
    calendar = WorkingDays(start, end + datetime.timedelta(days=60))
    days = calendar.listed()
    settings = InspectionSettings.for_center(center)
    verifiers = list(
        User.objects.filter(center=center, role_grants__role__in=[Role.SUPERVISOR, Role.OFFICE])
        .order_by("pk")
        .distinct()
        .values_list("pk", flat=True)
    )
    findings = (
        Finding.objects.filter(center=center)
        .order_by("pk")
        .values_list("pk", "zone_id", "zone__owner_id", "severity", "found_on", "created_at")
    )
    rectification_ids = IdPool(Rectification, block=5_000)
    rectifications: list[dict[str, Any]] = []
    transitions: list[dict[str, Any]] = []
    photos: list[dict[str, Any]] = []
    for finding_id, zone_id, owner, severity, found_on, created_at in findings.iterator(2000):
        pk = rectification_ids.take()
        due = calendar.add(found_on, settings.working_days_for(severity))
        due_on = due.day
        verifier = rng.choice(verifiers) if verifiers else owner
        row: dict[str, Any] = {
            "id": pk, "center_id": center.pk, "finding_id": finding_id, "zone_id": zone_id,
            "assignee_id": owner, "severity": severity, "status": Rectification.Status.OPEN,
            "due_on": due_on, "due_is_provisional": due.is_provisional, "note": "", "return_reason": "",
            "times_returned": 0, "created_at": created_at, "submitted_at": None,
            "closed_at": None, "closed_by_id": None, "escalated_at": None, "version": 1,
        }  # fmt: skip
        steps: list[_Step] = [("assigned", "", "open", verifier, created_at, "")]
        steps += _play(rng, days, found_on, due_on, severity, owner, verifier)
        steps = [step for step in steps if step[4].date() <= until]
        for action, old, new, by, at, note in steps:
            if old and old != new:
                MOVES.check(old, new)  # the workflow's own moves, never invented ones
            transitions.append(
                {"rectification_id": pk, "action": action, "from_status": old, "to_status": new,
                 "by_id": by, "at": at, "note": note}
            )  # fmt: skip
            row["version"] += 1
            if action == "submitted":
                row.update(status="submitted", submitted_at=at, note=note)
                photos.append(
                    {"center_id": center.pk, "rectification_id": pk,
                     "attempt": row["times_returned"] + 1, "image": PHOTO,
                     "thumbnail": THUMBNAIL, "width": 1280, "height": 960,
                     "uploaded_by_id": by, "uploaded_at": at}
                )  # fmt: skip
            elif action == "returned":
                row.update(status="open", return_reason=note)
                row["times_returned"] += 1
            elif action == "verified":
                row.update(status="closed", closed_at=at, closed_by_id=by)
            elif action == "escalated":
                row["escalated_at"] = at
        if row["status"] == "open" and due_on < until and row["escalated_at"] is None:
            at = at_time(_add_working_days(days, due_on, 1), rng)
            if at.date() <= until:
                row["escalated_at"] = at
                transitions.append(
                    {"rectification_id": pk, "action": "escalated", "from_status": "open",
                     "to_status": "open", "by_id": None, "at": at, "note": ""}
                )  # fmt: skip
        rectifications.append(row)
        if len(rectifications) >= 10_000:
            _flush(rectifications, transitions, photos, counts)
    _flush(rectifications, transitions, photos, counts)
    return dict(counts)


def _flush(
    rectifications: list[dict[str, Any]],
    transitions: list[dict[str, Any]],
    photos: list[dict[str, Any]],
    counts: Counter[str],
) -> None:
    copy_rows(Rectification, rectifications, counts=counts)
    copy_rows(Transition, transitions, counts=counts)
    copy_rows(RectificationPhoto, photos, counts=counts)
    rectifications.clear()
    transitions.clear()
    photos.clear()


def _play(
    rng: random.Random,
    days: list[datetime.date],
    found_on: datetime.date,
    due_on: datetime.date,
    severity: str,
    owner: int,
    verifier: int,
) -> list[_Step]:
    """The moves after assignment, whether or not they have happened by now."""
    if rng.random() < NEVER_FIXED:
        return []
    allowed = max(0, days.index(due_on) - days.index(found_on)) if due_on in days else 0
    late = rng.random() < LATE
    delay = allowed + rng.randint(1, 10) if late else rng.randint(0, allowed)
    if severity == Severity.FIX_NOW and not late:
        delay = 0
    moves: list[_Step] = []
    submitted = _add_working_days(days, found_on, delay)
    note = rng.choice(FIX_NOTES)
    moves.append(("submitted", "open", "submitted", owner, at_time(submitted, rng), note))
    verified = _add_working_days(days, submitted, rng.randint(0, 2))
    if rng.random() < RETURNED:
        moves.append(("returned", "submitted", "open", verifier, at_time(verified, rng), "照片不清晰，请重新拍摄"))  # fmt: skip
        submitted = _add_working_days(days, verified, rng.randint(1, 3))
        moves.append(("submitted", "open", "submitted", owner, at_time(submitted, rng), note))
        verified = _add_working_days(days, submitted, rng.randint(0, 2))
    moves.append(("verified", "submitted", "closed", verifier, at_time(verified, rng), ""))
    # Same-day moves keep their order.
    for index in range(1, len(moves)):
        if moves[index][4] <= moves[index - 1][4]:
            action, old, new, by, _at, text = moves[index]
            moves[index] = (action, old, new, by, moves[index - 1][4] + datetime.timedelta(minutes=30), text)  # fmt: skip
    return moves


def _add_working_days(days: list[datetime.date], day: datetime.date, count: int) -> datetime.date:
    """The count-th working day after `day` (`day` itself for 0) among the calendar's
    `days`: when the simulated moves happen."""
    if count <= 0:
        return day
    index = bisect.bisect_right(days, day) + count - 1
    return days[min(index, len(days) - 1)]
