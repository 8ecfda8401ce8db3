"""The authorization policy: for every page, who may open it. It is not written here: each
page declares its roles once, on its view (`role_required`, `signed_in` or `public` in
onsite/core/access.py), and this module reads those declarations back from the URLconf. The
menus (onsite/site/navigation.py) and the in-page links (`may_open`) follow it, and
onsite/site/tests/test_authz_matrix.py walks every URL as every role and fails when a page
answers otherwise than it declares, or declares nothing.

The JSON API (/api/v1/) is not listed: every operation there needs a signed-in user or a
token (401 otherwise), scopes to the caller's center, and is fuzzed by schemathesis."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from typing import Any

from django.urls import URLPattern, URLResolver, get_resolver

from onsite.core import access


@dataclass(frozen=True)
class Access:
    roles: frozenset[str] | None  # None: any signed-in user (or anyone, when public)
    write: bool = False  # a cross-center viewer is refused even with a listed role
    public: bool = False  # no sign-in needed
    # Listed roles pass the gate, then see only their own objects (e.g. zones they own).
    own: bool = False


PUBLIC = Access(roles=None, public=True)
SIGNED_IN = Access(roles=None)

# Routes outside the matrix: Django's admin (superusers only, its own auth) and the API.
EXCLUDED_PREFIXES = ("django-admin/", "api/v1/")

# Pages whose view carries no declaration, each with why. A view of ours that gains a
# `signed_in` or `public` declaration leaves this table (the matrix test says so).
UNDECLARED: dict[str, tuple[Access, str]] = {
    "set_language": (PUBLIC, "Django's view: the language is chosen before signing in"),
    "accounts:login": (PUBLIC, "the sign-in page (accounts/views.py, not yet declared)"),
    "accounts:login-verify": (
        SIGNED_IN,
        "second step of signing in; without a pending sign-in it sends you to the first",
    ),
    "accounts:login-enrol": (SIGNED_IN, "second step of signing in, as login-verify"),
    "accounts:logout": (SIGNED_IN, "one's own session (accounts/views.py, not yet declared)"),
    "accounts:password-change": (SIGNED_IN, "one's own password (not yet declared)"),
    "accounts:profile": (SIGNED_IN, "one's own profile (not yet declared)"),
    "accounts:two-factor": (SIGNED_IN, "one's own second factor (not yet declared)"),
    "accounts:token-revoke": (SIGNED_IN, "one's own API tokens (not yet declared)"),
    "notifications:notification-list": (SIGNED_IN, "one's own notifications (not yet declared)"),
    "notifications:notification-open": (SIGNED_IN, "one's own notifications (not yet declared)"),
    "notifications:notification-read-all": (SIGNED_IN, "one's own (not yet declared)"),
}

# Pages where a listed role passes the gate and may then be refused (403) for what is not
# its own; the matrix accepts that 403 from an admitted role. Each with why.
OWN: dict[str, str] = {
    "standards:filing-new": "only a zone's owner files items, for the zones they own",
}


def walk_urls() -> Iterator[tuple[str, str, Callable[..., Any]]]:
    """(route, namespaced name, view) for every page in the URLconf."""

    def walk(
        patterns: list[Any], prefix: str, namespace: str | None
    ) -> Iterator[tuple[str, str, Callable[..., Any]]]:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                inner = pattern.namespace
                joined = f"{namespace}:{inner}" if namespace and inner else (inner or namespace)
                yield from walk(pattern.url_patterns, prefix + str(pattern.pattern), joined)
            elif isinstance(pattern, URLPattern):
                route = prefix + str(pattern.pattern)
                if route.startswith(EXCLUDED_PREFIXES):
                    continue
                name = f"{namespace}:{pattern.name}" if namespace else str(pattern.name)
                yield route, name, pattern.callback

    yield from walk(get_resolver().url_patterns, "", None)


def declared_access(view: Callable[..., Any]) -> Access | None:
    """What the view's own decorator declares, or None when it declares nothing."""
    roles = getattr(view, "allowed_roles", None)
    if roles is not None:
        return Access(roles=frozenset(roles), write=bool(getattr(view, "write_only", False)))
    audience = getattr(view, "audience", None)
    if audience == access.PUBLIC:
        return PUBLIC
    if audience == access.SIGNED_IN:
        return SIGNED_IN
    return None


@functools.cache
def policy() -> dict[str, Access]:
    """Every page's access by URL name. A page that declares nothing and is not among the
    exceptions is left out: the matrix test names it."""
    table: dict[str, Access] = {}
    for _route, name, view in walk_urls():
        found = declared_access(view)
        if found is None and name in UNDECLARED:
            found = UNDECLARED[name][0]
        if found is None:
            continue
        table[name] = replace(found, own=True) if name in OWN else found
    return table
