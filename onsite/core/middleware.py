import contextlib
import ipaddress
import uuid
from collections.abc import Callable
from typing import cast

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.http import HttpRequest, HttpResponse, UnreadablePostError
from django.http.multipartparser import MultiPartParserError
from django.utils import translation

from onsite.core.models import visible_centers
from onsite.core.types import OnsiteRequest

CENTER_SESSION_KEY = "active_center_id"

Handler = Callable[[HttpRequest], HttpResponse]


def request_id_middleware(get_response: Handler) -> Handler:
    """Tags each request with an id (the proxy's, if sane) for logs and the audit trail."""

    def middleware(request: HttpRequest) -> HttpResponse:
        req = cast(OnsiteRequest, request)
        incoming = request.headers.get("X-Request-ID", "")
        valid = incoming and len(incoming) <= 64 and incoming.isascii() and incoming.isprintable()
        req.request_id = incoming if valid else uuid.uuid4().hex
        response = get_response(request)
        response["X-Request-ID"] = req.request_id
        return response

    return middleware


BODY_ERRORS = (
    RequestDataTooBig,
    TooManyFieldsSent,
    TooManyFilesSent,
    MultiPartParserError,
    UnreadablePostError,
)


def body_first_middleware(get_response: Handler) -> Handler:
    """Reads a signed-in person's request body before the view's transaction begins
    (ATOMIC_REQUESTS). A photo sent over a slow network takes seconds to arrive; read inside
    the transaction, it would hold PostgreSQL's connection idle in a transaction, and
    SQLite's write lock (IMMEDIATE mode) against every other request, for all that time.
    A body that cannot be read is left for the view, which answers it as before."""

    def middleware(request: HttpRequest) -> HttpResponse:
        if request.method in {"POST", "PUT", "PATCH"} and request.user.is_authenticated:
            with contextlib.suppress(*BODY_ERRORS):
                if request.content_type in {
                    "multipart/form-data",
                    "application/x-www-form-urlencoded",
                }:
                    request.POST  # noqa: B018 - parses the body (and its files) now
                else:
                    request.body  # noqa: B018 - reads it now
        return get_response(request)

    return middleware


PROBE_HEADER = "X-Onsite-Probe"


def probe_keeps_messages_middleware(get_response: Handler) -> Handler:
    """A page's post tried by the phone's script first (static/js/outbox.js, postOrKeep)
    follows its redirect inside the script, and the script then opens that page for real:
    the messages the post left ("the tag is hung") must wait for that real visit."""

    def middleware(request: HttpRequest) -> HttpResponse:
        response = get_response(request)
        if request.method == "GET" and request.headers.get(PROBE_HEADER):
            storage = getattr(request, "_messages", None)
            if storage is not None:
                storage.used = False
        return response

    return middleware


def language_middleware(get_response: Handler) -> Handler:
    """Simplified Chinese unless the user chose otherwise (the language cookie). Unlike
    Django's LocaleMiddleware this ignores the browser's Accept-Language: a center's staff
    get the center's language whatever their browser says, and switch it explicitly."""

    def middleware(request: HttpRequest) -> HttpResponse:
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        language = chosen if chosen in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
        response = get_response(request)
        response.headers.setdefault("Content-Language", language)
        return response

    return middleware


def center_middleware(get_response: Handler) -> Handler:
    """Sets request.center: the user's own center, or, for a cross-center viewer, the one
    they picked among those they may see. Views scope every query on it."""

    def middleware(request: HttpRequest) -> HttpResponse:
        req = cast(OnsiteRequest, request)
        req.center = None
        user = req.user
        if user.is_authenticated:
            if user.is_cross_center_viewer:
                centers = visible_centers(user)
                chosen = request.session.get(CENTER_SESSION_KEY)
                picked = centers.filter(pk=chosen).first() if chosen else None
                req.center = picked or centers.first()
            else:
                req.center = user.center
        return get_response(request)

    return middleware


def client_ip_middleware(get_response: Handler) -> Handler:
    """Behind nginx, REMOTE_ADDR is the proxy. When the request comes from one of
    TRUSTED_PROXIES, the client is the right-most X-Forwarded-For address that is not itself a
    trusted proxy (the left part of the header is whatever the client chose to send). The
    lockout and the audit trail both read REMOTE_ADDR."""
    trusted = [ipaddress.ip_network(net, strict=False) for net in settings.TRUSTED_PROXIES]

    def is_trusted(address: str) -> bool:
        try:
            ip = ipaddress.ip_address(address)
        except ValueError:
            return False
        return any(ip in net for net in trusted)

    def middleware(request: HttpRequest) -> HttpResponse:
        if trusted and is_trusted(request.META.get("REMOTE_ADDR", "")):
            hops = [hop.strip() for hop in request.headers.get("X-Forwarded-For", "").split(",")]
            for hop in reversed([hop for hop in hops if hop]):
                if is_trusted(hop):
                    continue
                # Garbage in the header: keep the proxy's address.
                with contextlib.suppress(ValueError):
                    request.META["REMOTE_ADDR"] = str(ipaddress.ip_address(hop))
                break
        return get_response(request)

    return middleware


# Browser features no page of Onsite uses; the camera stays for photo capture on phones.
PERMISSIONS_POLICY = (
    "accelerometer=(), autoplay=(), camera=(self), display-capture=(), geolocation=(), "
    "gyroscope=(), magnetometer=(), microphone=(), payment=(), usb=(), interest-cohort=()"
)


def security_headers_middleware(get_response: Handler) -> Handler:
    """Headers Django's SecurityMiddleware does not set. (CSP comes from django-csp; nosniff,
    Referrer-Policy, COOP and HSTS from Django.)"""

    def middleware(request: HttpRequest) -> HttpResponse:
        response = get_response(request)
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        response.headers.setdefault("X-Permitted-Cross-Domain-Policies", "none")
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            # Pages with personal data are not kept by shared caches or the back button.
            response.headers.setdefault("Cache-Control", "private, no-store")
        return response

    return middleware
