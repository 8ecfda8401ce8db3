from __future__ import annotations

from datetime import datetime

from ninja import Router, Schema

from onsite.core.api import documented
from onsite.core.types import OnsiteRequest
from onsite.notifications import actions
from onsite.notifications.models import Notification

router = Router(tags=["notifications"])


class NotificationOut(Schema):
    id: int
    kind: str
    text: str
    url: str
    created_at: datetime
    read: bool


@router.get("/", response=documented(list[NotificationOut]), summary="My latest notifications")
def list_notifications(request: OnsiteRequest, unread: bool = False) -> list[NotificationOut]:
    rows = Notification.objects.filter(user=request.user)
    if unread:
        rows = rows.unread()
    return [
        NotificationOut(id=n.pk, kind=n.kind, text=n.text, url=n.url, created_at=n.created_at,
                        read=n.read_at is not None)
        for n in rows[:100]
    ]  # fmt: skip


class ReadOut(Schema):
    marked: int


@router.post("/read", response=documented(ReadOut), summary="Mark all my notifications read")
def mark_read(request: OnsiteRequest) -> ReadOut:
    return ReadOut(marked=actions.do_read_all(request.user))
