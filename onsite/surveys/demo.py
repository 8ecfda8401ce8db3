"""Demo surveys of the source document: the baseline "现场管理现状及认同程度调查" handed out at
the launch meeting (推介会), closed, answered by most staff; and its follow-up, open now, with
the same questions and clearly more agreement. Keyed by title: running it twice changes
nothing."""

from __future__ import annotations

import datetime
import random
from typing import Any

from django.db import transaction
from django.utils import timezone

from onsite.accounts.models import Role, User
from onsite.core.models import Center
from onsite.surveys.models import Answer, Participation, Question, Response, Survey

BASELINE = "现场管理现状及认同程度调查"
FOLLOW_UP = "现场管理现状及认同程度调查(复查)"

QUESTIONS: list[dict[str, object]] = [
    {"code": "agree", "kind": "scale", "text": "我认同中心推行“标准化现场管理”",
     "scale_low": "完全不认同", "scale_high": "完全认同"},
    {"code": "tidy", "kind": "scale", "text": "我所在窗口的台面整洁、物品摆放有序",
     "scale_low": "完全不符合", "scale_high": "完全符合"},
    {"code": "rules", "kind": "scale", "text": "窗口物品摆放有统一、明确的标准可循",
     "scale_low": "完全不符合", "scale_high": "完全符合"},
    {"code": "newcomer", "kind": "scale", "text": "窗口人员轮换后,新人能很快按标准开展工作",
     "scale_low": "完全不符合", "scale_high": "完全符合"},
    {"code": "problem", "kind": "single", "text": "您认为现场管理最突出的问题是",
     "choices": ["物品摆放杂乱", "资料堆放无序", "卫生清洁不到位", "标识不清", "没有明显问题"]},
    {"code": "improve", "kind": "multiple", "text": "您希望优先改进的方面(可多选)",
     "choices": ["台面物品定位", "文件资料管理", "目视化标识", "卫生保洁", "新人培训"], "required": False},
    {"code": "minutes", "kind": "number", "text": "您每天整理工作台面大约需要几分钟", "required": False},
    {"code": "advice", "kind": "text", "text": "对推行标准化现场管理的意见和建议", "required": False},
]  # fmt: skip

ADVICE = [
    "希望统一配发文件盒和笔筒",
    "建议先在试点窗口做出样板",
    "台面上的电线太乱,希望能整理",
    "新人培训需要有图文并茂的标准",
    "希望检查结果及时公开",
    "",
    "",
]


def _survey(center: Center, title: str, **fields: object) -> tuple[Survey, bool]:
    survey = Survey.objects.filter(center=center, title=title).first()
    if survey is not None:
        return survey, False
    survey = Survey.objects.create(center=center, title=title, **fields)
    Question.objects.bulk_create(
        Question(center=center, survey=survey, position=index, required=bool(q.get("required", True)),
                 **{k: v for k, v in q.items() if k != "required"})
        for index, q in enumerate(QUESTIONS, start=1)
    )  # fmt: skip
    return survey, True


def _answers(rng: random.Random, *, mood: float) -> dict[str, object]:
    """`mood` 0 … 1 shifts the scale answers towards agreement."""

    def scale() -> int:
        return max(1, min(5, round(rng.gauss(1.8 + 3 * mood, 0.9))))

    return {
        "agree": scale(),
        "tidy": scale(),
        "rules": max(1, scale() - (1 if mood < 0.5 else 0)),
        "newcomer": max(1, scale() - 1),
        "problem": rng.choice([0, 0, 1, 2, 3] if mood < 0.5 else [1, 3, 4, 4, 2]),
        "improve": sorted(rng.sample(range(5), rng.randint(1, 3))),
        "minutes": rng.choice([5, 10, 10, 15, 20, 30]) if mood < 0.5 else rng.choice([5, 5, 10]),
        "advice": rng.choice(ADVICE),
    }


def _respond(
    survey: Survey, people: list[User], rng: random.Random, *, mood: float, on: datetime.date
) -> None:
    """Writes responses the way services.submit_response does (participation apart from the
    answers, nothing linking them), without its date check: the baseline is long closed."""
    questions = {q.code: q for q in survey.questions.all()}
    named = not survey.is_anonymous
    Participation.objects.bulk_create(
        Participation(center_id=survey.center_id, survey=survey, user=person, on=on)
        for person in people
    )
    rng.shuffle(people)
    for person in people:
        response = Response.objects.create(
            center_id=survey.center_id, survey=survey,
            respondent=person if named else None, unit_id=person.unit_id if named else None,
        )  # fmt: skip
        Answer.objects.bulk_create(answer_rows(response, questions, _answers(rng, mood=mood)))


def answer_rows(
    response: Response, questions: dict[str, Question], values: dict[str, Any]
) -> list[Answer]:
    """The stored answers of one response to `values` by question code (an empty text is no
    answer); shared by the demo and generate_data."""
    rows = []
    for code, value in values.items():
        question = questions[code]
        answer = Answer(center_id=response.center_id, response=response, question=question)
        if question.kind in {Question.Kind.SCALE, Question.Kind.SINGLE}:
            answer.value_int = int(value)
        elif question.kind == Question.Kind.MULTIPLE:
            answer.value_choices = list(value)
        elif question.kind == Question.Kind.NUMBER:
            answer.value_number = value
        elif value:
            answer.value_text = str(value)
        else:
            continue
        rows.append(answer)
    return rows


@transaction.atomic
def seed(center: Center) -> None:
    rng = random.Random(f"onsite-surveys-{center.code}")  # noqa: S311 - reproducible demo data
    today = timezone.localdate()
    staff = list(
        User.objects.filter(center=center, is_active=True, role_grants__role=Role.STAFF)
        .order_by("username")
        .distinct()
    )
    baseline, created = _survey(
        center, BASELINE, is_anonymous=True, status=Survey.Status.CLOSED,
        opens_on=today - datetime.timedelta(days=120), closes_on=today - datetime.timedelta(days=110),
        description="为全面真实了解中心现场管理现状及工作人员认同程度,请您如实填写。本问卷匿名。",
    )  # fmt: skip
    if created and staff:
        people = rng.sample(staff, k=max(1, round(len(staff) * 0.8)))
        _respond(
            baseline, people, rng, mood=0.25, on=baseline.opens_on + datetime.timedelta(days=2)
        )
    follow_up, created = _survey(
        center, FOLLOW_UP, is_anonymous=True, status=Survey.Status.OPEN, baseline=baseline,
        opens_on=today - datetime.timedelta(days=3), closes_on=today + datetime.timedelta(days=11),
        description="试点和全面推行之后,再请大家评价一次现场管理现状。本问卷匿名。",
    )  # fmt: skip
    if created and staff:
        # Most, not all: nobody of the first window has answered, so its demo logins can.
        people = [person for person in staff if "-w01-" not in person.username]
        people = rng.sample(people, k=max(1, round(len(people) * 0.6)))
        _respond(follow_up, people, rng, mood=0.75, on=today - datetime.timedelta(days=1))
