"""Who may do what in engagement, declared once: the role sets the pages' decorators, the
domain's checks (`onsite.engagement.actions`) and the site's navigation read; and one access
helper per object type, shared by the pages and the API. Another center's object is a 404."""

from __future__ import annotations

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.http import Http404

from onsite.accounts.models import User
from onsite.core.access import may
from onsite.core.models import Center, get_for_center
from onsite.core.refusals import NotAllowed, NotVisible
from onsite.core.roles import ALL, Role
from onsite.engagement.models import (
    Photo,
    Post,
    Suggestion,
    SuggestionCall,
    Training,
    TrainingDocument,
    Vote,
)
from onsite.org.models import AreaType
from onsite.standards.models import StandardVersion

EVERYONE = tuple(ALL | {Role.VIEWER})
"""Who reads the board, the training calendar, the suggestions and the leaderboard."""
MEMBERS = tuple(ALL)
"""People of the center (not cross-center viewers) who take part: sign in, submit, vote,
acknowledge."""
EDITORS = (Role.ADMIN, Role.OFFICE)
"""Who runs the board and plans training."""
REVIEWERS = (Role.ADMIN, Role.LEADER, Role.OFFICE)
"""Who reviews slogans and proposals."""
OVERSEERS = (
    Role.ADMIN,
    Role.LEADER,
    Role.OFFICE,
    Role.SUPERVISOR,
    Role.GROUP_LEADER,
    Role.VIEWER,
)
"""Who reads attendance lists and the acknowledgement overview."""


def require(user: User, roles: tuple[str, ...], *, write: bool = True) -> None:
    """The role gate of an engagement act (an audited 403 through either door)."""
    if not may(user, roles, write=write):
        raise NotAllowed


# --- predicates the pages show buttons by ----------------------------------------------------


def can_edit(user: User) -> bool:
    return may(user, EDITORS, write=True)


def can_review(user: User) -> bool:
    return may(user, REVIEWERS, write=True)


def can_show_qr(user: User, training: Training) -> bool:
    return can_edit(user) or training.trainer_id == user.pk


def sees_attendance(user: User, training: Training) -> bool:
    return bool(user.has_role(*OVERSEERS)) or training.trainer_id == user.pk


# --- one door per object type ------------------------------------------------------------------


def get_post(center: Center | None, pk: int) -> Post:
    return get_for_center(
        Post.objects.select_related("author").prefetch_related(
            Prefetch("photos", queryset=Photo.objects.order_by("position", "pk"))
        ),
        center,
        pk=pk,
    )


def get_photo(center: Center | None, pk: int) -> Photo:
    """Photos of posts and proposals: anyone who may read the board may see them, nobody
    from another center."""
    return get_for_center(Photo.objects.all(), center, pk=pk)


def get_training(center: Center | None, pk: int) -> Training:
    return get_for_center(
        Training.objects.select_related("trainer").prefetch_related(
            "units", "groups", "standard_versions__standard", "documents"
        ),
        center,
        pk=pk,
    )


def get_document(training: Training, pk: int) -> TrainingDocument:
    try:
        return training.documents.get(pk=pk)
    except TrainingDocument.DoesNotExist as exc:
        raise Http404 from exc


def suggestions_for(user: User, center: Center | None) -> QuerySet[Suggestion]:
    """The center's suggestions with their vote count and whether `user` voted."""
    return (
        Suggestion.objects.filter(center=center)
        .select_related(
            "author",
            "unit",
            "area_type",
            "similar_to",
            "reviewed_by",
            "standard_version__standard",
            "call",
        )
        .annotate(
            vote_count=Count("votes", distinct=True),
            voted=Exists(Vote.objects.filter(suggestion=OuterRef("pk"), user_id=user.pk)),
        )
    )


def get_suggestion(user: User, center: Center | None, pk: int) -> Suggestion:
    return get_for_center(suggestions_for(user, center), center, pk=pk)


def get_published_version(center: Center | None, pk: int) -> StandardVersion:
    return get_for_center(
        StandardVersion.objects.published().select_related("standard__area_type"),
        center,
        pk=pk,
    )


def get_area_type(center: Center | None, code: str | None) -> AreaType | None:
    """An area type named by its code (the API's way); an unknown code is a 404."""
    if not code:
        return None
    area_type = AreaType.objects.filter(center=center, code=code).first()
    if area_type is None:
        raise NotVisible(code="unknown_area_type")
    return area_type


def calls_for(center: Center | None) -> QuerySet[SuggestionCall]:
    """The center's calls with their counts (entries, units taking part) in one query, and
    their invited units in a second."""
    return (
        SuggestionCall.objects.filter(center=center)
        .select_related("created_by")
        .prefetch_related("units")
        .annotate(
            entry_count=Count("suggestions", distinct=True),
            unit_count=Count(
                "suggestions__unit", distinct=True, filter=Q(suggestions__unit__isnull=False)
            ),
        )
    )


def get_call(center: Center | None, pk: int) -> SuggestionCall:
    return get_for_center(calls_for(center), center, pk=pk)
