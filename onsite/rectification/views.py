"""Pages of rectification: the list (mine, overdue, by status), one rectification with its
before/after photos side by side and its history, the moves (submit, return, verify), and
the working-day calendar for admins."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.db.models import Case, Value, When
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from onsite.core.access import refuse as deny
from onsite.core.access import role_required
from onsite.core.concurrency import ConflictError
from onsite.core.paging import page_of
from onsite.core.sorting import SortKeys, by_choices, sort_rows
from onsite.core.types import OnsiteRequest
from onsite.inspections.access import can_improve
from onsite.inspections.models import AnswerPhoto, Severity
from onsite.inspections.photos import photo_response
from onsite.rectification import access, services
from onsite.rectification.calendar import coming_year_warning, load_from_package
from onsite.rectification.forms import (
    CalendarDayForm,
    PhotoForm,
    ReassignForm,
    ReturnForm,
    SubmitForm,
    VerifyForm,
)
from onsite.rectification.models import (
    CalendarDay,
    CalendarYear,
    Rectification,
    RectificationPhoto,
)
from onsite.rectification.services import RectificationError

PAGE_SIZE = 25


# Status choices of the list beyond the model's: the default "not closed yet" and "any".
PENDING, ANY_STATUS = "pending", "all"
# Open first, then waiting for verification, closed last (the names sort the other way).
STATUS_ORDER = Case(
    When(status=Rectification.Status.OPEN, then=Value(0)),
    When(status=Rectification.Status.SUBMITTED, then=Value(1)),
    default=Value(2),
)

SORTS: SortKeys = {
    "due": "due_on",
    "status": STATUS_ORDER,
    "severity": by_choices("severity", Severity.values),
    "zone": "zone__code",
}


@role_required(*access.READERS)
def rectification_list(request: OnsiteRequest) -> HttpResponse:
    """Opens on the person's own rectifications not closed yet; the filter switches to
    everyone's they may see (mine=0) and to any status, and always shows what is applied."""
    today = timezone.localdate()
    picked = {n: request.GET.get(n, "") for n in ("status", "mine", "overdue", "zone")}
    picked["mine"] = "0" if picked["mine"] == "0" else "1"
    if picked["status"] not in (*Rectification.Status.values, ANY_STATUS):
        picked["status"] = PENDING
    rows = access.listed_rectifications(
        request.user, request.center, mine=picked["mine"] == "1"
    ).select_related("zone", "assignee", "finding")
    if picked["status"] == PENDING:
        rows = rows.pending().order_by("status", "due_on", "pk")
    elif picked["status"] == ANY_STATUS:
        rows = rows.order_by(STATUS_ORDER, "due_on", "pk")
    else:
        rows = rows.filter(status=picked["status"]).order_by("due_on", "pk")
    if picked["overdue"] == "1":
        rows = rows.overdue(today)
    if picked["zone"]:
        rows = rows.filter(zone__code=picked["zone"][:32])
    query = urlencode({k: v for k, v in picked.items() if v})
    rows, sort = sort_rows(rows, request, keys=SORTS)
    return render(
        request,
        "rectification/rectification_list.html",
        {
            "page": page_of(rows, request, PAGE_SIZE),
            "sort": sort,
            "sort_columns": [
                ("due", _("Due date")),
                ("status", _("Status")),
                ("severity", _("Severity")),
                ("zone", _("Zone")),
            ],
            "picked": picked,
            "query": query,
            "statuses": [
                (PENDING, _("Not closed yet")),
                *Rectification.Status.choices,
                (ANY_STATUS, _("All statuses")),
            ],
            "today": today,
            "can_improve": can_improve(request.user),
            "calendar_warning": coming_year_warning()
            if access.can_edit_calendar(request.user)
            else None,
        },
    )


@role_required(*access.READERS)
def rectification_detail(request: OnsiteRequest, pk: int) -> HttpResponse:
    rectification = access.get_rectification(request.user, request.center, pk)
    return _detail(request, rectification)


def _detail(
    request: OnsiteRequest,
    rectification: Rectification,
    *,
    submit_form: SubmitForm | None = None,
    return_form: ReturnForm | None = None,
    verify_form: VerifyForm | None = None,
    reassign_form: ReassignForm | None = None,
    status: int = 200,
) -> HttpResponse:
    version = rectification.version
    before = list(AnswerPhoto.objects.filter(answer_id=rectification.finding.answer_id))
    after = list(rectification.photos.all())
    attempts: dict[int, list[RectificationPhoto]] = {}
    for photo in after:
        attempts.setdefault(photo.attempt, []).append(photo)
    current = rectification.times_returned + 1
    return render(
        request,
        "rectification/rectification_detail.html",
        {
            "r": rectification,
            "finding": rectification.finding,
            "before": before,
            "after_now": attempts.get(current, []),
            "earlier": sorted(((n, p) for n, p in attempts.items() if n != current), reverse=True),
            "history": rectification.transitions.select_related("by"),
            "is_overdue": rectification.is_overdue(),
            "can_fix": access.can_fix(request.user, rectification),
            "can_verify": access.can_verify(request.user, rectification),
            "submit_form": submit_form
            or SubmitForm(
                version=version, initial={"note": request.session.get(_draft(rectification), "")}
            ),
            "return_form": return_form or ReturnForm(version=version),
            "verify_form": verify_form or VerifyForm(version=version),
            "reassign_form": reassign_form
            or (
                ReassignForm(version=version, people=services.reassignable_people(rectification))
                if access.can_reassign(request.user, rectification)
                else None
            ),
            "photo_form": PhotoForm(),
            "fix_now": rectification.severity == Severity.FIX_NOW,
        },
        status=status,
    )


def _draft(rectification: Rectification) -> str:
    """The session key of the note typed for a hand-in that is not sent yet."""
    return f"rectification.note.{rectification.pk}"


def _add_photos(request: OnsiteRequest, rectification: Rectification) -> str | None:
    """Adds the posted after-photos; the first refusal's message, if any."""
    uploads = request.FILES.getlist("photo")
    if not uploads:
        return _("Choose a photo to upload.")
    try:
        for upload in uploads:
            services.add_after_photo(
                rectification=rectification, by=request.user, upload=upload, request=request
            )
    except RectificationError as exc:
        return str(exc.message)
    return None


@role_required(*access.WRITERS, write=True)
@require_POST
def photo_upload(request: OnsiteRequest, pk: int) -> HttpResponse:
    """Adds after-photos. The hand-in's note comes along and is kept for the page (without
    JavaScript the page reloads); htmx gets the photo strip only, uploaded in place."""
    rectification = access.get_rectification(request.user, request.center, pk)
    if not access.can_fix(request.user, rectification):
        return deny(request)
    if "note" in request.POST:
        request.session[_draft(rectification)] = request.POST["note"][:2000]
    error = _add_photos(request, rectification)
    if request.htmx:
        attempt = rectification.times_returned + 1
        return render(
            request,
            "rectification/rectification_detail.html#after-photos",
            {
                "r": rectification,
                "after_now": rectification.photos.filter(attempt=attempt),
                "can_fix": True,
                "photo_error": error,
            },
        )
    if error:
        messages.error(request, error)
    else:
        messages.success(request, _("Photo saved."))
    return redirect("rectification:rectification-detail", rectification.pk)


@role_required(*access.WRITERS, write=True)
@require_POST
def photo_delete(request: OnsiteRequest, pk: int) -> HttpResponse:
    photo = access.get_photo(request.user, request.center, pk)
    rectification = access.get_rectification(request.user, request.center, photo.rectification_id)
    if not access.can_fix(request.user, rectification):
        return deny(request)
    try:
        services.remove_after_photo(photo=photo, by=request.user, request=request)
    except RectificationError as exc:
        messages.error(request, str(exc.message))
    return redirect("rectification:rectification-detail", rectification.pk)


@role_required(*access.READERS)
def photo_view(request: OnsiteRequest, pk: int) -> HttpResponse:
    photo = access.get_photo(request.user, request.center, pk)
    stored = photo.thumbnail if request.GET.get("size") == "thumb" else photo.image
    return photo_response(stored, name=f"after-photo-{photo.pk}")


def _move(
    request: OnsiteRequest,
    rectification: Rectification,
    form: Any,
    *,
    form_name: str,
    service: Callable[..., Rectification],
    fields: tuple[str, ...],
    done: Callable[[], str],
) -> HttpResponse:
    """One move of a rectification from its detail page: the service gets the form's
    `fields` with the version and submission key; on success the page says `done()`, on a
    refusal or conflict the detail page shows the form with its error (400)."""
    if form.is_valid():
        data = form.cleaned_data
        try:
            service(
                rectification=rectification,
                by=request.user,
                expected_version=data["row_version"],
                submission_key=data["submission_key"],
                request=request,
                **{name: data[name] for name in fields},
            )
        except (RectificationError, ConflictError) as exc:
            form.add_error(None, str(exc.message))
        else:
            messages.success(request, done())
            return redirect("rectification:rectification-detail", rectification.pk)
    rectification.refresh_from_db()
    return _detail(request, rectification, status=400, **{form_name: form})


@role_required(*access.WRITERS, write=True)
@require_POST
def rectification_submit(request: OnsiteRequest, pk: int) -> HttpResponse:
    rectification = access.get_rectification(request.user, request.center, pk)
    if not access.is_fixer(request.user, rectification):
        return deny(request)
    form = SubmitForm(request.POST, version=rectification.version)
    # Photos chosen but not uploaded yet (no JavaScript) go with the hand-in.
    if request.FILES.getlist("photo") and access.can_fix(request.user, rectification):
        error = _add_photos(request, rectification)
        if error:
            form.is_valid()
            form.add_error(None, error)
            return _detail(request, rectification, status=400, submit_form=form)
    response = _move(
        request, rectification, form, form_name="submit_form",
        service=services.submit_rectification, fields=("note",),
        done=lambda: _("Submitted for verification."),
    )  # fmt: skip
    if response.status_code == 302:
        request.session.pop(_draft(rectification), None)
    return response


@role_required(*access.WRITERS, write=True)
@require_POST
def rectification_return(request: OnsiteRequest, pk: int) -> HttpResponse:
    rectification = access.get_rectification(request.user, request.center, pk)
    form = ReturnForm(request.POST, version=rectification.version)
    if not access.is_verifier(request.user, rectification):
        return deny(request)
    return _move(
        request, rectification, form, form_name="return_form",
        service=services.return_rectification, fields=("reason",),
        done=lambda: _("Returned to the zone owner."),
    )  # fmt: skip


@role_required(*access.VERIFIERS, write=True)
@require_POST
def rectification_reassign(request: OnsiteRequest, pk: int) -> HttpResponse:
    rectification = access.get_rectification(request.user, request.center, pk)
    if not access.can_reassign(request.user, rectification):
        return deny(request)
    form = ReassignForm(
        request.POST,
        version=rectification.version,
        people=services.reassignable_people(rectification),
    )
    return _move(
        request, rectification, form, form_name="reassign_form",
        service=services.reassign_rectification, fields=("to", "reason"),
        done=lambda: _("Handed to %(person)s.") % {"person": rectification.assignee},
    )  # fmt: skip


@role_required(*access.WRITERS, write=True)
@require_POST
def rectification_verify(request: OnsiteRequest, pk: int) -> HttpResponse:
    rectification = access.get_rectification(request.user, request.center, pk)
    form = VerifyForm(request.POST, version=rectification.version)
    if not access.is_verifier(request.user, rectification):
        return deny(request)
    return _move(
        request, rectification, form, form_name="verify_form",
        service=services.verify_rectification, fields=("note",),
        done=lambda: _("Verified and closed."),
    )  # fmt: skip


# --- working-day calendar --------------------------------------------------------------------


def _year(value: str | None) -> int:
    today = timezone.localdate()
    if value and value.isdigit() and 2000 <= int(value) <= 2100:
        return int(value)
    return today.year


@role_required(*access.READERS)
def calendar(request: OnsiteRequest) -> HttpResponse:
    """The working-day calendar: a year's holidays and make-up days, whether the year is
    confirmed, and for admins the means to enter next year's notice."""
    year = _year(request.GET.get("year"))
    editable = access.can_edit_calendar(request.user)
    form = CalendarDayForm(request.POST or None)
    if request.method == "POST":
        if not editable:
            return deny(request)
        action = request.POST.get("action", "set")
        if action == "load":
            loaded = load_from_package()
            messages.success(
                request,
                _("Loaded from the package: %(years)s")
                % {"years": ", ".join(map(str, loaded)) or "—"},
            )
            return redirect(f"{request.path}?year={year}")
        if action in {"confirm", "unconfirm"}:
            services.confirm_year(
                year=year, by=request.user, confirmed=action == "confirm", request=request
            )
            messages.success(request, _("Saved."))
            return redirect(f"{request.path}?year={year}")
        if action == "remove":
            try:
                day = datetime.date.fromisoformat(request.POST.get("day", ""))
            except ValueError:
                messages.error(request, _("Choose a date."))
            else:
                services.remove_calendar_day(day=day, by=request.user, request=request)
                messages.success(request, _("Saved."))
            return redirect(f"{request.path}?year={year}")
        if form.is_valid():
            day = form.cleaned_data["day"]
            services.set_calendar_day(
                day=day,
                is_working_day=form.cleaned_data["is_working_day"],
                name=form.cleaned_data["name"],
                by=request.user,
                request=request,
            )
            messages.success(request, _("Saved."))
            return redirect(f"{request.path}?year={day.year}")
    return render(
        request,
        "rectification/calendar.html",
        {
            "year": year,
            "row": CalendarYear.objects.filter(year=year).first(),
            "days": CalendarDay.objects.filter(day__year=year),
            "years": CalendarYear.objects.all(),
            "warning_year": coming_year_warning(),
            "editable": editable,
            "form": form,
        },
    )
