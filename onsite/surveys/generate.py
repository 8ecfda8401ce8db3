"""Synthetic surveys of a generated center: the anonymous baseline "现场管理现状及认同程度
调查" handed out at the launch (the history's first weeks, closed, answered by about 80 % of
staff) and its follow-up with the same questions (opened three weeks before the end, still
open, answered by about 60 % so far, with clearly more agreement). Stored the way
`submit_response` stores an anonymous response: participation rows (who, which day) apart
from responses and answers with no respondent, no unit, no time and the models' random keys
(secret, as in the app: a seed reproduces the answers, not their keys), written in key order,
which says nothing about the participation rows."""

from __future__ import annotations

import datetime
import random
from collections import Counter

from onsite.accounts.models import Role, User
from onsite.core.generate import bulk, period
from onsite.core.models import Center
from onsite.surveys.demo import QUESTIONS, _answers, answer_rows
from onsite.surveys.models import Answer, Participation, Question, Response, Survey

BASELINE = "现场管理现状及认同程度调查"
FOLLOW_UP = "现场管理现状及认同程度调查(复查)"


def generate(
    center: Center, *, years: float, rng: random.Random, until: datetime.date
) -> dict[str, int]:
    counts: Counter[str] = Counter()
    start, _end = period(years=years, until=until)
    staff = list(
        User.objects.filter(center=center, is_active=True, role_grants__role=Role.STAFF)
        .order_by("username")
        .distinct()
    )
    office = User.objects.filter(center=center, role_grants__role=Role.OFFICE).order_by("pk")
    author = office.first()
    days = (until - start).days
    baseline_opens = start + datetime.timedelta(days=min(7, days // 10))
    follow_up_opens = max(baseline_opens, until - datetime.timedelta(days=20))
    baseline, follow_up = bulk(
        Survey,
        [
            Survey(center=center, title=BASELINE, is_anonymous=True, status=Survey.Status.CLOSED,
                   opens_on=baseline_opens,
                   closes_on=min(until, baseline_opens + datetime.timedelta(days=10)),
                   created_by=author,
                   description="为全面真实了解中心现场管理现状及工作人员认同程度，请您如实填写。本问卷匿名。"),
            Survey(center=center, title=FOLLOW_UP, is_anonymous=True, status=Survey.Status.OPEN,
                   opens_on=follow_up_opens, closes_on=until + datetime.timedelta(days=14),
                   created_by=author,
                   description="试点和全面推行之后，再请大家评价一次现场管理现状。本问卷匿名。"),
        ],
        counts=counts,
    )  # fmt: skip
    follow_up.baseline = baseline
    Survey.objects.filter(pk=follow_up.pk).update(baseline=baseline)
    questions = {}
    for survey in (baseline, follow_up):
        saved = bulk(
            Question,
            [Question(center=center, survey=survey, position=index,
                      required=bool(q.get("required", True)),
                      **{k: v for k, v in q.items() if k != "required"})
             for index, q in enumerate(QUESTIONS, start=1)],
            counts=counts,
        )  # fmt: skip
        questions[survey.pk] = {q.code: q for q in saved}
    if not staff:
        return dict(counts)
    for survey, share, mood in ((baseline, 0.8, 0.25), (follow_up, 0.6, 0.75)):
        people = rng.sample(staff, k=max(1, round(len(staff) * share)))
        last = min(survey.closes_on, until)
        span = max(0, (last - survey.opens_on).days)
        bulk(
            Participation,
            [Participation(center=center, survey=survey, user=person,
                           on=survey.opens_on + datetime.timedelta(days=rng.randint(0, span)))
             for person in people],
            counts=counts,
        )  # fmt: skip
        _respond(survey, len(people), questions[survey.pk], rng, mood=mood, counts=counts)
    return dict(counts)


def _respond(
    survey: Survey,
    how_many: int,
    questions: dict[str, Question],
    rng: random.Random,
    *,
    mood: float,
    counts: Counter[str],
) -> None:
    responses = [Response(center_id=survey.center_id, survey=survey) for _ in range(how_many)]
    answers = []
    for response in responses:
        answers += answer_rows(response, questions, _answers(rng, mood=mood))
    # Stored in key order, which is random: nothing lines them up with the participations.
    bulk(Response, sorted(responses, key=lambda r: r.pk), counts=counts)
    bulk(Answer, sorted(answers, key=lambda a: a.pk), counts=counts)
