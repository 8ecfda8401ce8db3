from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.db import connection, transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from onsite.accounts.models import Role
from onsite.core import queries
from onsite.core.middleware import CENTER_SESSION_KEY
from onsite.core.models import visible_centers
from onsite.core.setup import setup_checklist
from onsite.core.types import OnsiteRequest

HOME_TEMPLATES = {
    Role.ADMIN: "core/home_admin.html",
    Role.LEADER: "core/home_leader.html",
    Role.OFFICE: "core/home_leader.html",
    Role.SUPERVISOR: "core/home_supervisor.html",
    Role.GROUP_LEADER: "core/home_group.html",
    Role.MEMBER: "core/home_group.html",
    Role.STAFF: "core/home_staff.html",
    Role.SYSADMIN: "accounts/home_security.html",
    Role.SECADMIN: "accounts/home_security.html",
    Role.AUDITOR: "core/home_auditor.html",
    Role.VIEWER: "core/home_viewer.html",
}


@login_required
def home(request: OnsiteRequest) -> HttpResponse:
    """Each role lands on its own home page: what that person has to do first."""
    role = request.user.primary_role
    if role is None or request.center is None:
        return render(request, "core/home_none.html")
    context: dict[str, Any] = {"role": role, "role_label": Role(role).label}
    context.update(queries.home_summary(center=request.center, user=request.user, role=role))
    if role == Role.VIEWER:
        context["viewer_centers"] = visible_centers(request.user)
    if role == Role.ADMIN:
        context["setup"] = setup_checklist(request.center)
    return render(request, HOME_TEMPLATES[Role(role)], context)


@login_required
@require_POST
def center_switch(request: OnsiteRequest) -> HttpResponse:
    """A cross-center viewer picks which of their centers to read."""
    picked = request.POST.get("center", "")
    center = visible_centers(request.user).filter(pk=picked).first() if picked.isdigit() else None
    if center is not None:
        request.session[CENTER_SESSION_KEY] = center.pk
    target = request.POST.get("next", "/")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = "/"
    return redirect(target)


@transaction.non_atomic_requests  # must answer even when a transaction cannot start
@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """For load balancers: 200 when the database answers, 503 when it does not."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:
        return JsonResponse(
            {"status": "error", "database": "unavailable", "error": type(exc).__name__},
            status=503,
        )
    return JsonResponse({"status": "ok", "database": "ok", "vendor": connection.vendor})


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    return render(request, "403_csrf.html", status=403)


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "404.html", status=404)


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "403.html", status=403)


def server_error(request: HttpRequest) -> HttpResponse:
    return render(request, "500.html", status=500)
