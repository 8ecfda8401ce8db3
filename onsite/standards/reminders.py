"""Reminders to renew an item filing before it lapses (a deadline kind of
`onsite.notifications.reminders`, registered in `StandardsConfig.ready`)."""

from __future__ import annotations

import datetime
from collections.abc import Iterator

from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils.translation import gettext_noop

from onsite.notifications.reminders import Deadline, DeadlineKind
from onsite.standards.models import ItemFiling

FILING_DUE_ONE = gettext_noop(
    "Renew soon: the filing for %(item)s on %(zone)s is valid until %(due)s."
)
FILING_DUE_MANY = gettext_noop(
    "Renew soon: %(count)s of your item filings lapse by %(due)s, the first on %(zone)s."
)


def lapsing_filings(day: datetime.date, last: datetime.date) -> Iterator[Deadline]:
    """Approved filings whose last valid day is from `day` up to `last`, unless a renewal
    (a requested or approved filing of the same zone and item valid longer) is on file.
    The filer and the zone's owner are told."""
    renewal = ItemFiling.objects.filter(
        zone_id=OuterRef("zone_id"),
        item_id=OuterRef("item_id"),
        status__in=[ItemFiling.Status.REQUESTED, ItemFiling.Status.APPROVED],
        valid_to__gt=OuterRef("valid_to"),
    )
    rows = (
        ItemFiling.objects.filter(
            status=ItemFiling.Status.APPROVED, valid_to__gte=day, valid_to__lte=last
        )
        .exclude(Exists(renewal))
        .select_related("zone", "zone__center", "zone__owner", "item", "filed_by")
        .order_by("center_id", "valid_to", "pk")
    )
    for filing in rows:
        people = [u for u in (filing.filed_by, filing.zone.owner) if u is not None and u.is_active]
        yield Deadline(
            center=filing.zone.center,
            object_id=filing.pk,
            due_on=filing.valid_to,
            users=people,
            params={"zone": filing.zone.name, "item": filing.item_label},
            url=reverse("standards:filing-detail", args=[filing.pk]),
        )


FILING_DUE_SOON = DeadlineKind(
    kind="standards.filing_due_soon",
    due=lapsing_filings,
    one=FILING_DUE_ONE,
    many=FILING_DUE_MANY,
    list_url=lambda: reverse("standards:filing-list"),
)
