"""The password policy (等保 2.0: identification with complexity and regular change).

Listed in AUTH_PASSWORD_VALIDATORS next to Django's length, common-password and similarity
checks. Every number is a setting: PASSWORD_MIN_LENGTH, PASSWORD_MIN_CLASSES,
PASSWORD_HISTORY, PASSWORD_MAX_AGE_DAYS (the last one is read by User.password_expires_at)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import password_validation
from django.contrib.auth.hashers import check_password
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from onsite.accounts.models import PasswordHistory, User


class MinimumLengthValidator(password_validation.MinimumLengthValidator):
    """Django's, with a message that has a Chinese translation (Django 5.2 changed its
    msgid and its zh-hans catalogue has not caught up)."""

    def get_error_message(self) -> str:
        return ngettext(
            "The password is too short: it needs at least %(count)d character.",
            "The password is too short: it needs at least %(count)d characters.",
            self.min_length,
        ) % {"count": self.min_length}


def character_classes(password: str) -> int:
    """Lower case, upper case, digits, anything else (punctuation, Chinese characters…)."""
    return sum(
        [
            any(char.islower() for char in password),
            any(char.isupper() for char in password),
            any(char.isdigit() for char in password),
            any(not char.isalnum() or not char.isascii() for char in password),
        ]
    )


class CharacterClassesValidator:
    def __init__(self, min_classes: int = 3) -> None:
        self.min_classes = min_classes

    def validate(self, password: str, user: Any = None) -> None:
        if character_classes(password) < self.min_classes:
            raise ValidationError(self.get_help_text(), code="password_too_simple")

    def get_help_text(self) -> str:
        return _(
            "Use at least %(count)d of these four: lower-case letters, upper-case letters, "
            "digits, symbols."
        ) % {"count": self.min_classes}


class NotLikeUsernameValidator:
    """Refuses a password that contains the username, forwards or backwards, in any case.
    (Django's UserAttributeSimilarityValidator catches near misses.)"""

    def validate(self, password: str, user: Any = None) -> None:
        username = (getattr(user, "username", "") or "").casefold()
        if len(username) < 3:
            return
        folded = password.casefold()
        if username in folded or username[::-1] in folded:
            raise ValidationError(
                _("The password must not contain your username."), code="password_like_username"
            )

    def get_help_text(self) -> str:
        return _("Your password must not contain your username.")


class PasswordHistoryValidator:
    """Not one of the last `count` passwords. `password_changed` is Django's hook, called
    whenever a user is saved after set_password(): it keeps the history and restarts the
    expiry clock, whichever screen changed the password."""

    def __init__(self, count: int = 5) -> None:
        self.count = count

    def validate(self, password: str, user: Any = None) -> None:
        if user is None or user.pk is None:
            return
        hashes = list(user.password_history.values_list("password", flat=True)[: self.count])
        if user.has_usable_password():
            hashes.insert(0, user.password)
        for encoded in dict.fromkeys(hashes):
            if check_password(password, encoded):
                raise ValidationError(
                    ngettext(
                        "The password must differ from your last password.",
                        "The password must differ from your last %(count)d passwords.",
                        self.count,
                    )
                    % {"count": self.count},
                    code="password_reused",
                )

    def password_changed(self, password: str, user: Any = None) -> None:
        if user is None or user.pk is None:
            return
        now = timezone.now()
        User.objects.filter(pk=user.pk).update(password_changed_at=now)
        user.password_changed_at = now
        PasswordHistory.objects.create(user_id=user.pk, password=user.password, created_at=now)
        keep = PasswordHistory.objects.filter(user_id=user.pk).values_list("pk", flat=True)[
            : self.count
        ]
        PasswordHistory.objects.filter(user_id=user.pk).exclude(pk__in=list(keep)).delete()

    def get_help_text(self) -> str:
        return ngettext(
            "Your password must differ from your last password.",
            "Your password must differ from your last %(count)d passwords.",
            self.count,
        ) % {"count": self.count}
