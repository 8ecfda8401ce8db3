from typing import Any

from django.http import HttpRequest

from onsite.notifications.models import Notification
from onsite.site.navigation import nav_for


def shell(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": [], "active_center": None, "unread_count": 0}
    return {
        "nav_items": nav_for(user.roles),
        "active_center": getattr(request, "center", None),
        "unread_count": Notification.objects.filter(user=user, read_at__isnull=True).count(),
    }
