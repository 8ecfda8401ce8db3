from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta
from functools import cached_property

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from onsite.core.models import Center
from onsite.core.roles import Role as Role  # re-exported: grants and users name it here

ROLE_ORDER = list(Role)
ROLE_RANK = {role.value: rank for rank, role in enumerate(Role)}
DUTY_ROLES = (Role.SYSADMIN, Role.SECADMIN, Role.AUDITOR)
# Shorter idle timeout and (when switched on) a second factor for these.
ADMIN_ROLES = frozenset({Role.ADMIN, Role.SYSADMIN, Role.SECADMIN, Role.AUDITOR})


class User(AbstractUser):
    """A person who signs in. Center staff belong to exactly one center; a cross-center
    viewer (city or province office) belongs to none and reads the centers granted to them."""

    center = models.ForeignKey(
        Center,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="users",
        verbose_name=_("service center"),
    )
    unit = models.ForeignKey(
        "org.Unit",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="staff",
        verbose_name=_("unit"),
    )
    full_name = models.CharField(_("full name"), max_length=50, blank=True)
    title = models.CharField(_("job title"), max_length=50, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    viewable_centers = models.ManyToManyField(
        Center, blank=True, related_name="viewers", verbose_name=_("centers this viewer may read")
    )
    password_changed_at = models.DateTimeField(_("password changed at"), default=timezone.now)
    must_change_password = models.BooleanField(
        _("must change the password at next sign-in"), default=False
    )
    # The staff number (工号) a unified identity service may name a person by (docs/security.md).
    staff_number = models.CharField(_("staff number"), max_length=40, blank=True)
    # The person's user id in the center's work chat, for per-person work notices.
    wecom_userid = models.CharField(_("WeCom user id"), max_length=64, blank=True)
    dingtalk_userid = models.CharField(_("DingTalk user id"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(center__isnull=False) | models.Q(unit__isnull=True),
                name="user_unit_needs_center",
            ),
            # Single sign-on finds a person by it: one number, one person, across centers.
            models.UniqueConstraint(
                fields=["staff_number"],
                condition=~models.Q(staff_number=""),
                name="user_staff_number_unique",
            ),
        ]

    def __str__(self) -> str:
        return self.full_name or self.username

    @property
    def display_name(self) -> str:
        return self.full_name or self.username

    @cached_property
    def roles(self) -> frozenset[str]:
        return frozenset(self.role_grants.values_list("role", flat=True))

    def has_role(self, *roles: str) -> bool:
        return bool(self.roles.intersection(roles))

    @property
    def primary_role(self) -> str | None:
        return next((role.value for role in ROLE_ORDER if role.value in self.roles), None)

    @property
    def is_cross_center_viewer(self) -> bool:
        return self.center_id is None and Role.VIEWER in self.roles

    @property
    def is_admin(self) -> bool:
        """Holds a role that administers the center or its security (shorter idle timeout)."""
        return bool(self.roles & ADMIN_ROLES)

    @property
    def password_expires_at(self) -> datetime | None:
        days = int(getattr(settings, "PASSWORD_MAX_AGE_DAYS", 90))
        if days <= 0 or not self.has_usable_password():
            return None
        return self.password_changed_at + timedelta(days=days)

    @property
    def is_password_expired(self) -> bool:
        expires = self.password_expires_at
        return expires is not None and timezone.now() >= expires

    @property
    def awaits_first_password(self) -> bool:
        """Never signed in or no usable password yet (e.g. made by the organisation import)."""
        return self.last_login is None or not self.has_usable_password()

    @property
    def needs_password_change(self) -> bool:
        return self.must_change_password or self.is_password_expired


class RoleGrant(models.Model):
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="role_grants")
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    granted_at = models.DateTimeField(_("granted at"), auto_now_add=True)

    class Meta:
        verbose_name = _("role grant")
        verbose_name_plural = _("role grants")
        constraints = [
            models.UniqueConstraint(fields=["user", "role"], name="role_grant_unique"),
            # Separation of duties in the database: at most one of the three per account.
            models.UniqueConstraint(
                fields=["user"],
                condition=models.Q(role__in=["sysadmin", "secadmin", "auditor"]),
                name="role_grant_one_duty_role",
                violation_error_message=_(
                    "System admin, security admin and auditor are separate duties: one account "
                    "holds at most one of them."
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()}"


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


class ApiToken(models.Model):
    """A personal API token. Only its hash is stored; the raw value is shown once."""

    PREFIX = "ons_"

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=60)
    token_hash = models.CharField(max_length=64, unique=True)
    hint = models.CharField(max_length=12)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.hint}…)"

    @classmethod
    def issue(cls, *, user: User, name: str) -> tuple[ApiToken, str]:
        raw = cls.PREFIX + secrets.token_urlsafe(32)
        token = cls.objects.create(
            user=user, name=name, token_hash=hash_token(raw), hint=raw[: len(cls.PREFIX) + 4]
        )
        return token, raw

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None

    def revoke(self) -> None:
        self.revoked_at = timezone.now()
        self.save(update_fields=["revoked_at"])


class PasswordHistory(models.Model):
    """Hashes of a user's recent passwords, so a new one cannot repeat them."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="password_history")
    password = models.CharField(max_length=128)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("password history entry")
        verbose_name_plural = _("password history")

    def __str__(self) -> str:
        return f"{self.user_id} @ {self.created_at:%Y-%m-%d}"


class LoginFailure(models.Model):
    """One failed sign-in. Kept per typed username (known or not, so answers never differ)
    and client IP; the lockout counts them."""

    username = models.CharField(max_length=150)
    ip = models.GenericIPAddressField(null=True, blank=True)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [
            models.Index(fields=["username", "ip", "-at"], name="login_failure_pair"),
            models.Index(fields=["username", "-at"], name="login_failure_name"),
        ]

    def __str__(self) -> str:
        return f"{self.username} from {self.ip} at {self.at:%Y-%m-%d %H:%M}"


class UserSession(models.Model):
    """Which sessions a user has, so disabling the account ends all of them at once."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="sessions")
    session_key = models.CharField(max_length=40, unique=True)
    ip = models.GenericIPAddressField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    # The CAS service ticket this session was signed in with: a single-logout request names it.
    sso_ticket = models.CharField(max_length=256, blank=True, db_index=True)

    def __str__(self) -> str:
        return f"{self.user_id}: {self.session_key[:6]}…"


class TotpDevice(models.Model):
    """A TOTP authenticator app (RFC 6238). `last_step` stops a code being used twice."""

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="totp")
    secret = models.CharField(max_length=64)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    last_step = models.BigIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("authenticator")
        verbose_name_plural = _("authenticators")

    def __str__(self) -> str:
        return f"TOTP of {self.user_id}"

    @property
    def is_confirmed(self) -> bool:
        return self.confirmed_at is not None


class UploadTally(models.Model):
    """Photos a user uploaded on one day, for the daily quota."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="upload_tallies")
    day = models.DateField()
    count = models.PositiveIntegerField(default=0)
    bytes = models.PositiveBigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "day"], name="upload_tally_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.day}: {self.count}"
