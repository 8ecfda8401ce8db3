from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from onsite.core.paging import page_of
from onsite.core.types import OnsiteRequest
from onsite.notifications import actions
from onsite.notifications.models import Notification


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
