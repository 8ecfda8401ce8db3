"""Training sessions with QR sign-in and attendance rates, and the acknowledgement of
published standards."""

from __future__ import annotations

import segno
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from onsite.core.access import role_required
from onsite.core.concurrency import ConflictError
from onsite.core.models import get_for_center
from onsite.core.types import OnsiteRequest
from onsite.engagement import queries, services
from onsite.engagement.forms import AttendanceForm, DocumentForm, TrainingForm
from onsite.engagement.models import Acknowledgement, Attendance, Training, TrainingDocument
from onsite.engagement.views import EDITORS, EVERYONE, MEMBERS, OVERSEERS
from onsite.standards.models import StandardVersion

QR_REFRESH_SECONDS = 60


def get_training(request: OnsiteRequest, pk: int) -> Training:
    return get_for_center(
        Training.objects.select_related("trainer").prefetch_related(
            "units", "groups", "standard_versions__standard"
        ),
        request.center,
        pk=pk,
    )


@role_required(*EVERYONE)
def training_list(request: OnsiteRequest) -> HttpResponse:
    now = timezone.now()
    sessions = (
        Training.objects.filter(center=request.center)
        .select_related("trainer")
        .annotate(present=Count("attendances", distinct=True))
    )
    mine: set[int] = set()
    if not request.user.is_cross_center_viewer:
        mine = set(
            Attendance.objects.filter(
                user=request.user, training__center=request.center
            ).values_list("training_id", flat=True)
        )
    return render(
        request,
        "engagement/training_list.html",
        {
            "upcoming": sessions.filter(ends_at__gte=now).order_by("starts_at"),
            "past": sessions.filter(ends_at__lt=now).order_by("-starts_at")[:50],
            "attended": mine,
            "can_edit": request.user.has_role(*EDITORS),
        },
    )


@role_required(*EDITORS, write=True)
def training_create(request: OnsiteRequest) -> HttpResponse:
    assert request.center is not None  # noqa: S101
    form = TrainingForm(request.POST or None, center=request.center)
    if request.method == "POST" and form.is_valid():
        try:
            training = services.create_training(
                center=request.center, by=request.user, data=form.cleaned_data, request=request
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Training session planned; the audience was notified."))
            return redirect("engagement:training-detail", pk=training.pk)
    return render(request, "engagement/training_form.html", {"form": form})


@role_required(*EDITORS, write=True)
def training_edit(request: OnsiteRequest, pk: int) -> HttpResponse:
    training = get_training(request, pk)
    assert request.center is not None  # noqa: S101
    form = TrainingForm(request.POST or None, instance=training, center=request.center)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            services.update_training(
                training,
                by=request.user,
                data=data,
                expected_version=int(data.pop("version") or -1),
                request=request,
            )
        except ConflictError as exc:
            form.add_error(None, str(exc.message))
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("engagement:training-detail", pk=training.pk)
    return render(request, "engagement/training_form.html", {"form": form, "training": training})


@role_required(*EVERYONE)
def training_detail(request: OnsiteRequest, pk: int) -> HttpResponse:
    training = get_training(request, pk)
    user = request.user
    can_edit = user.has_role(*EDITORS) and not user.is_cross_center_viewer
    context = {
        "training": training,
        "documents": list(training.documents.all()),
        "rate": queries.attendance_rate(training),
        "can_edit": can_edit,
        "can_show_qr": can_edit or training.trainer_id == user.pk,
        "signed_in": Attendance.objects.filter(training=training, user=user).exists(),
        "invited": services.is_invited(training, user),
    }
    if user.has_role(*OVERSEERS) or training.trainer_id == user.pk:
        context["attendances"] = list(
            training.attendances.select_related("user__unit").order_by("signed_at")
        )
        context["by_unit"] = queries.attendance_by_unit(training)
        context["absent"] = list(
            services.training_audience(training)
            .exclude(training_attendances__training=training)
            .select_related("unit")
            .order_by("unit__name", "full_name")[:300]
        )
    if can_edit:
        assert request.center is not None  # noqa: S101
        context["attendance_form"] = AttendanceForm(center=request.center)
        context["document_form"] = DocumentForm()
    return render(request, "engagement/training_detail.html", context)


@role_required(*MEMBERS)
def training_qr(request: OnsiteRequest, pk: int) -> HttpResponse:
    """The sign-in QR to show on the projector. It changes every two minutes and the page
    reloads itself every minute."""
    training = get_training(request, pk)
    if not (request.user.has_role(*EDITORS) or training.trainer_id == request.user.pk):
        return render(request, "403.html", status=403)
    token = services.sign_in_token(training)
    url = request.build_absolute_uri(
        reverse("engagement:training-sign-in", args=[training.pk]) + f"?t={token}"
    )
    qr = segno.make(url, error="m")
    return render(
        request,
        "engagement/training_qr.html",
        {
            "training": training,
            "qr": qr.png_data_uri(scale=8, border=2),
            "url": url,
            "open": training.sign_in_open(),
            "present": training.attendances.count(),
            "refresh_seconds": QR_REFRESH_SECONDS,
        },
    )


@role_required(*MEMBERS, write=True)
def training_sign_in(request: OnsiteRequest, pk: int) -> HttpResponse:
    """What the QR opens on a phone: a confirm button (GET), then the sign-in (POST)."""
    training = get_training(request, pk)
    token = request.POST.get("t") or request.GET.get("t", "")
    error = ""
    if request.method == "POST":
        try:
            services.sign_in(training, user=request.user, token=token, request=request)
        except services.EngagementError as exc:
            error = exc.message
        else:
            messages.success(request, _("You are signed in. Welcome!"))
            return redirect("engagement:training-detail", pk=training.pk)
    signed_in = Attendance.objects.filter(training=training, user=request.user).exists()
    return render(
        request,
        "engagement/training_sign_in.html",
        {"training": training, "token": token, "error": error, "signed_in": signed_in},
        status=400 if error else 200,
    )


@role_required(*EDITORS, write=True)
@require_POST
def attendance_record(request: OnsiteRequest, pk: int) -> HttpResponse:
    training = get_training(request, pk)
    assert request.center is not None  # noqa: S101
    form = AttendanceForm(request.POST, center=request.center)
    if form.is_valid():
        added = services.record_attendance(
            training, by=request.user, users=form.cleaned_data["people"], request=request
        )
        messages.success(request, _("%(n)d people marked present.") % {"n": added})
    else:
        messages.error(request, _("Choose the people who were present."))
    return redirect("engagement:training-detail", pk=training.pk)


@role_required(*EDITORS, write=True)
@require_POST
def document_add(request: OnsiteRequest, pk: int) -> HttpResponse:
    training = get_training(request, pk)
    form = DocumentForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.add_document(
                training,
                by=request.user,
                title=form.cleaned_data["title"],
                upload=form.cleaned_data["file"],
                request=request,
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("Document added."))
    else:
        messages.error(request, _("Choose a file to upload."))
    return redirect("engagement:training-detail", pk=training.pk)


@role_required(*EVERYONE)
def document_download(request: OnsiteRequest, pk: int, document_pk: int) -> HttpResponse:
    training = get_training(request, pk)
    try:
        document = training.documents.get(pk=document_pk)
    except TrainingDocument.DoesNotExist as exc:
        raise Http404 from exc
    with document.file.open("rb") as handle:
        response = HttpResponse(handle.read(), content_type=document.content_type)
    extension = (document.file.name or "").rsplit(".", 1)[-1]
    response["Content-Disposition"] = (
        f'attachment; filename="training-{training.pk}-{document.pk}.{extension}"'
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


# --- acknowledgements -----------------------------------------------------------------


def get_published_version(request: OnsiteRequest, pk: int) -> StandardVersion:
    return get_for_center(
        StandardVersion.objects.published().select_related("standard__area_type"),
        request.center,
        pk=pk,
    )


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
    version = get_published_version(request, pk)
    return render(
        request,
        "engagement/acknowledgement_detail.html",
        {"status": queries.acknowledgement_status(version)},
    )


@role_required(*MEMBERS)
def acknowledgement_mine(request: OnsiteRequest) -> HttpResponse:
    versions = list(services.versions_for(request.user).select_related("standard__area_type"))
    done = dict(
        Acknowledgement.objects.filter(
            user=request.user, standard_version__in=versions, acknowledged_at__isnull=False
        ).values_list("standard_version_id", "acknowledged_at")
    )
    rows = [(version, done.get(version.pk)) for version in versions]
    rows.sort(key=lambda row: (row[1] is not None, str(row[0])))
    return render(
        request,
        "engagement/acknowledgement_mine.html",
        {"rows": rows, "can_overview": request.user.has_role(*OVERSEERS)},
    )


@role_required(*MEMBERS, write=True)
@require_POST
def acknowledgement_confirm(request: OnsiteRequest, pk: int) -> HttpResponse:
    version = get_published_version(request, pk)
    if not services.versions_for(request.user).filter(pk=version.pk).exists():
        raise Http404
    services.acknowledge(version, user=request.user, request=request)
    messages.success(
        request,
        _("Thank you: your acknowledgement of %(standard)s is recorded.") % {"standard": version},
    )
    return redirect("engagement:acknowledgement-mine")
