"""The kernel's own pages: the health check, the center a cross-center viewer reads, and the
error pages."""

from __future__ import annotations

from django.db import connection, transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from onsite.core import replica
from onsite.core.access import public, signed_in
from onsite.core.middleware import CENTER_SESSION_KEY
from onsite.core.models import visible_centers
from onsite.core.types import OnsiteRequest


@signed_in
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


@public
@transaction.non_atomic_requests  # must answer even when a transaction cannot start
@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """For load balancers: 200 when the database answers, 503 when it does not. With a read
    replica it also says whether the replica is used (a replica that lags or is down is
    not a failure of this server: its reads go to the primary)."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:
        return JsonResponse(
            {"status": "error", "database": "unavailable", "error": type(exc).__name__},
            status=503,
        )
    body: dict[str, object] = {"status": "ok", "database": "ok", "vendor": connection.vendor}
    if replica.configured():
        found = replica.health()
        body["replica"] = found.state  # ok, lagging or unavailable: reads then use the primary
        body["replica_lag_seconds"] = found.lag
    return JsonResponse(body)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    return render(request, "403_csrf.html", status=403)


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "404.html", status=404)


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "403.html", status=403)


def server_error(request: HttpRequest) -> HttpResponse:
    return render(request, "500.html", status=500)
