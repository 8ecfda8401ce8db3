"""Read-side summaries of rectification for other pages (the staff home page's "my work")."""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from django.utils import timezone

from onsite.accounts.models import User
from onsite.core.models import Center
from onsite.rectification.models import Rectification
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
