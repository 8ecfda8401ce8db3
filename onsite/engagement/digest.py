"""The automatic weekly digest of the publicity board.

A digest is a list of sections; each section is a function (center, week) → Section | None
listed in SECTIONS. Another app adds its own section by appending a function there (e.g. in
its AppConfig.ready). A section is stored as plain data so the board can render it in the
reader's language: titles and labels are msgids (marked with gettext_noop here and translated
when shown), names and titles of things are data.

Sections still missing because their apps do not exist yet: rankings (acceptance rounds),
before/after photos of closed rectifications, phase progress of the programme."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_noop

from onsite.audit.services import record_event
from onsite.core.models import Center
from onsite.engagement.models import Post, Suggestion, Training
from onsite.engagement.queries import leaderboard
from onsite.surveys.audience import audience_users
from onsite.surveys.models import Survey


@dataclass
class Item:
    text: str
    meta: str = ""
    url: str = ""
    value: float | None = None  # a percentage to draw as a bar
    photos: list[str] = field(default_factory=list)  # access-checked photo URLs


@dataclass
class Stat:
    label: str  # msgid
    value: int | float | str


@dataclass
class Section:
    key: str
    title: str  # msgid
    items: list[Item] = field(default_factory=list)
    stats: list[Stat] = field(default_factory=list)
    empty: str = ""  # msgid shown when there is nothing this week


@dataclass
class Week:
    start: datetime.date  # Monday

    @property
    def end(self) -> datetime.date:
        return self.start + datetime.timedelta(days=6)

    @property
    def since(self) -> datetime.datetime:
        return timezone.make_aware(datetime.datetime.combine(self.start, datetime.time.min))

    @property
    def until(self) -> datetime.datetime:
        return self.since + datetime.timedelta(days=7)

    @classmethod
    def of(cls, day: datetime.date) -> Week:
        return cls(start=day - datetime.timedelta(days=day.weekday()))


SectionFunction = Callable[[Center, Week], Section | None]


def adopted_proposals(center: Center, week: Week) -> Section | None:
    adopted = (
        Suggestion.objects.filter(
            center=center,
            status=Suggestion.Status.ADOPTED,
            reviewed_at__gte=week.since,
            reviewed_at__lt=week.until,
        )
        .select_related("author", "standard_version__standard")
        .order_by("reviewed_at")
    )
    items = [
        Item(
            text=s.title,
            meta=" · ".join(filter(None, [s.author.display_name, str(s.standard_version or "")])),
            url=reverse("engagement:suggestion-detail", args=[s.pk]),
        )
        for s in adopted
    ]
    return Section(
        key="adopted_proposals",
        title=gettext_noop("Adopted proposals"),
        items=items,
        empty=gettext_noop("No proposal was adopted this week."),
    )


def new_suggestions(center: Center, week: Week) -> Section | None:
    counts = Suggestion.objects.filter(
        center=center, created_at__gte=week.since, created_at__lt=week.until
    ).aggregate(
        slogans=Count("pk", filter=Q(kind=Suggestion.Kind.SLOGAN)),
        proposals=Count("pk", filter=Q(kind=Suggestion.Kind.PROPOSAL)),
    )
    popular = (
        Suggestion.objects.filter(center=center)
        .exclude(status=Suggestion.Status.REJECTED)
        .annotate(
            week_votes=Count(
                "votes",
                filter=Q(votes__created_at__gte=week.since, votes__created_at__lt=week.until),
            )
        )
        .filter(week_votes__gt=0)
        .order_by("-week_votes", "pk")[:5]
    )
    return Section(
        key="new_suggestions",
        title=gettext_noop("Slogans and proposals"),
        stats=[
            Stat(gettext_noop("New slogans"), counts["slogans"]),
            Stat(gettext_noop("New proposals"), counts["proposals"]),
        ],
        items=[
            Item(
                text=s.title,
                meta=str(s.week_votes),  # type: ignore[attr-defined]
                url=reverse("engagement:suggestion-detail", args=[s.pk]),
            )
            for s in popular
        ],
    )


def survey_participation(center: Center, week: Week) -> Section | None:
    surveys = (
        Survey.objects.filter(center=center, opens_on__lte=week.end, closes_on__gte=week.start)
        .exclude(status=Survey.Status.DRAFT)
        .prefetch_related("units", "groups")
        .annotate(answered=Count("participations", distinct=True))
    )
    items = []
    for survey in surveys:
        audience = audience_users(
            center, unit_ids=survey.audience_unit_ids, group_ids=survey.audience_group_ids
        ).count()
        rate = round(100 * survey.answered / audience, 1) if audience else None  # type: ignore[attr-defined]
        items.append(Item(text=survey.title, meta=f"{survey.answered}/{audience}", value=rate))  # type: ignore[attr-defined]
    if not items:
        return None
    return Section(
        key="survey_participation", title=gettext_noop("Survey participation"), items=items
    )


def training_attendance(center: Center, week: Week) -> Section | None:
    sessions = Training.objects.filter(
        center=center, starts_at__gte=week.since, starts_at__lt=week.until
    ).annotate(present=Count("attendances", distinct=True))
    items = [
        Item(
            text=t.topic,
            meta=f"{timezone.localtime(t.starts_at):%m-%d %H:%M} · {t.present}",
            url=reverse("engagement:training-detail", args=[t.pk]),
        )
        for t in sessions
    ]
    if not items:
        return None
    return Section(key="training", title=gettext_noop("Training this week"), items=items)


def top_contributors(center: Center, week: Week) -> Section | None:
    leaders = leaderboard(center, since=week.since, limit=5)
    return Section(
        key="leaderboard",
        title=gettext_noop("Top contributors this week"),
        items=[Item(text=leader.name, meta=leader.unit, value=leader.points) for leader in leaders],
        empty=gettext_noop("No contribution points this week."),
    )


def board_posts(center: Center, week: Week) -> Section | None:
    posts = Post.objects.filter(
        center=center,
        kind=Post.Kind.POST,
        published_at__gte=week.since,
        published_at__lt=week.until,
    )
    items = [Item(text=p.title, url=reverse("engagement:post-detail", args=[p.pk])) for p in posts]
    if not items:
        return None
    return Section(key="posts", title=gettext_noop("New on the board"), items=items)


# The order is the order on the board. Other apps append their sections (see module docstring).
SECTIONS: list[SectionFunction] = [
    adopted_proposals,
    new_suggestions,
    survey_participation,
    training_attendance,
    top_contributors,
    board_posts,
]
# Asked for by the issue; to be provided by the apps that own the data.
MISSING_SECTIONS = [
    gettext_noop("Rankings"),
    gettext_noop("Closed rectifications, before and after"),
    gettext_noop("Phase progress"),
]


def build_sections(center: Center, week: Week) -> list[dict[str, Any]]:
    sections = []
    for function in SECTIONS:
        section = function(center, week)
        if section is not None:
            sections.append(asdict(section))
    return sections


@transaction.atomic
def publish_digest(center: Center, *, day: datetime.date | None = None) -> Post:
    """Writes (or rewrites) the digest of the week containing `day` (default: the week
    that just ended, when run on a Monday; the current week otherwise)."""
    week = Week.of(day or timezone.localdate())
    sections = build_sections(center, week)
    post, created = Post.objects.update_or_create(
        center=center,
        kind=Post.Kind.DIGEST,
        week=week.start,
        defaults={
            "title": f"{week.start:%Y-%m-%d} – {week.end:%Y-%m-%d}",
            "digest": {"week": week.start.isoformat(), "sections": sections},
            "published_at": timezone.now(),
        },
    )
    record_event(None, action="engagement.digest_published" if created else "engagement.digest_refreshed",
                 obj=post, center=center, detail={"week": week.start.isoformat()})  # fmt: skip
    return post


def previous_week(today: datetime.date | None = None) -> datetime.date:
    """A day of the week before `today`: what the Monday-morning run summarises."""
    return (today or timezone.localdate()) - datetime.timedelta(days=7)
