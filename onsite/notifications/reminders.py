"""Reminders before deadlines: one notification per person, once per item and due date.

A kind of deadline (a rectification's due date, an approved filing's last valid day, …) is a
`DeadlineKind` registered at start-up by the app that owns it (its `AppConfig.ready`). The
daily run (`send_due_reminders`, called by the rectification app's task, which knows the
working-day calendar and each center's notice) asks every kind for its open deadlines up to
the furthest horizon, keeps those within each center's horizon, claims each item and due date
in `DeadlineReminder` (a moved due date is a new claim; a claim found sends nothing), and
tells each person once per kind: one message for one item, a summary for several.

The messages are msgids (`gettext_noop`), rendered in the reader's language by `notify`.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import IntegrityError, transaction

from onsite.accounts.models import User
from onsite.core.models import Center
from onsite.notifications.models import DeadlineReminder
from onsite.notifications.services import notify


@dataclass(frozen=True)
class Deadline:
    """One thing due: who must act, and what the message says about it."""

    center: Center
    object_id: int
    due_on: datetime.date
    users: list[User]
    params: dict[str, Any]  # for the kind's messages (besides `due` and `count`)
    url: str


@dataclass(frozen=True)
class DeadlineKind:
    kind: str  # the notification kind (and the work-chat route): "<app>.<noun>_due_soon"
    # The open deadlines due from `day` up to `last` (both included), recipients loaded.
    due: Callable[[datetime.date, datetime.date], Iterable[Deadline]]
    one: str  # msgid for one item: %(due)s and the deadline's params
    many: str  # msgid for several: %(count)s, %(due)s (the latest) and the first's params
    list_url: Callable[[], str] = field(default=lambda: "")  # where "several" links to


KINDS: dict[str, DeadlineKind] = {}


def register(kind: DeadlineKind) -> None:
    """Called from the owning app's `AppConfig.ready`."""
    KINDS[kind.kind] = kind


def _claim(deadline: Deadline, *, kind: str) -> bool:
    try:
        with transaction.atomic():
            _, created = DeadlineReminder.objects.get_or_create(
                kind=kind,
                object_id=deadline.object_id,
                due_on=deadline.due_on,
                defaults={"center": deadline.center},
            )
    except IntegrityError:  # another worker claimed it between the read and the write
        return False
    return created


@transaction.atomic
def send_due_reminders(
    *,
    on: datetime.date,
    horizon: Callable[[int], datetime.date],
    furthest: datetime.date,
    center: Center | None = None,
    kinds: Iterable[str] | None = None,
) -> int:
    """Reminds what is due from `on` up to `horizon(center_id)` (at most `furthest`, the
    horizon of the center with the longest notice) and was not reminded of that due date yet.
    Returns how many items were reminded."""
    wanted = [KINDS[k] for k in kinds] if kinds is not None else list(KINDS.values())
    horizons: dict[int, datetime.date] = {}
    count = 0
    for kind in wanted:
        by_person: dict[tuple[int, User], list[Deadline]] = defaultdict(list)
        for deadline in kind.due(on, furthest):
            center_id = deadline.center.pk
            if center is not None and center_id != center.pk:
                continue
            if center_id not in horizons:
                horizons[center_id] = horizon(center_id)
            if deadline.due_on > horizons[center_id] or not deadline.users:
                continue
            if not _claim(deadline, kind=kind.kind):
                continue
            count += 1
            for user in {u.pk: u for u in deadline.users}.values():
                by_person[(center_id, user)].append(deadline)
        for (_, user), items in by_person.items():
            first = items[0]
            notify(
                center=first.center,
                users=[user],
                kind=kind.kind,
                message=kind.one if len(items) == 1 else kind.many,
                params={
                    **first.params,
                    "count": len(items),
                    "due": max(d.due_on for d in items).isoformat(),
                },
                url=first.url if len(items) == 1 else kind.list_url(),
            )
    return count
