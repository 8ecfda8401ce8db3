"""The one access module: who may pass, and the one audited refusal that pages and the API
share.

A page declares its roles once, with `role_required` (or `signed_in` / `public` when it names
none); the site's policy table and navigation are derived from that declaration. A domain's
`check_*` function raises a typed refusal (`onsite.core.refusals`); `refusal_response` answers
it on a page and `config/api.py` answers it on the API. A `NotAllowed` refusal sends
`access_refused`, which the audit app records as an `access.denied` row — the kernel itself
writes no audit row and imports no app."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import wraps
from typing import Any, TypeVar, cast

from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.dispatch import Signal
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from onsite.core.refusals import NotAllowed, NotVisible, Refusal

View = TypeVar("View", bound=Callable[..., HttpResponse])

# A page's declaration when it names no roles (`signed_in`, `public`), read by the site's policy.
SIGNED_IN = "signed_in"
PUBLIC = "public"

access_refused = Signal()
"""Sent with `request` and `refusal` whenever a person is refused an act (403)."""


def note_refusal(request: HttpRequest, refusal: Refusal) -> None:
    """Tells the listeners (the audit trail) about a refusal, once per refusal."""
    if isinstance(refusal, NotAllowed) and not getattr(refusal, "noted", False):
        refusal.noted = True  # type: ignore[attr-defined]
        access_refused.send(sender=type(refusal), request=request, refusal=refusal)


def refusal_response(request: HttpRequest, refusal: Refusal) -> HttpResponse:
    """A refusal as a page: 403 or 404 with the message in the user's language (any other
    refusal is 409/422 with the message). The code travels in the `Onsite-Refusal` header."""
    note_refusal(request, refusal)
    template = (
        "404.html"
        if isinstance(refusal, NotVisible)
        else "403.html"
        if isinstance(refusal, NotAllowed)
        else "refused.html"
    )
    response = render(
        request, template, {"refusal": refusal, "message": refusal.message}, status=refusal.status
    )
    response["Onsite-Refusal"] = refusal.code
    return response


def refuse(request: HttpRequest, refusal: Refusal | None = None) -> HttpResponse:
    """The one refusal of a page: an `access.denied` audit row and the 403 page. A response,
    not an exception: ATOMIC_REQUESTS would roll the audit row back."""
    return refusal_response(request, refusal or NotAllowed())


def admitted_roles(roles: Iterable[str]) -> frozenset[str]:
    # 三权分立: the auditor reads the audit trail and nothing else, whatever a caller lists.
    names = frozenset(roles)
    return names if names == {"auditor"} else names - {"auditor"}


def may(user: Any, roles: Iterable[str], *, write: bool = False) -> bool:
    """Holds one of `roles` (never the auditor unless only the auditor is listed); a write is
    never a cross-center viewer's."""
    if not getattr(user, "is_authenticated", False):
        return False
    if write and user.is_cross_center_viewer:
        return False
    return bool(user.has_role(*admitted_roles(roles)))


def check_roles(request: HttpRequest, roles: Iterable[str], *, write: bool = False) -> Any:
    """The role gate of an act: raises NotAllowed unless the caller may; returns the caller's
    center."""
    center = getattr(request, "center", None)
    if center is None or not may(request.user, roles, write=write):
        raise NotAllowed
    return center


def role_required(*roles: str, write: bool = False) -> Callable[[View], View]:
    """Signed in, attached to a center, and holding one of `roles`. A cross-center viewer
    passes read-only views that list Role.VIEWER and never a `write` view. This decorator is
    the page's declaration: the policy table and the menus read it back."""

    admitted = admitted_roles(roles)

    def decorator(view: View) -> View:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            try:
                check_roles(request, admitted, write=write)
            except Refusal as refusal:
                return refusal_response(request, refusal)
            return view(request, *args, **kwargs)

        wrapped.allowed_roles = admitted  # type: ignore[attr-defined]
        wrapped.write_only = write  # type: ignore[attr-defined]
        return cast(View, wrapped)

    return decorator


def signed_in(view: View) -> View:
    """The declaration of a page open to anyone signed in, whatever their roles (the auditor
    too): their home, their profile, their notifications."""
    wrapped = login_required(view)
    wrapped.audience = SIGNED_IN  # type: ignore[attr-defined]
    return wrapped


def public(view: View) -> View:
    """The declaration of a page open without signing in (the sign-in page, the health check)."""
    view.audience = PUBLIC  # type: ignore[attr-defined]
    return view


def answers_refusals(view: View) -> View:
    """A page adapter's guard: a refusal raised by a domain check becomes the refusal page
    (nothing of the act was written: the check runs before the write)."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except Refusal as refusal:
            return refusal_response(request, refusal)

    return cast(View, wrapped)
