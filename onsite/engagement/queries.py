"""Read-side summaries of engagement: a fixed number of queries each."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Count, Prefetch, Q, QuerySet, Sum

from onsite.accounts.models import User
from onsite.core.models import Center
from onsite.engagement.models import (
    Acknowledgement,
    Attendance,
    Photo,
    PointEntry,
    Post,
    PostQuerySet,
    Suggestion,
    Training,
)
from onsite.engagement.services import required_people, training_audience, versions_for
from onsite.org.models import Unit, Zone
from onsite.standards.models import StandardVersion


@dataclass
class Leader:
    name: str
    unit: str
    points: int


def leaderboard(
    center: Center | int, *, since: datetime.datetime | None = None, limit: int = 20
) -> list[Leader]:
    entries = PointEntry.objects.filter(center=center)
    if since is not None:
        entries = entries.filter(at__gte=since)
    rows = (
        entries.order_by()
        .values("user_id")
        .annotate(total=Sum("points"))
        .order_by("-total", "user_id")[:limit]
    )
    totals = [(row["user_id"], row["total"]) for row in rows]
    users = User.objects.filter(pk__in=[pk for pk, _total in totals]).select_related("unit")
    by_pk = {user.pk: user for user in users}
    return [
        Leader(name=by_pk[pk].display_name, unit=str(by_pk[pk].unit or ""), points=total)
        for pk, total in totals
        if pk in by_pk
    ]


@dataclass
class UnitScore:
    name: str
    points: int


def unit_leaderboard(center: Center | int, *, limit: int = 10) -> list[UnitScore]:
    rows = (
        PointEntry.objects.filter(center=center, user__unit__isnull=False)
        .order_by()
        .values("user__unit_id")
        .annotate(total=Sum("points"))
        .order_by("-total", "user__unit_id")[:limit]
    )
    totals = [(row["user__unit_id"], row["total"]) for row in rows]
    names = dict(Unit.objects.filter(pk__in=[pk for pk, _t in totals]).values_list("pk", "name"))
    return [UnitScore(name=names.get(pk, ""), points=total) for pk, total in totals]


@dataclass
class AttendanceRate:
    audience: int
    attended: int  # of the audience
    others: int  # signed in without being in the audience

    @property
    def rate(self) -> float | None:
        return round(100 * self.attended / self.audience, 1) if self.audience else None


def attendance_rate(training: Training) -> AttendanceRate:
    audience_ids = set(training_audience(training).values_list("pk", flat=True))
    present = set(Attendance.objects.filter(training=training).values_list("user_id", flat=True))
    return AttendanceRate(
        audience=len(audience_ids),
        attended=len(audience_ids & present),
        others=len(present - audience_ids),
    )


@dataclass
class AttendanceByUnit:
    unit: str
    audience: int
    attended: int

    @property
    def rate(self) -> float | None:
        return round(100 * self.attended / self.audience, 1) if self.audience else None


def attendance_by_unit(training: Training) -> list[AttendanceByUnit]:
    audience = (
        training_audience(training)
        .order_by()
        .values("unit__name")
        .annotate(
            n=Count("pk", distinct=True),
            present=Count("pk", distinct=True, filter=Q(training_attendances__training=training)),
        )
    )
    rows = [
        AttendanceByUnit(unit=row["unit__name"] or "—", audience=row["n"], attended=row["present"])
        for row in audience
    ]
    return sorted(rows, key=lambda row: (row.rate or 0, row.unit))


@dataclass
class AcknowledgementStatus:
    version: StandardVersion
    required: int
    done: list[tuple[User, datetime.datetime | None]]
    missing: list[User]

    @property
    def rate(self) -> float | None:
        return round(100 * len(self.done) / self.required, 1) if self.required else None


def acknowledgement_status(version: StandardVersion) -> AcknowledgementStatus:
    people = list(
        required_people(version).select_related("unit").order_by("unit__name", "full_name")
    )
    acknowledged = dict(
        Acknowledgement.objects.filter(
            standard_version=version, acknowledged_at__isnull=False
        ).values_list("user_id", "acknowledged_at")
    )
    done = [(person, acknowledged[person.pk]) for person in people if person.pk in acknowledged]
    missing = [person for person in people if person.pk not in acknowledged]
    return AcknowledgementStatus(version=version, required=len(people), done=done, missing=missing)


@dataclass
class VersionProgress:
    version: StandardVersion
    required: int
    done: int

    @property
    def missing(self) -> int:
        return self.required - self.done

    @property
    def rate(self) -> float | None:
        return round(100 * self.done / self.required, 1) if self.required else None


def _acknowledgement_sets(
    center: Center,
) -> tuple[list[StandardVersion], dict[int, set[int]], dict[int, set[int]]]:
    """The center's published versions, who must acknowledge each (by area type: the active
    owners of its zones and the active staff of their units) and who did (by version), in
    five queries whatever the number of versions, zones and people."""
    versions = list(
        StandardVersion.objects.published()
        .filter(center=center)
        .select_related("standard__area_type")
        .order_by("standard__area_type__position", "standard__area_type__code")
    )
    zones = Zone.objects.filter(center=center, is_active=True).values_list(
        "area_type_id", "owner_id", "unit_id"
    )
    staff_by_unit: dict[int, set[int]] = {}
    for pk, unit_id in User.objects.filter(
        center=center, is_active=True, unit__isnull=False
    ).values_list("pk", "unit_id"):
        staff_by_unit.setdefault(unit_id, set()).add(pk)
    active = set(User.objects.filter(center=center, is_active=True).values_list("pk", flat=True))
    people_by_area: dict[int, set[int]] = {}
    for area_type_id, owner_id, unit_id in zones:
        people = people_by_area.setdefault(area_type_id, set())
        if owner_id in active:
            people.add(owner_id)
        if unit_id is not None:
            people |= staff_by_unit.get(unit_id, set())
    done: dict[int, set[int]] = {}
    for version_id, user_id in Acknowledgement.objects.filter(
        standard_version__in=versions, acknowledged_at__isnull=False
    ).values_list("standard_version_id", "user_id"):
        done.setdefault(version_id, set()).add(user_id)
    return versions, people_by_area, done


def acknowledgement_overview(center: Center) -> list[VersionProgress]:
    """Every published version with how many must and how many did acknowledge it."""
    versions, people_by_area, done = _acknowledgement_sets(center)
    result = []
    for version in versions:
        required = people_by_area.get(version.standard.area_type_id, set())
        result.append(
            VersionProgress(
                version=version,
                required=len(required),
                done=len(required & done.get(version.pk, set())),
            )
        )
    return result


def acknowledgement_people(center: Center) -> tuple[int, int]:
    """(people who must acknowledge a published standard, people who acknowledged every one
    they must): each active person of the center once, however many versions apply to them.
    The per-version rows of `acknowledgement_overview` summed would count a person once per
    version (366 "staff" in a center of 189)."""
    versions, people_by_area, done = _acknowledgement_sets(center)
    owed: dict[int, set[int]] = {}  # person → the versions they must acknowledge
    for version in versions:
        for person in people_by_area.get(version.standard.area_type_id, set()):
            owed.setdefault(person, set()).add(version.pk)
    finished = sum(
        1
        for person, owed_versions in owed.items()
        if all(person in done.get(version_id, set()) for version_id in owed_versions)
    )
    return len(owed), finished


# --- what the pages list -----------------------------------------------------------------------


def board_posts(center: Center | None) -> PostQuerySet:
    """The board's posts in board order, their photos in order."""
    return (
        Post.objects.filter(center=center, kind=Post.Kind.POST)
        .select_related("author")
        .prefetch_related(Prefetch("photos", queryset=Photo.objects.order_by("position", "pk")))
        .for_board()
    )


def latest_digest(center: Center | None) -> Post | None:
    return Post.objects.filter(center=center, kind=Post.Kind.DIGEST).order_by("-week").first()


def recently_adopted(center: Center | None, *, limit: int = 6) -> list[Suggestion]:
    return list(
        Suggestion.objects.filter(center=center, status=Suggestion.Status.ADOPTED)
        .select_related("author")
        .order_by("-reviewed_at")[:limit]
    )


SUGGESTION_SORTS = {"votes": ("-vote_count", "-created_at", "-pk"), "new": ("-created_at", "-pk")}


def listed_suggestions(
    suggestions: QuerySet[Suggestion], *, kind: str = "", status: str = "", sort: str = "votes"
) -> QuerySet[Suggestion]:
    """Suggestions (annotated with `vote_count`) filtered by kind and status, by votes or
    newest first; unknown filter values are ignored."""
    if kind in Suggestion.Kind.values:
        suggestions = suggestions.filter(kind=kind)
    if status in Suggestion.Status.values:
        suggestions = suggestions.filter(status=status)
    return suggestions.prefetch_related(
        Prefetch("photos", queryset=Photo.objects.order_by("position", "pk"))
    ).order_by(*SUGGESTION_SORTS.get(sort, SUGGESTION_SORTS["votes"]))


def trainings(center: Center | None) -> QuerySet[Training]:
    return (
        Training.objects.filter(center=center)
        .select_related("trainer")
        .annotate(present=Count("attendances", distinct=True))
    )


def attended(user: User, center: Center | None) -> set[int]:
    """The sessions of the center `user` signed in to (none for a cross-center viewer)."""
    if user.is_cross_center_viewer:
        return set()
    return set(
        Attendance.objects.filter(user=user, training__center=center).values_list(
            "training_id", flat=True
        )
    )


def attendance_lists(training: Training) -> dict[str, object]:
    """Who came (in order), the rate by unit, and who of the audience did not come."""
    return {
        "attendances": list(
            training.attendances.select_related("user__unit").order_by("signed_at")
        ),
        "by_unit": attendance_by_unit(training),
        "absent": list(
            training_audience(training)
            .exclude(training_attendances__training=training)
            .select_related("unit")
            .order_by("unit__name", "full_name")[:300]
        ),
    }


def my_acknowledgements(user: User) -> list[tuple[StandardVersion, datetime.datetime | None]]:
    """The versions `user` must acknowledge with when they did, the open ones first."""
    versions = list(versions_for(user).select_related("standard__area_type"))
    done = dict(
        Acknowledgement.objects.filter(
            user=user, standard_version__in=versions, acknowledged_at__isnull=False
        ).values_list("standard_version_id", "acknowledged_at")
    )
    rows = [(version, done.get(version.pk)) for version in versions]
    rows.sort(key=lambda row: (row[1] is not None, str(row[0])))
    return rows
