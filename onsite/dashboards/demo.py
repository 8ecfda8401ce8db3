"""Demo of visual management: four months of citizen ratings (好差评) for every window, as if
imported once a month from the government's rating system, then the daily roll-ups computed
so the dashboard shows figures at once. Idempotent: a month already imported is skipped."""

from __future__ import annotations

import datetime
import random

from django.db import transaction
from django.utils import timezone

from onsite.accounts.models import Role, User
from onsite.core.models import Center
from onsite.core.months import add_months, month_end
from onsite.dashboards import rollups, services
from onsite.dashboards.models import CitizenRating, RatingImport
from onsite.org.models import Unit

MONTHS = 4
DIMENSIONS = ["服务态度", "办事效率", "服务环境"]
PILOT = {"w01", "w02", "w03", "w04", "w05"}


def draw_rating(rng: random.Random, *, good: float) -> int:
    """A rating drawn around the window's quality (`good` near 1: nearly all 5s and 4s)."""
    roll = rng.random()
    if roll < good * 0.7:
        return 5
    if roll < good:
        return 4
    if roll < good + (1 - good) * 0.6:
        return 3
    if roll < good + (1 - good) * 0.88:
        return 2
    return 1


@transaction.atomic
def seed(center: Center) -> None:
    rng = random.Random(f"onsite-dashboards-demo-{center.code}")  # noqa: S311 - demo data
    today = timezone.localdate()
    windows = list(Unit.objects.filter(center=center, kind=Unit.Kind.WINDOW).order_by("code"))
    office = (
        User.objects.filter(center=center, role_grants__role=Role.OFFICE).order_by("pk").first()
    )
    first_month = add_months(today.replace(day=1), -(MONTHS - 1))
    for n in range(MONTHS):
        month = add_months(first_month, n)
        checksum = f"demo:{center.code}:{month:%Y-%m}"
        if RatingImport.objects.filter(center=center, checksum=checksum).exists():
            continue
        last = min(month_end(month), today)
        # The programme shows: pilot windows and later months are rated a little better.
        progress = n / max(1, MONTHS - 1)
        rows = []
        day = month
        while day <= last:
            if day.weekday() < 5:
                for unit in windows:
                    good = 0.78 + 0.1 * progress + (0.08 if unit.code in PILOT else 0)
                    for _ in range(rng.randint(0, 5)):
                        rows.append(
                            CitizenRating(
                                center=center,
                                unit=unit,
                                rated_on=day,
                                rating=draw_rating(rng, good=min(0.97, good)),
                                dimension=rng.choice(DIMENSIONS),
                            )
                        )
            day += datetime.timedelta(days=1)
        if not rows:
            continue
        batch = services.new_batch(
            center=center,
            days=[row.rated_on for row in rows],
            source=RatingImport.Source.FILE,
            filename=f"好差评-{month:%Y%m}.xlsx",
            checksum=checksum,
            by=office,
            imported_at=timezone.make_aware(datetime.datetime.combine(last, datetime.time(17, 30))),
        )
        batch.save()
        for row in rows:
            row.batch = batch
        CitizenRating.objects.bulk_create(rows, batch_size=2000)
    rollups.refresh(center, full=True)
