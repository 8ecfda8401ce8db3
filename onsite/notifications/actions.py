"""The front door of the notifications' writes, shared by the bell's pages and the API: a
person marks their own notifications read. Nothing to refuse beyond signing in: nobody can
reach another person's notification (it is simply not found)."""

from __future__ import annotations

from django.utils import timezone

from onsite.accounts.models import User
from onsite.notifications.models import Notification


def do_open(user: User, pk: int) -> Notification | None:
    """Marks one of the caller's notifications read; None if it is not theirs or is gone."""
    notification = Notification.objects.filter(user=user, pk=pk).first()
    if notification is not None and notification.read_at is None:
        Notification.objects.filter(pk=pk).update(read_at=timezone.now())
    return notification


def do_read_all(user: User) -> int:
    """Marks every unread notification of the caller read; returns how many."""
    return Notification.objects.filter(user=user).unread().update(read_at=timezone.now())
