"""Synthetic citizen ratings (好差评) of a generated center: every window is rated on every
working day (0 to 8 ratings, 1 to 5 on the national scale), imported once a month as one
file from the government's rating system. A window's ratings follow its own level and get a
little better as the programme goes on. Each month's import record is made by the import's own
rule (`services.new_batch`); the ratings are drawn as the demo draws them (`draw_rating`).
The daily roll-ups, the index and the ranking are left to the dashboard's own functions."""

from __future__ import annotations

import datetime
import random
from collections import Counter
from typing import Any

from django.utils import timezone

from onsite.accounts.models import Role, User
from onsite.core.generate import bulk, copy_rows, period, working_days
from onsite.core.models import Center
from onsite.dashboards import services
from onsite.dashboards.demo import CHANNELS, DIMENSIONS, draw_rating
from onsite.dashboards.models import CitizenRating, RatingImport
from onsite.org.models import Unit

MAX_PER_DAY = 8


def generate(
    center: Center, *, years: float, rng: random.Random, until: datetime.date
) -> dict[str, int]:
    counts: Counter[str] = Counter()
    start, end = period(years=years, until=until)
    days = working_days(start, end)
    windows = list(Unit.objects.filter(center=center, kind=Unit.Kind.WINDOW).order_by("code"))
    if not days or not windows:
        return {}
    office = (
        User.objects.filter(center=center, role_grants__role=Role.OFFICE).order_by("pk").first()
    )
    level = {w.pk: rng.uniform(0.7, 0.9) for w in windows}
    months: dict[tuple[int, int], list[datetime.date]] = {}
    for day in days:
        months.setdefault((day.year, day.month), []).append(day)
    total = max(1, (days[-1] - days[0]).days)
    batches: list[RatingImport] = []
    ratings: list[list[dict[str, Any]]] = []
    for (year, month), month_days in months.items():
        rows: list[dict[str, Any]] = []
        for day in month_days:
            progress = (day - days[0]).days / total
            for window in windows:
                good = min(0.97, level[window.pk] + 0.08 * progress)
                for _ in range(rng.randint(0, MAX_PER_DAY)):
                    rows.append(
                        {"center_id": center.pk, "unit_id": window.pk, "rated_on": day,
                         "rating": draw_rating(rng, good=good), "dimension": rng.choice(DIMENSIONS),
                         "case_number": f"G{day:%Y%m%d}{len(rows):06d}",
                         "channel": rng.choice(CHANNELS)}
                    )  # fmt: skip
        imported = datetime.datetime.combine(month_days[-1], datetime.time(17, 30))
        batches.append(
            services.new_batch(
                center=center,
                days=[row["rated_on"] for row in rows],
                source=RatingImport.Source.FILE,
                filename=f"好差评-{year}{month:02d}.xlsx",
                checksum=f"generated:{center.code}:{year}-{month:02d}",
                by=office,
                imported_at=timezone.make_aware(imported),
            )
        )
        ratings.append(rows)
    for batch, rows in zip(bulk(RatingImport, batches, counts=counts), ratings, strict=True):
        for row in rows:
            row["batch_id"] = batch.pk
        copy_rows(CitizenRating, rows, counts=counts)
    return dict(counts)
