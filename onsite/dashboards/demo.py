"""Demo of visual management: four months of citizen ratings (好差评) for every window, as if
imported once a month from the government's rating system in its national shape (case number,
service item, channel, staff member, reason of a 差评, default ratings), the center's list of
rating dimensions, then the daily roll-ups computed so the dashboard shows figures at once.
Idempotent: a month already imported is skipped."""

from __future__ import annotations

import datetime
import random

from django.db import transaction
from django.utils import timezone

from onsite.accounts.models import Role, User
from onsite.core.models import Center
from onsite.core.months import add_months, month_end
from onsite.dashboards import rollups, services
from onsite.dashboards.models import Channel, CitizenRating, RatingDimensions, RatingImport
from onsite.org.models import Unit

MONTHS = 4
DIMENSIONS = ["服务态度", "办事效率", "服务环境"]
PILOT = {"w01", "w02", "w03", "w04", "w05"}
# Service items (事项) as a district hall lists them: code and name.
ITEMS = [
    ("310115001000", "营业执照设立登记"),
    ("310115002000", "食品经营许可"),
    ("310115003000", "社会保险登记"),
    ("310115004000", "不动产登记"),
    ("310115005000", "居民身份证申领"),
    ("310115006000", "公积金提取"),
]
DEPARTMENTS = ["市场监管局", "市场监管局", "人社局", "规划资源局", "公安分局", "公积金中心"]
CHANNELS = [Channel.HALL] * 5 + [Channel.MOBILE] * 3 + [Channel.QR, Channel.PC]
# 差评 reasons: the national list's code and what citizens most often say.
REASONS = [
    ("101", "等候时间过长", "排队一个多小时才办上。"),
    ("202", "一次性告知不到位", "材料要求没有一次说清，跑了两趟。"),
    ("303", "服务态度生硬", "问了两遍，回答很不耐烦。"),
    ("404", "系统故障无法办理", "说系统坏了，让改天再来。"),
]
CASES_FOR = datetime.timedelta(days=14)
DEFAULT_SHARE = 0.08  # no rating within the window: the system records 基本满意 by default


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


def national_rating(
    rng: random.Random,
    *,
    center: Center,
    unit: Unit,
    day: datetime.date,
    rating: int,
    staff: list[User],
    serial: int,
) -> CitizenRating:
    """One rating as the national system exports it (the demo and the data generator)."""
    item = rng.randrange(len(ITEMS))
    moment = datetime.datetime.combine(day, datetime.time(9)) + datetime.timedelta(
        minutes=rng.randrange(8 * 60)
    )
    default = rng.random() < DEFAULT_SHARE
    person = rng.choice(staff) if staff else None
    code, reason, comment = rng.choice(REASONS) if rating < 3 and not default else ("", "", "")
    return CitizenRating(
        center=center,
        unit=unit,
        rated_on=day,
        rated_at=timezone.make_aware(moment),
        rating=3 if default else rating,
        dimension="" if default else rng.choice(DIMENSIONS),
        case_number=f"{center.code.upper()}{day:%Y%m%d}{serial:05d}",
        item_code=ITEMS[item][0],
        item_name=ITEMS[item][1],
        department=DEPARTMENTS[item],
        channel="" if default else rng.choice(CHANNELS),
        staff=person,
        staff_name=person.full_name if person else "",
        reason_code=code,
        reason=reason,
        comment=comment,
        is_default=default,
    )


@transaction.atomic
def seed(center: Center) -> None:
    rng = random.Random(f"onsite-dashboards-demo-{center.code}")  # noqa: S311 - demo data
    today = timezone.localdate()
    windows = list(Unit.objects.filter(center=center, kind=Unit.Kind.WINDOW).order_by("code"))
    office = (
        User.objects.filter(center=center, role_grants__role=Role.OFFICE).order_by("pk").first()
    )
    first_month = add_months(today.replace(day=1), -(MONTHS - 1))
    if not RatingDimensions.objects.filter(center=center).exists():
        RatingDimensions.objects.create(
            center=center, version=1, valid_from=first_month, names=DIMENSIONS, created_by=office
        )
    staff = {
        unit.pk: list(User.objects.filter(center=center, unit=unit).order_by("username"))
        for unit in windows
    }
    for n in range(MONTHS):
        month = add_months(first_month, n)
        checksum = f"demo:{center.code}:{month:%Y-%m}"
        if RatingImport.objects.filter(center=center, checksum=checksum).exists():
            continue
        last = min(month_end(month), today)
        # The programme shows: pilot windows and later months are rated a little better.
        progress = n / max(1, MONTHS - 1)
        rows: list[CitizenRating] = []
        day = month
        while day <= last:
            if day.weekday() < 5:
                for unit in windows:
                    good = 0.78 + 0.1 * progress + (0.08 if unit.code in PILOT else 0)
                    for _ in range(rng.randint(0, 5)):
                        rows.append(
                            national_rating(
                                rng,
                                center=center,
                                unit=unit,
                                day=day,
                                rating=draw_rating(rng, good=min(0.97, good)),
                                staff=staff[unit.pk],
                                serial=len(rows) + 1,
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
        if batch.last_day and batch.last_day >= today - CASES_FOR:
            # The center has run the 差评 loop in Onsite for two weeks: those 差评 have cases.
            services.open_cases(batch, by=office, since=today - CASES_FOR)
    rollups.refresh(center, full=True)
