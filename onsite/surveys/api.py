"""Surveys over JSON: the surveys a person may answer or read, answering, and results."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.http import Http404
from ninja import Router, Schema
from ninja.errors import HttpError

from onsite.core.api import documented
from onsite.core.models import get_for_center
from onsite.core.types import OnsiteRequest
from onsite.surveys import queries, services
from onsite.surveys.models import Survey
from onsite.surveys.views import ANSWERERS, MANAGERS, READERS

router = Router(tags=["surveys"])


class QuestionOut(Schema):
    id: int
    code: str
    text: str
    kind: str
    required: bool
    choices: list[str]
    scale_low: str
    scale_high: str


class SurveyOut(Schema):
    id: int
    title: str
    description: str
    anonymous: bool
    status: str
    opens_on: date
    closes_on: date
    is_open: bool
    baseline_id: int | None
    answered: bool


class SurveyDetailOut(SurveyOut):
    questions: list[QuestionOut]


class AnswerIn(Schema):
    question_id: int
    value: int | float | str | list[int] | None = None


class AnswersIn(Schema):
    answers: list[AnswerIn]


class AnsweredOut(Schema):
    recorded: bool
    detail: str


class ChoiceOut(Schema):
    label: str
    count: int
    share: float


class QuestionResultOut(Schema):
    id: int
    code: str
    text: str
    kind: str
    answered: int
    mean: float | None
    agreement: float | None
    choices: list[ChoiceOut]


class ResultsOut(Schema):
    id: int
    responses: int
    audience: int
    participation_rate: float | None
    hidden: bool
    questions: list[QuestionResultOut]


def _survey_out(survey: Survey, *, answered: bool) -> SurveyOut:
    return SurveyOut(
        id=survey.pk,
        title=survey.title,
        description=survey.description,
        anonymous=survey.is_anonymous,
        status=survey.status,
        opens_on=survey.opens_on,
        closes_on=survey.closes_on,
        is_open=survey.is_open(),
        baseline_id=survey.baseline_id,
        answered=answered,
    )


def _visible(request: OnsiteRequest, pk: int) -> Survey:
    """Readers see every survey of their center; others only published surveys addressed to
    them. Anything else is a 404, as across centers."""
    survey = get_for_center(
        Survey.objects.prefetch_related("units", "groups"), request.center, pk=pk
    )
    user = request.user
    if user.has_role(*MANAGERS) or (user.has_role(*READERS) and not survey.is_draft):
        return survey
    if survey.is_draft or not services.can_answer(survey, user):
        raise Http404
    return survey


@router.get("/", response=documented(list[SurveyOut]), summary="Surveys I may answer or read")
def list_surveys(request: OnsiteRequest) -> list[SurveyOut]:
    user = request.user
    surveys = Survey.objects.filter(center=request.center)
    if user.has_role(*MANAGERS):
        pass
    elif user.has_role(*READERS):
        surveys = surveys.exclude(status=Survey.Status.DRAFT)
    elif user.is_cross_center_viewer:
        return []
    else:
        surveys = surveys.exclude(status=Survey.Status.DRAFT).addressed_to(user)
    answered = set(
        surveys.filter(participations__user=user).values_list("pk", flat=True)
    ) if not user.is_cross_center_viewer else set()  # fmt: skip
    return [_survey_out(s, answered=s.pk in answered) for s in surveys]


@router.get(
    "/{survey_id}", response=documented(SurveyDetailOut), summary="A survey and its questions"
)
def get_survey(request: OnsiteRequest, survey_id: int) -> SurveyDetailOut:
    survey = _visible(request, survey_id)
    base = _survey_out(survey, answered=services.has_answered(survey, request.user))
    questions = [
        QuestionOut(id=q.pk, code=q.code, text=q.text, kind=q.kind, required=q.required,
                    choices=list(q.choices), scale_low=q.scale_low, scale_high=q.scale_high)
        for q in survey.questions.order_by("position", "pk")
    ]  # fmt: skip
    return SurveyDetailOut(**base.dict(), questions=questions)


@router.post(
    "/{survey_id}/answers",
    response=documented(AnsweredOut),
    summary="Answer a survey (once per person)",
)
def answer_survey(request: OnsiteRequest, survey_id: int, payload: AnswersIn) -> AnsweredOut:
    user = request.user
    if not user.has_role(*ANSWERERS) or user.is_cross_center_viewer:
        raise HttpError(403, "Your role may not answer surveys.")
    survey = _visible(request, survey_id)
    if not services.can_answer(survey, user):
        raise Http404
    questions = list(survey.questions.order_by("position", "pk"))
    known = {q.pk for q in questions}
    unknown = [a.question_id for a in payload.answers if a.question_id not in known]
    if unknown:
        # 409: the answers do not fit the survey's questions as they are now.
        raise HttpError(409, f"Unknown question ids: {unknown}")
    raw = {a.question_id: _plain(a.value) for a in payload.answers}
    cleaned, errors = services.clean_answers(questions, raw)
    if errors:
        first = next(iter(errors.items()))
        raise HttpError(409, f"Question {first[0]}: {first[1]}")
    try:
        services.submit_response(survey, user=user, answers=cleaned, request=request)
    except services.AlreadyAnsweredError as exc:
        # Repeating a submit is harmless: the first answers stay, nothing is added.
        return AnsweredOut(recorded=False, detail=exc.message)
    except services.SurveyError as exc:
        raise HttpError(409, exc.message) from exc
    return AnsweredOut(recorded=True, detail="")


def _plain(value: object) -> object:
    if isinstance(value, float):
        return Decimal(str(value))
    return value


@router.get(
    "/{survey_id}/results",
    response=documented(ResultsOut),
    summary="Results (hidden under 5 responses)",
)
def survey_results(request: OnsiteRequest, survey_id: int) -> ResultsOut:
    if not request.user.has_role(*READERS):
        raise HttpError(403, "Your role may not read survey results.")
    survey = get_for_center(
        Survey.objects.prefetch_related("units", "groups"), request.center, pk=survey_id
    )
    results = queries.survey_results(survey)
    return ResultsOut(
        id=survey.pk,
        responses=results.responses,
        audience=results.audience,
        participation_rate=results.participation_rate,
        hidden=results.hidden,
        questions=[
            QuestionResultOut(
                id=r.question.pk, code=r.question.code, text=r.question.text, kind=r.question.kind,
                answered=r.answered, mean=r.mean, agreement=r.agreement,
                choices=[ChoiceOut(label=c.label, count=c.count, share=c.share) for c in r.choices],
            )
            for r in ([] if results.hidden else results.questions)
        ],
    )  # fmt: skip
