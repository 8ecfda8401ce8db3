"""Pages of rectification: the list (mine, overdue, by status), one rectification with its
before/after photos side by side and its history, the moves (submit, return, verify,
reassign), and the working-day calendar for admins.

Adapters only: every write is `actions.check_*` then `actions.do_*`. A refusal raised by a
check is the refusal page; one raised by the move is shown in the move's form on the detail
page, with the refusal's status and the `Onsite-Refusal` header."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from onsite.core.access import answers_refusals, refusal_response, role_required
from onsite.core.offline import kept_offline
from onsite.core.paging import page_of
from onsite.core.refusals import Invalid, NotAllowed, NotVisible, Refusal
from onsite.core.sorting import SortKeys, by_choices, sort_rows
from onsite.core.types import OnsiteRequest
from onsite.inspections.access import can_improve
from onsite.inspections.models import Severity
from onsite.inspections.photos import photo_response
from onsite.rectification import access, actions, queries, services
from onsite.rectification.calendar import coming_year_warning
from onsite.rectification.forms import (
    CalendarDayForm,
    PhotoForm,
    ReassignForm,
    ReturnForm,
    SubmitForm,
    VerifyForm,
)
from onsite.rectification.models import CalendarDay, CalendarYear, Rectification
from onsite.rectification.queries import ANY_STATUS, PENDING, STATUS_ORDER

PAGE_SIZE = 25
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
    picked = queries.picked_filters(request.GET)
    rows = access.listed_rectifications(
        request.user, request.center, mine=picked["mine"] == "1"
    ).select_related("zone", "assignee", "finding")
    rows, sort = sort_rows(queries.filter_rectifications(rows, picked), request, keys=SORTS)
    editor = access.can_edit_calendar(request.user)
    return render(
        request,
        "rectification/rectification_list.html",
        {
            "page": page_of(rows, request, PAGE_SIZE),
            "sort": sort,
            "sort_columns": [("due", _("Due date")), ("status", _("Status")),
                             ("severity", _("Severity")), ("zone", _("Zone"))],
            "picked": picked,
            "query": urlencode({k: v for k, v in picked.items() if v}),
            "statuses": [(PENDING, _("Not closed yet")), *Rectification.Status.choices,
                         (ANY_STATUS, _("All statuses"))],
            "today": timezone.localdate(),
            "can_improve": can_improve(request.user),
            "calendar_warning": coming_year_warning() if editor else None,
        },
    )  # fmt: skip


@kept_offline
@role_required(*access.READERS)
def rectification_detail(request: OnsiteRequest, pk: int) -> HttpResponse:
    rectification = access.get_rectification(request.user, request.center, pk)
    return _detail(request, rectification)


def _detail(request: OnsiteRequest, rectification: Rectification, **forms: Any) -> HttpResponse:
    """The detail page; `forms` are the move forms to show again with their errors."""
    version = rectification.version
    user = request.user
    reassign = access.can_reassign(user, rectification)
    people = services.reassignable_people(rectification) if reassign else []
    note = request.session.get(_draft(rectification), "")
    return render(
        request,
        "rectification/rectification_detail.html",
        {
            "r": rectification,
            "finding": rectification.finding,
            **queries.photos_by_attempt(rectification),
            "history": rectification.transitions.select_related("by"),
            "is_overdue": rectification.is_overdue(),
            "can_fix": access.can_fix(user, rectification),
            "can_verify": access.can_verify(user, rectification),
            "submit_form": SubmitForm(version=version, initial={"note": note}),
            "return_form": ReturnForm(version=version),
            "verify_form": VerifyForm(version=version),
            "reassign_form": ReassignForm(version=version, people=people) if reassign else None,
            "photo_form": PhotoForm(),
            "fix_now": rectification.severity == Severity.FIX_NOW,
            **forms,
        },
    )


def _draft(rectification: Rectification) -> str:
    """The session key of the note typed for a hand-in that is not sent yet."""
    return f"rectification.note.{rectification.pk}"


def _refused(
    request: OnsiteRequest, rectification: Rectification, refusal: Refusal, **forms: Any
) -> HttpResponse:
    """The detail page again with the refused move's form: the refusal's status and code."""
    if isinstance(refusal, NotAllowed | NotVisible):
        return refusal_response(request, refusal)
    rectification.refresh_from_db()
    response = _detail(request, rectification, **forms)
    response.status_code = refusal.status
    response["Onsite-Refusal"] = refusal.code
    return response


def _add_photos(request: OnsiteRequest, rectification: Rectification) -> Refusal | None:
    """Adds the posted after-photos; the first refusal, if any."""
    uploads = request.FILES.getlist("photo")
    if not uploads:
        return Invalid(_("Choose a photo to upload."))
    try:
        for upload in uploads:
            actions.do_add_photo(
                rectification=rectification, by=request.user, upload=upload, request=request
            )
    except Refusal as refusal:
        return refusal
    return None


@role_required(*access.WRITERS, write=True)
@require_POST
@answers_refusals
def photo_upload(request: OnsiteRequest, pk: int) -> HttpResponse:
    """Adds after-photos. The hand-in's note comes along and is kept for the page (without
    JavaScript the page reloads); htmx gets the photo strip only, uploaded in place."""
    rectification = access.get_rectification(request.user, request.center, pk)
    actions.check_add_photo(request.user, rectification)
    if "note" in request.POST:
        request.session[_draft(rectification)] = request.POST["note"][:2000]
    refusal = _add_photos(request, rectification)
    if request.htmx:
        after = rectification.photos.filter(attempt=rectification.times_returned + 1)
        response = render(
            request,
            "rectification/rectification_detail.html#after-photos",
            {"r": rectification, "after_now": after, "can_fix": True,
             "photo_error": refusal.message if refusal else None},
        )  # fmt: skip
    else:
        messages.add_message(
            request, messages.ERROR if refusal else messages.SUCCESS,
            str(refusal.message) if refusal else _("Photo saved."),
        )  # fmt: skip
        response = redirect("rectification:rectification-detail", rectification.pk)
    if refusal:
        response["Onsite-Refusal"] = refusal.code
    return response


@role_required(*access.WRITERS, write=True)
@require_POST
@answers_refusals
def photo_delete(request: OnsiteRequest, pk: int) -> HttpResponse:
    photo = access.get_photo(request.user, request.center, pk)
    actions.check_remove_photo(request.user, photo)
    actions.do_remove_photo(photo=photo, by=request.user, request=request)
    return redirect("rectification:rectification-detail", photo.rectification_id)


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
    do: Callable[..., Rectification],
    fields: tuple[str, ...],
    done: Callable[[], str],
) -> HttpResponse:
    """One move from the detail page: `do` gets the form's `fields` with the version and
    submission key; on success the page says `done()`, on a refusal the detail page shows
    the form with its error."""
    if not form.is_valid():
        return _refused(request, rectification, Invalid(), **{form_name: form})
    data = form.cleaned_data
    try:
        do(
            rectification=rectification,
            by=request.user,
            expected_version=data["row_version"],
            submission_key=data["submission_key"],
            request=request,
            **{name: data[name] for name in fields},
        )
    except Refusal as refusal:
        form.add_error(None, str(refusal.message))
        return _refused(request, rectification, refusal, **{form_name: form})
    messages.success(request, done())
    return redirect("rectification:rectification-detail", rectification.pk)


@role_required(*access.WRITERS, write=True)
@require_POST
@answers_refusals
def rectification_submit(request: OnsiteRequest, pk: int) -> HttpResponse:
    rectification = access.get_rectification(request.user, request.center, pk)
    actions.check_submit(request.user, rectification)
    form = SubmitForm(request.POST, version=rectification.version)
    # Photos chosen but not uploaded yet (no JavaScript) go with the hand-in.
    if request.FILES.getlist("photo") and access.can_fix(request.user, rectification):
        refusal = _add_photos(request, rectification)
        if refusal:
            form.is_valid()
            form.add_error(None, str(refusal.message))
            return _refused(request, rectification, refusal, submit_form=form)
    response = _move(
        request, rectification, form, form_name="submit_form", do=actions.do_submit,
        fields=("note",), done=lambda: _("Submitted for verification."),
    )  # fmt: skip
    if response.status_code == 302:
        request.session.pop(_draft(rectification), None)
    return response


@role_required(*access.WRITERS, write=True)
@require_POST
@answers_refusals
def rectification_return(request: OnsiteRequest, pk: int) -> HttpResponse:
    rectification = access.get_rectification(request.user, request.center, pk)
    actions.check_return(request.user, rectification)
    form = ReturnForm(request.POST, version=rectification.version)
    return _move(
        request, rectification, form, form_name="return_form", do=actions.do_return,
        fields=("reason",), done=lambda: _("Returned to the zone owner."),
    )  # fmt: skip


@role_required(*access.VERIFIERS, write=True)
@require_POST
@answers_refusals
def rectification_reassign(request: OnsiteRequest, pk: int) -> HttpResponse:
    rectification = access.get_rectification(request.user, request.center, pk)
    actions.check_reassign(request.user, rectification)
    people = services.reassignable_people(rectification)
    form = ReassignForm(request.POST, version=rectification.version, people=people)
    return _move(
        request, rectification, form, form_name="reassign_form", do=actions.do_reassign,
        fields=("to", "reason"),
        done=lambda: _("Handed to %(person)s.") % {"person": rectification.assignee},
    )  # fmt: skip


@role_required(*access.WRITERS, write=True)
@require_POST
@answers_refusals
def rectification_verify(request: OnsiteRequest, pk: int) -> HttpResponse:
    rectification = access.get_rectification(request.user, request.center, pk)
    actions.check_verify(request.user, rectification)
    form = VerifyForm(request.POST, version=rectification.version)
    return _move(
        request, rectification, form, form_name="verify_form", do=actions.do_verify,
        fields=("note",), done=lambda: _("Verified and closed."),
    )  # fmt: skip


# --- working-day calendar --------------------------------------------------------------------


def _year(value: str | None) -> int:
    if value and value.isdigit() and 2000 <= int(value) <= 2100:
        return int(value)
    return timezone.localdate().year


@role_required(*access.READERS)
@answers_refusals
def calendar(request: OnsiteRequest) -> HttpResponse:
    """The working-day calendar: a year's holidays and make-up days, whether the year is
    confirmed, and for admins the means to enter next year's notice."""
    year = _year(request.GET.get("year"))
    form = CalendarDayForm(request.POST or None)
    if request.method == "POST":
        actions.check_edit_calendar(request.user)
        done = _calendar_post(request, form, year)
        if done is not None:
            if done[1]:
                messages.success(request, done[1])
            return redirect(f"{request.path}?year={done[0]}")
    return render(
        request,
        "rectification/calendar.html",
        {
            "year": year,
            "row": CalendarYear.objects.filter(year=year).first(),
            "days": CalendarDay.objects.filter(day__year=year),
            "years": CalendarYear.objects.all(),
            "warning_year": coming_year_warning(),
            "editable": access.can_edit_calendar(request.user),
            "form": form,
        },
    )


def _calendar_post(
    request: OnsiteRequest, form: CalendarDayForm, year: int
) -> tuple[int, str] | None:
    """One edit of the calendar by its action; the year to show and what to say, or None to
    show the form's errors."""
    action, by = request.POST.get("action", "set"), request.user
    if action == "load":
        loaded = ", ".join(map(str, actions.do_load_calendar())) or "—"
        return year, _("Loaded from the package: %(years)s") % {"years": loaded}
    if action in {"confirm", "unconfirm"}:
        actions.do_confirm_year(year=year, by=by, confirmed=action == "confirm", request=request)
        return year, _("Saved.")
    if action == "remove":
        try:
            day = datetime.date.fromisoformat(request.POST.get("day", ""))
        except ValueError:
            messages.error(request, _("Choose a date."))
            return year, ""
        actions.do_remove_calendar_day(day=day, by=by, request=request)
        return year, _("Saved.")
    if not form.is_valid():
        return None
    data = form.cleaned_data
    actions.do_set_calendar_day(
        day=data["day"], is_working_day=data["is_working_day"], name=data["name"], by=by,
        request=request,
    )  # fmt: skip
    return data["day"].year, _("Saved.")
