"""The Excel export of a survey's results, written with the platform's sheet writer (bold
frozen header, autofilter, widths; text a spreadsheet would read as a formula stays text, so an
answer cannot run in Excel)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from openpyxl import Workbook

from onsite.core import excel
from onsite.surveys.models import MIN_GROUP_SIZE, Answer, Survey
from onsite.surveys.queries import survey_results


def results_workbook(survey: Survey) -> bytes:
    results = survey_results(survey)
    book = excel.new_workbook()
    summary: list[list[Any]] = [
        [_("Survey"), survey.title],
        [_("Anonymous"), _("Yes") if survey.is_anonymous else _("No")],
        [_("Opens on"), survey.opens_on],
        [_("Closes on"), survey.closes_on],
        [_("Responses"), results.responses],
        [_("Audience"), results.audience],
        [_("Participation %"), results.participation_rate],
    ]
    if results.hidden:
        summary.append(
            [_("Fewer than %(n)d responses: the results are hidden.") % {"n": MIN_GROUP_SIZE}, ""]
        )
    excel.write_sheet(
        book,
        title=_("Summary"),
        header=[pgettext("survey summary", "Detail"), pgettext("survey summary", "Value")],
        rows=summary,
    )
    if results.hidden:
        return excel.workbook_bytes(book)

    def result_rows() -> Iterator[list[Any]]:
        for result in results.questions:
            question = result.question
            for choice in result.choices:
                yield [question.text, choice.label, choice.count, choice.share]
            if result.mean is not None:
                yield [question.text, _("Mean"), result.answered, result.mean]
            if result.agreement is not None:
                yield [question.text, _("Agreement (4–5)"), result.answered, result.agreement]
            for text in result.texts:
                yield [question.text, text, None, None]

    excel.write_sheet(
        book,
        title=_("Results"),
        header=[_("Question"), _("Answer"), _("Count"), _("Share %")],
        rows=result_rows(),
    )
    _answers_sheet(book, survey)
    return excel.workbook_bytes(book)


def _answers_sheet(book: Workbook, survey: Survey) -> None:
    """One row per response, in the order of their random keys (never the order of
    answering); names only for a named survey."""
    questions = list(survey.questions.order_by("position", "pk"))
    named = not survey.is_anonymous
    header = ([_("Respondent"), _("Unit")] if named else []) + [q.text for q in questions]
    by_response: dict[int, dict[int, str]] = defaultdict(dict)
    people: dict[int, tuple[str, str]] = {}
    answers = (
        Answer.objects.filter(response__survey=survey)
        .select_related("question", "response__respondent", "response__unit")
        .order_by("response_id", "pk")
    )
    for answer in answers:
        by_response[answer.response_id][answer.question_id] = answer.display
        if named and answer.response_id not in people:
            response = answer.response
            people[answer.response_id] = (
                str(response.respondent or ""),
                str(response.unit or ""),
            )
    excel.write_sheet(
        book,
        title=_("Answers"),
        header=header,
        rows=(
            (list(people.get(response_id, ("", ""))) if named else [])
            + [values.get(q.pk, "") for q in questions]
            for response_id, values in by_response.items()
        ),
    )
