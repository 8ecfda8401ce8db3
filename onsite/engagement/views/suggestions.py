"""Slogans and improvement proposals: submit, vote, review, adopt; and the leaderboard."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Exists, OuterRef, Prefetch
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from onsite.core.access import role_required
from onsite.core.concurrency import ConflictError
from onsite.core.models import get_for_center
from onsite.core.types import OnsiteRequest
from onsite.engagement import queries, services
from onsite.engagement.forms import ReviewForm, RevisionForm, SuggestionForm
from onsite.engagement.models import Photo, Suggestion, Vote
from onsite.engagement.views import EVERYONE, MEMBERS, REVIEWERS

SORTS = {"votes": ("-vote_count", "-created_at", "-pk"), "new": ("-created_at", "-pk")}


def get_suggestion(request: OnsiteRequest, pk: int) -> Suggestion:
    return get_for_center(
        Suggestion.objects.select_related(
            "author", "unit", "area_type", "similar_to", "reviewed_by", "standard_version__standard"
        ).annotate(vote_count=Count("votes", distinct=True)),
        request.center,
        pk=pk,
    )


@role_required(*EVERYONE)
def suggestion_list(request: OnsiteRequest) -> HttpResponse:
    suggestions = (
        Suggestion.objects.filter(center=request.center)
        .select_related("author", "unit", "area_type")
        .prefetch_related(Prefetch("photos", queryset=Photo.objects.order_by("position", "pk")))
        .annotate(
            vote_count=Count("votes", distinct=True),
            voted=Exists(Vote.objects.filter(suggestion=OuterRef("pk"), user=request.user)),
        )
    )
    kind = request.GET.get("kind", "")
    if kind in Suggestion.Kind.values:
        suggestions = suggestions.filter(kind=kind)
    status = request.GET.get("status", "")
    if status in Suggestion.Status.values:
        suggestions = suggestions.filter(status=status)
    sort = request.GET.get("sort", "votes")
    suggestions = suggestions.order_by(*SORTS.get(sort, SORTS["votes"]))
    page = Paginator(suggestions, 20).get_page(request.GET.get("page"))
    return render(
        request,
        "engagement/suggestion_list.html",
        {
            "page": page,
            "kind": kind,
            "status": status,
            "sort": sort,
            "kinds": Suggestion.Kind.choices,
            "statuses": Suggestion.Status.choices,
            "can_submit": not request.user.is_cross_center_viewer,
        },
    )


@role_required(*MEMBERS, write=True)
def suggestion_create(request: OnsiteRequest) -> HttpResponse:
    assert request.center is not None  # noqa: S101
    form = SuggestionForm(request.POST or None, request.FILES or None, center=request.center)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            result = services.submit_suggestion(
                center=request.center,
                author=request.user,
                kind=data["kind"],
                title=data["title"],
                body=data["body"],
                area_type=data["area_type"],
                photos=form.clean_photo_list,
                submission_key=data["submission_key"],
                request=request,
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            suggestion = result.suggestion
            messages.success(request, _("Thank you! Your suggestion is submitted."))
            if suggestion.similar_to_id is not None:
                messages.warning(
                    request,
                    _(
                        "It looks similar to an earlier one (#%(number)d). Reviewers will take both into account."
                    )
                    % {"number": suggestion.similar_to_id},
                )
            return redirect("engagement:suggestion-detail", pk=suggestion.pk)
    return render(request, "engagement/suggestion_form.html", {"form": form})


@role_required(*EVERYONE)
def suggestion_detail(request: OnsiteRequest, pk: int) -> HttpResponse:
    suggestion = get_suggestion(request, pk)
    user = request.user
    can_review = user.has_role(*REVIEWERS) and not user.is_cross_center_viewer
    context = {
        "suggestion": suggestion,
        "photos": list(suggestion.photos.all()),
        "transitions": list(suggestion.transitions.select_related("by")),
        "voted": Vote.objects.filter(suggestion=suggestion, user=user).exists(),
        "can_vote": (
            not user.is_cross_center_viewer
            and suggestion.author_id != user.pk
            and suggestion.status != Suggestion.Status.REJECTED
        ),
        "can_review": can_review,
    }
    if can_review and suggestion.is_open:
        context["review_form"] = ReviewForm(suggestion=suggestion)
    if (
        can_review
        and suggestion.status == Suggestion.Status.ADOPTED
        and suggestion.kind == Suggestion.Kind.PROPOSAL
        and suggestion.standard_version_id is None
    ):
        context["revision_form"] = RevisionForm(suggestion=suggestion)
    return render(request, "engagement/suggestion_detail.html", context)


@role_required(*MEMBERS, write=True)
@require_POST
def suggestion_vote(request: OnsiteRequest, pk: int) -> HttpResponse:
    suggestion = get_suggestion(request, pk)
    try:
        if request.POST.get("withdraw"):
            services.withdraw_vote(suggestion, user=request.user, request=request)
        else:
            services.vote(suggestion, user=request.user, request=request)
    except services.EngagementError as exc:
        messages.error(request, exc.message)
    target = request.POST.get("next", "")
    if target == "list":
        return redirect("engagement:suggestion-list")
    return redirect("engagement:suggestion-detail", pk=suggestion.pk)


@role_required(*REVIEWERS, write=True)
@require_POST
def suggestion_review(request: OnsiteRequest, pk: int) -> HttpResponse:
    suggestion = get_suggestion(request, pk)
    form = ReviewForm(request.POST, suggestion=suggestion)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.review_suggestion(
                suggestion,
                by=request.user,
                decision=data["decision"],
                reason=data["reason"],
                expected_version=data["version"],
                open_revision=bool(data.get("open_revision")),
                area_type=data.get("area_type"),
                request=request,
            )
        except ConflictError as exc:
            form.add_error(None, str(exc.message))
        except services.EngagementError as exc:
            form.add_error(None, exc.message)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Review saved; the author is notified."))
            return redirect("engagement:suggestion-detail", pk=suggestion.pk)
    context = {
        "suggestion": suggestion,
        "photos": list(suggestion.photos.all()),
        "transitions": list(suggestion.transitions.select_related("by")),
        "review_form": form,
        "can_review": True,
        "can_vote": False,
    }
    return render(request, "engagement/suggestion_detail.html", context, status=400)


@role_required(*REVIEWERS, write=True)
@require_POST
def suggestion_revision(request: OnsiteRequest, pk: int) -> HttpResponse:
    suggestion = get_suggestion(request, pk)
    form = RevisionForm(request.POST, suggestion=suggestion)
    if not form.is_valid():
        messages.error(request, _("Choose the area type whose standard the proposal improves."))
        return redirect("engagement:suggestion-detail", pk=suggestion.pk)
    try:
        draft = services.open_standard_revision(
            suggestion, by=request.user, area_type=form.cleaned_data["area_type"], request=request
        )
    except services.EngagementError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Revision draft %(version)s opened.") % {"version": draft})
    return redirect("engagement:suggestion-detail", pk=suggestion.pk)


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
