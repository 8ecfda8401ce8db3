"""The automatic weekly digest of the publicity board.

A digest is a list of sections; each section is a function (center, week) → Section | None
listed in SECTIONS. Another app adds its own section by appending a function there (e.g. in
its AppConfig.ready). A section is stored as plain data so the board can render it in the
reader's language: titles and labels are msgids (marked with gettext_noop here and translated
when shown), names and titles of things are data.

Rankings, closed rectifications (before/after photos) and phase progress read the programme,
rectification and inspections apps' models; a section that fails is logged and skipped."""

from __future__ import annotations

import datetime
import logging
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_noop

from onsite.audit.services import record_event
from onsite.core.models import Center
from onsite.engagement.models import Post, Suggestion, Training
from onsite.engagement.queries import leaderboard
from onsite.programme.models import (
    AcceptanceRound,
    MonthlyRanking,
    Phase,
    PhaseProgress,
    Programme,
    RoundUnit,
)
from onsite.rectification.models import Rectification
from onsite.surveys.audience import audience_users
from onsite.surveys.models import Survey

logger = logging.getLogger(__name__)


@dataclass
class Item:
    text: str
    meta: str = ""
    meta_label: str = ""  # a msgid shown after `meta` (e.g. a phase)
    url: str = ""
    value: float | None = None
    value_label: str = ""  # msgid after the value ("points"); "%" draws a bar
    photos: list[str] = field(default_factory=list)  # access-checked photo URLs
    before: list[str] = field(default_factory=list)  # before/after photos (thumbnails)
    after: list[str] = field(default_factory=list)


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
POINTS = gettext_noop("points")


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
        answered: int = survey.answered  # type: ignore[attr-defined]
        rate = round(100 * answered / audience, 1) if audience else None
        items.append(
            Item(text=survey.title, meta=f"{answered}/{audience}", value=rate, value_label="%")
        )
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
        items=[
            Item(text=leader.name, meta=leader.unit, value=leader.points, value_label=POINTS)
            for leader in leaders
        ],
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


def _english(label: object) -> str:
    """The msgid of a lazy choice label (English is the source language)."""
    with translation.override("en"):
        return str(label)


def rankings(center: Center, week: Week) -> Section | None:
    """The latest published monthly ranking (评比) and acceptance rounds closed this week
    (programme app; read only)."""
    items: list[Item] = []
    ranking = (
        MonthlyRanking.objects.filter(center=center, published_at__lt=week.until)
        .order_by("-month")
        .first()
    )
    if ranking is not None:
        for row in ranking.rows.select_related("unit").order_by("rank", "unit__code")[:5]:
            items.append(
                Item(text=f"{row.rank}. {row.unit.name}", meta=f"{ranking.month:%Y-%m}",
                     value=float(row.score), value_label="%")
            )  # fmt: skip
    rounds = AcceptanceRound.objects.filter(
        center=center, status=AcceptanceRound.Status.CLOSED,
        closed_at__gte=week.since, closed_at__lt=week.until,
    )  # fmt: skip
    for entry in (
        RoundUnit.objects.filter(round__in=rounds, rank__isnull=False)
        .select_related("unit", "round")
        .order_by("round__number", "rank")[:10]
    ):
        items.append(
            Item(text=f"{entry.rank}. {entry.unit.name}", meta=entry.round.name,
                 value=float(entry.score) if entry.score is not None else None, value_label="%")
        )  # fmt: skip
    if not items:
        return None
    return Section(key="rankings", title=gettext_noop("Rankings"), items=items)


def closed_rectifications(center: Center, week: Week) -> Section | None:
    """Rectifications verified and closed this week, with the inspection's photo (before) and
    the after-photos (rectification and inspections apps; read only)."""
    closed = (
        Rectification.objects.filter(
            center=center, status=Rectification.Status.CLOSED,
            closed_at__gte=week.since, closed_at__lt=week.until,
        )
        .select_related("zone", "finding__answer")
        .prefetch_related("photos", "finding__answer__photos")
        .order_by("closed_at", "pk")[:8]
    )  # fmt: skip
    items = []
    for rectification in closed:
        finding = rectification.finding
        answer = getattr(finding, "answer", None)
        before = [p.pk for p in answer.photos.all()][:2] if answer is not None else []
        after = [p.pk for p in rectification.photos.all()][-2:]
        items.append(
            Item(
                text=finding.text[:120],
                meta=f"{rectification.zone.code} {rectification.zone.name}",
                url=reverse("rectification:rectification-detail", args=[rectification.pk]),
                before=[reverse("inspections:photo", args=[pk]) + "?size=thumb" for pk in before],
                after=[reverse("rectification:photo", args=[pk]) + "?size=thumb" for pk in after],
            )
        )
    if not items:
        return None
    return Section(
        key="closed_rectifications",
        title=gettext_noop("Closed rectifications, before and after"),
        items=items,
    )


def phase_progress(center: Center, week: Week) -> Section | None:
    """How many units have passed each phase, and which passed one this week (programme app;
    read only)."""
    programme = Programme.objects.filter(center=center).order_by("-starts_on", "-pk").first()
    if programme is None:
        return None
    accepted = PhaseProgress.objects.filter(
        programme=programme, status=PhaseProgress.Status.ACCEPTED
    )
    counts = dict(
        accepted.order_by().values("phase").annotate(n=Count("pk")).values_list("phase", "n")
    )
    this_week = (
        accepted.filter(accepted_on__gte=week.start, accepted_on__lte=week.end)
        .select_related("unit")
        .order_by("accepted_on", "unit__code")[:12]
    )
    return Section(
        key="phase_progress",
        title=gettext_noop("Phase progress"),
        stats=[Stat(_english(phase.label), counts.get(phase.value, 0)) for phase in Phase],
        items=[
            Item(text=p.unit.name, meta_label=_english(Phase(p.phase).label)) for p in this_week
        ],
    )


# The order is the order on the board. Other apps may append their own sections.
SECTIONS: list[SectionFunction] = [
    rankings,
    closed_rectifications,
    phase_progress,
    adopted_proposals,
    new_suggestions,
    survey_participation,
    training_attendance,
    top_contributors,
    board_posts,
]


def build_sections(center: Center, week: Week) -> list[dict[str, Any]]:
    """Runs every section. One that fails (another app changed under it) is logged and left
    out, so the rest of the digest still reaches the board."""
    sections = []
    for function in SECTIONS:
        try:
            with transaction.atomic():
                section = function(center, week)
        except Exception:
            logger.exception("digest section %s failed", getattr(function, "__name__", function))
            continue
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
