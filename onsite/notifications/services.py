from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import Any

from django.db import transaction

from onsite.accounts.models import User
from onsite.core.models import Center
from onsite.notifications.tasks import deliver_notifications


def notify(
    *,
    center: Center,
    users: Iterable[User | None],
    kind: str,
    message: str,
    params: dict[str, Any] | None = None,
    url: str = "",
) -> None:
    """Queues a notification for `users` once the current transaction commits, so nobody is
    told about a change that was rolled back. `message` is a msgid marked with gettext_noop."""
    user_ids = sorted({user.pk for user in users if user is not None})
    if not user_ids:
        return
    center_id = center.pk
    batch = str(uuid.uuid4())  # names this batch's work-chat messages, so none goes twice
    transaction.on_commit(
        lambda: deliver_notifications.enqueue(
            center_id=center_id,
            user_ids=user_ids,
            kind=kind,
            message=message,
            params=params or {},
            url=url,
            batch=batch,
        )
    )
