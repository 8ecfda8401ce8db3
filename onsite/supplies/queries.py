"""Read-side figures of supplies for pages and the dashboard: a fixed number of queries each.

Consumption is what the store issued to a unit minus what the unit returned, in the
supply's own measure or in yuan (at the price when it moved, so every supply adds up).
Units are compared with their peers (units of the same kind: windows with windows) per
head, since a window of eight uses more than a window of two."""

from __future__ import annotations

import statistics
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.db.models import Count, DecimalField, ExpressionWrapper, F, Q, QuerySet, Sum
from django.db.models.functions import Coalesce, TruncMonth
from django.utils import timezone

from onsite.core.models import Center
from onsite.core.months import add_months
from onsite.org.models import Unit
from onsite.supplies.models import Movement, Requisition, RequisitionQuerySet, Supply

OUTLIER_RATIO = Decimal(2)
"""A unit is flagged when it uses at least this many times its peers' median per head."""
MIN_PEERS = 3
"""Fewer units than this of a kind are not compared: a median of two says little."""

VALUE = ExpressionWrapper(
    -F("quantity") * F("unit_price"), output_field=DecimalField(max_digits=14, decimal_places=2)
)


def period_start(months: int, *, today: date | None = None) -> datetime:
    """The first moment of the month `months - 1` months before this one (local time)."""
    today = today or timezone.localdate()
    first = add_months(today, -(months - 1))
    return timezone.make_aware(datetime(first.year, first.month, first.day))


@dataclass
class UnitConsumption:
    unit: Unit
    headcount: int
    quantity: int
    value: Decimal
    per_head: Decimal | None
    peer_median: Decimal | None = None
    ratio: Decimal | None = None
    is_outlier: bool = False


def consumption_by_unit(*, center: Center, since: datetime) -> list[UnitConsumption]:
    """Every unit of the center with what it consumed since `since`, per head, against its
    peers' median, with the outlier flag. Two queries whatever the data."""
    units = list(
        Unit.objects.filter(center=center)
        .annotate(headcount=Count("staff", filter=Q(staff__is_active=True)))
        .order_by("kind", "position", "code")
    )
    totals: dict[int, Mapping[str, Any]] = {
        row["unit"]: row
        for row in Movement.objects.filter(center=center)
        .consumption()
        .filter(at__gte=since)
        .values("unit")
        .annotate(used=Sum(-F("quantity")), value=Sum(VALUE))
    }
    rows = []
    for unit in units:
        total = totals.get(unit.pk, {})
        value = Decimal(total.get("value") or 0).quantize(Decimal("0.01"))
        headcount: int = unit.headcount
        rows.append(
            UnitConsumption(
                unit=unit,
                headcount=headcount,
                quantity=int(total.get("used") or 0),
                value=value,
                per_head=(value / headcount).quantize(Decimal("0.01")) if headcount else None,
            )
        )
    _flag_outliers(rows)
    return rows


def _flag_outliers(rows: list[UnitConsumption]) -> None:
    for kind in {row.unit.kind for row in rows}:
        peers = [row for row in rows if row.unit.kind == kind and row.per_head is not None]
        if len(peers) < MIN_PEERS:
            continue
        median = Decimal(
            statistics.median([row.per_head for row in peers if row.per_head is not None])
        )
        for row in peers:
            row.peer_median = median.quantize(Decimal("0.01"))
            if median > 0 and row.per_head is not None:
                row.ratio = (row.per_head / median).quantize(Decimal("0.01"))
                row.is_outlier = row.ratio >= OUTLIER_RATIO


def consumption_trend(
    *, center: Center, months: int = 6, unit: Unit | None = None
) -> list[dict[str, Any]]:
    """Consumption per month for the last `months` months (this one included), oldest
    first, months without any movement included as zeros. One query."""
    since = period_start(months)
    rows = Movement.objects.filter(center=center).consumption().filter(at__gte=since)
    if unit is not None:
        rows = rows.filter(unit=unit)
    found: dict[date, Mapping[str, Any]] = {
        _as_date(row["month"]): row
        for row in rows.annotate(month=TruncMonth("at"))
        .values("month")
        .annotate(used=Sum(-F("quantity")), value=Sum(VALUE))
        .order_by("month")
    }
    today = timezone.localdate()
    trend = []
    for back in range(months - 1, -1, -1):
        month = add_months(today, -back)
        row = found.get(month, {})
        trend.append(
            {
                "month": month,
                "quantity": int(row.get("used") or 0),
                "value": Decimal(row.get("value") or 0).quantize(Decimal("0.01")),
            }
        )
    return trend


def _as_date(value: date | datetime) -> date:
    if isinstance(value, datetime):
        return timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    return value


def low_stock(*, center: Center) -> list[Supply]:
    """Active supplies below their minimum: what the store should reorder. One query."""
    return list(
        Supply.objects.filter(
            center=center, is_active=True, min_level__gt=0, on_hand__lt=F("min_level")
        ).order_by("category", "code")
    )


def supplies_summary(*, center: Center, months: int = 6) -> dict[str, Any]:
    """For the dashboard: the consumption trend, the low-stock list and the units flagged as
    outliers over the last three months. A fixed number of queries."""
    outliers = [
        row for row in consumption_by_unit(center=center, since=period_start(3)) if row.is_outlier
    ]
    return {
        "trend": consumption_trend(center=center, months=months),
        "low_stock": low_stock(center=center),
        "outliers": outliers,
    }


def requisition_rows(rows: RequisitionQuerySet, status: str) -> RequisitionQuerySet:
    """The requisition list: "open", one status or all, newest first, with line counts."""
    if status == "open":
        rows = rows.open()
    elif status in Requisition.Status.values:
        rows = rows.filter(status=status)
    return (
        rows.select_related("unit", "requested_by")
        .annotate(line_count=Count("lines"))
        .order_by("-requested_at", "-pk")
    )


def unit_consumption(
    *, center: Center, unit: Unit, since: datetime
) -> tuple[QuerySet[Any, Any], QuerySet[Any, Any]]:
    """One unit's consumption since `since`: per supply (issued, returned, consumed) and per
    person who requested it (requisitions and value). Two queries."""
    movements = (
        Movement.objects.filter(center=center).consumption().filter(unit=unit, at__gte=since)
    )
    per_supply = (
        movements.values("supply__code", "supply__name", "supply__measure")
        .annotate(
            issued=Coalesce(Sum(-F("quantity"), filter=Q(kind=Movement.Kind.ISSUE)), 0),
            returned=Coalesce(Sum("quantity", filter=Q(kind=Movement.Kind.RETURN)), 0),
            consumed=Sum(-F("quantity")),
        )
        .order_by("supply__name")
    )
    by_person = (
        movements.filter(kind=Movement.Kind.ISSUE, line__isnull=False)
        .values(
            "line__requisition__requested_by__full_name",
            "line__requisition__requested_by__username",
        )
        .annotate(requisitions=Count("line__requisition", distinct=True), value=Sum(VALUE))
        .order_by("-value")
    )
    return per_supply, by_person
