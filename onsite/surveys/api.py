"""Surveys over JSON: the surveys a person may answer or read, answering, and results.
Adapters over the same visibility rule and actions as the pages; a refusal is answered by
config/api.py."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.utils.translation import gettext_lazy as _
from ninja import Router, Schema

from onsite.core.access import check_roles
from onsite.core.api import documented
from onsite.core.types import OnsiteRequest
from onsite.surveys import access, actions, queries, services
from onsite.surveys.access import ANSWERERS, EVERYONE, READERS, visible_surveys
from onsite.surveys.models import Survey

ALREADY_ANSWERED = _("You have already answered this survey. Thank you!")

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


@router.get("/", response=documented(list[SurveyOut]), summary="Surveys I may answer or read")
def list_surveys(request: OnsiteRequest) -> list[SurveyOut]:
    check_roles(request, EVERYONE)
    user = request.user
    surveys = visible_surveys(user, request.center)
    answered = set(
        surveys.filter(participations__user=user).values_list("pk", flat=True)
    ) if not user.is_cross_center_viewer else set()  # fmt: skip
    return [_survey_out(s, answered=s.pk in answered) for s in surveys]


@router.get(
    "/{survey_id}", response=documented(SurveyDetailOut), summary="A survey and its questions"
)
def get_survey(request: OnsiteRequest, survey_id: int) -> SurveyDetailOut:
    check_roles(request, EVERYONE)
    survey = access.get_survey(request.user, request.center, survey_id)
    base = _survey_out(survey, answered=services.has_answered(survey, request.user))
    questions = [
        QuestionOut(id=q.pk, code=q.code, text=q.text, kind=q.kind, required=q.required,
                    choices=list(q.choices), scale_low=q.scale_low, scale_high=q.scale_high)
        for q in actions.survey_questions(survey)
    ]  # fmt: skip
    return SurveyDetailOut(**base.dict(), questions=questions)


@router.post(
    "/{survey_id}/answers",
    response=documented(AnsweredOut),
    summary="Answer a survey (once per person)",
)
def answer_survey(request: OnsiteRequest, survey_id: int, payload: AnswersIn) -> AnsweredOut:
    check_roles(request, ANSWERERS, write=True)  # the role before the survey, as on the page
    survey = access.get_survey(request.user, request.center, survey_id)
    actions.check_answer(request.user, survey)
    raw = {a.question_id: _plain(a.value) for a in payload.answers}
    answers = services.answers_from(actions.survey_questions(survey), raw)
    if actions.do_answer(survey, user=request.user, answers=answers, request=request):
        return AnsweredOut(recorded=True, detail="")
    # Repeating a submit is harmless: the first answers stay, nothing is added.
    return AnsweredOut(recorded=False, detail=str(ALREADY_ANSWERED))


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
    check_roles(request, READERS)
    survey = access.get_survey(request.user, request.center, survey_id)
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
