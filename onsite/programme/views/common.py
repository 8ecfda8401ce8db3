"""What the programme's pages share."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import render

from onsite.audit.models import Outcome
from onsite.audit.services import record_event
from onsite.core.types import OnsiteRequest


def deny(request: OnsiteRequest) -> HttpResponse:
    """A 403 page and an audit row, as role_required does for a wrong role (for checks that
    depend on the object, such as "only the assigned rater")."""
    record_event(
        request,
        action="access.denied",
        outcome=Outcome.DENIED,
        detail={"path": request.path[:200], "method": request.method},
    )
    return render(request, "403.html", status=403)


def as_int(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() and len(value) < 10 else None
