"""Session limits and forced password changes, checked on every request after
authentication (before the center is picked)."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from onsite.accounts.models import User
from onsite.accounts.services import AUTH_AT, LAST_SEEN, LOGOUT_REASON, SSO_SESSION, idle_limit
from onsite.audit.services import record_event

Handler = Callable[[HttpRequest], HttpResponse]
# Refresh the idle stamp at most this often, so a page with many requests writes once.
TOUCH_EVERY = 30


def session_security_middleware(get_response: Handler) -> Handler:
    """Ends a session after the idle limit (shorter for admin roles) or the absolute limit,
    and keeps a user whose password is temporary or expired on the change-password page."""

    def middleware(request: HttpRequest) -> HttpResponse:
        user = request.user
        if user.is_authenticated and hasattr(request, "session"):
            assert isinstance(user, User)  # noqa: S101 - narrows the type for mypy
            reason = _expired(request, user)
            if reason:
                record_event(
                    request,
                    action="auth.session_expired",
                    obj=user,
                    actor=user,
                    center=user.center,
                    detail={"reason": reason},
                )
                logout(request)
                request.session[LOGOUT_REASON] = reason
                if _is_htmx(request):  # a fragment request: send the whole page to sign-in
                    page = urlsplit(request.headers.get("HX-Current-URL", "/")).path or "/"
                    login_url = reverse("accounts:login")
                    return _htmx_redirect(f"{login_url}?{urlencode({'next': page})}")
            elif (
                user.needs_password_change
                # Signed in through the identity service: its password is not ours to age.
                and SSO_SESSION not in request.session
                and not _exempt(request.path)
            ):
                return _to_password_change(request)
        return get_response(request)

    return middleware


def keep_new_session_cookie_middleware(get_response: Handler) -> Handler:
    """Stands outside Django's SessionMiddleware. A page's background request (the service
    worker's, a poll) may leave with the session cookie the browser held a moment before a
    password change replaced that session; Django finds it stale and answers by deleting the
    cookie, and arriving after the change's answer, the deletion signed the person out of
    their new session. A GET never has to delete the cookie: the session it named is gone on
    the server either way, and signing out is a POST."""
    name = settings.SESSION_COOKIE_NAME

    def middleware(request: HttpRequest) -> HttpResponse:
        response = get_response(request)
        morsel = response.cookies.get(name)
        if (
            request.method in {"GET", "HEAD"}
            and morsel is not None
            and not morsel.value
            and name in request.COOKIES
        ):
            del response.cookies[name]
        return response

    return middleware


def _expired(request: HttpRequest, user: User) -> str:
    now = timezone.now().timestamp()
    session = request.session
    auth_at = session.setdefault(AUTH_AT, now)
    last_seen = session.get(LAST_SEEN, now)
    if now - last_seen > idle_limit(user):
        return "idle"
    if now - auth_at > settings.SESSION_ABSOLUTE_SECONDS:
        return "absolute"
    if LAST_SEEN not in session or now - last_seen >= TOUCH_EVERY:
        session[LAST_SEEN] = now
    return ""


def _exempt(path: str) -> bool:
    allowed = (
        reverse("accounts:password-change"),
        reverse("accounts:logout"),
        "/i18n/",
        str(settings.STATIC_URL),
        "/healthz",
        # The phone app shell holds nothing of the person; a redirect would stop the browser
        # from installing the service worker at all.
        reverse("site:service-worker"),
        reverse("site:manifest"),
        reverse("site:offline"),
        "/favicon.ico",
    )
    return path.startswith(allowed)


def _to_password_change(request: HttpRequest) -> HttpResponse:
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": _("Change your password before going on.")}, status=403)
    target = f"{reverse('accounts:password-change')}?{urlencode({'next': request.get_full_path()})}"
    if _is_htmx(request):
        return _htmx_redirect(target)
    return redirect(target)


def _is_htmx(request: HttpRequest) -> bool:
    # django-htmx's request.htmx is set by a later middleware; read the header directly.
    return request.headers.get("HX-Request") == "true"


def _htmx_redirect(target: str) -> HttpResponse:
    response = HttpResponse(status=204)
    response["HX-Redirect"] = target
    return response
