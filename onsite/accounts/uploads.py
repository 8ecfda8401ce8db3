"""The per-user daily photo quota (PHOTO_DAILY_QUOTA). Photo intake in the kernel calls it
through `clean_photo(upload, quota=daily_quota(user))`."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from onsite.accounts.models import UploadTally


def claim_upload_quota(user: Any, *, size: int = 0) -> None:
    """Counts one upload for `user` today (in the server's time zone) and raises
    ValidationError once PHOTO_DAILY_QUOTA is reached. Safe under concurrent uploads: the
    count only grows through a conditional UPDATE."""
    limit = int(getattr(settings, "PHOTO_DAILY_QUOTA", 0))
    if limit <= 0 or user is None or not user.is_authenticated:
        return
    tally, _created = UploadTally.objects.get_or_create(user=user, day=timezone.localdate())
    counted = UploadTally.objects.filter(pk=tally.pk, count__lt=limit).update(
        count=F("count") + 1, bytes=F("bytes") + size
    )
    if not counted:
        raise ValidationError(
            _("You have reached today's limit of %(limit)d photos. Please try again tomorrow.")
            % {"limit": limit},
            code="quota",
        )


def daily_quota(user: Any) -> Callable[[int], None]:
    """The quota hook of `clean_photo` for one user."""
    return lambda size: claim_upload_quota(user, size=size)
