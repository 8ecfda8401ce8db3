"""Engagement over JSON: board posts, training (with sign-in), slogans and proposals (with
voting and review), acknowledgements and the leaderboard. Adapters over the same checks and
actions as the pages (`onsite.engagement.actions`); a refusal is answered by config/api.py."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from django.urls import reverse
from ninja import Field, Router, Schema

from onsite.accounts.models import User
from onsite.core.access import check_roles
from onsite.core.api import documented, idempotency_key
from onsite.core.refusals import NotVisible
from onsite.core.types import OnsiteRequest
from onsite.engagement import access, actions, queries, services
from onsite.engagement.access import EVERYONE, MEMBERS, OVERSEERS, REVIEWERS
from onsite.engagement.models import Attendance, Post, Suggestion, SuggestionCall, Training
from onsite.org.models import Unit

router = Router(tags=["engagement"])


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


# Text with something in it, and no NUL anywhere (PostgreSQL text cannot hold one: a 422,
# not a 500).
NOT_BLANK = r"^[^\x00]*[^\x00\s][^\x00]*$"
NO_NUL = r"^[^\x00]*$"


class PostIn(Schema):
    title: str = Field(min_length=1, max_length=200, pattern=NOT_BLANK)
    body: str = Field(default="", max_length=20000, pattern=NO_NUL)
    pinned: bool = False
    confirm_by: date | None = None  # readers must confirm they read it by this date
    confirm_units: list[int] = Field(default_factory=list, max_length=200)  # empty: everyone


class ReaderOut(Schema):
    id: int
    name: str  # name (unit, username): two people of one name stay apart
    confirmed_at: datetime | None


class ConfirmedOut(Schema):
    post: int
    confirmed_at: datetime


class ReadersOut(Schema):
    required: int
    confirmed: int
    pending: int
    confirmed_people: list[ReaderOut]
    pending_people: list[ReaderOut]


def _person(user: User) -> str:
    unit = f"{user.unit}, " if user.unit_id else ""
    return f"{user.display_name} ({unit}{user.username})"


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
    check_roles(request, EVERYONE)
    posts = (
        Post.objects.filter(center=request.center)
        .select_related("author")
        .prefetch_related("photos")
        .for_board()[:50]
    )
    return [_post_out(post) for post in posts]


@router.get("/posts/{post_id}", response=documented(PostOut), summary="One post")
def get_post(request: OnsiteRequest, post_id: int) -> PostOut:
    check_roles(request, EVERYONE)
    return _post_out(access.get_post(request.center, post_id))


@router.post(
    "/posts", response=documented(PostOut), summary="Post on the board (Idempotency-Key honoured)"
)
def create_post(request: OnsiteRequest, payload: PostIn) -> PostOut:
    assert request.center is not None  # noqa: S101 - the auth classes set it
    actions.check_create_post(request.user)
    confirm = None
    if payload.confirm_by is not None:
        units = list(Unit.objects.filter(center=request.center, pk__in=payload.confirm_units))
        if len(units) != len(set(payload.confirm_units)):
            raise NotVisible(code="unknown_unit")
        confirm = services.Confirmation(due=payload.confirm_by, units=units)
    post = actions.do_create_post(
        center=request.center, by=request.user, title=payload.title.strip(), body=payload.body,
        is_pinned=payload.pinned, confirm=confirm, submission_key=idempotency_key(request),
        request=request,
    )  # fmt: skip
    return _post_out(post)


@router.post(
    "/posts/{post_id}/confirm",
    response=documented(ConfirmedOut),
    summary="Confirm I have read a post that asks for it (once; again changes nothing)",
)
def confirm_read(request: OnsiteRequest, post_id: int) -> ConfirmedOut:
    check_roles(request, MEMBERS, write=True)  # the role before the object, as on the page
    post = access.get_post(request.center, post_id)
    actions.check_confirm_read(request.user, post)
    reading = actions.do_confirm_read(post, user=request.user, request=request)
    return ConfirmedOut(post=post.pk, confirmed_at=reading.at)


@router.get(
    "/posts/{post_id}/readers",
    response=documented(ReadersOut),
    summary="Who has and who has not confirmed a post",
)
def post_readers(request: OnsiteRequest, post_id: int) -> ReadersOut:
    check_roles(request, OVERSEERS)
    post = access.get_post(request.center, post_id)
    actions.check_see_readers(request.user, post)
    status = services.read_status(post)
    return ReadersOut(
        required=status.required, confirmed=len(status.confirmed), pending=len(status.pending),
        confirmed_people=[ReaderOut(id=u.pk, name=_person(u), confirmed_at=at)
                          for u, at in status.confirmed],
        pending_people=[ReaderOut(id=u.pk, name=_person(u), confirmed_at=None)
                        for u in status.pending],
    )  # fmt: skip


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
    token: str = Field(max_length=64, pattern=NO_NUL)


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


class TrainingRowOut(Schema):
    id: int
    topic: str
    starts_at: datetime
    ends_at: datetime
    place: str
    present: int


@router.get("/training", response=documented(list[TrainingRowOut]), summary="Training sessions")
def list_training(request: OnsiteRequest) -> list[TrainingRowOut]:
    check_roles(request, EVERYONE)
    sessions = queries.trainings(request.center)[:100]
    return [
        TrainingRowOut(id=t.pk, topic=t.topic, starts_at=t.starts_at, ends_at=t.ends_at,
                       place=t.place, present=t.present)  # type: ignore[attr-defined]
        for t in sessions
    ]  # fmt: skip


@router.get(
    "/training/{training_id}", response=documented(TrainingOut), summary="One training session"
)
def get_training(request: OnsiteRequest, training_id: int) -> TrainingOut:
    check_roles(request, EVERYONE)
    return _training_out(access.get_training(request.center, training_id), request)


@router.post(
    "/training/{training_id}/sign-in",
    response=documented(TrainingOut),
    summary="Sign in with the code of the session's QR",
)
def sign_in(request: OnsiteRequest, training_id: int, payload: SignInIn) -> TrainingOut:
    check_roles(request, MEMBERS, write=True)  # the role before the object, as on the page
    training = access.get_training(request.center, training_id)
    actions.check_sign_in(request.user, training, token=payload.token)
    actions.do_sign_in(training, user=request.user, token=payload.token, request=request)
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
    call: int | None
    version: int


class SuggestionIn(Schema):
    kind: Literal["slogan", "proposal"]
    title: str = Field(min_length=1, max_length=200, pattern=NOT_BLANK)
    body: str = Field(default="", max_length=5000, pattern=NO_NUL)
    area_type: str | None = Field(default=None, max_length=32, pattern=NO_NUL)  # area type code
    call: int | None = None  # a call's id: the entry takes the call's kind


class ReviewIn(Schema):
    decision: Literal["accepted", "rejected", "adopted"]
    reason: str = Field(min_length=1, max_length=2000, pattern=NOT_BLANK)
    version: int
    open_revision: bool = False
    area_type: str | None = Field(default=None, max_length=32, pattern=NO_NUL)


class VoteOut(Schema):
    votes: int
    voted: bool


def _suggestion_out(s: Suggestion) -> SuggestionOut:
    return SuggestionOut(
        id=s.pk, kind=s.kind, title=s.title, body=s.body, status=s.status,
        author=s.author.display_name, created_at=s.created_at,
        votes=s.vote_count, voted=s.voted,  # type: ignore[attr-defined]
        area_type=s.area_type.code if s.area_type else None,
        likely_duplicate_of=s.similar_to_id, similarity=s.similarity,
        review_reason=s.review_reason, standard_version_id=s.standard_version_id, call=s.call_id,
        version=s.version,
    )  # fmt: skip


def _suggestion(request: OnsiteRequest, pk: int) -> Suggestion:
    return access.get_suggestion(request.user, request.center, pk)


@router.get(
    "/suggestions", response=documented(list[SuggestionOut]), summary="Slogans and proposals"
)
def list_suggestions(
    request: OnsiteRequest,
    kind: str | None = None,
    status: str | None = None,
    call: int | None = None,
) -> list[SuggestionOut]:
    check_roles(request, EVERYONE)
    rows = access.suggestions_for(request.user, request.center)
    if call is not None:
        rows = rows.filter(call=access.get_call(request.center, call))
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
    check_roles(request, EVERYONE)
    return _suggestion_out(_suggestion(request, suggestion_id))


@router.post(
    "/suggestions",
    response=documented(SuggestionOut),
    summary="Submit a slogan or proposal (flags a likely duplicate; Idempotency-Key honoured)",
)
def submit_suggestion(request: OnsiteRequest, payload: SuggestionIn) -> SuggestionOut:
    assert request.center is not None  # noqa: S101
    check_roles(request, MEMBERS, write=True)  # the role before the object, as on the page
    call = access.get_call(request.center, payload.call) if payload.call is not None else None
    actions.check_submit_suggestion(request.user, call=call)
    result = actions.do_submit_suggestion(
        center=request.center, author=request.user, kind=payload.kind,
        title=payload.title.strip(), body=payload.body.strip(),
        area_type=access.get_area_type(request.center, payload.area_type),
        call=call, submission_key=idempotency_key(request), request=request,
    )  # fmt: skip
    return _suggestion_out(_suggestion(request, result.suggestion.pk))


@router.post(
    "/suggestions/{suggestion_id}/vote",
    response=documented(VoteOut),
    summary="Vote (once per person)",
)
def vote(request: OnsiteRequest, suggestion_id: int) -> VoteOut:
    check_roles(request, MEMBERS, write=True)  # the role before the object, as on the page
    suggestion = _suggestion(request, suggestion_id)
    actions.check_vote(request.user, suggestion)
    actions.do_vote(suggestion, user=request.user, request=request)
    return VoteOut(votes=suggestion.votes.count(), voted=True)


@router.delete(
    "/suggestions/{suggestion_id}/vote", response=documented(VoteOut), summary="Withdraw my vote"
)
def withdraw_vote(request: OnsiteRequest, suggestion_id: int) -> VoteOut:
    check_roles(request, MEMBERS, write=True)  # the role before the object, as on the page
    suggestion = _suggestion(request, suggestion_id)
    actions.check_withdraw_vote(request.user, suggestion)
    actions.do_withdraw_vote(suggestion, user=request.user, request=request)
    return VoteOut(votes=suggestion.votes.count(), voted=False)


@router.post(
    "/suggestions/{suggestion_id}/review",
    response=documented(SuggestionOut),
    summary="Accept, reject or adopt, with a reason; adopting can open a standard revision",
)
def review(request: OnsiteRequest, suggestion_id: int, payload: ReviewIn) -> SuggestionOut:
    check_roles(request, REVIEWERS, write=True)  # the role before the object, as on the page
    suggestion = _suggestion(request, suggestion_id)
    area_type = access.get_area_type(request.center, payload.area_type)
    actions.check_review(request.user, suggestion, decision=payload.decision,
                         reason=payload.reason, expected_version=payload.version,
                         area_type=area_type)  # fmt: skip
    actions.do_review(
        suggestion, by=request.user, decision=payload.decision, reason=payload.reason,
        expected_version=payload.version, open_revision=payload.open_revision,
        area_type=area_type, request=request,
    )  # fmt: skip
    return _suggestion_out(_suggestion(request, suggestion_id))


# --- calls for slogans and proposals --------------------------------------------------------


class CallOut(Schema):
    id: int
    kind: str
    title: str
    body_html: str
    deadline: datetime
    closed: bool
    units: list[str]
    entries: int
    units_taking_part: int
    post_id: int | None


class CallIn(Schema):
    kind: Literal["slogan", "proposal"]
    title: str = Field(min_length=1, max_length=200, pattern=NOT_BLANK)
    body: str = Field(default="", max_length=20000, pattern=NO_NUL)
    deadline: datetime
    units: list[int] = Field(default_factory=list, max_length=200)


def _call_out(call: SuggestionCall) -> CallOut:
    return CallOut(
        id=call.pk, kind=call.kind, title=call.title, body_html=call.body, deadline=call.deadline,
        closed=call.is_closed(), units=[str(unit) for unit in call.units.all()],
        entries=call.entry_count, units_taking_part=call.unit_count,  # type: ignore[attr-defined]
        post_id=call.post_id,
    )  # fmt: skip


@router.get("/calls", response=documented(list[CallOut]), summary="Calls for slogans and proposals")
def list_calls(request: OnsiteRequest) -> list[CallOut]:
    check_roles(request, EVERYONE)
    return [_call_out(call) for call in access.calls_for(request.center)[:200]]


@router.get("/calls/{call_id}", response=documented(CallOut), summary="One call")
def get_call(request: OnsiteRequest, call_id: int) -> CallOut:
    check_roles(request, EVERYONE)
    return _call_out(access.get_call(request.center, call_id))


@router.post(
    "/calls",
    response=documented(CallOut),
    summary="Open a call with a deadline: posted on the board, the invited notified "
    "(Idempotency-Key honoured)",
)
def open_call(request: OnsiteRequest, payload: CallIn) -> CallOut:
    assert request.center is not None  # noqa: S101
    actions.check_open_call(request.user)
    units = list(Unit.objects.filter(center=request.center, pk__in=payload.units))
    if len(units) != len(set(payload.units)):
        raise NotVisible(code="unknown_unit")
    call = actions.do_open_call(
        center=request.center, by=request.user, kind=payload.kind, title=payload.title.strip(),
        body=payload.body, deadline=payload.deadline, units=units,
        submission_key=idempotency_key(request), request=request,
    )  # fmt: skip
    return _call_out(access.get_call(request.center, call.pk))


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
    check_roles(request, MEMBERS)
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
    check_roles(request, MEMBERS, write=True)  # the role before the object, as on the page
    version = access.get_published_version(request.center, version_id)
    actions.check_acknowledge(request.user, version)
    record = actions.do_acknowledge(version, user=request.user, request=request)
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
    check_roles(request, EVERYONE)
    assert request.center is not None  # noqa: S101
    return [
        LeaderOut(name=leader.name, unit=leader.unit, points=leader.points)
        for leader in queries.leaderboard(request.center, limit=50)
    ]
