"""Daily roll-ups: the dashboards read one row per unit and day (and per failed check and
day) instead of every inspection, finding, rectification and rating ever recorded.

`refresh(center)` is incremental: it finds the days whose source rows were written since the
last refresh (inspections submitted, findings found, rectifications opened, handed in,
returned or closed, ratings imported, items filed) and rewrites exactly those days, plus
every day since the day before the last refresh (at least today and yesterday: a
rectification's due day counts once it has passed, though nothing was written then). A first run, or `full=True`, rebuilds the whole history. The window
looks back `OVERLAP` before the last refresh so a transaction that committed just after the
previous refresh read the tables is still picked up.

Run by the task `onsite.dashboards.tasks.refresh_rollups` (enqueued by the dashboard when
its figures are older than `ROLLUP_MAX_AGE`, and nightly by `manage.py refresh_rollups`)."""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Count, F, Max, Min, Q, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone

from onsite.core.models import Center
from onsite.dashboards import tasks  # tasks imports this module too: used at call time
from onsite.dashboards.models import CheckDay, CitizenRating, RollupState, UnitDay
from onsite.inspections.models import Answer, Finding, Inspection
from onsite.rectification.models import Rectification
from onsite.standards.models import ItemFiling

OVERLAP = datetime.timedelta(minutes=10)
ROLLUP_MAX_AGE = datetime.timedelta(minutes=5)
# Independent audits: the supervision section's checks and peer acceptance inspections
# (the API's `audits`); every page figure counts each kind by itself.
AUDIT_KINDS = [Inspection.Kind.SUPERVISION, Inspection.Kind.ACCEPTANCE]
SUPERVISION = Q(kind=Inspection.Kind.SUPERVISION)
ACCEPTANCE = Q(kind=Inspection.Kind.ACCEPTANCE)
HANDED_IN = [Rectification.Status.SUBMITTED, Rectification.Status.CLOSED]


def dirty_days(center: Center, *, since: datetime.datetime) -> set[datetime.date]:
    """Days whose figures may have changed because of rows written at or after `since`."""
    days: set[datetime.date] = set()
    days.update(
        Inspection.objects.filter(center=center, submitted_at__gte=since)
        .order_by()
        .values_list("inspected_on", flat=True)
        .distinct()
    )
    days.update(
        Finding.objects.filter(center=center, created_at__gte=since)
        .order_by()
        .values_list("found_on", flat=True)
        .distinct()
    )
    days.update(
        Rectification.objects.filter(center=center)
        .filter(
            Q(created_at__gte=since)
            | Q(submitted_at__gte=since)
            | Q(closed_at__gte=since)
            | Q(transitions__at__gte=since)
        )
        .order_by()
        .values_list("due_on", flat=True)
        .distinct()
    )
    days.update(
        CitizenRating.objects.filter(center=center, batch__imported_at__gte=since)
        .order_by()
        .values_list("rated_on", flat=True)
        .distinct()
    )
    days.update(
        ItemFiling.objects.filter(center=center, filed_at__gte=since)
        .annotate(filed_day=TruncDate("filed_at"))
        .order_by()
        .values_list("filed_day", flat=True)
        .distinct()
    )
    return {day for day in days if day is not None}


def first_day(center: Center) -> datetime.date | None:
    """The earliest day any source row of the center falls on."""
    candidates = [
        Inspection.objects.filter(center=center).aggregate(d=Min("inspected_on"))["d"],
        Finding.objects.filter(center=center).aggregate(d=Min("found_on"))["d"],
        Rectification.objects.filter(center=center).aggregate(d=Min("due_on"))["d"],
        CitizenRating.objects.filter(center=center).aggregate(d=Min("rated_on"))["d"],
    ]
    filed = ItemFiling.objects.filter(center=center).aggregate(d=Min("filed_at"))["d"]
    if filed is not None:
        candidates.append(timezone.localdate(filed))
    found = [day for day in candidates if day is not None]
    return min(found) if found else None


def refresh(center: Center, *, full: bool = False, now: datetime.datetime | None = None) -> int:
    """Brings the center's roll-ups up to date; returns how many days were rewritten."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    state, _created = RollupState.objects.get_or_create(center=center)
    days: set[datetime.date]
    if full or state.refreshed_at is None:
        start = first_day(center)
        days = set()
        if start is not None:
            days = {start + datetime.timedelta(days=n) for n in range((today - start).days + 1)}
        with transaction.atomic():
            UnitDay.objects.filter(center=center).delete()
            CheckDay.objects.filter(center=center).delete()
    else:
        days = dirty_days(center, since=state.refreshed_at - OVERLAP)
        # Every day that passed since the last refresh (and the day before it): a
        # rectification falls due when its day passes, with no row written (issue 21).
        since_day = timezone.localdate(state.refreshed_at) - datetime.timedelta(days=1)
        days |= {
            since_day + datetime.timedelta(days=n) for n in range((today - since_day).days + 1)
        }
    # Days to come hold no figures yet (a rectification due next week is counted then).
    wanted = sorted(day for day in days if day <= today)
    for chunk in _by_month(wanted):
        rewrite_days(center, chunk)
    RollupState.objects.filter(pk=state.pk).update(
        refreshed_at=now, queued_at=None, days_refreshed=len(wanted)
    )
    return len(wanted)


def _by_month(days: list[datetime.date]) -> Iterable[list[datetime.date]]:
    chunk: list[datetime.date] = []
    for day in days:
        if chunk and (day.year, day.month) != (chunk[0].year, chunk[0].month):
            yield chunk
            chunk = []
        chunk.append(day)
    if chunk:
        yield chunk


def _blank() -> dict[str, Any]:
    return {
        "inspections": 0,
        "score_sum": Decimal(0),
        "audits": 0,
        "audit_sum": Decimal(0),
        "supervisions": 0,
        "supervision_sum": Decimal(0),
        "acceptances": 0,
        "acceptance_sum": Decimal(0),
        "acceptance_failures": 0,
        "passed": 0,
        "findings": 0,
        "repeat_findings": 0,
        "due": 0,
        "on_time": 0,
        "filings": 0,
        "r1": 0,
        "r2": 0,
        "r3": 0,
        "r4": 0,
        "r5": 0,
    }


@transaction.atomic
def rewrite_days(center: Center, days: list[datetime.date]) -> None:
    """Recomputes the given days from the source tables (eight queries whatever the data)."""
    rows: dict[tuple[datetime.date, int | None], dict[str, Any]] = defaultdict(_blank)
    for inspected in (
        Inspection.objects.filter(
            center=center,
            status=Inspection.Status.SUBMITTED,
            score__isnull=False,
            inspected_on__in=days,
        )
        .order_by()
        .values("inspected_on", "zone__unit_id")
        .annotate(
            n=Count("pk"),
            total=Sum("score"),
            audits=Count("pk", filter=Q(kind__in=AUDIT_KINDS)),
            audit_total=Sum("score", filter=Q(kind__in=AUDIT_KINDS)),
            supervisions=Count("pk", filter=SUPERVISION),
            supervision_total=Sum("score", filter=SUPERVISION),
            acceptances=Count("pk", filter=ACCEPTANCE),
            acceptance_total=Sum("score", filter=ACCEPTANCE),
            passed=Count("pk", filter=Q(passed=True)),
        )
    ):
        entry = rows[(inspected["inspected_on"], inspected["zone__unit_id"])]
        entry["inspections"] = inspected["n"]
        entry["score_sum"] = inspected["total"] or Decimal(0)
        entry["audits"] = inspected["audits"]
        entry["audit_sum"] = inspected["audit_total"] or Decimal(0)
        entry["supervisions"] = inspected["supervisions"]
        entry["supervision_sum"] = inspected["supervision_total"] or Decimal(0)
        entry["acceptances"] = inspected["acceptances"]
        entry["acceptance_sum"] = inspected["acceptance_total"] or Decimal(0)
        entry["passed"] = inspected["passed"]
    for found in (
        Finding.objects.filter(center=center, found_on__in=days)
        .order_by()
        .values("found_on", "zone__unit_id")
        .annotate(n=Count("pk"), repeated=Count("pk", filter=Q(is_repeat=True)))
    ):
        entry = rows[(found["found_on"], found["zone__unit_id"])]
        entry["findings"] = found["n"]
        entry["repeat_findings"] = found["repeated"]
    # A rectification due today can still be handed in today: it counts from tomorrow on.
    due_days = [day for day in days if day < timezone.localdate()]
    for due in (
        Rectification.objects.filter(center=center, due_on__in=due_days)
        .order_by()
        .values("due_on", "zone__unit_id")
        .annotate(
            n=Count("pk"),
            on_time=Count(
                "pk",
                filter=Q(status__in=HANDED_IN, submitted_at__date__lte=F("due_on")),
            ),
        )
    ):
        entry = rows[(due["due_on"], due["zone__unit_id"])]
        entry["due"] = due["n"]
        entry["on_time"] = due["on_time"]
    for filed in (
        ItemFiling.objects.filter(center=center, filed_at__date__in=days)
        .annotate(filed_day=TruncDate("filed_at"))
        .order_by()
        .values("filed_day", "zone__unit_id")
        .annotate(n=Count("pk"))
    ):
        rows[(filed["filed_day"], filed["zone__unit_id"])]["filings"] = filed["n"]
    for rated in (
        CitizenRating.objects.counted()
        .filter(center=center, rated_on__in=days)
        .order_by()
        .values("rated_on", "unit_id")
        .annotate(
            r1=Count("pk", filter=Q(rating=1)),
            r2=Count("pk", filter=Q(rating=2)),
            r3=Count("pk", filter=Q(rating=3)),
            r4=Count("pk", filter=Q(rating=4)),
            r5=Count("pk", filter=Q(rating=5)),
        )
    ):
        rows[(rated["rated_on"], rated["unit_id"])].update(
            r1=rated["r1"], r2=rated["r2"], r3=rated["r3"], r4=rated["r4"], r5=rated["r5"]
        )
    checks = [
        CheckDay(
            center=center,
            day=row["found_on"],
            area_type_id=row["zone__area_type_id"],
            check_key=row["check_key"],
            label=row["label"] or "",
            pillar=row["pillar"] or "",
            failures=row["n"],
        )
        for row in Finding.objects.filter(center=center, found_on__in=days)
        .order_by()
        .values("found_on", "zone__area_type_id", "check_key")
        .annotate(n=Count("pk"), label=Max("answer__text"), pillar=Max("pillar"))
    ]
    # Acceptance sheets make no findings (a rating is no order to rectify), but their failed
    # checks are failures all the same: counted per unit and on the Pareto chart, as such.
    accepted_checks: dict[tuple[datetime.date, int, str], dict[str, Any]] = {}
    for failed in (
        Answer.objects.filter(
            center=center,
            result=Answer.Result.FAIL,
            inspection__kind=Inspection.Kind.ACCEPTANCE,
            inspection__status=Inspection.Status.SUBMITTED,
            inspection__inspected_on__in=days,
        )
        .order_by()
        .values(
            "inspection__inspected_on",
            "inspection__zone__unit_id",
            "inspection__zone__area_type_id",
            "key",
        )
        .annotate(n=Count("pk"), label=Max("text"), pillar_value=Max("pillar"))
    ):
        day = failed["inspection__inspected_on"]
        rows[(day, failed["inspection__zone__unit_id"])]["acceptance_failures"] += failed["n"]
        check = accepted_checks.setdefault(
            (day, failed["inspection__zone__area_type_id"], failed["key"]),
            {"n": 0, "label": "", "pillar": ""},
        )
        check["n"] += failed["n"]
        check["label"] = max(check["label"], failed["label"] or "")
        check["pillar"] = max(check["pillar"], failed["pillar_value"] or "")
    checks += [
        CheckDay(
            center=center,
            day=day,
            area_type_id=area_type_id,
            check_key=key,
            label=check["label"],
            pillar=check["pillar"],
            source=CheckDay.Source.ACCEPTANCE,
            failures=check["n"],
        )
        for (day, area_type_id, key), check in accepted_checks.items()
    ]
    UnitDay.objects.filter(center=center, day__in=days).delete()
    CheckDay.objects.filter(center=center, day__in=days).delete()
    UnitDay.objects.bulk_create(
        UnitDay(center=center, day=day, unit_id=unit_id, **values)
        for (day, unit_id), values in rows.items()
    )
    CheckDay.objects.bulk_create(checks)


def is_stale(state: RollupState | None, *, now: datetime.datetime | None = None) -> bool:
    now = now or timezone.now()
    return state is None or state.refreshed_at is None or now - state.refreshed_at > ROLLUP_MAX_AGE


def request_refresh(center: Center, state: RollupState | None) -> bool:
    """Queues a refresh when the figures are stale and none is queued; True if it queued one."""
    now = timezone.now()
    if not is_stale(state, now=now):
        return False
    if state is not None and state.queued_at is not None and now - state.queued_at < ROLLUP_MAX_AGE:
        return False
    RollupState.objects.update_or_create(center=center, defaults={"queued_at": now})
    tasks.refresh_rollups.enqueue(center_id=center.pk)
    return True


def state_for_page(center: Center) -> tuple[RollupState | None, bool]:
    """The roll-ups' state for a page that shows them, after queueing a refresh when they are
    stale; True when this call queued one."""
    state = RollupState.objects.filter(center=center).first()
    refreshing = request_refresh(center, state)
    if refreshing:
        state = RollupState.objects.filter(center=center).first()
    return state, refreshing
