"""Writes of the surveys app, shared by the pages and the API."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from onsite.accounts.models import User
from onsite.audit.services import record_event
from onsite.core.concurrency import ConflictError, save_versioned
from onsite.core.models import Center
from onsite.core.refusals import Conflict, Invalid, NotVisible
from onsite.notifications.services import notify
from onsite.surveys.audience import audience_users, is_in_audience
from onsite.surveys.models import Answer, Participation, Question, Response, Survey

SURVEY_FIELDS = ["title", "description", "is_anonymous", "opens_on", "closes_on", "baseline"]
# Once people can answer, what they were asked and how it is stored may no longer change.
LOCKED_WHEN_PUBLISHED = {"is_anonymous", "units", "groups"}
MAX_TEXT = 2000


class SurveyError(Conflict):
    """A move the survey's state does not allow (409); the message is for the user, the code
    for a program."""


class AlreadyAnsweredError(SurveyError):
    default_code = "answered"


def check_version(survey: Survey, expected_version: int) -> None:
    """The version the person's form was based on is still current (409 `stale` if not)."""
    if survey.version != expected_version:
        raise ConflictError


def check_update(survey: Survey, data: Mapping[str, Any]) -> None:
    """A published survey keeps its anonymity and audience."""
    if survey.is_draft:
        return
    changed = {
        name
        for name in LOCKED_WHEN_PUBLISHED
        if name in data and _differs(survey, name, data[name])
    }
    if changed:
        raise SurveyError(
            _("A published survey keeps its anonymity and audience; only texts and dates can change."),
            code="locked",
        )  # fmt: skip


def check_publish(survey: Survey) -> None:
    if not survey.is_draft:
        raise SurveyError(_("Only a draft can be published."))
    if not survey.questions.exists():
        raise SurveyError(_("Add at least one question before publishing."), code="no_questions")


def check_close(survey: Survey) -> None:
    if survey.status != Survey.Status.OPEN:
        raise SurveyError(_("Only a published survey can be closed."))


def check_answerable(survey: Survey, user: User) -> None:
    """Addressed to the person (404 if not: they do not see it) and open today (409)."""
    if not can_answer(survey, user):
        raise NotVisible(_("This survey is not addressed to you."))
    if not survey.is_open(timezone.localdate()):
        raise SurveyError(_("This survey is not open for answers."), code="survey_closed")


@transaction.atomic
def create_survey(
    *,
    center: Center,
    by: User,
    data: Mapping[str, Any],
    request: HttpRequest | None = None,
) -> Survey:
    survey = Survey(
        center=center, created_by=by, **{k: data[k] for k in SURVEY_FIELDS if k in data}
    )
    survey.full_clean(exclude=["units", "groups"])
    survey.save()
    survey.units.set(data.get("units") or [])
    survey.groups.set(data.get("groups") or [])
    record_event(request, action="survey.created", obj=survey, actor=by, center=center)
    return survey


@transaction.atomic
def update_survey(
    survey: Survey,
    *,
    by: User,
    data: Mapping[str, Any],
    expected_version: int,
    request: HttpRequest | None = None,
) -> Survey:
    check_update(survey, data)
    for name in SURVEY_FIELDS:
        if name in data:
            setattr(survey, name, data[name])
    survey.full_clean(exclude=["units", "groups"])
    save_versioned(survey, expected_version=expected_version, fields=SURVEY_FIELDS)
    if survey.is_draft:
        survey.units.set(data.get("units") or [])
        survey.groups.set(data.get("groups") or [])
    record_event(request, action="survey.updated", obj=survey, actor=by)
    return survey


def _differs(survey: Survey, name: str, value: Any) -> bool:
    if name in {"units", "groups"}:
        current = {obj.pk for obj in getattr(survey, name).all()}
        return current != {obj.pk for obj in (value or [])}
    return bool(getattr(survey, name) != value)


def check_draft(survey: Survey) -> None:
    """Questions change only while the survey is a draft."""
    if not survey.is_draft:
        raise SurveyError(_("Questions can only be changed while the survey is a draft."))


def _next_code(survey: Survey) -> str:
    taken = set(survey.questions.values_list("code", flat=True))
    number = len(taken) + 1
    while f"q{number}" in taken:
        number += 1
    return f"q{number}"


def _clean_question(question: Question) -> None:
    if question.kind in {Question.Kind.SINGLE, Question.Kind.MULTIPLE}:
        choices = [str(choice).strip() for choice in question.choices if str(choice).strip()]
        if len(choices) < 2:
            raise ValidationError({"choices": _("Give at least two choices, one per line.")})
        if len(set(choices)) != len(choices):
            raise ValidationError({"choices": _("Each choice must be different.")})
        question.choices = choices
    else:
        question.choices = []


@transaction.atomic
def add_question(
    survey: Survey, *, by: User, data: Mapping[str, Any], request: HttpRequest | None = None
) -> Question:
    check_draft(survey)
    last = survey.questions.order_by("-position").values_list("position", flat=True).first()
    question = Question(
        center_id=survey.center_id,
        survey=survey,
        position=(last or 0) + 1,
        code=(data.get("code") or "").strip() or _next_code(survey),
        text=data["text"],
        kind=data["kind"],
        required=data.get("required", True),
        choices=list(data.get("choices") or []),
        scale_low=data.get("scale_low", ""),
        scale_high=data.get("scale_high", ""),
    )
    _clean_question(question)
    if survey.questions.filter(code=question.code).exists():
        raise ValidationError({"code": _("Another question of this survey has this code.")})
    question.full_clean()
    question.save()
    record_event(request, action="survey.question_added", obj=survey, actor=by,
                 detail={"question": question.code})  # fmt: skip
    return question


@transaction.atomic
def update_question(
    question: Question, *, by: User, data: Mapping[str, Any], request: HttpRequest | None = None
) -> Question:
    survey = question.survey
    check_draft(survey)
    for name in ("text", "kind", "required", "choices", "scale_low", "scale_high"):
        if name in data:
            setattr(question, name, data[name])
    code = (data.get("code") or "").strip()
    if code and code != question.code:
        if survey.questions.filter(code=code).exclude(pk=question.pk).exists():
            raise ValidationError({"code": _("Another question of this survey has this code.")})
        question.code = code
    _clean_question(question)
    question.full_clean()
    question.save()
    record_event(request, action="survey.question_changed", obj=survey, actor=by,
                 detail={"question": question.code})  # fmt: skip
    return question


@transaction.atomic
def delete_question(question: Question, *, by: User, request: HttpRequest | None = None) -> None:
    survey = question.survey
    check_draft(survey)
    code = question.code
    question.delete()
    record_event(request, action="survey.question_deleted", obj=survey, actor=by,
                 detail={"question": code})  # fmt: skip


@transaction.atomic
def move_question(
    question: Question, *, by: User, up: bool, request: HttpRequest | None = None
) -> None:
    survey = question.survey
    check_draft(survey)
    ordered = list(survey.questions.order_by("position", "pk"))
    index = next(i for i, q in enumerate(ordered) if q.pk == question.pk)
    other = index - 1 if up else index + 1
    if not 0 <= other < len(ordered):
        return
    ordered[index], ordered[other] = ordered[other], ordered[index]
    for position, item in enumerate(ordered, start=1):
        if item.position != position:
            Question.objects.filter(pk=item.pk).update(position=position)
    record_event(request, action="survey.question_moved", obj=survey, actor=by,
                 detail={"question": question.code})  # fmt: skip


@transaction.atomic
def publish_survey(
    survey: Survey, *, by: User, expected_version: int, request: HttpRequest | None = None
) -> Survey:
    check_publish(survey)
    survey.status = Survey.Status.OPEN
    save_versioned(survey, expected_version=expected_version, fields=["status"])
    record_event(request, action="survey.published", obj=survey, actor=by)
    notify(
        center=survey.center,
        users=audience_users(
            survey.center_id,
            unit_ids=survey.audience_unit_ids,
            group_ids=survey.audience_group_ids,
        ),
        kind="surveys.opened",
        message=gettext_noop(
            "The survey “%(title)s” is open from %(opens)s to %(closes)s. Please answer it."
        ),
        params={
            "title": survey.title,
            "opens": survey.opens_on.isoformat(),
            "closes": survey.closes_on.isoformat(),
        },
        url=reverse("surveys:survey-answer", args=[survey.pk]),
    )
    return survey


@transaction.atomic
def close_survey(
    survey: Survey, *, by: User, expected_version: int, request: HttpRequest | None = None
) -> Survey:
    check_close(survey)
    survey.status = Survey.Status.CLOSED
    save_versioned(survey, expected_version=expected_version, fields=["status"])
    record_event(request, action="survey.closed", obj=survey, actor=by)
    return survey


@transaction.atomic
def create_follow_up(
    survey: Survey,
    *,
    by: User,
    opens_on: date,
    closes_on: date,
    title: str = "",
    request: HttpRequest | None = None,
) -> Survey:
    """A new draft with the same questions (same codes, so they can be compared), the same
    audience and anonymity, and this survey as its baseline."""
    follow_up = Survey(
        center_id=survey.center_id,
        title=title or _("%(title)s (follow-up)") % {"title": survey.title},
        description=survey.description,
        is_anonymous=survey.is_anonymous,
        opens_on=opens_on,
        closes_on=closes_on,
        baseline=survey,
        created_by=by,
    )
    follow_up.full_clean(exclude=["units", "groups"])
    follow_up.save()
    follow_up.units.set(survey.units.all())
    follow_up.groups.set(survey.groups.all())
    Question.objects.bulk_create(
        Question(
            center_id=survey.center_id,
            survey=follow_up,
            position=question.position,
            code=question.code,
            text=question.text,
            kind=question.kind,
            required=question.required,
            choices=question.choices,
            scale_low=question.scale_low,
            scale_high=question.scale_high,
        )
        for question in survey.questions.all()
    )
    record_event(request, action="survey.follow_up_created", obj=follow_up, actor=by,
                 detail={"baseline": survey.pk})  # fmt: skip
    return follow_up


# --- answering --------------------------------------------------------------------------


@dataclass
class CleanAnswer:
    question: Question
    value_int: int | None = None
    value_number: Decimal | None = None
    value_text: str = ""
    value_choices: list[int] | None = None

    @property
    def is_empty(self) -> bool:
        return (
            self.value_int is None
            and self.value_number is None
            and not self.value_text
            and not self.value_choices
        )


def _as_list(raw: Any) -> list[Any]:
    if raw is None or raw == "":
        return []
    if isinstance(raw, list | tuple):
        return list(raw)
    return [raw]


def clean_answer(question: Question, raw: Any) -> CleanAnswer:
    """Turns what a form or the API sent for one question into a stored value, or raises
    ValidationError with a message for the person answering."""
    answer = CleanAnswer(question=question)
    kind = question.kind
    if kind == Question.Kind.TEXT:
        text = "" if raw is None else str(raw).strip()
        if len(text) > MAX_TEXT:
            raise ValidationError(
                _("Please keep the answer under %(limit)d characters.") % {"limit": MAX_TEXT}
            )
        answer.value_text = text
    elif kind == Question.Kind.NUMBER:
        if raw not in (None, ""):
            try:
                number = Decimal(str(raw).strip())
            except InvalidOperation as exc:
                raise ValidationError(_("Please enter a number.")) from exc
            if not number.is_finite() or abs(number) >= Decimal("1e12"):
                raise ValidationError(_("Please enter a number."))
            answer.value_number = number.quantize(Decimal("0.01"))
    elif kind == Question.Kind.SCALE:
        if raw not in (None, ""):
            value = _int(raw)
            if value is None or not 1 <= value <= 5:
                raise ValidationError(_("Please pick a value from 1 to 5."))
            answer.value_int = value
    elif kind == Question.Kind.SINGLE:
        if raw not in (None, ""):
            value = _int(raw)
            if value is None or not 0 <= value < len(question.choices):
                raise ValidationError(_("Please pick one of the choices."))
            answer.value_int = value
    elif kind == Question.Kind.MULTIPLE:
        picked = [_int(item) for item in _as_list(raw)]
        if any(item is None or not 0 <= item < len(question.choices) for item in picked):
            raise ValidationError(_("Please pick among the choices."))
        answer.value_choices = sorted({item for item in picked if item is not None})
    if question.required and answer.is_empty:
        raise ValidationError(_("This question needs an answer."))
    return answer


def _int(raw: Any) -> int | None:
    if isinstance(raw, bool):
        return None
    if isinstance(raw, int):
        return raw
    try:
        return int(str(raw).strip())
    except ValueError:
        return None


def clean_answers(
    questions: Iterable[Question], raw: Mapping[int, Any]
) -> tuple[list[CleanAnswer], dict[int, str]]:
    cleaned: list[CleanAnswer] = []
    errors: dict[int, str] = {}
    for question in questions:
        try:
            cleaned.append(clean_answer(question, raw.get(question.pk)))
        except ValidationError as exc:
            errors[question.pk] = " ".join(exc.messages)
    return cleaned, errors


def answers_from(questions: list[Question], raw: Mapping[int, Any]) -> list[CleanAnswer]:
    """Answers sent as {question id: value} (the API's way), or one refusal: an id that is
    not one of the survey's questions is a conflict with the survey as it is now (409
    `unknown_questions`), a value that does not fit its question is invalid (422)."""
    known = {question.pk for question in questions}
    unknown = sorted(pk for pk in raw if pk not in known)
    if unknown:
        raise Conflict(
            _("Unknown question ids: %(ids)s") % {"ids": unknown}, code="unknown_questions"
        )
    cleaned, errors = clean_answers(questions, raw)
    if errors:
        number, message = next(iter(errors.items()))
        raise Invalid(
            _("Question %(number)s: %(message)s") % {"number": number, "message": message}
        )
    return cleaned


def can_answer(survey: Survey, user: User) -> bool:
    return is_in_audience(
        user,
        center_id=survey.center_id,
        unit_ids=survey.audience_unit_ids,
        group_ids=survey.audience_group_ids,
    )


def has_answered(survey: Survey, user: User) -> bool:
    return Participation.objects.filter(survey=survey, user=user).exists()


@transaction.atomic
def submit_response(
    survey: Survey,
    *,
    user: User,
    answers: list[CleanAnswer],
    request: HttpRequest | None = None,
) -> None:
    """Stores one person's answers. Returns nothing on purpose: for an anonymous survey the
    caller must not learn (and so cannot log or show) which response is this person's.
    A second submit by the same person raises AlreadyAnsweredError and stores nothing."""
    today = timezone.localdate()
    check_answerable(survey, user)
    try:
        with transaction.atomic():
            Participation.objects.create(
                center_id=survey.center_id, survey=survey, user=user, on=today
            )
    except IntegrityError as exc:
        raise AlreadyAnsweredError(_("You have already answered this survey. Thank you!")) from exc
    named = not survey.is_anonymous
    response = Response.objects.create(
        center_id=survey.center_id,
        survey=survey,
        respondent=user if named else None,
        unit_id=user.unit_id if named else None,
    )
    Answer.objects.bulk_create(
        Answer(
            center_id=survey.center_id,
            response=response,
            question=answer.question,
            value_int=answer.value_int,
            value_number=answer.value_number,
            value_text=answer.value_text,
            value_choices=answer.value_choices or [],
        )
        for answer in answers
        if not answer.is_empty
    )
    # The audit row says who took part (as the participation row does), never which response.
    record_event(request, action="survey.answered", obj=survey, actor=user)
