"""The publicity board (宣传专栏): posts, the weekly digest, posters and the big screen."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models.fields.files import FieldFile
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from onsite.core.access import answers_refusals, may, role_required
from onsite.core.types import OnsiteRequest
from onsite.engagement import actions, queries, services
from onsite.engagement.access import (
    EDITORS,
    EVERYONE,
    MEMBERS,
    OVERSEERS,
    can_edit,
    get_photo,
    get_post,
)
from onsite.engagement.forms import PostForm
from onsite.engagement.models import SuggestionCall
from onsite.engagement.poster import poster_pdf
from onsite.surveys.pages import attempt, form_page, marked

SCREEN_REFRESH_SECONDS = 600


def _version(request: OnsiteRequest) -> int:
    version = request.POST.get("version", "")
    return int(version) if version.isdigit() else -1


@role_required(*EVERYONE)
def board(request: OnsiteRequest) -> HttpResponse:
    page = Paginator(queries.board_posts(request.center), 12).get_page(request.GET.get("page"))
    return render(
        request,
        "engagement/board.html",
        {
            "page": page,
            "digest": queries.latest_digest(request.center),
            "can_edit": can_edit(request.user),
        },
    )


@role_required(*EVERYONE)
def post_detail(request: OnsiteRequest, pk: int) -> HttpResponse:
    post = get_post(request.center, pk)
    call = SuggestionCall.objects.filter(post=post).first()
    context: dict[str, Any] = {"post": post, "call": call, "can_edit": can_edit(request.user)}
    if post.requires_acknowledgement:
        user = request.user
        context |= {
            "must_confirm": services.must_confirm(post, user),
            "confirmed": post.readings.filter(user_id=user.pk).first(),
            "sees_readers": may(user, OVERSEERS),
        }
    return render(request, "engagement/post_detail.html", context)


@role_required(*MEMBERS, write=True)
@require_POST
@answers_refusals
def post_confirm(request: OnsiteRequest, pk: int) -> HttpResponse:
    post = get_post(request.center, pk)

    def confirm() -> object:
        actions.check_confirm_read(request.user, post)
        return actions.do_confirm_read(post, user=request.user, request=request)

    done, refusal = attempt(request, confirm)
    if done is not None:
        messages.success(request, _("Thank you: your confirmation is recorded."))
    return marked(redirect("engagement:post-detail", pk=post.pk), refusal)


@role_required(*OVERSEERS)
@answers_refusals
def post_readers(request: OnsiteRequest, pk: int) -> HttpResponse:
    post = get_post(request.center, pk)
    actions.check_see_readers(request.user, post)
    status = services.read_status(post)
    return render(request, "engagement/post_readers.html", {"post": post, "status": status})


@role_required(*EDITORS, write=True)
@answers_refusals
def post_create(request: OnsiteRequest) -> HttpResponse:
    center = request.center
    assert center is not None  # noqa: S101 - role_required guarantees it
    actions.check_create_post(request.user)
    form = PostForm(request.POST or None, request.FILES or None, user=request.user)
    refusal = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        post, refusal = attempt(request, lambda: actions.do_create_post(
            center=center, by=request.user, title=data["title"], body=data["body"],
            is_pinned=data["is_pinned"], photos=form.clean_photo_list,
            confirm=form.confirmation, submission_key=data["submission_key"], request=request,
        ), form=form)  # fmt: skip
        if post is not None:
            messages.success(request, _("Posted on the board."))
            return redirect("engagement:post-detail", pk=post.pk)
    return form_page(request, "engagement/post_form.html", {"form": form}, refusal)


@role_required(*EDITORS, write=True)
@answers_refusals
def post_edit(request: OnsiteRequest, pk: int) -> HttpResponse:
    post = get_post(request.center, pk)
    actions.check_edit_post(request.user, post)
    form = PostForm(request.POST or None, request.FILES or None, post=post, user=request.user)
    refusal = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        removed = [int(pk) for pk in request.POST.getlist("remove_photo") if pk.isdigit()]
        done, refusal = attempt(request, lambda: actions.do_update_post(
            post, by=request.user, title=data["title"], body=data["body"],
            is_pinned=data["is_pinned"], expected_version=data["version"] or -1,
            photos=form.clean_photo_list, remove_photos=removed, request=request,
        ), form=form)  # fmt: skip
        if done:
            messages.success(request, _("Saved."))
            return redirect("engagement:post-detail", pk=post.pk)
    context = {"form": form, "post": post}
    return form_page(request, "engagement/post_form.html", context, refusal)


@role_required(*EDITORS, write=True)
@require_POST
@answers_refusals
def post_pin(request: OnsiteRequest, pk: int) -> HttpResponse:
    post = get_post(request.center, pk)
    version = _version(request)
    pinned = request.POST.get("pinned") == "1"

    def pin() -> None:
        actions.check_pin_post(request.user, post, expected_version=version)
        actions.do_set_pinned(
            post, by=request.user, pinned=pinned, expected_version=version, request=request
        )

    _done, refusal = attempt(request, pin)
    return marked(redirect("engagement:board"), refusal)


@role_required(*EDITORS, write=True)
@require_POST
@answers_refusals
def post_delete(request: OnsiteRequest, pk: int) -> HttpResponse:
    post = get_post(request.center, pk)
    actions.check_delete_post(request.user, post)
    actions.do_delete_post(post, by=request.user, request=request)
    messages.success(request, _("The post was removed from the board."))
    return redirect("engagement:board")


@role_required(*EVERYONE)
def post_poster(request: OnsiteRequest, pk: int) -> HttpResponse:
    post = get_post(request.center, pk)
    response = HttpResponse(poster_pdf(post), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="poster-{post.pk}.pdf"'
    return response


@role_required(*EDITORS, write=True)
@require_POST
@answers_refusals
def digest_publish(request: OnsiteRequest) -> HttpResponse:
    """Writes this week's digest now (the weekly run writes last week's on Monday)."""
    assert request.center is not None  # noqa: S101
    actions.check_publish_digest(request.user)
    post = actions.do_publish_digest(request.center)
    messages.success(request, _("This week's digest is on the board."))
    return redirect("engagement:post-detail", pk=post.pk)


@role_required(*EVERYONE)
def screen(request: OnsiteRequest) -> HttpResponse:
    """Full-screen, rotating slides for the hall's TV: the latest digest, pinned posts, the
    leaderboard and recently adopted proposals. The page reloads itself for fresh data."""
    center = request.center
    return render(
        request,
        "engagement/screen.html",
        {
            "posts": list(queries.board_posts(center)[:6]),
            "digest": queries.latest_digest(center),
            "leaders": queries.leaderboard(center, limit=10) if center else [],
            "adopted": queries.recently_adopted(center),
            "refresh_seconds": SCREEN_REFRESH_SECONDS,
        },
    )


def _jpeg(field: FieldFile) -> HttpResponse:
    with field.open("rb") as handle:
        response = HttpResponse(handle.read(), content_type="image/jpeg")
    response["Cache-Control"] = "private, max-age=3600"
    return response


@role_required(*EVERYONE)
def photo(request: OnsiteRequest, pk: int) -> HttpResponse:
    return _jpeg(get_photo(request.center, pk).image)


@role_required(*EVERYONE)
def photo_thumb(request: OnsiteRequest, pk: int) -> HttpResponse:
    return _jpeg(get_photo(request.center, pk).thumbnail)
