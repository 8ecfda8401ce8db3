"""The publicity board (宣传专栏): posts, the weekly digest, posters and the big screen."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.db.models.fields.files import FieldFile
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from onsite.core.access import role_required
from onsite.core.concurrency import ConflictError
from onsite.core.models import get_for_center
from onsite.core.types import OnsiteRequest
from onsite.engagement import services
from onsite.engagement.digest import publish_digest
from onsite.engagement.forms import PostForm
from onsite.engagement.models import Photo, Post, PostQuerySet, Suggestion
from onsite.engagement.poster import poster_pdf
from onsite.engagement.queries import leaderboard
from onsite.engagement.views import EDITORS, EVERYONE

SCREEN_REFRESH_SECONDS = 600


def get_post(request: OnsiteRequest, pk: int) -> Post:
    return get_for_center(
        Post.objects.select_related("author").prefetch_related("photos"), request.center, pk=pk
    )


def _posts(request: OnsiteRequest) -> PostQuerySet:
    return Post.objects.filter(center=request.center).prefetch_related(
        Prefetch("photos", queryset=Photo.objects.order_by("position", "pk"))
    )


@role_required(*EVERYONE)
def board(request: OnsiteRequest) -> HttpResponse:
    posts = _posts(request).filter(kind=Post.Kind.POST).select_related("author").for_board()
    page = Paginator(posts, 12).get_page(request.GET.get("page"))
    digest = _posts(request).filter(kind=Post.Kind.DIGEST).order_by("-week").first()
    return render(
        request,
        "engagement/board.html",
        {"page": page, "digest": digest, "can_edit": request.user.has_role(*EDITORS)},
    )


@role_required(*EVERYONE)
def post_detail(request: OnsiteRequest, pk: int) -> HttpResponse:
    post = get_post(request, pk)
    return render(
        request,
        "engagement/post_detail.html",
        {"post": post, "can_edit": request.user.has_role(*EDITORS)},
    )


@role_required(*EDITORS, write=True)
def post_create(request: OnsiteRequest) -> HttpResponse:
    assert request.center is not None  # noqa: S101 - role_required guarantees it
    form = PostForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        post = services.create_post(
            center=request.center,
            by=request.user,
            title=form.cleaned_data["title"],
            body=form.cleaned_data["body"],
            is_pinned=form.cleaned_data["is_pinned"],
            photos=form.clean_photo_list,
            submission_key=form.cleaned_data["submission_key"],
            request=request,
        )
        messages.success(request, _("Posted on the board."))
        return redirect("engagement:post-detail", pk=post.pk)
    return render(request, "engagement/post_form.html", {"form": form})


@role_required(*EDITORS, write=True)
def post_edit(request: OnsiteRequest, pk: int) -> HttpResponse:
    post = get_post(request, pk)
    if post.is_digest:
        messages.error(request, _("A weekly digest is written by the system and cannot be edited."))
        return redirect("engagement:post-detail", pk=post.pk)
    form = PostForm(request.POST or None, request.FILES or None, post=post)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.update_post(
                post,
                by=request.user,
                title=data["title"],
                body=data["body"],
                is_pinned=data["is_pinned"],
                expected_version=data["version"] or -1,
                photos=form.clean_photo_list,
                remove_photos=[
                    int(pk) for pk in request.POST.getlist("remove_photo") if pk.isdigit()
                ],
                request=request,
            )
        except ConflictError as exc:
            form.add_error(None, str(exc.message))
        except ValidationError as exc:
            form.add_error("photos", exc)
        except services.EngagementError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("Saved."))
            return redirect("engagement:post-detail", pk=post.pk)
    return render(request, "engagement/post_form.html", {"form": form, "post": post})


@role_required(*EDITORS, write=True)
@require_POST
def post_pin(request: OnsiteRequest, pk: int) -> HttpResponse:
    post = get_post(request, pk)
    version = request.POST.get("version", "")
    try:
        services.set_pinned(
            post,
            by=request.user,
            pinned=request.POST.get("pinned") == "1",
            expected_version=int(version) if version.isdigit() else -1,
            request=request,
        )
    except ConflictError as exc:
        messages.error(request, str(exc.message))
    return redirect("engagement:board")


@role_required(*EDITORS, write=True)
@require_POST
def post_delete(request: OnsiteRequest, pk: int) -> HttpResponse:
    post = get_post(request, pk)
    services.delete_post(post, by=request.user, request=request)
    messages.success(request, _("The post was removed from the board."))
    return redirect("engagement:board")


@role_required(*EVERYONE)
def post_poster(request: OnsiteRequest, pk: int) -> HttpResponse:
    post = get_post(request, pk)
    response = HttpResponse(poster_pdf(post), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="poster-{post.pk}.pdf"'
    return response


@role_required(*EDITORS, write=True)
@require_POST
def digest_publish(request: OnsiteRequest) -> HttpResponse:
    """Writes this week's digest now (the weekly run writes last week's on Monday)."""
    assert request.center is not None  # noqa: S101
    post = publish_digest(request.center, day=timezone.localdate())
    messages.success(request, _("This week's digest is on the board."))
    return redirect("engagement:post-detail", pk=post.pk)


@role_required(*EVERYONE)
def screen(request: OnsiteRequest) -> HttpResponse:
    """Full-screen, rotating slides for the hall's TV: the latest digest, pinned posts, the
    leaderboard and recently adopted proposals. The page reloads itself for fresh data."""
    posts = list(_posts(request).filter(kind=Post.Kind.POST).for_board()[:6])
    digest = _posts(request).filter(kind=Post.Kind.DIGEST).order_by("-week").first()
    adopted = list(
        Suggestion.objects.filter(center=request.center, status=Suggestion.Status.ADOPTED)
        .select_related("author")
        .order_by("-reviewed_at")[:6]
    )
    return render(
        request,
        "engagement/screen.html",
        {
            "posts": posts,
            "digest": digest,
            "leaders": leaderboard(request.center, limit=10) if request.center else [],
            "adopted": adopted,
            "refresh_seconds": SCREEN_REFRESH_SECONDS,
        },
    )


def _photo(request: OnsiteRequest, pk: int) -> Photo:
    """Photos of posts and proposals: anyone who may read the board may see them, nobody
    from another center."""
    return get_for_center(Photo.objects.all(), request.center, pk=pk)


def _jpeg(field: FieldFile) -> HttpResponse:
    with field.open("rb") as handle:
        response = HttpResponse(handle.read(), content_type="image/jpeg")
    response["Cache-Control"] = "private, max-age=3600"
    return response


@role_required(*EVERYONE)
def photo(request: OnsiteRequest, pk: int) -> HttpResponse:
    return _jpeg(_photo(request, pk).image)


@role_required(*EVERYONE)
def photo_thumb(request: OnsiteRequest, pk: int) -> HttpResponse:
    return _jpeg(_photo(request, pk).thumbnail)
