"""Training sessions with QR sign-in and attendance rates, and the acknowledgement of
published standards."""

from __future__ import annotations

from typing import Any

import segno
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from onsite.core.access import answers_refusals, role_required
from onsite.core.types import OnsiteRequest
from onsite.engagement import actions, queries, services
from onsite.engagement.access import (
    EDITORS,
    EVERYONE,
    MEMBERS,
    OVERSEERS,
    can_edit,
    can_show_qr,
    get_document,
    get_published_version,
    get_training,
    sees_attendance,
)
from onsite.engagement.forms import AttendanceForm, DocumentForm, TrainingForm
from onsite.engagement.models import Attendance
from onsite.surveys.pages import attempt, form_page

QR_REFRESH_SECONDS = 60


@role_required(*EVERYONE)
def training_list(request: OnsiteRequest) -> HttpResponse:
    now = timezone.now()
    sessions = queries.trainings(request.center)
    return render(
        request,
        "engagement/training_list.html",
        {
            "upcoming": sessions.filter(ends_at__gte=now).order_by("starts_at"),
            "past": sessions.filter(ends_at__lt=now).order_by("-starts_at")[:50],
            "attended": queries.attended(request.user, request.center),
            "can_edit": request.user.has_role(*EDITORS),
        },
    )


@role_required(*EDITORS, write=True)
@answers_refusals
def training_create(request: OnsiteRequest) -> HttpResponse:
    center = request.center
    assert center is not None  # noqa: S101
    actions.check_plan_training(request.user)
    form = TrainingForm(request.POST or None, center=center)
    refusal = None
    if request.method == "POST" and form.is_valid():
        training, refusal = attempt(request, lambda: actions.do_create_training(
            center=center, by=request.user, data=form.cleaned_data, request=request
        ), form=form)  # fmt: skip
        if training is not None:
            messages.success(request, _("Training session planned; the audience was notified."))
            return redirect("engagement:training-detail", pk=training.pk)
    return form_page(request, "engagement/training_form.html", {"form": form}, refusal)


@role_required(*EDITORS, write=True)
@answers_refusals
def training_edit(request: OnsiteRequest, pk: int) -> HttpResponse:
    training = get_training(request.center, pk)
    assert request.center is not None  # noqa: S101
    form = TrainingForm(request.POST or None, instance=training, center=request.center)
    refusal = None
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        version = int(data.pop("version") or -1)

        def edit() -> Any:
            actions.check_edit_training(request.user, training, expected_version=version)
            return actions.do_update_training(
                training, by=request.user, data=data, expected_version=version, request=request
            )

        done, refusal = attempt(request, edit, form=form)
        if done is not None:
            messages.success(request, _("Saved."))
            return redirect("engagement:training-detail", pk=training.pk)
    context = {"form": form, "training": training}
    return form_page(request, "engagement/training_form.html", context, refusal)


@role_required(*EVERYONE)
def training_detail(request: OnsiteRequest, pk: int) -> HttpResponse:
    training = get_training(request.center, pk)
    user = request.user
    context: dict[str, Any] = {
        "training": training,
        "documents": list(training.documents.all()),
        "rate": queries.attendance_rate(training),
        "can_edit": can_edit(user),
        "can_show_qr": can_show_qr(user, training),
        "signed_in": Attendance.objects.filter(training=training, user=user).exists(),
        "invited": services.is_invited(training, user),
    }
    if sees_attendance(user, training):
        context |= queries.attendance_lists(training)
    if context["can_edit"]:
        assert request.center is not None  # noqa: S101
        context["attendance_form"] = AttendanceForm(audience=services.training_audience(training))
        context["document_form"] = DocumentForm()
    return render(request, "engagement/training_detail.html", context)


@role_required(*MEMBERS)
@answers_refusals
def training_qr(request: OnsiteRequest, pk: int) -> HttpResponse:
    """The sign-in QR to show on the projector. It changes every two minutes and the page
    reloads itself every minute."""
    training = get_training(request.center, pk)
    actions.check_show_qr(request.user, training)
    token = services.sign_in_token(training)
    url = request.build_absolute_uri(
        reverse("engagement:training-sign-in", args=[training.pk]) + f"?t={token}"
    )
    return render(
        request,
        "engagement/training_qr.html",
        {
            "training": training,
            "qr": segno.make(url, error="m").png_data_uri(scale=8, border=2),
            "url": url,
            "open": training.sign_in_open(),
            "present": training.attendances.count(),
            "refresh_seconds": QR_REFRESH_SECONDS,
        },
    )


@role_required(*MEMBERS, write=True)
@answers_refusals
def training_sign_in(request: OnsiteRequest, pk: int) -> HttpResponse:
    """What the QR opens on a phone: a confirm button (GET), then the sign-in (POST)."""
    training = get_training(request.center, pk)
    token = request.POST.get("t") or request.GET.get("t", "")
    refusal = None
    if request.method == "POST":
        done, refusal = attempt(request, lambda: _sign_in(request, training, token))
        if done is not None:
            messages.success(request, _("You are signed in. Welcome!"))
            return redirect("engagement:training-detail", pk=training.pk)
    signed_in = Attendance.objects.filter(training=training, user=request.user).exists()
    context = {"training": training, "token": token, "signed_in": signed_in,
               "error": refusal.message if refusal else ""}  # fmt: skip
    return form_page(request, "engagement/training_sign_in.html", context, refusal)


def _sign_in(request: OnsiteRequest, training: Any, token: str) -> Attendance:
    actions.check_sign_in(request.user, training, token=token)
    return actions.do_sign_in(training, user=request.user, token=token, request=request)


@role_required(*EDITORS, write=True)
@require_POST
@answers_refusals
def attendance_record(request: OnsiteRequest, pk: int) -> HttpResponse:
    training = get_training(request.center, pk)
    assert request.center is not None  # noqa: S101
    actions.check_record_attendance(request.user, training)
    form = AttendanceForm(request.POST, audience=services.training_audience(training))
    if form.is_valid():
        added = actions.do_record_attendance(
            training, by=request.user, users=form.cleaned_data["people"], request=request
        )
        messages.success(request, _("%(n)d people marked present.") % {"n": added})
    else:
        uninvited = form.has_error("people", "invalid_choice") or form.has_error(
            "people", "invalid_pk_value"
        )
        messages.error(
            request,
            _("Only people invited to this session can be marked present.")
            if uninvited
            else _("Choose the people who were present."),
        )
    return redirect("engagement:training-detail", pk=training.pk)


@role_required(*EDITORS, write=True)
@require_POST
@answers_refusals
def document_add(request: OnsiteRequest, pk: int) -> HttpResponse:
    training = get_training(request.center, pk)
    actions.check_add_document(request.user, training)
    form = DocumentForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _("Choose a file to upload."))
        return redirect("engagement:training-detail", pk=training.pk)
    document, _refusal = attempt(request, lambda: actions.do_add_document(
        training, by=request.user, title=form.cleaned_data["title"],
        upload=form.cleaned_data["file"], request=request,
    ))  # fmt: skip
    if document is not None:
        messages.success(request, _("Document added."))
    return redirect("engagement:training-detail", pk=training.pk)


@role_required(*EVERYONE)
def document_download(request: OnsiteRequest, pk: int, document_pk: int) -> HttpResponse:
    training = get_training(request.center, pk)
    document = get_document(training, document_pk)
    with document.file.open("rb") as handle:
        response = HttpResponse(handle.read(), content_type=document.content_type)
    extension = (document.file.name or "").rsplit(".", 1)[-1]
    response["Content-Disposition"] = (
        f'attachment; filename="training-{training.pk}-{document.pk}.{extension}"'
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


# --- acknowledgements -----------------------------------------------------------------


@role_required(*OVERSEERS)
def acknowledgement_list(request: OnsiteRequest) -> HttpResponse:
    assert request.center is not None  # noqa: S101
    return render(
        request,
        "engagement/acknowledgement_list.html",
        {"rows": queries.acknowledgement_overview(request.center)},
    )


@role_required(*OVERSEERS)
def acknowledgement_detail(request: OnsiteRequest, pk: int) -> HttpResponse:
    version = get_published_version(request.center, pk)
    return render(
        request,
        "engagement/acknowledgement_detail.html",
        {"status": queries.acknowledgement_status(version)},
    )


@role_required(*MEMBERS)
def acknowledgement_mine(request: OnsiteRequest) -> HttpResponse:
    return render(
        request,
        "engagement/acknowledgement_mine.html",
        {
            "rows": queries.my_acknowledgements(request.user),
            "can_overview": request.user.has_role(*OVERSEERS),
        },
    )


@role_required(*MEMBERS, write=True)
@require_POST
@answers_refusals
def acknowledgement_confirm(request: OnsiteRequest, pk: int) -> HttpResponse:
    version = get_published_version(request.center, pk)
    actions.check_acknowledge(request.user, version)
    actions.do_acknowledge(version, user=request.user, request=request)
    messages.success(
        request,
        _("Thank you: your acknowledgement of %(standard)s is recorded.") % {"standard": version},
    )
    return redirect("engagement:acknowledgement-mine")
