"""Synthetic engagement of a generated center: the publicity board's posts (the launch, each
phase of the pilot, a study visit), a training session about once a month (the all-staff one
at the launch, then standards training for the windows or the sections) with QR or recorded
attendance and its points, the acknowledgement tasks of every published standard (most
confirmed within days, the latest edition's still partly open), and slogans and improvement
proposals through the year with votes, reviews in every state (an adopted proposal opening no
revision: that is the standards domain's) and the contribution points they earned."""

from __future__ import annotations

import datetime
import random
from collections import Counter

from onsite.accounts.models import Role, User
from onsite.core.generate import at_time, bulk, period, weighted, working_days
from onsite.core.models import Center
from onsite.engagement.demo import POSTS, PROPOSALS, SLOGANS
from onsite.engagement.models import (
    SUGGESTION_MOVES,
    Acknowledgement,
    Attendance,
    PointEntry,
    Post,
    Suggestion,
    SuggestionTransition,
    Training,
    Vote,
    point_source,
)
from onsite.engagement.services import required_people
from onsite.org.models import AreaType, Unit
from onsite.standards.models import StandardVersion

TOPICS = [
    ("“标准化现场管理”全员培训", "动员会全员培训：标准化现场管理的理念、5S方法与中心推行计划。"),
    ("前台执行标准培训", "讲解前台台面物品摆放标准、定位标识与报备流程，新进人员必须参加。"),
    ("整理阶段：红牌作战方法", "如何区分要与不要，红牌的填写、暂存与处置。"),
    ("整顿阶段：三易三定", "易取、易放、易管理；定位、定容、定量。"),
    ("清扫与清洁：点检表的使用", "每日自查的方法与常见问题。"),
    ("中间办公室执行标准培训", "文件柜目视化、资料归档与桌面管理。"),
]
REVIEWS = {
    "accepted": "方向正确，纳入下阶段工作统筹考虑。",
    "rejected": "与现行规定重复，暂不采纳。",
    "adopted": "采纳。纳入标准修订。",
}
STATUSES = [("submitted", 3.0), ("accepted", 3.0), ("rejected", 2.0), ("adopted", 1.0)]
SUGGESTIONS_PER_MONTH = 6
ACKNOWLEDGED = 0.85


def generate(
    center: Center, *, years: float, rng: random.Random, until: datetime.date
) -> dict[str, int]:
    counts: Counter[str] = Counter()
    start, end = period(years=years, until=until)
    days = working_days(start, end)
    people = list(User.objects.filter(center=center, is_active=True).order_by("pk"))
    if not days or not people:
        return {}
    office = (
        User.objects.filter(center=center, role_grants__role=Role.OFFICE).order_by("pk").first()
        or people[0]
    )
    leader = (
        User.objects.filter(center=center, role_grants__role=Role.LEADER).order_by("pk").first()
        or office
    )
    staff = (
        list(
            User.objects.filter(center=center, is_active=True, role_grants__role=Role.STAFF)
            .order_by("pk")
            .distinct()
        )
        or people
    )
    _posts(center, days, office, rng, counts)
    _trainings(center, days, office, people, rng, counts)
    _acknowledgements(center, until, rng, counts)
    _suggestions(center, days, leader, staff, rng, counts)
    return dict(counts)


def _posts(
    center: Center,
    days: list[datetime.date],
    office: User,
    rng: random.Random,
    counts: Counter[str],
) -> None:
    picks = [days[len(days) * i // len(POSTS)] for i in range(len(POSTS))]
    bulk(
        Post,
        [Post(center=center, title=title, body=body, is_pinned=pinned, author=office,
              published_at=at_time(day, rng))
         for (title, pinned, body), day in zip(POSTS, picks, strict=True)],
        counts=counts,
    )  # fmt: skip


def _trainings(
    center: Center,
    days: list[datetime.date],
    office: User,
    people: list[User],
    rng: random.Random,
    counts: Counter[str],
) -> None:
    """The launch training, then one a month; the sessions of the next weeks are planned."""
    sessions = max(1, len(days) // 21)
    windows = list(Unit.objects.filter(center=center, kind=Unit.Kind.WINDOW).order_by("pk"))
    trainings: list[Training] = []
    for index in range(sessions + 1):
        planned = index == sessions  # one ahead of the history's end
        day = (
            days[-1] + datetime.timedelta(days=7)
            if planned
            else days[len(days) * index // sessions]
        )
        topic, description = TOPICS[index % len(TOPICS)]
        starts = at_time(day, rng, start_hour=9, end_hour=15).replace(minute=0, second=0)
        trainings.append(
            Training(center=center, topic=topic if index < len(TOPICS) else f"{topic}（第{index // len(TOPICS) + 1}期）",
                     description=description, starts_at=starts,
                     ends_at=starts + datetime.timedelta(hours=rng.choice((1, 2))),
                     place=rng.choice(["三楼大会议室", "一楼大厅", "二楼培训室"]),
                     trainer=office if index % 2 else None,
                     trainer_name="" if index % 2 else "省标准化协会技术团队",
                     sign_in_secret=f"{rng.getrandbits(128):032x}", created_by=office)
        )  # fmt: skip
    trainings = bulk(Training, trainings, counts=counts)
    through = Training.units.through
    audience = [
        through(training_id=t.pk, unit_id=u.pk)
        for i, t in enumerate(trainings)
        if i % len(TOPICS) in (1, 5)  # the counter and office standards: windows only
        for u in windows
    ]
    bulk(through, audience, counts=counts)
    attendances = []
    points = []
    for training in trainings[:-1]:
        for person in rng.sample(people, k=round(len(people) * rng.uniform(0.6, 0.9))):
            qr = rng.random() < 0.9
            attendances.append(
                Attendance(center=center, training=training, user=person,
                           signed_at=training.starts_at + datetime.timedelta(minutes=rng.randint(-20, 15)),
                           method=Attendance.Method.QR if qr else Attendance.Method.MANUAL,
                           recorded_by=None if qr else office)
            )  # fmt: skip
            points.append(
                PointEntry.earned(user_id=person.pk, reason=PointEntry.Reason.TRAINED,
                                  source=point_source(training), center_id=center.pk,
                                  at=training.ends_at)
            )  # fmt: skip
    bulk(Attendance, attendances, counts=counts)
    bulk(PointEntry, points, counts=counts)


def _acknowledgements(
    center: Center, until: datetime.date, rng: random.Random, counts: Counter[str]
) -> None:
    rows = []
    for version in (
        StandardVersion.objects.published()
        .filter(center=center)
        .select_related("standard")
        .order_by("pk")
    ):
        assigned = version.published_at or at_time(until, rng)
        for person in required_people(version).order_by("pk"):
            done = rng.random() < ACKNOWLEDGED
            at = assigned + datetime.timedelta(hours=rng.randint(1, 24 * 14))
            rows.append(
                Acknowledgement(center=center, standard_version=version, user=person,
                                assigned_at=assigned,
                                acknowledged_at=at if done and at.date() <= until else None)
            )  # fmt: skip
    bulk(Acknowledgement, rows, counts=counts)


def _suggestions(
    center: Center,
    days: list[datetime.date],
    leader: User,
    staff: list[User],
    rng: random.Random,
    counts: Counter[str],
) -> None:
    area_types = {a.code: a for a in AreaType.objects.filter(center=center)}
    ideas: list[tuple[str, str, str, str, str | None]] = [
        ("slogan", title, "", status, None) for title, status in SLOGANS
    ]
    ideas += [("proposal", title, body, status, area) for title, body, status, area in PROPOSALS]
    how_many = max(len(ideas), round(len(days) / 21 * SUGGESTIONS_PER_MONTH))
    suggestions: list[Suggestion] = []
    plans: list[tuple[str, datetime.datetime | None]] = []
    for index in range(how_many):
        kind, title, body, status, area = ideas[index % len(ideas)]
        if index >= len(ideas):  # later rounds of the call: their reviews are drawn
            title = f"{title}（{index // len(ideas) + 1}）"
            status = weighted(rng, STATUSES)
        day = days[min(len(days) - 1, len(days) * index // how_many)]
        created = at_time(day, rng)
        # Recent ones wait for review; older ones were reviewed within two weeks.
        recent = day >= days[-1] - datetime.timedelta(days=10)
        status = "submitted" if recent else status
        reviewed = (
            None if status == "submitted" else created + datetime.timedelta(days=rng.randint(1, 14))
        )
        author = rng.choice(staff)
        suggestions.append(
            Suggestion(center=center, kind=kind, title=title, body=body, author=author,
                       unit_id=author.unit_id, area_type=area_types.get(area) if area else None,
                       status=status, created_at=created,
                       reviewed_by=leader if reviewed else None, reviewed_at=reviewed,
                       review_reason=REVIEWS.get(status, ""), version=1 if reviewed is None else 2)
        )  # fmt: skip
        plans.append((status, reviewed))
    suggestions = bulk(Suggestion, suggestions, counts=counts)
    votes: list[Vote] = []
    transitions: list[SuggestionTransition] = []
    points: list[PointEntry] = []
    for suggestion, (status, reviewed) in zip(suggestions, plans, strict=True):
        # Votes were cast while the suggestion was open, so a rejected one may hold some.
        voters = [u for u in staff if not suggestion.is_authored_by(u.pk)]
        for voter in rng.sample(voters, k=min(len(voters), rng.randint(0, 25))):
            votes.append(Vote(center=center, suggestion=suggestion, user=voter))
        source = point_source(suggestion)
        points.append(
            PointEntry.earned(user_id=suggestion.author_id, reason=PointEntry.Reason.SUBMITTED,
                              source=source, center_id=center.pk, at=suggestion.created_at)
        )  # fmt: skip
        transitions.append(
            SuggestionTransition.submitted(
                suggestion, by_id=suggestion.author_id, at=suggestion.created_at
            )
        )
        if reviewed is None:
            continue
        SUGGESTION_MOVES.check(Suggestion.Status.SUBMITTED, status)
        transitions.append(
            SuggestionTransition(center=center, suggestion=suggestion, from_status="submitted",
                                 to_status=status, by=leader, at=reviewed, note=REVIEWS[status])
        )  # fmt: skip
        points.extend(
            PointEntry.earned(user_id=suggestion.author_id, reason=reason, source=source,
                              center_id=center.pk, at=reviewed)
            for reason in PointEntry.for_review(status)
        )  # fmt: skip
    bulk(Vote, votes, counts=counts)
    bulk(SuggestionTransition, transitions, counts=counts)
    bulk(PointEntry, points, counts=counts)
