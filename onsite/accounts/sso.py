"""Single sign-on: the protocol half. It sends a person to the unified identity service and
reads who came back; it never signs anyone in (the views do that through the one
`services.complete_login`, so lockout, sessions and the audit stay the same for every door).

OpenID Connect through Authlib (discovery, authorization code with PKCE S256, state, nonce and
the ID token's signature, issuer and audience); CAS 2/3 through python-cas (service ticket
validation). Which one, and how a person is matched, is configuration (docs/security.md)."""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass, field
from functools import cache
from typing import Any

import requests
from authlib.integrations.base_client import MismatchingStateError, OAuthError
from authlib.integrations.django_client import OAuth
from cas import CASClient
from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from joserfc.errors import InvalidClaimError, JoseError

OIDC = "oidc"
CAS = "cas"
NEXT_KEY = "onsite_sso_next"
# A CAS single-logout request names the ticket in SessionIndex (CAS protocol 3, SAML 2 shape).
SESSION_INDEX = re.compile(r"<samlp:SessionIndex>\s*([^<\s]{1,256})\s*</samlp:SessionIndex>")


class SsoError(Exception):
    """The identity service's answer was refused. `code` names why (audit detail and tests):
    state, nonce, token, provider, unreachable, ticket, no_value."""

    def __init__(self, code: str, detail: str = "") -> None:
        super().__init__(code)
        self.code = code
        self.detail = detail[:200]


@dataclass(frozen=True)
class Identity:
    """Who the identity service says came back: `value` is what Onsite matches on."""

    protocol: str
    value: str
    subject: str
    logout: dict[str, str] = field(default_factory=dict)


def protocol() -> str:
    return str(getattr(settings, "SSO_PROTOCOL", "") or "")


def enabled() -> bool:
    return protocol() in {OIDC, CAS}


# --- OpenID Connect -----------------------------------------------------------------------


@cache
def _oidc_client(discovery: str, client_id: str, secret: str, scopes: str, timeout: int) -> Any:
    """One client per configuration, kept for the process: it caches the provider's metadata
    and signing keys (fetched again when an unknown key id turns up)."""
    oauth = OAuth()
    return oauth.register(
        "onsite",
        client_id=client_id,
        client_secret=secret or None,
        server_metadata_url=discovery,
        client_kwargs={
            "scope": scopes,
            "code_challenge_method": "S256",
            "timeout": timeout,
            # A public client (no secret) authenticates with PKCE alone.
            "token_endpoint_auth_method": "client_secret_basic" if secret else "none",
        },
    )


def _oidc() -> Any:
    return _oidc_client(
        settings.OIDC_DISCOVERY_URL,
        settings.OIDC_CLIENT_ID,
        settings.OIDC_CLIENT_SECRET,
        settings.OIDC_SCOPES,
        settings.SSO_TIMEOUT_SECONDS,
    )


def _oidc_start(request: HttpRequest, callback: str) -> HttpResponse:
    try:
        response: HttpResponse = _oidc().authorize_redirect(request, callback)
    except (requests.RequestException, OAuthError, ValueError) as exc:
        raise SsoError("unreachable", str(exc)) from exc
    return response


def _oidc_finish(request: HttpRequest) -> Identity:
    client = _oidc()
    try:
        token = client.authorize_access_token(request)
    except MismatchingStateError as exc:
        raise SsoError("state", str(exc)) from exc
    except InvalidClaimError as exc:
        raise SsoError("nonce" if exc.claim == "nonce" else "token", str(exc)) from exc
    except JoseError as exc:
        raise SsoError("token", str(exc)) from exc
    except OAuthError as exc:
        raise SsoError("provider", str(exc)) from exc
    except requests.RequestException as exc:
        raise SsoError("unreachable", str(exc)) from exc
    claims = token.get("userinfo")
    if not claims:  # no ID token came back: "openid" was not granted
        raise SsoError("token", "no ID token")
    claim = settings.SSO_CLAIM or "preferred_username"
    value = str(claims.get(claim) or "").strip()
    if not value:
        raise SsoError("no_value", claim)
    return Identity(
        protocol=OIDC,
        value=value,
        subject=str(claims.get("sub", "")),
        logout={"id_token": str(token.get("id_token", ""))},
    )


def _oidc_logout_url(state: dict[str, str], return_to: str) -> str | None:
    client = _oidc()
    try:
        metadata = client.load_server_metadata()
    except (requests.RequestException, ValueError):
        return None  # the provider is away: signing out of Onsite must still work
    if not metadata.get("end_session_endpoint"):
        return None
    result = client.create_logout_url(
        post_logout_redirect_uri=return_to,
        id_token_hint=state.get("id_token") or None,
        client_id=settings.OIDC_CLIENT_ID,
    )
    return str(result["url"])


# --- CAS ----------------------------------------------------------------------------------


def _cas(service: str) -> Any:
    session = requests.Session()
    session.request = _with_timeout(session.request)  # type: ignore[method-assign]
    return CASClient(
        version=settings.CAS_VERSION,
        service_url=service,
        server_url=settings.CAS_SERVER_URL,
        session=session,
    )


def _with_timeout(send: Any) -> Any:
    def request(*args: Any, **kwargs: Any) -> Any:
        kwargs.setdefault("timeout", settings.SSO_TIMEOUT_SECONDS)
        return send(*args, **kwargs)

    return request


def _cas_finish(request: HttpRequest, service: str) -> Identity:
    ticket = request.GET.get("ticket", "")[:256]
    if not ticket:
        raise SsoError("ticket", "no ticket")
    try:
        user, attributes, _pgtiou = _cas(service).verify_ticket(ticket)
    except requests.RequestException as exc:
        raise SsoError("unreachable", str(exc)) from exc
    except Exception as exc:
        raise SsoError("ticket", f"{type(exc).__name__}: {exc}") from exc
    if not user:
        raise SsoError("ticket", "not validated")
    attributes = attributes or {}
    raw = attributes.get(settings.SSO_CLAIM) if settings.SSO_CLAIM else user
    if isinstance(raw, list):
        raw = raw[0] if raw else ""
    value = str(raw or "").strip()
    if not value:
        raise SsoError("no_value", settings.SSO_CLAIM)
    return Identity(protocol=CAS, value=value, subject=str(user), logout={"ticket": ticket})


def cas_logout_ticket(body: str) -> str | None:
    """The service ticket a CAS single-logout POST names, or None. Read with a pattern, never
    an XML parser: the body comes from anyone who can reach the callback."""
    if "<!" in body:  # a DOCTYPE or entity has no place in a logout request
        return None
    found = SESSION_INDEX.search(body)
    return found.group(1) if found else None


def from_cas_server(address: str) -> bool:
    """Whether a single-logout request may come from this client address: any, unless
    CAS_LOGOUT_FROM names the CAS server's addresses or networks."""
    allowed = settings.CAS_LOGOUT_FROM
    if not allowed:
        return True
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in ipaddress.ip_network(net, strict=False) for net in allowed)


# --- the doors the views use ---------------------------------------------------------------


def start(request: HttpRequest, callback: str) -> HttpResponse:
    """Redirects to the identity service. Raises SsoError("unreachable") when it is away."""
    if protocol() == OIDC:
        return _oidc_start(request, callback)
    return HttpResponseRedirect(_cas(callback).get_login_url())


def finish(request: HttpRequest, callback: str) -> Identity:
    """Reads the identity service's answer on the callback; raises SsoError."""
    if protocol() == OIDC:
        return _oidc_finish(request)
    return _cas_finish(request, callback)


def logout_url(state: dict[str, str], return_to: str) -> str | None:
    """Where to send the browser so the identity service signs the person out too (single
    logout); None when there is nowhere to send it."""
    if state.get("protocol") == OIDC and protocol() == OIDC:
        return _oidc_logout_url(state, return_to)
    if state.get("protocol") == CAS and protocol() == CAS:
        return str(_cas(return_to).get_logout_url(return_to))
    return None
