from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from onsite.core.access import answers_refusals, check_roles, role_required
from onsite.core.paging import page_of
from onsite.core.refusals import Conflict, Invalid
from onsite.core.roles import Role
from onsite.core.types import OnsiteRequest
from onsite.notifications import actions
from onsite.notifications.forms import WorkChatForm
from onsite.notifications.models import Channel, ChatDelivery, Notification, WorkChatSettings


@login_required
def notification_list(request: OnsiteRequest) -> HttpResponse:
    notifications = Notification.objects.filter(user=request.user, center=request.center)
    page = page_of(notifications, request, 30)
    return render(request, "notifications/notification_list.html", {"page": page})


@login_required
@require_POST
def notification_open(request: OnsiteRequest, pk: int) -> HttpResponse:
    """Marks one notification read and follows its link."""
    notification = actions.do_open(request.user, pk)
    if notification is None:
        return redirect("notifications:notification-list")
    target = notification.url or "/"
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = "/"
    return redirect(target)


@login_required
@require_POST
def notification_read_all(request: OnsiteRequest) -> HttpResponse:
    actions.do_read_all(request.user)
    return redirect("notifications:notification-list")


# --- work-chat settings ----------------------------------------------------------------------


@role_required(Role.ADMIN, write=True)
@answers_refusals
def work_chat(request: OnsiteRequest) -> HttpResponse:
    center = check_roles(request, actions.CHAT_EDITORS, write=True)
    actions.check_edit_chat(request.user)
    current = actions.chat_settings(center)
    form = WorkChatForm(request.POST or None, instance=current)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            actions.do_update_chat(
                center=center, by=request.user, data=form.cleaned_data,
                expected_version=form.cleaned_data.get("row_version") or 0,
                request=request,
            )  # fmt: skip
        except (Conflict, Invalid) as refusal:
            form.add_error(None, str(refusal.message))
            status = refusal.status
        else:
            messages.success(request, _("Saved."))
            return redirect("notifications:work-chat")
    elif request.method == "POST":
        status = 422
    return _work_chat_page(request, form, current, status=status)


@role_required(Role.ADMIN, write=True)
@require_POST
@answers_refusals
def work_chat_test(request: OnsiteRequest) -> HttpResponse:
    center = check_roles(request, actions.CHAT_EDITORS, write=True)
    try:
        outcomes = actions.do_send_test(center=center, by=request.user, request=request)
    except Invalid as refusal:
        messages.error(request, str(refusal.message))
        return redirect("notifications:work-chat")
    for outcome in outcomes:
        where = f"{Channel(outcome.channel).label} · {ChatDelivery.Target(outcome.target).label}"
        if outcome.error:
            messages.error(request, _("%(where)s: not sent (%(error)s).")
                           % {"where": where, "error": outcome.error})  # fmt: skip
        else:
            messages.success(request, _("%(where)s: sent.") % {"where": where})
    return redirect("notifications:work-chat")


def _work_chat_page(
    request: OnsiteRequest, form: WorkChatForm, current: WorkChatSettings, *, status: int = 200
) -> HttpResponse:
    center = check_roles(request, actions.CHAT_EDITORS, write=True)
    return render(
        request,
        "notifications/work_chat.html",
        {
            "form": form,
            "settings": current,
            "failures": actions.recent_failures(center),
            "site_url": getattr(settings, "SITE_URL", ""),
        },
        status=status,
    )
