"""Security headers and the strict CSP on every page, and the client address behind a proxy."""

import re

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from onsite.core.tests.factories import UserFactory


def plain_paths(patterns=None, prefix=""):
    """Every URL without parameters (what a GET can reach without knowing an object)."""
    for entry in get_resolver().url_patterns if patterns is None else patterns:
        route = str(entry.pattern)
        if "<" in route or route.startswith("^") or "(?P" in route:
            continue
        if isinstance(entry, URLResolver):
            if route.startswith("django-admin"):
                continue
            yield from plain_paths(entry.url_patterns, prefix + route)
        elif isinstance(entry, URLPattern):
            yield "/" + prefix + route


PATHS = sorted(set(plain_paths()))


def assert_safe_headers(response, path):
    csp = response.get("Content-Security-Policy", "")
    directives = {}
    for part in csp.split(";"):
        name, _space, value = part.strip().partition(" ")
        directives[name] = value
    assert directives.get("default-src") == "'self'", f"{path}: {csp}"
    # A nonce appears only when a page used one; either way nothing inline runs without it.
    assert re.fullmatch(r"'self'( 'nonce-[\w+/=-]+')?", directives.get("script-src", "")), path
    assert directives.get("object-src") == "'none'", path
    assert directives.get("frame-ancestors") == "'none'", path
    assert directives.get("base-uri") == "'self'", path
    assert "unsafe-inline" not in csp
    assert "unsafe-eval" not in csp
    assert "http" not in csp, "no external origin is allowed"
    assert response["X-Content-Type-Options"] == "nosniff", path
    assert response["X-Frame-Options"] == "DENY", path
    assert response["Referrer-Policy"] == "same-origin", path
    assert response["Cross-Origin-Opener-Policy"] == "same-origin", path
    assert "geolocation=()" in response["Permissions-Policy"], path


def test_the_walk_finds_the_pages():
    assert {"/", "/accounts/login/", "/audit/", "/accounts/users/"} <= set(PATHS)


@pytest.mark.parametrize("persona", [None, "admin_user", "auditor"])
def test_every_page_carries_the_security_headers(request, center, persona):
    client = Client(raise_request_exception=False)
    if persona == "sysadmin":
        client.force_login(UserFactory(center=center, username="sys", roles=["sysadmin"]))
    elif persona:
        client.force_login(request.getfixturevalue(persona))
    for path in PATHS:
        response = client.get(path)
        assert_safe_headers(response, path)
        if persona and response.get("Content-Type", "").startswith("text/html"):
            assert "no-store" in response["Cache-Control"], f"{path} may be cached"


INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*\bnonce=)[^>]*>", re.I)
EVENT_HANDLER = re.compile(r"\son[a-z]+\s*=", re.I)
STYLE_ATTRIBUTE = re.compile(r"\sstyle\s*=", re.I)
EXTERNAL = re.compile(r"""(?:src|href|action)\s*=\s*["']?(?:https?:)?//""", re.I)


def assert_clean_html(body, path):
    assert not INLINE_SCRIPT.search(body), f"{path}: inline script"
    assert not EVENT_HANDLER.search(body), f"{path}: inline event handler"
    assert not STYLE_ATTRIBUTE.search(body), f"{path}: style attribute"
    assert not EXTERNAL.search(body), f"{path}: external origin"


PAGES_BY_PERSONA = {
    None: ["/accounts/login/"],
    "staff_user": ["/", "/accounts/profile/", "/accounts/password/", "/accounts/two-factor/"],
    "auditor": ["/", "/audit/", "/audit/?action=auth.&outcome=failure"],
    "sysadmin": ["/", "/accounts/users/", "/accounts/users/staff1/", "/no-such-page/"],
    "secadmin": ["/accounts/users/staff1/", "/audit/"],
}


@pytest.mark.parametrize("persona", PAGES_BY_PERSONA)
def test_pages_have_no_inline_script_style_or_external_origin(request, center, persona, staff_user):
    client = Client()
    if persona in {"sysadmin", "secadmin"}:
        client.force_login(UserFactory(center=center, username=persona, roles=[persona]))
    elif persona:
        client.force_login(request.getfixturevalue(persona))
    for path in PAGES_BY_PERSONA[persona]:
        response = client.get(path)
        assert response.status_code in {200, 403, 404}, path
        assert_clean_html(response.content.decode(), path)


def test_the_scan_would_catch_what_it_looks_for():
    for bad in [
        "<script>alert(1)</script>",
        '<a onclick="x()">',
        '<div style="color:red">',
        '<img src="https://cdn.example/x.png">',
        '<link href="//cdn.example/x.css">',
    ]:
        with pytest.raises(AssertionError):
            assert_clean_html(bad, "sample")
    assert_clean_html('<script src="/static/x.js"></script><script nonce="abc">1</script>', "ok")


# --- client address behind the proxy ------------------------------------------------------


@pytest.fixture
def behind_proxy(settings):
    settings.TRUSTED_PROXIES = ["127.0.0.1", "10.1.0.0/16"]


def login_failure_ip(client, **headers):
    from onsite.audit.models import AuditEvent

    client.post("/accounts/login/", {"username": "x", "password": "y"}, **headers)
    return AuditEvent.objects.filter(action="auth.login_failed").latest("seq").ip


def test_the_client_address_comes_from_a_trusted_proxy(client, db, behind_proxy):
    ip = login_failure_ip(
        client, REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="1.2.3.4, 203.0.113.9, 10.1.2.3"
    )
    assert ip == "203.0.113.9", "the right-most address no trusted proxy added"


def test_a_forged_header_from_an_untrusted_client_is_ignored(client, db, behind_proxy):
    ip = login_failure_ip(client, REMOTE_ADDR="198.51.100.7", HTTP_X_FORWARDED_FOR="10.9.9.9")
    assert ip == "198.51.100.7"


def test_garbage_in_the_header_keeps_the_proxy_address(client, db, behind_proxy):
    assert login_failure_ip(client, REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="<script>") == (
        "127.0.0.1"
    )


def test_without_trusted_proxies_the_header_means_nothing(client, db):
    ip = login_failure_ip(client, REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.9")
    assert ip == "127.0.0.1"
