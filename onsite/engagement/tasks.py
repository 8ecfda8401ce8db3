from __future__ import annotations

import datetime

from django_tasks import task

from onsite.core.models import Center
from onsite.engagement import services
from onsite.engagement.digest import publish_digest
from onsite.engagement.services import ensure_acknowledgements


@task()
def publish_weekly_digests(*, day: str | None = None, center_ids: list[int] | None = None) -> int:
    """Publishes the digest of the week containing `day` (ISO date) for every center (or
    those listed). Returns how many digests were written."""
    on = datetime.date.fromisoformat(day) if day else None
    centers = (
        Center.objects.all() if center_ids is None else Center.objects.filter(pk__in=center_ids)
    )
    count = 0
    for center in centers.order_by("pk"):
        publish_digest(center, day=on)
        count += 1
    return count


@task()
def assign_acknowledgements(*, center_ids: list[int] | None = None) -> int:
    """Creates the missing acknowledgement tasks (and their notifications) of every published
    standard. A safety net for hook points that are not wired yet; run it nightly."""
    centers = (
        Center.objects.all() if center_ids is None else Center.objects.filter(pk__in=center_ids)
    )
    return sum(ensure_acknowledgements(center=center) for center in centers.order_by("pk"))


@task()
def remind_post_confirmations(
    *, day: str | None = None, center_ids: list[int] | None = None
) -> int:
    """Reminds the people who have not confirmed a board post they were asked to confirm:
    on the working day before its date and once after it (never twice). Run it daily."""
    on = datetime.date.fromisoformat(day) if day else None
    centers = (
        Center.objects.all() if center_ids is None else Center.objects.filter(pk__in=center_ids)
    )
    return sum(
        services.remind_post_confirmations(center=center, day=on)
        for center in centers.order_by("pk")
    )
