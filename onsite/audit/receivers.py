"""The audit trail listens to the kernel: every refusal of an act becomes an `access.denied`
row, whichever door (page or API) it was refused at."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from onsite.audit.models import Outcome
from onsite.audit.services import record_event
from onsite.core.refusals import Refusal


def record_refusal(sender: Any, *, request: HttpRequest, refusal: Refusal, **kwargs: Any) -> None:
    record_event(
        request,
        action="access.denied",
        outcome=Outcome.DENIED,
        detail={"path": request.path[:200], "method": request.method, "code": refusal.code},
    )
