"""Pages of 差评 cases: the list (status, window, overdue), one case with its steps as
forms, and the center's deadline. Adapters only: every write is `actions.check_*` then
`actions.do_*`; a refusal raised by the move is shown in the move's form on the detail page
with the refusal's status and the `Onsite-Refusal` header."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from onsite.complaints import access, actions, queries
from onsite.complaints.forms import (
    CloseForm,
    ReviewForm,
    RevisitForm,
    SettingsForm,
    SubmitForm,
    VerifyForm,
)
from onsite.complaints.models import Complaint, ComplaintSettings
from onsite.core.access import answers_refusals, refusal_response, role_required
from onsite.core.paging import page_of
from onsite.core.refusals import Invalid, NotAllowed, NotVisible, Refusal
from onsite.core.types import OnsiteRequest
from onsite.org.models import Unit

PAGE_SIZE = 25


@role_required(*access.READERS)
def complaint_list(request: OnsiteRequest) -> HttpResponse:
    picked = queries.picked_filters(request.GET)
    rows = access.visible_complaints(request.user, request.center).select_related("unit")
    return render(
        request,
        "complaints/complaint_list.html",
        {
            "page": page_of(queries.filter_complaints(rows, picked), request, PAGE_SIZE),
            "picked": picked,
            "query": urlencode({k: v for k, v in picked.items() if v}),
            "statuses": [(queries.PENDING, _("Not closed yet")), *Complaint.Status.choices,
                         (queries.ANY_STATUS, _("All statuses"))],
            "units": Unit.objects.filter(center=request.center, kind=Unit.Kind.WINDOW)
            if access.sees_everything(request.user) else [],
            "today": timezone.localdate(),
            "can_edit_settings": access.can_edit_settings(request.user),
        },
    )  # fmt: skip


@role_required(*access.READERS)
def complaint_detail(request: OnsiteRequest, pk: int) -> HttpResponse:
    return _detail(request, access.get_complaint(request.user, request.center, pk))


def _detail(request: OnsiteRequest, complaint: Complaint, **forms: Any) -> HttpResponse:
    """The case; `forms` are the step forms to show again with their errors."""
    user, version = request.user, complaint.version
    return render(
        request,
        "complaints/complaint_detail.html",
        {
            "c": complaint,
            "history": complaint.transitions.select_related("by"),
            "is_overdue": complaint.is_overdue(),
            "can_verify": access.can_verify(user, complaint),
            "can_submit": access.can_submit(user, complaint),
            "can_review": access.can_review(user, complaint),
            "can_revisit": access.can_revisit(user, complaint),
            "verify_form": VerifyForm(version=version),
            "submit_form": SubmitForm(version=version),
            "review_form": ReviewForm(version=version),
            "revisit_form": RevisitForm(version=version),
            "close_form": CloseForm(version=version),
            **forms,
        },
    )


def _step(
    request: OnsiteRequest,
    complaint: Complaint,
    form: Any,
    *,
    form_name: str,
    do: Callable[..., Complaint],
    fields: Callable[[dict[str, Any]], dict[str, Any]],
    done: str,
) -> HttpResponse:
    """One step from the detail page: `do` gets `fields(cleaned_data)` with the version and
    submission key; a refusal shows the detail page with the form and its error."""
    refusal: Refusal
    if form.is_valid():
        data = form.cleaned_data
        try:
            do(complaint=complaint, by=request.user, expected_version=data["row_version"],
               submission_key=data["submission_key"], request=request, **fields(data))  # fmt: skip
        except Refusal as refused:
            form.add_error(None, str(refused.message))
            refusal = refused
        else:
            messages.success(request, done)
            return redirect("complaints:complaint-detail", complaint.pk)
    else:
        refusal = Invalid()
    if isinstance(refusal, NotAllowed | NotVisible):
        return refusal_response(request, refusal)
    complaint.refresh_from_db()
    response = _detail(request, complaint, **{form_name: form})
    response.status_code = refusal.status
    response["Onsite-Refusal"] = refusal.code
    return response


@role_required(*access.WRITERS, write=True)
@require_POST
@answers_refusals
def complaint_verify(request: OnsiteRequest, pk: int) -> HttpResponse:
    complaint = access.get_complaint(request.user, request.center, pk)
    actions.check_verify(request.user, complaint)
    return _step(
        request, complaint, VerifyForm(request.POST, version=complaint.version),
        form_name="verify_form", do=actions.do_verify,
        fields=lambda d: {"findings": d["findings"]}, done=_("Verified."),
    )  # fmt: skip


@role_required(*access.WRITERS, write=True)
@require_POST
@answers_refusals
def complaint_submit(request: OnsiteRequest, pk: int) -> HttpResponse:
    complaint = access.get_complaint(request.user, request.center, pk)
    actions.check_submit(request.user, complaint)
    return _step(
        request, complaint, SubmitForm(request.POST, version=complaint.version),
        form_name="submit_form", do=actions.do_submit,
        fields=lambda d: {"outcome": d["outcome"], "action": d["action"]},
        done=_("Handed in for review."),
    )  # fmt: skip


@role_required(*access.REVIEWERS, write=True)
@require_POST
@answers_refusals
def complaint_review(request: OnsiteRequest, pk: int) -> HttpResponse:
    complaint = access.get_complaint(request.user, request.center, pk)
    actions.check_review(request.user, complaint)
    return _step(
        request, complaint, ReviewForm(request.POST, version=complaint.version),
        form_name="review_form", do=actions.do_review,
        fields=lambda d: {"approve": d["decision"] == "approve", "note": d["note"]},
        done=_("Review saved."),
    )  # fmt: skip


@role_required(*access.REVIEWERS, write=True)
@require_POST
@answers_refusals
def complaint_revisit(request: OnsiteRequest, pk: int) -> HttpResponse:
    complaint = access.get_complaint(request.user, request.center, pk)
    actions.check_revisit(request.user, complaint)
    return _step(
        request, complaint, RevisitForm(request.POST, version=complaint.version),
        form_name="revisit_form", do=actions.do_revisit,
        fields=lambda d: {"satisfied": d["satisfied"], "note": d["note"]},
        done=_("Follow-up call recorded."),
    )  # fmt: skip


@role_required(*access.REVIEWERS, write=True)
@require_POST
@answers_refusals
def complaint_close(request: OnsiteRequest, pk: int) -> HttpResponse:
    complaint = access.get_complaint(request.user, request.center, pk)
    actions.check_close(request.user, complaint)
    return _step(
        request, complaint, CloseForm(request.POST, version=complaint.version),
        form_name="close_form", do=actions.do_close,
        fields=lambda d: {"note": d["note"]}, done=_("Case closed."),
    )  # fmt: skip


@role_required(*access.SETTINGS_EDITORS)
@answers_refusals
def complaint_settings(request: OnsiteRequest) -> HttpResponse:
    """The center's deadline for a case, in working days (new cases count with it)."""
    center = request.center
    if center is None:  # role_required admits only people attached to a center
        raise Http404
    row = ComplaintSettings.for_center(center)
    form = SettingsForm(request.POST or None,
                        initial={"due_days": row.due_days, "row_version": row.version})  # fmt: skip
    if request.method == "POST":
        actions.check_edit_settings(request.user)
        if form.is_valid():
            actions.do_update_settings(
                center=center, by=request.user, due_days=form.cleaned_data["due_days"],
                expected_version=form.cleaned_data["row_version"], request=request,
            )  # fmt: skip
            messages.success(request, _("Saved."))
            return redirect("complaints:complaint-list")
    return render(request, "complaints/settings.html", {"form": form, "row": row})
