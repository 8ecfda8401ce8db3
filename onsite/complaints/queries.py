"""Reads of 差评 cases: the list's filters, and the figures of a period (per window and for
the center) that the dashboards show. Each in a fixed number of queries."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, F, Q
from django.utils import timezone

from onsite.accounts.models import User
from onsite.complaints import access
from onsite.complaints.models import Complaint, ComplaintQuerySet
from onsite.core.models import Center
from onsite.org.models import Unit

PENDING, ANY_STATUS = "pending", "all"


def picked_filters(get: Any) -> dict[str, str]:
    """The list's filters: not closed yet by default, any window, overdue or not."""
    picked = {n: get.get(n, "") for n in ("status", "unit", "overdue")}
    if picked["status"] not in (*Complaint.Status.values, ANY_STATUS):
        picked["status"] = PENDING
    picked["unit"] = picked["unit"] if picked["unit"].isdigit() else ""
    picked["overdue"] = "1" if picked["overdue"] == "1" else ""
    return picked


def filter_complaints(rows: ComplaintQuerySet, picked: dict[str, str]) -> ComplaintQuerySet:
    if picked["status"] == PENDING:
        rows = rows.pending()
    elif picked["status"] != ANY_STATUS:
        rows = rows.filter(status=picked["status"])
    if picked["overdue"] == "1":
        rows = rows.overdue(timezone.localdate())
    if picked["unit"]:
        rows = rows.filter(unit_id=int(picked["unit"]))
    return rows.order_by("due_on", "pk")


@dataclass
class Figures:
    """One window's (or the center's) cases of a period.

    - opened: cases opened in the period; resolved: of those, closed (by now).
    - due: cases (of any opening date) due in the period; closed: cases closed in the period.
    - revisited: of the closed ones, those whose 回访 reached the citizen.
    - on_time: of the closed ones, those closed on or before their due date."""

    unit: Unit | None = None
    opened: int = 0
    resolved: int = 0
    due: int = 0
    closed: int = 0
    revisited: int = 0
    on_time: int = 0

    @staticmethod
    def _rate(part: int, whole: int) -> float | None:
        return round(100 * part / whole, 1) if whole else None

    @property
    def resolution_rate(self) -> float | None:
        """整改率: closed of those opened in the period, in %."""
        return self._rate(self.resolved, self.opened)

    @property
    def revisit_rate(self) -> float | None:
        """回访率: closed cases whose follow-up call reached the citizen, in % (target 100)."""
        return self._rate(self.revisited, self.closed)

    @property
    def on_time_rate(self) -> float | None:
        """Closed on or before the due date, of those closed in the period, in %."""
        return self._rate(self.on_time, self.closed)

    def add(self, other: Figures) -> None:
        for name in ("opened", "resolved", "due", "closed", "revisited", "on_time"):
            setattr(self, name, getattr(self, name) + getattr(other, name))


def figures(
    center: Center,
    start: datetime.date,
    end: datetime.date,
    unit_ids: Iterable[int] | None = None,
) -> dict[int | None, Figures]:
    """The 差评 figures of `start`..`end` (both included) per window, keyed by unit id, and
    the center's total under the key None. Windows without a case are left out (their rates
    would be empty). Four queries whatever the number of cases and windows."""
    rows = Complaint.objects.filter(center=center)
    if unit_ids is not None:
        rows = rows.filter(unit_id__in=list(unit_ids))
    tz = timezone.get_current_timezone()
    since = datetime.datetime.combine(start, datetime.time.min, tzinfo=tz)
    until = datetime.datetime.combine(
        end + datetime.timedelta(days=1), datetime.time.min, tzinfo=tz
    )
    closed = Q(status=Complaint.Status.CLOSED)
    reached = Q(
        revisited_at__isnull=False,
        citizen_satisfied__in=[Complaint.Satisfied.YES, Complaint.Satisfied.NO],
    )
    opened = (
        rows.filter(created_at__gte=since, created_at__lt=until)
        .values("unit_id")
        .annotate(opened=Count("pk"), resolved=Count("pk", filter=closed))
        .order_by()
    )
    due = (
        rows.filter(due_on__gte=start, due_on__lte=end)
        .values("unit_id")
        .annotate(due=Count("pk"))
        .order_by()
    )
    done = (
        rows.filter(closed, closed_at__gte=since, closed_at__lt=until)
        .values("unit_id")
        .annotate(
            closed=Count("pk"),
            revisited=Count("pk", filter=reached),
            on_time=Count("pk", filter=Q(closed_at__date__lte=F("due_on"))),
        )
        .order_by()
    )
    per_unit: dict[int | None, Figures] = {}
    for part in (opened, due, done):
        for row in part:
            figure = per_unit.setdefault(row["unit_id"], Figures())
            for name, value in row.items():
                if name != "unit_id":
                    setattr(figure, name, value)
    units = Unit.objects.in_bulk(list(per_unit)) if per_unit else {}
    total = Figures()
    for unit_id, figure in per_unit.items():
        figure.unit = units.get(unit_id) if unit_id is not None else None
        total.add(figure)
    per_unit[None] = total
    return per_unit


def waiting_for(user: User, center: Center) -> dict[str, int]:
    """The person's 差评 to-do, one query: cases of their own window to verify or hand in
    (`complaints_to_answer`), and for the office and admin cases to review or call back
    (`complaints_to_review`)."""
    window = access.is_window_unit_member(user)
    office = access.is_reviewer(user)
    if not window and not office:
        return {"complaints_to_answer": 0, "complaints_to_review": 0}
    wanted = []
    if window:
        wanted.append(
            Q(unit_id=user.unit_id, status__in=[Complaint.Status.OPEN, Complaint.Status.VERIFIED])
        )
    if office:
        wanted.append(Q(status__in=[Complaint.Status.REVIEW, Complaint.Status.REVISIT]))
    answer = wanted[0] if window else Q(pk__in=[])
    review = wanted[-1] if office else Q(pk__in=[])
    counts = Complaint.objects.filter(center=center).aggregate(
        to_answer=Count("pk", filter=answer), to_review=Count("pk", filter=review)
    )
    return {
        "complaints_to_answer": counts["to_answer"] or 0,
        "complaints_to_review": counts["to_review"] or 0,
    }
