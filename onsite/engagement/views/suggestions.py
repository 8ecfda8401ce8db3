"""Slogans and improvement proposals: submit, vote, review, adopt; and the leaderboard."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from onsite.core.access import answers_refusals, role_required
from onsite.core.types import OnsiteRequest
from onsite.engagement import actions, queries, services
from onsite.engagement.access import (
    EVERYONE,
    MEMBERS,
    REVIEWERS,
    can_review,
    get_call,
    get_suggestion,
    suggestions_for,
)
from onsite.engagement.forms import ReviewForm, RevisionForm, SuggestionForm
from onsite.engagement.models import Suggestion
from onsite.surveys.pages import attempt, form_page, marked


@role_required(*EVERYONE)
def suggestion_list(request: OnsiteRequest) -> HttpResponse:
    kind, status = request.GET.get("kind", ""), request.GET.get("status", "")
    sort = request.GET.get("sort", "votes")
    suggestions = queries.listed_suggestions(
        suggestions_for(request.user, request.center), kind=kind, status=status, sort=sort
    )
    return render(
        request,
        "engagement/suggestion_list.html",
        {
            "page": Paginator(suggestions, 20).get_page(request.GET.get("page")),
            "kind": kind,
            "status": status,
            "sort": sort,
            "kinds": Suggestion.Kind.choices,
            "statuses": Suggestion.Status.choices,
            "can_submit": not request.user.is_cross_center_viewer,
        },
    )


def _similar_warning(request: OnsiteRequest, suggestion: Suggestion) -> None:
    if suggestion.similar_to_id is not None:
        messages.warning(
            request,
            _(
                "It looks similar to an earlier one (#%(number)d). Reviewers will take both into account."
            )
            % {"number": suggestion.similar_to_id},
        )


def _call_of(request: OnsiteRequest) -> Any:
    """The call an entry is for (?call=), 404 if not the center's; None for a free entry."""
    call_id = request.GET.get("call", "")
    return get_call(request.center, int(call_id)) if call_id.isdigit() else None


def _closed_call(request: OnsiteRequest, call: Any) -> Any:
    """A closed call says so at once (409), before anyone types an entry."""
    if request.method != "GET" or call is None:
        return None
    _done, refusal = attempt(
        request, lambda: actions.check_submit_suggestion(request.user, call=call)
    )
    return refusal


@role_required(*MEMBERS, write=True)
@answers_refusals
def suggestion_create(request: OnsiteRequest) -> HttpResponse:
    center = request.center
    assert center is not None  # noqa: S101
    call = _call_of(request)
    form = SuggestionForm(
        request.POST or None, request.FILES or None, center=center, user=request.user, call=call
    )
    actions.check_submit_suggestion(request.user)
    refusal = _closed_call(request, call)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data

        def submit() -> services.Submitted:
            actions.check_submit_suggestion(request.user, call=call)
            return actions.do_submit_suggestion(
                center=center, author=request.user, kind=data["kind"], title=data["title"],
                body=data["body"], area_type=data["area_type"], photos=form.clean_photo_list,
                call=call, submission_key=data["submission_key"], request=request,
            )  # fmt: skip

        result, refusal = attempt(request, submit, form=form)
        if result is not None:
            return _submitted(request, result.suggestion)
    context = {"form": form, "call": call}
    return form_page(request, "engagement/suggestion_form.html", context, refusal)


def _submitted(request: OnsiteRequest, suggestion: Suggestion) -> HttpResponse:
    messages.success(request, _("Thank you! Your suggestion is submitted."))
    _similar_warning(request, suggestion)
    return redirect("engagement:suggestion-detail", pk=suggestion.pk)


def _detail(request: OnsiteRequest, suggestion: Suggestion, **extra: Any) -> dict[str, Any]:
    user = request.user
    reviewer = can_review(user)
    context: dict[str, Any] = {
        "suggestion": suggestion,
        "photos": list(suggestion.photos.all()),
        "transitions": list(suggestion.transitions.select_related("by")),
        "voted": suggestion.voted,  # type: ignore[attr-defined]
        "can_vote": services.may_vote(suggestion, user),
        "can_review": reviewer,
    }
    if reviewer and suggestion.is_open:
        context["review_form"] = ReviewForm(suggestion=suggestion)
    if reviewer and services.may_open_revision(suggestion):
        context["revision_form"] = RevisionForm(suggestion=suggestion)
    return context | extra


@role_required(*EVERYONE)
def suggestion_detail(request: OnsiteRequest, pk: int) -> HttpResponse:
    suggestion = get_suggestion(request.user, request.center, pk)
    return render(request, "engagement/suggestion_detail.html", _detail(request, suggestion))


@role_required(*MEMBERS, write=True)
@require_POST
@answers_refusals
def suggestion_vote(request: OnsiteRequest, pk: int) -> HttpResponse:
    suggestion = get_suggestion(request.user, request.center, pk)
    act = _withdraw if request.POST.get("withdraw") else _vote
    _done, refusal = attempt(request, lambda: act(request, suggestion))
    if request.POST.get("next", "") == "list":
        return marked(redirect("engagement:suggestion-list"), refusal)
    return marked(redirect("engagement:suggestion-detail", pk=suggestion.pk), refusal)


def _vote(request: OnsiteRequest, suggestion: Suggestion) -> bool:
    actions.check_vote(request.user, suggestion)
    return actions.do_vote(suggestion, user=request.user, request=request)


def _withdraw(request: OnsiteRequest, suggestion: Suggestion) -> bool:
    actions.check_withdraw_vote(request.user, suggestion)
    return actions.do_withdraw_vote(suggestion, user=request.user, request=request)


@role_required(*REVIEWERS, write=True)
@require_POST
@answers_refusals
def suggestion_review(request: OnsiteRequest, pk: int) -> HttpResponse:
    suggestion = get_suggestion(request.user, request.center, pk)
    form = ReviewForm(request.POST, suggestion=suggestion)
    refusal = None
    if form.is_valid():
        data = form.cleaned_data
        done, refusal = attempt(request, lambda: _review(request, suggestion, data), form=form)
        if done is not None:
            messages.success(request, _("Review saved; the author is notified."))
            return redirect("engagement:suggestion-detail", pk=suggestion.pk)
    context = _detail(request, suggestion, review_form=form, can_vote=False)
    template = "engagement/suggestion_detail.html"
    return form_page(request, template, context, refusal, status=400)


def _review(request: OnsiteRequest, suggestion: Suggestion, data: dict[str, Any]) -> Suggestion:
    decision, reason, version = data["decision"], data["reason"], data["version"]
    area_type = data.get("area_type")
    actions.check_review(request.user, suggestion, decision=decision, reason=reason,
                         expected_version=version, area_type=area_type)  # fmt: skip
    return actions.do_review(
        suggestion, by=request.user, decision=decision, reason=reason, expected_version=version,
        open_revision=bool(data.get("open_revision")), area_type=area_type, request=request,
    )  # fmt: skip


@role_required(*REVIEWERS, write=True)
@require_POST
@answers_refusals
def suggestion_revision(request: OnsiteRequest, pk: int) -> HttpResponse:
    suggestion = get_suggestion(request.user, request.center, pk)
    form = RevisionForm(request.POST, suggestion=suggestion)
    if not form.is_valid():
        messages.error(request, _("Choose the area type whose standard the proposal improves."))
        return redirect("engagement:suggestion-detail", pk=suggestion.pk)
    area_type = form.cleaned_data["area_type"]

    def open_revision() -> object:
        actions.check_open_revision(request.user, suggestion, area_type=area_type)
        return actions.do_open_revision(
            suggestion, by=request.user, area_type=area_type, request=request
        )

    draft, refusal = attempt(request, open_revision)
    if draft is not None:
        messages.success(request, _("Revision draft %(version)s opened.") % {"version": draft})
    return marked(redirect("engagement:suggestion-detail", pk=suggestion.pk), refusal)


@role_required(*EVERYONE)
def leaderboard(request: OnsiteRequest) -> HttpResponse:
    assert request.center is not None  # noqa: S101
    return render(
        request,
        "engagement/leaderboard.html",
        {
            "leaders": queries.leaderboard(request.center, limit=30),
            "units": queries.unit_leaderboard(request.center),
        },
    )
