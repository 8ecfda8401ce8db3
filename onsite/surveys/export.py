"""The Excel export of a survey's results. Text that a spreadsheet would read as a formula
(starting with = + - @ or a tab) is written as text, so an answer cannot run in Excel."""

from __future__ import annotations

import io
from collections import defaultdict
from typing import Any

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.worksheet.worksheet import Worksheet

from onsite.surveys.models import MIN_GROUP_SIZE, Answer, Survey
from onsite.surveys.queries import survey_results

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def put(sheet: Worksheet, row: int, column: int, value: Any) -> None:
    cell = sheet.cell(row=row, column=column)
    cell.value = value
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        cell.data_type = "s"
        cell.quotePrefix = True


def append(sheet: Worksheet, values: list[Any], *, bold: bool = False) -> None:
    row = sheet.max_row + 1 if sheet.max_row > 1 or sheet.cell(1, 1).value is not None else 1
    for column, value in enumerate(values, start=1):
        put(sheet, row, column, value)
        if bold:
            sheet.cell(row=row, column=column).font = Font(bold=True)


def results_workbook(survey: Survey) -> bytes:
    results = survey_results(survey)
    book = Workbook()
    summary = book.active
    assert summary is not None  # noqa: S101 - a new workbook always has a sheet
    summary.title = _("Summary")[:31]
    append(summary, [_("Survey"), survey.title], bold=True)
    append(summary, [_("Anonymous"), _("Yes") if survey.is_anonymous else _("No")])
    append(summary, [_("Opens on"), survey.opens_on.isoformat()])
    append(summary, [_("Closes on"), survey.closes_on.isoformat()])
    append(summary, [_("Responses"), results.responses])
    append(summary, [_("Audience"), results.audience])
    append(summary, [_("Participation %"), results.participation_rate])
    if results.hidden:
        append(
            summary,
            [_("Fewer than %(n)d responses: the results are hidden.") % {"n": MIN_GROUP_SIZE}],
        )
        return _save(book)

    sheet = book.create_sheet(_("Results")[:31])
    append(sheet, [_("Question"), _("Answer"), _("Count"), _("Share %")], bold=True)
    for result in results.questions:
        question = result.question
        for choice in result.choices:
            append(sheet, [question.text, choice.label, choice.count, choice.share])
        if result.mean is not None:
            append(sheet, [question.text, _("Mean"), result.answered, result.mean])
        if result.agreement is not None:
            append(sheet, [question.text, _("Agreement (4–5)"), result.answered, result.agreement])
        for text in result.texts:
            append(sheet, [question.text, text])

    _answers_sheet(book, survey)
    return _save(book)


def _answers_sheet(book: Workbook, survey: Survey) -> None:
    """One row per response, in the order of their random keys (never the order of
    answering); names only for a named survey."""
    questions = list(survey.questions.order_by("position", "pk"))
    sheet = book.create_sheet(_("Answers")[:31])
    named = not survey.is_anonymous
    header = ([_("Respondent"), _("Unit")] if named else []) + [q.text for q in questions]
    append(sheet, header, bold=True)
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
    for response_id, values in by_response.items():
        prefix = list(people.get(response_id, ("", ""))) if named else []
        append(sheet, prefix + [values.get(q.pk, "") for q in questions])


def _save(book: Workbook) -> bytes:
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
