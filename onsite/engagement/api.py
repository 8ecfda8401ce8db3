"""Engagement over JSON: board posts, training (with sign-in), slogans and proposals (with
voting and review), acknowledgements and the leaderboard. Same services as the pages."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from django.core.exceptions import ValidationError
from django.db.models import Count, Exists, OuterRef, QuerySet
from django.http import Http404
from django.urls import reverse
from ninja import Field, Router, Schema
from ninja.errors import HttpError

from onsite.core.api import documented
from onsite.core.concurrency import ConflictError
from onsite.core.models import get_for_center
from onsite.core.types import OnsiteRequest
from onsite.engagement import queries, services
from onsite.engagement.models import Attendance, Post, Suggestion, Training, Vote
from onsite.engagement.views import EDITORS, EVERYONE, MEMBERS, REVIEWERS
from onsite.org.models import AreaType
from onsite.standards.models import StandardVersion

router = Router(tags=["engagement"])


def _require(request: OnsiteRequest, roles: tuple[str, ...], *, write: bool = False) -> None:
    user = request.user
    if not user.has_role(*roles) or (write and user.is_cross_center_viewer):
        raise HttpError(403, "Your role may not do this.")


def _key(request: OnsiteRequest) -> str:
    return request.headers.get("Idempotency-Key", "")[:64]


# --- posts --------------------------------------------------------------------------------


class PostOut(Schema):
    id: int
    kind: str
    title: str
    body_html: str
    pinned: bool
    published_at: datetime
    author: str | None
    photos: list[str]
    digest: dict[str, object]


NOT_BLANK = r"\S"


class PostIn(Schema):
    title: str = Field(min_length=1, max_length=200, pattern=NOT_BLANK)
    body: str = Field(default="", max_length=20000)
    pinned: bool = False


def _post_out(post: Post) -> PostOut:
    return PostOut(
        id=post.pk,
        kind=post.kind,
        title=post.title,
        body_html=post.body,
        pinned=post.is_pinned,
        published_at=post.published_at,
        author=post.author.display_name if post.author else None,
        photos=[reverse("engagement:photo", args=[photo.pk]) for photo in post.photos.all()],
        digest=post.digest,
    )


@router.get("/posts", response=documented(list[PostOut]), summary="Posts of the publicity board")
def list_posts(request: OnsiteRequest) -> list[PostOut]:
    _require(request, EVERYONE)
    posts = (
        Post.objects.filter(center=request.center)
        .select_related("author")
        .prefetch_related("photos")
        .for_board()[:50]
    )
    return [_post_out(post) for post in posts]


@router.get("/posts/{post_id}", response=documented(PostOut), summary="One post")
def get_post(request: OnsiteRequest, post_id: int) -> PostOut:
    _require(request, EVERYONE)
    post = get_for_center(
        Post.objects.select_related("author").prefetch_related("photos"), request.center, pk=post_id
    )
    return _post_out(post)


@router.post(
    "/posts", response=documented(PostOut), summary="Post on the board (Idempotency-Key honoured)"
)
def create_post(request: OnsiteRequest, payload: PostIn) -> PostOut:
    _require(request, EDITORS, write=True)
    assert request.center is not None  # noqa: S101 - the auth classes set it
    post = services.create_post(
        center=request.center, by=request.user, title=payload.title.strip(), body=payload.body,
        is_pinned=payload.pinned, submission_key=_key(request), request=request,
    )  # fmt: skip
    return _post_out(post)


# --- training -----------------------------------------------------------------------------


class TrainingOut(Schema):
    id: int
    topic: str
    starts_at: datetime
    ends_at: datetime
    place: str
    trainer: str
    attended: int
    audience: int
    attendance_rate: float | None
    signed_in: bool
    standard_versions: list[int]
    documents: list[str]


class SignInIn(Schema):
    token: str = Field(max_length=64)


def _training_out(training: Training, request: OnsiteRequest) -> TrainingOut:
    rate = queries.attendance_rate(training)
    return TrainingOut(
        id=training.pk,
        topic=training.topic,
        starts_at=training.starts_at,
        ends_at=training.ends_at,
        place=training.place,
        trainer=training.trainer_display,
        attended=rate.attended,
        audience=rate.audience,
        attendance_rate=rate.rate,
        signed_in=Attendance.objects.filter(training=training, user=request.user).exists(),
        standard_versions=[v.pk for v in training.standard_versions.all()],
        documents=[
            reverse("engagement:document-download", args=[training.pk, d.pk])
            for d in training.documents.all()
        ],
    )


def _training(request: OnsiteRequest, pk: int) -> Training:
    return get_for_center(
        Training.objects.select_related("trainer").prefetch_related(
            "units", "groups", "standard_versions", "documents"
        ),
        request.center,
        pk=pk,
    )


class TrainingRowOut(Schema):
    id: int
    topic: str
    starts_at: datetime
    ends_at: datetime
    place: str
    present: int


@router.get("/training", response=documented(list[TrainingRowOut]), summary="Training sessions")
def list_training(request: OnsiteRequest) -> list[TrainingRowOut]:
    _require(request, EVERYONE)
    sessions = Training.objects.filter(center=request.center).annotate(
        present=Count("attendances", distinct=True)
    )[:100]
    return [
        TrainingRowOut(id=t.pk, topic=t.topic, starts_at=t.starts_at, ends_at=t.ends_at,
                       place=t.place, present=t.present)
        for t in sessions
    ]  # fmt: skip


@router.get(
    "/training/{training_id}", response=documented(TrainingOut), summary="One training session"
)
def get_training(request: OnsiteRequest, training_id: int) -> TrainingOut:
    _require(request, EVERYONE)
    return _training_out(_training(request, training_id), request)


@router.post(
    "/training/{training_id}/sign-in",
    response=documented(TrainingOut),
    summary="Sign in with the code of the session's QR",
)
def sign_in(request: OnsiteRequest, training_id: int, payload: SignInIn) -> TrainingOut:
    _require(request, MEMBERS, write=True)
    training = _training(request, training_id)
    try:
        services.sign_in(training, user=request.user, token=payload.token, request=request)
    except services.EngagementError as exc:
        raise HttpError(409, exc.message) from exc
    return _training_out(training, request)


# --- slogans and proposals ----------------------------------------------------------------


class SuggestionOut(Schema):
    id: int
    kind: str
    title: str
    body: str
    status: str
    author: str
    created_at: datetime
    votes: int
    voted: bool
    area_type: str | None
    likely_duplicate_of: int | None
    similarity: float | None
    review_reason: str
    standard_version_id: int | None
    version: int


class SuggestionIn(Schema):
    kind: Literal["slogan", "proposal"]
    title: str = Field(min_length=1, max_length=200, pattern=NOT_BLANK)
    body: str = Field(default="", max_length=5000)
    area_type: str | None = Field(default=None, max_length=32)  # area type code


class ReviewIn(Schema):
    decision: Literal["accepted", "rejected", "adopted"]
    reason: str = Field(min_length=1, max_length=2000, pattern=NOT_BLANK)
    version: int
    open_revision: bool = False
    area_type: str | None = Field(default=None, max_length=32)


class VoteOut(Schema):
    votes: int
    voted: bool


def _suggestions(request: OnsiteRequest) -> QuerySet[Suggestion]:
    return (
        Suggestion.objects.filter(center=request.center)
        .select_related("author", "area_type")
        .annotate(
            vote_count=Count("votes", distinct=True),
            voted=Exists(Vote.objects.filter(suggestion=OuterRef("pk"), user=request.user)),
        )
    )


def _suggestion_out(s: Suggestion) -> SuggestionOut:
    return SuggestionOut(
        id=s.pk, kind=s.kind, title=s.title, body=s.body, status=s.status,
        author=s.author.display_name, created_at=s.created_at,
        votes=s.vote_count, voted=s.voted,  # type: ignore[attr-defined]
        area_type=s.area_type.code if s.area_type else None,
        likely_duplicate_of=s.similar_to_id, similarity=s.similarity,
        review_reason=s.review_reason, standard_version_id=s.standard_version_id, version=s.version,
    )  # fmt: skip


def _suggestion(request: OnsiteRequest, pk: int) -> Suggestion:
    return get_for_center(_suggestions(request), request.center, pk=pk)


def _area_type(request: OnsiteRequest, code: str | None) -> AreaType | None:
    if not code:
        return None
    area_type = AreaType.objects.filter(center=request.center, code=code).first()
    if area_type is None:
        raise HttpError(404, f"Unknown area type: {code}")
    return area_type


@router.get(
    "/suggestions", response=documented(list[SuggestionOut]), summary="Slogans and proposals"
)
def list_suggestions(
    request: OnsiteRequest, kind: str | None = None, status: str | None = None
) -> list[SuggestionOut]:
    _require(request, EVERYONE)
    rows = _suggestions(request)
    if kind:
        rows = rows.filter(kind=kind)
    if status:
        rows = rows.filter(status=status)
    ordered = rows.order_by("-vote_count", "-created_at", "-pk")  # type: ignore[misc]
    return [_suggestion_out(s) for s in ordered[:200]]


@router.get(
    "/suggestions/{suggestion_id}", response=documented(SuggestionOut), summary="One suggestion"
)
def get_suggestion(request: OnsiteRequest, suggestion_id: int) -> SuggestionOut:
    _require(request, EVERYONE)
    return _suggestion_out(_suggestion(request, suggestion_id))


@router.post(
    "/suggestions",
    response=documented(SuggestionOut),
    summary="Submit a slogan or proposal (flags a likely duplicate; Idempotency-Key honoured)",
)
def submit_suggestion(request: OnsiteRequest, payload: SuggestionIn) -> SuggestionOut:
    _require(request, MEMBERS, write=True)
    assert request.center is not None  # noqa: S101
    title = payload.title.strip()
    result = services.submit_suggestion(
        center=request.center, author=request.user, kind=payload.kind, title=title,
        body=payload.body.strip(), area_type=_area_type(request, payload.area_type),
        submission_key=_key(request), request=request,
    )  # fmt: skip
    return _suggestion_out(_suggestion(request, result.suggestion.pk))


@router.post(
    "/suggestions/{suggestion_id}/vote",
    response=documented(VoteOut),
    summary="Vote (once per person)",
)
def vote(request: OnsiteRequest, suggestion_id: int) -> VoteOut:
    _require(request, MEMBERS, write=True)
    suggestion = _suggestion(request, suggestion_id)
    try:
        services.vote(suggestion, user=request.user, request=request)
    except services.EngagementError as exc:
        raise HttpError(409, exc.message) from exc
    return VoteOut(votes=suggestion.votes.count(), voted=True)


@router.delete(
    "/suggestions/{suggestion_id}/vote", response=documented(VoteOut), summary="Withdraw my vote"
)
def withdraw_vote(request: OnsiteRequest, suggestion_id: int) -> VoteOut:
    _require(request, MEMBERS, write=True)
    suggestion = _suggestion(request, suggestion_id)
    services.withdraw_vote(suggestion, user=request.user, request=request)
    return VoteOut(votes=suggestion.votes.count(), voted=False)


@router.post(
    "/suggestions/{suggestion_id}/review",
    response=documented(SuggestionOut),
    summary="Accept, reject or adopt, with a reason; adopting can open a standard revision",
)
def review(request: OnsiteRequest, suggestion_id: int, payload: ReviewIn) -> SuggestionOut:
    _require(request, REVIEWERS, write=True)
    suggestion = _suggestion(request, suggestion_id)
    try:
        services.review_suggestion(
            suggestion, by=request.user, decision=payload.decision, reason=payload.reason,
            expected_version=payload.version, open_revision=payload.open_revision,
            area_type=_area_type(request, payload.area_type), request=request,
        )  # fmt: skip
    except ConflictError as exc:
        raise HttpError(409, str(exc.message)) from exc
    except services.EngagementError as exc:
        raise HttpError(409, exc.message) from exc
    except ValidationError as exc:
        raise HttpError(409, " ".join(exc.messages)) from exc
    return _suggestion_out(_suggestion(request, suggestion_id))


# --- acknowledgements and leaderboard -----------------------------------------------------


class AcknowledgementOut(Schema):
    standard_version_id: int
    standard: str
    acknowledged_at: datetime | None


@router.get(
    "/acknowledgements/mine",
    response=documented(list[AcknowledgementOut]),
    summary="Published standards I must acknowledge",
)
def my_acknowledgements(request: OnsiteRequest) -> list[AcknowledgementOut]:
    _require(request, MEMBERS)
    versions = list(services.versions_for(request.user))
    done = dict(
        request.user.acknowledgements.filter(standard_version__in=versions).values_list(
            "standard_version_id", "acknowledged_at"
        )
    )
    return [
        AcknowledgementOut(
            standard_version_id=v.pk, standard=str(v), acknowledged_at=done.get(v.pk)
        )
        for v in versions
    ]


@router.post(
    "/acknowledgements/{version_id}",
    response=documented(AcknowledgementOut),
    summary="Acknowledge a published standard",
)
def acknowledge(request: OnsiteRequest, version_id: int) -> AcknowledgementOut:
    _require(request, MEMBERS, write=True)
    version = get_for_center(
        StandardVersion.objects.published().select_related("standard"),
        request.center,
        pk=version_id,
    )
    if not services.versions_for(request.user).filter(pk=version.pk).exists():
        raise Http404
    record = services.acknowledge(version, user=request.user, request=request)
    return AcknowledgementOut(
        standard_version_id=version.pk,
        standard=str(version),
        acknowledged_at=record.acknowledged_at,
    )


class LeaderOut(Schema):
    name: str
    unit: str
    points: int


@router.get(
    "/leaderboard", response=documented(list[LeaderOut]), summary="Contribution leaderboard"
)
def leaderboard(request: OnsiteRequest) -> list[LeaderOut]:
    _require(request, EVERYONE)
    assert request.center is not None  # noqa: S101
    return [
        LeaderOut(name=leader.name, unit=leader.unit, points=leader.points)
        for leader in queries.leaderboard(request.center, limit=50)
    ]
