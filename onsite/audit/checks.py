from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error, register

from onsite.audit.services import MIN_RETENTION_DAYS


@register()
def retention_check(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    days = int(getattr(settings, "AUDIT_RETENTION_DAYS", MIN_RETENTION_DAYS))
    if days < MIN_RETENTION_DAYS:
        return [
            Error(
                f"AUDIT_RETENTION_DAYS is {days}.",
                hint=f"The Cybersecurity Law asks for at least {MIN_RETENTION_DAYS} days of logs.",
                id="audit.E001",
            )
        ]
    return []
