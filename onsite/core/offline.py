"""Pages a phone keeps for the floor: a view marked `kept_offline` answers with the header
`Onsite-Offline: keep`, and the service worker (`onsite.site.offline`) stores a copy of it in
the signed-in person's page cache, to open when the network is gone. Only pages of a
signed-in person are marked; sign-out clears the copies (Clear-Site-Data)."""

from __future__ import annotations

from functools import wraps
from typing import Any, cast

from django.http import HttpRequest, HttpResponse

from onsite.core.access import View

HEADER = "Onsite-Offline"


def kept_offline(view: View) -> View:
    """Marks a page the phone keeps a copy of (a checklist, a rectification, a zone)."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        request.kept_offline = True  # type: ignore[attr-defined]  # base.html tells the script
        response = view(request, *args, **kwargs)
        if response.status_code == 200 and request.user.is_authenticated:
            response[HEADER] = "keep"
        return response

    return cast(View, wrapped)
