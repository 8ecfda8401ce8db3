"""Reads of the photo check for the office: acceptance of its suggestions per kind and item,
and how many photos it checked, each one aggregate query whatever the amount of data."""

from __future__ import annotations

import datetime
from typing import Any

from django.db.models import Avg, Count, Q

from onsite.core.models import Center
from onsite.vision.labels import KINDS
from onsite.vision.models import DraftFinding, PhotoAnalysis


def acceptance_rows(center: Center | None, *, since: datetime.datetime) -> list[dict[str, Any]]:
    """Per kind of suggestion and item: total, proposed, accepted, dismissed and the accepted
    share of the decided ones (None while none is decided), in %."""
    status = DraftFinding.Status
    rows: list[dict[str, Any]] = [
        dict(row)
        for row in DraftFinding.objects.filter(center=center, analysis__created_at__gte=since)
        .values("kind", "item")
        .annotate(
            total=Count("pk"),
            proposed=Count("pk", filter=Q(status=status.PROPOSED)),
            accepted=Count("pk", filter=Q(status=status.ACCEPTED)),
            dismissed=Count("pk", filter=Q(status=status.DISMISSED)),
        )
        .order_by("kind", "item")
    ]
    kinds = dict(DraftFinding.Kind.choices)
    for row in rows:
        row["kind_label"] = kinds.get(row["kind"], row["kind"])
        row["item_label"] = KINDS.get(row["item"], row["item"]) if row["item"] else "—"
        decided = row["accepted"] + row["dismissed"]
        row["rate"] = round(100 * row["accepted"] / decided) if decided else None
    return rows


def photo_totals(center: Center | None, *, since: datetime.datetime) -> dict[str, Any]:
    done, state = Q(status=PhotoAnalysis.Status.DONE), PhotoAnalysis.Status
    return PhotoAnalysis.objects.filter(center=center, created_at__gte=since).aggregate(
        checked=Count("pk", filter=done),
        failed=Count("pk", filter=Q(status=state.FAILED)),
        queued=Count("pk", filter=Q(status=state.QUEUED)),
        seconds=Avg("seconds", filter=done),
    )
