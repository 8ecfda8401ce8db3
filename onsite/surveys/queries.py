"""Results of surveys, and the comparison of a baseline with its follow-up. A fixed number of
queries each, whatever the number of responses."""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Count
from django.utils.translation import gettext as _

from onsite.org.models import Unit
from onsite.surveys.audience import audience_users
from onsite.surveys.models import AGREE_FROM, Answer, Question, Survey

MAX_TEXTS = 200


@dataclass
class ChoiceStat:
    label: str
    count: int
    share: float  # % of the people who answered the question


@dataclass
class QuestionResult:
    question: Question
    answered: int = 0
    choices: list[ChoiceStat] = field(default_factory=list)
    mean: float | None = None
    agreement: float | None = None  # scale: % answering AGREE_FROM or more
    minimum: Decimal | None = None
    maximum: Decimal | None = None
    median: Decimal | None = None
    texts: list[str] = field(default_factory=list)

    def chart(self) -> dict[str, Any] | None:
        if not self.choices:
            return None
        return {
            "id": f"chart-{self.question.pk}",
            "labels": [choice.label for choice in self.choices],
            "counts": [choice.count for choice in self.choices],
        }


@dataclass
class UnitRow:
    unit: str
    responses: int
    hidden: bool
    means: list[float | None]


@dataclass
class SurveyResults:
    survey: Survey
    responses: int
    audience: int
    hidden: bool
    questions: list[QuestionResult]
    scale_questions: list[Question]
    by_unit: list[UnitRow]

    @property
    def participation_rate(self) -> float | None:
        return round(100 * self.responses / self.audience, 1) if self.audience else None

    def charts(self) -> list[dict[str, Any]]:
        return [chart for result in self.questions if (chart := result.chart()) is not None]


def _scale_labels(question: Question) -> list[str]:
    low = question.scale_low or _("Strongly disagree")
    high = question.scale_high or _("Strongly agree")
    return [f"1 {low}", "2", "3", "4", f"5 {high}"]


def _question_result(question: Question, rows: list[dict[str, Any]]) -> QuestionResult:
    result = QuestionResult(question=question, answered=len(rows))
    answered = len(rows) or 1
    if question.kind == Question.Kind.SCALE:
        values = [row["value_int"] for row in rows if row["value_int"] is not None]
        counts = Counter(values)
        result.choices = [
            ChoiceStat(label, counts[value], round(100 * counts[value] / answered, 1))
            for value, label in zip(range(1, 6), _scale_labels(question), strict=True)
        ]
        if values:
            result.mean = round(statistics.fmean(values), 2)
            result.agreement = round(100 * sum(v >= AGREE_FROM for v in values) / len(values), 1)
    elif question.kind == Question.Kind.SINGLE:
        counts = Counter(row["value_int"] for row in rows)
        result.choices = [
            ChoiceStat(label, counts[index], round(100 * counts[index] / answered, 1))
            for index, label in enumerate(question.choices)
        ]
    elif question.kind == Question.Kind.MULTIPLE:
        counts = Counter(index for row in rows for index in row["value_choices"] or [])
        result.choices = [
            ChoiceStat(label, counts[index], round(100 * counts[index] / answered, 1))
            for index, label in enumerate(question.choices)
        ]
    elif question.kind == Question.Kind.NUMBER:
        numbers = sorted(row["value_number"] for row in rows if row["value_number"] is not None)
        if numbers:
            result.mean = round(float(statistics.fmean(numbers)), 2)
            result.minimum, result.maximum = numbers[0], numbers[-1]
            result.median = statistics.median(numbers)
    else:
        # Ordered by the answers' random keys: never the order in which people answered.
        result.texts = [row["value_text"] for row in rows if row["value_text"]][:MAX_TEXTS]
    return result


def survey_results(survey: Survey) -> SurveyResults:
    questions = list(survey.questions.order_by("position", "pk"))
    audience = audience_users(
        survey.center_id, unit_ids=survey.audience_unit_ids, group_ids=survey.audience_group_ids
    ).count()
    responses = survey.responses.count()
    hidden = responses < survey.min_group_size
    rows_by_question: dict[int, list[dict[str, Any]]] = defaultdict(list)
    unit_values: dict[int, dict[int, list[int]]] = defaultdict(lambda: defaultdict(list))
    if not hidden:
        answers = (
            Answer.objects.filter(response__survey=survey)
            .order_by("pk")
            .values(
                "question_id",
                "value_int",
                "value_number",
                "value_text",
                "value_choices",
                "response__unit_id",
            )
        )
        for row in answers:
            rows_by_question[row["question_id"]].append(dict(row))
            if row["response__unit_id"] is not None and row["value_int"] is not None:
                unit_values[row["response__unit_id"]][row["question_id"]].append(row["value_int"])
    results = [_question_result(q, rows_by_question[q.pk]) for q in questions]
    scale_questions = [q for q in questions if q.kind == Question.Kind.SCALE]
    by_unit: list[UnitRow] = []
    if not hidden and not survey.is_anonymous and scale_questions:
        by_unit = _by_unit(survey, scale_questions, unit_values)
    return SurveyResults(
        survey=survey,
        responses=responses,
        audience=audience,
        hidden=hidden,
        questions=results,
        scale_questions=scale_questions,
        by_unit=by_unit,
    )


def _by_unit(
    survey: Survey,
    scale_questions: list[Question],
    unit_values: dict[int, dict[int, list[int]]],
) -> list[UnitRow]:
    """Mean of each scale question per unit; a unit with fewer than the survey's minimum group
    size is listed without its numbers (only named surveys get here, so today none is hidden:
    the rule stays in one place should a unit breakdown ever reach anonymous surveys)."""
    counts = dict(
        survey.responses.filter(unit__isnull=False)
        .order_by()
        .values("unit_id")
        .annotate(n=Count("pk"))
        .values_list("unit_id", "n")
    )
    names = dict(Unit.objects.filter(pk__in=counts).values_list("pk", "name"))
    rows = []
    for unit_id, name in sorted(names.items(), key=lambda item: item[1]):
        count = counts[unit_id]
        hidden = count < survey.min_group_size
        means: list[float | None] = []
        for question in scale_questions:
            values = unit_values[unit_id][question.pk]
            means.append(None if hidden or not values else round(statistics.fmean(values), 2))
        rows.append(UnitRow(unit=name, responses=count, hidden=hidden, means=means))
    return rows


# --- baseline vs follow-up ---------------------------------------------------------------


@dataclass
class ChoiceChange:
    label: str
    before: float
    after: float

    @property
    def change(self) -> float:
        return round(self.after - self.before, 1)


@dataclass
class QuestionChange:
    code: str
    text: str
    kind: str
    mean_before: float | None = None
    mean_after: float | None = None
    agreement_before: float | None = None
    agreement_after: float | None = None
    choices: list[ChoiceChange] = field(default_factory=list)

    @property
    def mean_change(self) -> float | None:
        if self.mean_before is None or self.mean_after is None:
            return None
        return round(self.mean_after - self.mean_before, 2)

    @property
    def agreement_change(self) -> float | None:
        if self.agreement_before is None or self.agreement_after is None:
            return None
        return round(self.agreement_after - self.agreement_before, 1)


@dataclass
class Comparison:
    before: SurveyResults
    after: SurveyResults
    hidden: bool
    rows: list[QuestionChange]
    unmatched: list[str]

    def chart(self) -> dict[str, Any]:
        scale = [row for row in self.rows if row.agreement_before is not None]
        return {
            "id": "chart-compare",
            "labels": [row.text for row in scale],
            "series": [
                {"name": self.before.survey.title, "values": [r.agreement_before for r in scale]},
                {"name": self.after.survey.title, "values": [r.agreement_after for r in scale]},
            ],
        }


def compare_surveys(before: Survey, after: Survey) -> Comparison:
    """Question by question, matched on the question code (a follow-up copies its baseline's
    codes). Hidden when either side's results are hidden (an anonymous survey under
    MIN_GROUP_SIZE responses)."""
    old, new = survey_results(before), survey_results(after)
    hidden = old.hidden or new.hidden
    old_by_code = {result.question.code: result for result in old.questions}
    rows: list[QuestionChange] = []
    unmatched: list[str] = []
    for result in new.questions:
        question = result.question
        previous = old_by_code.get(question.code)
        if previous is None or previous.question.kind != question.kind:
            unmatched.append(question.text)
            continue
        row = QuestionChange(code=question.code, text=question.text, kind=question.kind)
        if not hidden:
            row.mean_before, row.mean_after = previous.mean, result.mean
            row.agreement_before, row.agreement_after = previous.agreement, result.agreement
            if question.has_choices:
                before_share = {choice.label: choice.share for choice in previous.choices}
                row.choices = [
                    ChoiceChange(choice.label, before_share.get(choice.label, 0.0), choice.share)
                    for choice in result.choices
                ]
        rows.append(row)
    return Comparison(before=old, after=new, hidden=hidden, rows=rows, unmatched=unmatched)
