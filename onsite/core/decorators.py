from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar, cast

from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from onsite.audit.models import Outcome
from onsite.audit.services import record_event

View = TypeVar("View", bound=Callable[..., HttpResponse])


def refuse(request: HttpRequest) -> HttpResponse:
    """The one refusal of a page: an `access.denied` audit row and the 403 page. A response,
    not an exception: ATOMIC_REQUESTS would roll the audit row back."""
    record_event(
        request,
        action="access.denied",
        outcome=Outcome.DENIED,
        detail={"path": request.path[:200], "method": request.method},
    )
    return render(request, "403.html", status=403)


def role_required(*roles: str, write: bool = False) -> Callable[[View], View]:
    """Signed in, attached to a center, and holding one of `roles`. A cross-center viewer
    passes read-only views that list Role.VIEWER and never a `write` view."""

    # 三权分立: the auditor reads the audit trail and nothing else, whatever a view lists.
    admitted = frozenset(roles) if set(roles) == {"auditor"} else frozenset(roles) - {"auditor"}

    def decorator(view: View) -> View:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            user = request.user
            if not user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            allowed = user.has_role(*admitted) and getattr(request, "center", None) is not None
            if allowed and write and user.is_cross_center_viewer:
                allowed = False
            if not allowed:
                return refuse(request)
            return view(request, *args, **kwargs)

        # Read by the authorization matrix test (onsite/core/policy.py is the declared side).
        wrapped.allowed_roles = admitted  # type: ignore[attr-defined]
        wrapped.write_only = write  # type: ignore[attr-defined]
        return cast(View, wrapped)

    return decorator
