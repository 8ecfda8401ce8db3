import uuid
from collections.abc import Callable
from typing import cast

from django.http import HttpRequest, HttpResponse

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
