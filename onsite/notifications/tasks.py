from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.utils import translation
from django_tasks import task

from onsite.accounts.models import User
from onsite.notifications.models import Notification


@task()
def deliver_notifications(
    *,
    center_id: int,
    user_ids: list[int],
    kind: str,
    message: str,
    params: dict[str, Any],
    url: str,
) -> int:
    """Writes the in-app rows and, where switched on, sends the email copy."""
    users = list(User.objects.filter(pk__in=user_ids, center_id=center_id, is_active=True))
    Notification.objects.bulk_create(
        Notification(
            center_id=center_id, user=user, kind=kind, message=message, params=params, url=url
        )
        for user in users
    )
    if getattr(settings, "NOTIFY_BY_EMAIL", False):
        with translation.override(settings.LANGUAGE_CODE):
            text = translation.gettext(message) % params
        for user in users:
            if user.email:
                send_mail(text, f"{text}\n{url}", None, [user.email], fail_silently=True)
    return len(users)
