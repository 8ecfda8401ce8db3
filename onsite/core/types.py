from __future__ import annotations

from typing import TYPE_CHECKING

from django.http import HttpRequest

if TYPE_CHECKING:
    from django_htmx.middleware import HtmxDetails

    from onsite.accounts.models import User
    from onsite.core.models import Center


class OnsiteRequest(HttpRequest):
    """What our middleware adds to a request; views are annotated with it."""

    user: User
    center: Center | None
    request_id: str
    htmx: HtmxDetails
