"""Read-side filters and summaries of rectification: the list's filters, a rectification's
photos by attempt, and the staff home page's "my work"."""

from __future__ import annotations

from typing import Any

from django.db.models import Case, Q, Value, When
from django.utils import timezone

from onsite.accounts.models import User
from onsite.core.models import Center
from onsite.inspections.models import AnswerPhoto
from onsite.rectification.models import Rectification, RectificationPhoto, RectificationQuerySet
from onsite.standards.models import ItemFiling

MY_WORK_LIMIT = 20


def my_work(*, center: Center, user: User) -> dict[str, Any]:
    """A person's open rectifications (open first, by due date) and their filings that are
    waiting or in force. Three queries whatever the data."""
    today = timezone.localdate()
    mine = Q(assignee=user) | Q(zone__owner=user)
    rectifications = list(
        Rectification.objects.filter(center=center)
        .filter(mine)
        .pending()
        .select_related("zone", "finding")
        .order_by("status", "due_on", "pk")[:MY_WORK_LIMIT]
    )
    filings = list(
        ItemFiling.objects.filter(center=center)
        .filter(Q(filed_by=user) | Q(zone__owner=user))
        .filter(
            Q(status=ItemFiling.Status.REQUESTED)
            | Q(status=ItemFiling.Status.APPROVED, valid_to__gte=today)
        )
        .select_related("zone", "item")
        .order_by("status", "valid_to", "pk")[:MY_WORK_LIMIT]
    )
    return {
        "my_rectifications": rectifications,
        "my_overdue_count": sum(r.is_overdue(today) for r in rectifications),
        "my_filings": filings,
        "today": today,
    }


# Status choices of the list beyond the model's: the default "not closed yet" and "any".
PENDING, ANY_STATUS = "pending", "all"
# Open first, then waiting for verification, closed last (the names sort the other way).
STATUS_ORDER = Case(
    When(status=Rectification.Status.OPEN, then=Value(0)),
    When(status=Rectification.Status.SUBMITTED, then=Value(1)),
    default=Value(2),
)


def picked_filters(get: Any) -> dict[str, str]:
    """The list's filters: the person's own (mine=1, the default) not closed yet."""
    picked = {n: get.get(n, "") for n in ("status", "mine", "overdue", "zone")}
    picked["mine"] = "0" if picked["mine"] == "0" else "1"
    if picked["status"] not in (*Rectification.Status.values, ANY_STATUS):
        picked["status"] = PENDING
    return picked


def filter_rectifications(
    rows: RectificationQuerySet, picked: dict[str, str]
) -> RectificationQuerySet:
    if picked["status"] == PENDING:
        rows = rows.pending().order_by("status", "due_on", "pk")
    elif picked["status"] == ANY_STATUS:
        rows = rows.order_by(STATUS_ORDER, "due_on", "pk")
    else:
        rows = rows.filter(status=picked["status"]).order_by("due_on", "pk")
    if picked["overdue"] == "1":
        rows = rows.overdue(timezone.localdate())
    if picked["zone"]:
        rows = rows.filter(zone__code=picked["zone"][:32])
    return rows


def photos_by_attempt(rectification: Rectification) -> dict[str, Any]:
    """The before-photos of its finding, the after-photos of the current attempt and those
    of earlier attempts (newest first)."""
    attempts: dict[int, list[RectificationPhoto]] = {}
    for photo in rectification.photos.all():
        attempts.setdefault(photo.attempt, []).append(photo)
    current = rectification.times_returned + 1
    return {
        "before": list(AnswerPhoto.objects.filter(answer_id=rectification.finding.answer_id)),
        "after_now": attempts.get(current, []),
        "earlier": sorted(((n, p) for n, p in attempts.items() if n != current), reverse=True),
    }
