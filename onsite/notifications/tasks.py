"""The notifications' background work, run by the task worker (`manage.py db_worker`).

`deliver_notifications` writes the in-app rows first; work chat comes after, planned as one
`ChatDelivery` row per target and sent by its own task (`send_chat_message`), so a chat
service that is down never costs the bell its notification. A failed send is queued again
with a growing delay, up to MAX_ATTEMPTS; a row that was sent is never sent again."""

from __future__ import annotations

import datetime
import logging
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db.models import F
from django.utils import timezone, translation
from django_tasks import task

from onsite.accounts.models import User
from onsite.notifications import workchat
from onsite.notifications.models import ChatDelivery, Notification

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 5
BACKOFF_SECONDS = 60  # then 4, 16 and 64 minutes


def retry_delay(attempts: int) -> datetime.timedelta:
    """How long to wait after the `attempts`-th failed attempt."""
    return datetime.timedelta(seconds=BACKOFF_SECONDS * 4 ** max(attempts - 1, 0))


@task()
def deliver_notifications(
    *,
    center_id: int,
    user_ids: list[int],
    kind: str,
    message: str,
    params: dict[str, Any],
    url: str,
    batch: str = "",
) -> int:
    """Writes the in-app rows and, where switched on, sends the email copy and queues the
    work-chat messages."""
    users = list(User.objects.filter(pk__in=user_ids, center_id=center_id, is_active=True))
    Notification.objects.bulk_create(
        (
            Notification(center_id=center_id, user=user, kind=kind, message=message,
                         params=params, url=url, batch=batch or None)
            for user in users
        ),
        ignore_conflicts=bool(batch),  # run again after its worker died: nobody twice
    )  # fmt: skip
    if getattr(settings, "NOTIFY_BY_EMAIL", False):
        with translation.override(settings.LANGUAGE_CODE):
            text = translation.gettext(message) % params
        for user in users:
            if user.email:
                send_mail(text, f"{text}\n{url}", None, [user.email], fail_silently=True)
    try:
        ids = workchat.plan_deliveries(
            center_id=center_id, users=users, kind=kind, message=message, params=params,
            url=url, batch=batch,
        )  # fmt: skip
        for delivery_id in ids:
            send_chat_message.enqueue(delivery_id=delivery_id)
    except Exception:  # the in-app rows are written; chat must not fail them
        logger.exception("work-chat messages of %s could not be queued", kind)
    return len(users)


@task()
def send_chat_message(*, delivery_id: int) -> str:
    """Sends one work-chat delivery unless it was sent already; on failure records the error
    and queues itself again after `retry_delay`, until MAX_ATTEMPTS."""
    delivery = ChatDelivery.objects.filter(pk=delivery_id).first()
    if delivery is None or delivery.status != ChatDelivery.Status.PENDING:
        return delivery.status if delivery else "gone"
    # One attempt per claim: a second worker holding the same task finds the count moved.
    claimed = ChatDelivery.objects.filter(
        pk=delivery.pk, status=ChatDelivery.Status.PENDING, attempts=delivery.attempts
    ).update(attempts=F("attempts") + 1, updated_at=timezone.now())
    if not claimed:
        return "claimed"
    attempts = delivery.attempts + 1
    try:
        workchat.send_delivery(delivery)
    except workchat.ChatError as exc:
        final = attempts >= MAX_ATTEMPTS or isinstance(exc, workchat.UndeliverableError)
        ChatDelivery.objects.filter(pk=delivery.pk).update(
            status=ChatDelivery.Status.FAILED if final else ChatDelivery.Status.PENDING,
            last_error=str(exc)[:300],
            updated_at=timezone.now(),
        )
        if final:
            logger.warning("work-chat delivery %s failed: %s", delivery.pk, exc)
            return ChatDelivery.Status.FAILED
        _again(delivery.pk, attempts)
        return "retrying"
    ChatDelivery.objects.filter(pk=delivery.pk).update(
        status=ChatDelivery.Status.SENT, sent_at=timezone.now(), last_error="",
        updated_at=timezone.now(),
    )  # fmt: skip
    return ChatDelivery.Status.SENT


def _again(delivery_id: int, attempts: int) -> None:
    """Queues the next attempt after the back-off; a backend that cannot defer (the
    immediate one of tests and development) runs it at once."""
    again = send_chat_message
    if again.get_backend().supports_defer:
        again = again.using(run_after=timezone.now() + retry_delay(attempts))
    again.enqueue(delivery_id=delivery_id)
