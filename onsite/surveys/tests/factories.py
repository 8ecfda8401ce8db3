import datetime

import factory
from django.utils import timezone

from onsite.core.tests.factories import CenterFactory
from onsite.surveys.models import Question, Survey
from onsite.surveys.services import clean_answers, submit_response


class SurveyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Survey

    center = factory.SubFactory(CenterFactory)
    title = factory.Sequence(lambda n: f"现场管理调查{n}")
    opens_on = factory.LazyFunction(lambda: timezone.localdate() - datetime.timedelta(days=1))
    closes_on = factory.LazyFunction(lambda: timezone.localdate() + datetime.timedelta(days=7))
    status = Survey.Status.OPEN


class QuestionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Question

    survey = factory.SubFactory(SurveyFactory)
    center = factory.SelfAttribute("survey.center")
    code = factory.Sequence(lambda n: f"q{n}")
    position = factory.Sequence(lambda n: n)
    text = factory.Sequence(lambda n: f"问题{n}")
    kind = Question.Kind.SCALE


def standard_survey(center, **kwargs):
    """A survey with one question of each kind, codes scale/single/multiple/number/text."""
    survey = SurveyFactory(center=center, **kwargs)
    QuestionFactory(survey=survey, code="scale", text="我认同推行标准化现场管理", kind="scale")
    QuestionFactory(
        survey=survey,
        code="single",
        text="窗口台面是否整洁",
        kind="single",
        choices=["整洁", "一般", "杂乱"],
    )
    QuestionFactory(
        survey=survey,
        code="multiple",
        text="最需要改进的方面",
        kind="multiple",
        choices=["物品摆放", "资料管理", "卫生"],
        required=False,
    )
    QuestionFactory(
        survey=survey, code="number", text="每天整理台面的分钟数", kind="number", required=False
    )
    QuestionFactory(survey=survey, code="text", text="其他建议", kind="text", required=False)
    return survey


def answer(survey, user, **values):
    """Answers `survey` as `user`; values by question code."""
    questions = list(survey.questions.all())
    raw = {q.pk: values.get(q.code) for q in questions}
    cleaned, errors = clean_answers(questions, raw)
    assert not errors, errors
    submit_response(survey, user=user, answers=cleaned)
