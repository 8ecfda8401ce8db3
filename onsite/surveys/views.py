"""Pages of the surveys app: the builder, answering, results, the Excel export and the
comparison of a baseline with its follow-up. Each write page is an adapter over
`onsite.surveys.actions`; the role sets and who sees which survey live in
`onsite.surveys.access`."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.db.models import Count
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from onsite.core.access import answers_refusals, role_required
from onsite.core.refusals import Conflict
from onsite.core.types import OnsiteRequest
from onsite.surveys import actions, export, queries, services
from onsite.surveys.access import (
    ANSWERERS,
    EVERYONE,
    MANAGERS,
    READERS,
    get_question,
    get_survey,
    sees_every_survey,
    visible_surveys,
)
from onsite.surveys.forms import AnswerForm, FollowUpForm, QuestionForm, SurveyForm, VersionForm
from onsite.surveys.models import Question, Survey
from onsite.surveys.pages import attempt, form_page, marked

# A service names a question's choices `choices`; the form types them into `choices_text`.
FORM_FIELDS = {"choices": "choices_text"}


def _version(request: OnsiteRequest) -> int:
    form = VersionForm(request.POST)
    return int(form.cleaned_data["version"]) if form.is_valid() else -1


@role_required(*EVERYONE)
def survey_list(request: OnsiteRequest) -> HttpResponse:
    user = request.user
    context: dict[str, Any] = {"can_manage": user.has_role(*MANAGERS)}
    if not user.is_cross_center_viewer:
        context["open_for_me"] = list(
            Survey.objects.open_on(timezone.localdate())
            .addressed_to(user)
            .exclude(participations__user=user)
            .order_by("closes_on", "pk")
        )
    if sees_every_survey(user):
        context["surveys"] = (
            visible_surveys(user, request.center)
            .select_related("baseline")
            .annotate(response_count=Count("participations", distinct=True))
        )
    return render(request, "surveys/survey_list.html", context)


@role_required(*MANAGERS, write=True)
@answers_refusals
def survey_create(request: OnsiteRequest) -> HttpResponse:
    center = request.center
    assert center is not None  # noqa: S101 - role_required guarantees it
    actions.check_create_survey(request.user)
    form = SurveyForm(request.POST or None, center=center)
    refusal = None
    if request.method == "POST" and form.is_valid():
        survey, refusal = attempt(request, lambda: actions.do_create_survey(
            center=center, by=request.user, data=form.cleaned_data, request=request
        ), form=form)  # fmt: skip
        if survey is not None:
            messages.success(request, _("Survey created. Now add its questions."))
            return redirect("surveys:survey-detail", pk=survey.pk)
    return form_page(request, "surveys/survey_form.html", {"form": form}, refusal)


def _builder(
    request: OnsiteRequest, survey: Survey, form: QuestionForm | None = None, status: int = 200
) -> HttpResponse:
    return render(
        request,
        "surveys/survey_detail.html",
        {
            "survey": survey,
            "questions": actions.survey_questions(survey),
            "question_form": form
            or QuestionForm(initial={"kind": Question.Kind.SCALE, "required": True}),
            "response_count": survey.participations.count(),
        },
        status=status,
    )


@role_required(*MANAGERS, write=True)
def survey_detail(request: OnsiteRequest, pk: int) -> HttpResponse:
    """The builder: settings, questions, and the moves of the survey's life."""
    return _builder(request, get_survey(request.user, request.center, pk))


@role_required(*MANAGERS, write=True)
@answers_refusals
def survey_edit(request: OnsiteRequest, pk: int) -> HttpResponse:
    survey = get_survey(request.user, request.center, pk)
    assert request.center is not None  # noqa: S101
    form = SurveyForm(request.POST or None, instance=survey, center=request.center)
    refusal = None
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        version = int(data.pop("version") or -1)

        def edit() -> Survey:
            actions.check_update_survey(request.user, survey, data=data, expected_version=version)
            return actions.do_update_survey(
                survey, by=request.user, data=data, expected_version=version, request=request
            )

        done, refusal = attempt(request, edit, form=form)
        if done is not None:
            messages.success(request, _("Saved."))
            return redirect("surveys:survey-detail", pk=survey.pk)
    context = {"form": form, "survey": survey}
    return form_page(request, "surveys/survey_form.html", context, refusal)


@role_required(*MANAGERS, write=True)
@require_POST
@answers_refusals
def question_add(request: OnsiteRequest, pk: int) -> HttpResponse:
    survey = get_survey(request.user, request.center, pk)
    form = QuestionForm(request.POST)
    refusal = None
    if form.is_valid():

        def add() -> Question:
            actions.check_change_questions(request.user, survey)
            return actions.do_add_question(
                survey, by=request.user, data=form.question_data(), request=request
            )

        question, refusal = attempt(request, add, form=form, fields=FORM_FIELDS)
        if question is not None:
            messages.success(request, _("Question added."))
            return redirect("surveys:survey-detail", pk=survey.pk)
    status = refusal.status if isinstance(refusal, Conflict) else 400
    return marked(_builder(request, survey, form, status=status), refusal)


@role_required(*MANAGERS, write=True)
@answers_refusals
def question_edit(request: OnsiteRequest, pk: int, question_pk: int) -> HttpResponse:
    question = get_question(request.user, request.center, pk, question_pk)
    form = QuestionForm.for_question(question, request.POST or None)
    refusal = None
    if request.method == "POST" and form.is_valid():

        def edit() -> Question:
            actions.check_change_questions(request.user, question.survey)
            return actions.do_update_question(
                question, by=request.user, data=form.question_data(), request=request
            )

        done, refusal = attempt(request, edit, form=form, fields=FORM_FIELDS)
        if done is not None:
            messages.success(request, _("Saved."))
            return redirect("surveys:survey-detail", pk=pk)
    context = {"form": form, "question": question, "survey": question.survey}
    return form_page(request, "surveys/question_form.html", context, refusal)


@role_required(*MANAGERS, write=True)
@require_POST
@answers_refusals
def question_delete(request: OnsiteRequest, pk: int, question_pk: int) -> HttpResponse:
    question = get_question(request.user, request.center, pk, question_pk)

    def delete() -> bool:
        actions.check_change_questions(request.user, question.survey)
        actions.do_delete_question(question, by=request.user, request=request)
        return True

    done, refusal = attempt(request, delete)
    if done:
        messages.success(request, _("Question deleted."))
    return marked(redirect("surveys:survey-detail", pk=pk), refusal)


@role_required(*MANAGERS, write=True)
@require_POST
@answers_refusals
def question_move(request: OnsiteRequest, pk: int, question_pk: int) -> HttpResponse:
    question = get_question(request.user, request.center, pk, question_pk)
    up = request.POST.get("direction") == "up"

    def move() -> None:
        actions.check_change_questions(request.user, question.survey)
        actions.do_move_question(question, by=request.user, up=up, request=request)

    _done, refusal = attempt(request, move)
    return marked(redirect("surveys:survey-detail", pk=pk), refusal)


@role_required(*MANAGERS, write=True)
@require_POST
@answers_refusals
def survey_publish(request: OnsiteRequest, pk: int) -> HttpResponse:
    survey = get_survey(request.user, request.center, pk)
    version = _version(request)

    def publish() -> Survey:
        actions.check_publish(request.user, survey, expected_version=version)
        return actions.do_publish(
            survey, by=request.user, expected_version=version, request=request
        )

    done, refusal = attempt(request, publish)
    if done is not None:
        messages.success(request, _("The survey is published."))
    return marked(redirect("surveys:survey-detail", pk=pk), refusal)


@role_required(*MANAGERS, write=True)
@require_POST
@answers_refusals
def survey_close(request: OnsiteRequest, pk: int) -> HttpResponse:
    survey = get_survey(request.user, request.center, pk)
    version = _version(request)

    def close() -> Survey:
        actions.check_close(request.user, survey, expected_version=version)
        return actions.do_close(survey, by=request.user, expected_version=version, request=request)

    done, refusal = attempt(request, close)
    if done is not None:
        messages.success(request, _("The survey is closed."))
    return marked(redirect("surveys:survey-detail", pk=pk), refusal)


@role_required(*MANAGERS, write=True)
@answers_refusals
def survey_follow_up(request: OnsiteRequest, pk: int) -> HttpResponse:
    survey = get_survey(request.user, request.center, pk)
    actions.check_follow_up(request.user, survey)
    form = FollowUpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        follow_up = actions.do_follow_up(
            survey, by=request.user, title=data["title"], opens_on=data["opens_on"],
            closes_on=data["closes_on"], request=request,
        )  # fmt: skip
        messages.success(request, _("Follow-up survey created with the same questions."))
        return redirect("surveys:survey-detail", pk=follow_up.pk)
    return render(request, "surveys/follow_up_form.html", {"form": form, "survey": survey})


@role_required(*ANSWERERS, write=True)
@answers_refusals
def survey_answer(request: OnsiteRequest, pk: int) -> HttpResponse:
    survey = get_survey(request.user, request.center, pk)
    if services.has_answered(survey, request.user):
        return redirect("surveys:survey-thanks", pk=survey.pk)
    try:
        actions.check_answer(request.user, survey)
    except Conflict as closed:
        page = render(request, "surveys/closed.html", {"survey": survey}, status=closed.status)
        return marked(page, closed)
    questions = actions.survey_questions(survey)
    form = AnswerForm(request.POST or None, questions=questions)
    refusal = None
    if request.method == "POST" and form.is_valid():
        recorded, refusal = attempt(request, lambda: actions.do_answer(
            survey, user=request.user, answers=form.answers, request=request
        ), form=form)  # fmt: skip
        if recorded is not None:
            return redirect("surveys:survey-thanks", pk=survey.pk)
    rows = [(question, form[f"q{question.pk}"]) for question in questions]
    context = {"survey": survey, "form": form, "rows": rows}
    return form_page(request, "surveys/answer.html", context, refusal)


@role_required(*ANSWERERS)
def survey_thanks(request: OnsiteRequest, pk: int) -> HttpResponse:
    survey = get_survey(request.user, request.center, pk)
    if not services.has_answered(survey, request.user):
        raise Http404
    return render(request, "surveys/thanks.html", {"survey": survey})


@role_required(*READERS)
def survey_results(request: OnsiteRequest, pk: int) -> HttpResponse:
    survey = get_survey(request.user, request.center, pk)
    results = queries.survey_results(survey)
    return render(
        request,
        "surveys/results.html",
        {"survey": survey, "results": results, "charts": results.charts(),
         "follow_ups": list(survey.follow_ups.all())},
    )  # fmt: skip


@role_required(*READERS)
def survey_export(request: OnsiteRequest, pk: int) -> HttpResponse:
    survey = get_survey(request.user, request.center, pk)
    response = HttpResponse(
        export.results_workbook(survey),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="survey-{survey.pk}.xlsx"'
    return response


@role_required(*READERS)
def survey_compare(request: OnsiteRequest, pk: int) -> HttpResponse:
    """This survey (the follow-up) against ?with=<pk>, by default its baseline."""
    after = get_survey(request.user, request.center, pk)
    other = request.GET.get("with", "")
    before_pk = int(other) if other.isdigit() else after.baseline_id
    before = get_survey(request.user, request.center, before_pk) if before_pk else None
    candidates = visible_surveys(request.user, request.center).exclude(pk=after.pk)
    if before is None:
        return render(request, "surveys/compare.html", {"survey": after, "candidates": candidates})
    comparison = queries.compare_surveys(before, after)
    return render(
        request,
        "surveys/compare.html",
        {"survey": after, "before": before, "comparison": comparison,
         "chart": comparison.chart(), "candidates": candidates},
    )  # fmt: skip
