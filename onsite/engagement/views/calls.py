"""Calls for slogans and proposals (征集活动): the office opens one with a deadline, the
invited submit to it until then, the office reviews the entries as any suggestion."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from onsite.core.access import answers_refusals, role_required
from onsite.core.types import OnsiteRequest
from onsite.engagement import actions, services
from onsite.engagement.access import (
    EDITORS,
    EVERYONE,
    calls_for,
    can_edit,
    can_review,
    get_call,
    suggestions_for,
)
from onsite.engagement.forms import CallForm
from onsite.surveys.pages import attempt, form_page


@role_required(*EVERYONE)
def call_list(request: OnsiteRequest) -> HttpResponse:
    calls = list(calls_for(request.center)[:100])
    return render(
        request,
        "engagement/call_list.html",
        {"calls": calls, "can_open": can_edit(request.user)},
    )


@role_required(*EDITORS, write=True)
@answers_refusals
def call_create(request: OnsiteRequest) -> HttpResponse:
    center = request.center
    assert center is not None  # noqa: S101
    actions.check_open_call(request.user)
    form = CallForm(request.POST or None, center=center)
    refusal = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        call, refusal = attempt(request, lambda: actions.do_open_call(
            center=center, by=request.user, kind=data["kind"], title=data["title"],
            body=data["body"], deadline=data["deadline"], units=list(data["units"]),
            submission_key=data["submission_key"], request=request,
        ), form=form)  # fmt: skip
        if call is not None:
            messages.success(request, _("The call is open and posted on the board."))
            return redirect("engagement:call-detail", pk=call.pk)
    return form_page(request, "engagement/call_form.html", {"form": form}, refusal)


@role_required(*EVERYONE)
def call_detail(request: OnsiteRequest, pk: int) -> HttpResponse:
    call = get_call(request.center, pk)
    user = request.user
    entries = suggestions_for(user, request.center).filter(call=call)
    if not can_review(user):
        # Entries are the reviewers'; a participant sees their own.
        entries = entries.filter(author=user)
    return render(
        request,
        "engagement/call_detail.html",
        {
            "call": call,
            "entries": list(entries.order_by("-created_at", "-pk")),
            "is_closed": call.is_closed(),
            "can_submit": not user.is_cross_center_viewer
            and services.is_invited_to_call(call, user),
            "can_review": can_review(user),
        },
    )
