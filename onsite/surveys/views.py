"""Pages of the surveys app: the builder, answering, results, the Excel export and the
comparison of a baseline with its follow-up."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from onsite.accounts.models import Role
from onsite.core.access import role_required
from onsite.core.concurrency import ConflictError
from onsite.core.models import get_for_center
from onsite.core.roles import ALL
from onsite.core.types import OnsiteRequest
from onsite.surveys import export, queries, services
from onsite.surveys.forms import AnswerForm, FollowUpForm, QuestionForm, SurveyForm, VersionForm
from onsite.surveys.models import Question, Survey

MANAGERS = (Role.ADMIN, Role.OFFICE)
READERS = (Role.ADMIN, Role.LEADER, Role.OFFICE, Role.VIEWER)
EVERYONE = tuple(ALL | {Role.VIEWER})
ANSWERERS = tuple(ALL)


def get_survey(request: OnsiteRequest, pk: int) -> Survey:
    """The one door to a survey: another center's survey is a 404."""
    return get_for_center(Survey.objects.prefetch_related("units", "groups"), request.center, pk=pk)


def _version(request: OnsiteRequest) -> int:
    form = VersionForm(request.POST)
    return int(form.cleaned_data["version"]) if form.is_valid() else -1


@role_required(*EVERYONE)
def survey_list(request: OnsiteRequest) -> HttpResponse:
    user = request.user
    today = timezone.localdate()
    context: dict[str, Any] = {"can_manage": user.has_role(*MANAGERS)}
    if not user.is_cross_center_viewer:
        context["open_for_me"] = list(
            Survey.objects.open_on(today)
            .addressed_to(user)
            .exclude(participations__user=user)
            .order_by("closes_on", "pk")
        )
    if user.has_role(*READERS):
        context["surveys"] = (
            Survey.objects.filter(center=request.center)
            .select_related("baseline")
            .annotate(response_count=Count("participations", distinct=True))
        )
    return render(request, "surveys/survey_list.html", context)


@role_required(*MANAGERS, write=True)
def survey_create(request: OnsiteRequest) -> HttpResponse:
    assert request.center is not None  # noqa: S101 - role_required guarantees it
    form = SurveyForm(request.POST or None, center=request.center)
    if request.method == "POST" and form.is_valid():
        try:
            survey = services.create_survey(
                center=request.center, by=request.user, data=form.cleaned_data, request=request
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Survey created. Now add its questions."))
            return redirect("surveys:survey-detail", pk=survey.pk)
    return render(request, "surveys/survey_form.html", {"form": form})


@role_required(*MANAGERS, write=True)
def survey_detail(request: OnsiteRequest, pk: int) -> HttpResponse:
    """The builder: settings, questions, and the moves of the survey's life."""
    survey = get_survey(request, pk)
    questions = list(survey.questions.order_by("position", "pk"))
    return render(
        request,
        "surveys/survey_detail.html",
        {
            "survey": survey,
            "questions": questions,
            "question_form": QuestionForm(initial={"kind": Question.Kind.SCALE, "required": True}),
            "response_count": survey.participations.count(),
        },
    )


@role_required(*MANAGERS, write=True)
def survey_edit(request: OnsiteRequest, pk: int) -> HttpResponse:
    survey = get_survey(request, pk)
    assert request.center is not None  # noqa: S101
    form = SurveyForm(request.POST or None, instance=survey, center=request.center)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            services.update_survey(
                survey,
                by=request.user,
                data=data,
                expected_version=int(data.pop("version") or -1),
                request=request,
            )
        except ConflictError as exc:
            form.add_error(None, str(exc.message))
        except services.SurveyError as exc:
            form.add_error(None, exc.message)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("surveys:survey-detail", pk=survey.pk)
    return render(request, "surveys/survey_form.html", {"form": form, "survey": survey})


@role_required(*MANAGERS, write=True)
@require_POST
def question_add(request: OnsiteRequest, pk: int) -> HttpResponse:
    survey = get_survey(request, pk)
    form = QuestionForm(request.POST)
    if form.is_valid():
        try:
            services.add_question(
                survey, by=request.user, data=form.question_data(), request=request
            )
        except services.SurveyError as exc:
            messages.error(request, exc.message)
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("Question added."))
            return redirect("surveys:survey-detail", pk=survey.pk)
    questions = list(survey.questions.order_by("position", "pk"))
    return render(
        request,
        "surveys/survey_detail.html",
        {"survey": survey, "questions": questions, "question_form": form,
         "response_count": survey.participations.count()},
        status=400,
    )  # fmt: skip


def _add_errors(form: QuestionForm, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for name, errors in exc.message_dict.items():
            field = "choices_text" if name == "choices" else name
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc)


def get_question(request: OnsiteRequest, pk: int, question_pk: int) -> Question:
    survey = get_survey(request, pk)
    try:
        return survey.questions.select_related("survey").get(pk=question_pk)
    except Question.DoesNotExist as exc:
        raise Http404 from exc


@role_required(*MANAGERS, write=True)
def question_edit(request: OnsiteRequest, pk: int, question_pk: int) -> HttpResponse:
    question = get_question(request, pk, question_pk)
    form = QuestionForm.for_question(question, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_question(
                question, by=request.user, data=form.question_data(), request=request
            )
        except services.SurveyError as exc:
            form.add_error(None, exc.message)
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("surveys:survey-detail", pk=pk)
    return render(
        request,
        "surveys/question_form.html",
        {"form": form, "question": question, "survey": question.survey},
    )


@role_required(*MANAGERS, write=True)
@require_POST
def question_delete(request: OnsiteRequest, pk: int, question_pk: int) -> HttpResponse:
    question = get_question(request, pk, question_pk)
    try:
        services.delete_question(question, by=request.user, request=request)
    except services.SurveyError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Question deleted."))
    return redirect("surveys:survey-detail", pk=pk)


@role_required(*MANAGERS, write=True)
@require_POST
def question_move(request: OnsiteRequest, pk: int, question_pk: int) -> HttpResponse:
    question = get_question(request, pk, question_pk)
    try:
        services.move_question(
            question, by=request.user, up=request.POST.get("direction") == "up", request=request
        )
    except services.SurveyError as exc:
        messages.error(request, exc.message)
    return redirect("surveys:survey-detail", pk=pk)


@role_required(*MANAGERS, write=True)
@require_POST
def survey_publish(request: OnsiteRequest, pk: int) -> HttpResponse:
    survey = get_survey(request, pk)
    try:
        services.publish_survey(
            survey, by=request.user, expected_version=_version(request), request=request
        )
    except ConflictError as exc:
        messages.error(request, str(exc.message))
    except services.SurveyError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The survey is published."))
    return redirect("surveys:survey-detail", pk=pk)


@role_required(*MANAGERS, write=True)
@require_POST
def survey_close(request: OnsiteRequest, pk: int) -> HttpResponse:
    survey = get_survey(request, pk)
    try:
        services.close_survey(
            survey, by=request.user, expected_version=_version(request), request=request
        )
    except ConflictError as exc:
        messages.error(request, str(exc.message))
    except services.SurveyError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The survey is closed."))
    return redirect("surveys:survey-detail", pk=pk)


@role_required(*MANAGERS, write=True)
def survey_follow_up(request: OnsiteRequest, pk: int) -> HttpResponse:
    survey = get_survey(request, pk)
    form = FollowUpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        follow_up = services.create_follow_up(
            survey,
            by=request.user,
            title=form.cleaned_data["title"],
            opens_on=form.cleaned_data["opens_on"],
            closes_on=form.cleaned_data["closes_on"],
            request=request,
        )
        messages.success(request, _("Follow-up survey created with the same questions."))
        return redirect("surveys:survey-detail", pk=follow_up.pk)
    return render(request, "surveys/follow_up_form.html", {"form": form, "survey": survey})


@role_required(*ANSWERERS, write=True)
def survey_answer(request: OnsiteRequest, pk: int) -> HttpResponse:
    survey = get_survey(request, pk)
    if not services.can_answer(survey, request.user):
        raise Http404
    if services.has_answered(survey, request.user):
        return redirect("surveys:survey-thanks", pk=survey.pk)
    if not survey.is_open():
        return render(request, "surveys/closed.html", {"survey": survey})
    questions = list(survey.questions.order_by("position", "pk"))
    form = AnswerForm(request.POST or None, questions=questions)
    if request.method == "POST" and form.is_valid():
        try:
            services.submit_response(
                survey, user=request.user, answers=form.answers, request=request
            )
        except services.AlreadyAnsweredError:
            return redirect("surveys:survey-thanks", pk=survey.pk)
        except services.SurveyError as exc:
            form.add_error(None, exc.message)
        else:
            return redirect("surveys:survey-thanks", pk=survey.pk)
    rows = [(question, form[f"q{question.pk}"]) for question in questions]
    return render(request, "surveys/answer.html", {"survey": survey, "form": form, "rows": rows})


@role_required(*ANSWERERS)
def survey_thanks(request: OnsiteRequest, pk: int) -> HttpResponse:
    survey = get_survey(request, pk)
    if not services.has_answered(survey, request.user):
        raise Http404
    return render(request, "surveys/thanks.html", {"survey": survey})


@role_required(*READERS)
def survey_results(request: OnsiteRequest, pk: int) -> HttpResponse:
    survey = get_survey(request, pk)
    results = queries.survey_results(survey)
    return render(
        request,
        "surveys/results.html",
        {"survey": survey, "results": results, "charts": results.charts(),
         "follow_ups": list(survey.follow_ups.all())},
    )  # fmt: skip


@role_required(*READERS)
def survey_export(request: OnsiteRequest, pk: int) -> HttpResponse:
    survey = get_survey(request, pk)
    content = export.results_workbook(survey)
    response = HttpResponse(
        content,
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="survey-{survey.pk}.xlsx"'
    return response


@role_required(*READERS)
def survey_compare(request: OnsiteRequest, pk: int) -> HttpResponse:
    """This survey (the follow-up) against ?with=<pk>, by default its baseline."""
    after = get_survey(request, pk)
    other = request.GET.get("with", "")
    if other.isdigit():
        before = get_survey(request, int(other))
    elif after.baseline_id is not None:
        before = get_survey(request, after.baseline_id)
    else:
        before = None
    candidates = Survey.objects.filter(center=request.center).exclude(pk=after.pk)
    if before is None:
        return render(request, "surveys/compare.html", {"survey": after, "candidates": candidates})
    comparison = queries.compare_surveys(before, after)
    return render(
        request,
        "surveys/compare.html",
        {"survey": after, "before": before, "comparison": comparison,
         "chart": comparison.chart(), "candidates": candidates},
    )  # fmt: skip
