from __future__ import annotations

import hashlib
import secrets
from functools import cached_property

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from onsite.core.models import Center


class Role(models.TextChoices):
    """Ordered from the widest home page to the narrowest: the first role a user holds
    picks their home page."""

    ADMIN = "admin", _("Center admin")
    LEADER = "leader", _("Leadership")
    OFFICE = "office", _("Programme office")
    SUPERVISOR = "supervisor", _("Supervisor")
    GROUP_LEADER = "group_leader", _("Promotion-group leader")
    MEMBER = "member", _("Working-group member")
    STAFF = "staff", _("Window staff")
    AUDITOR = "auditor", _("Auditor")
    VIEWER = "viewer", _("Cross-center viewer")


ROLE_ORDER = list(Role)


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

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(center__isnull=False) | models.Q(unit__isnull=True),
                name="user_unit_needs_center",
            )
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


class RoleGrant(models.Model):
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="role_grants")
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    granted_at = models.DateTimeField(_("granted at"), auto_now_add=True)

    class Meta:
        verbose_name = _("role grant")
        verbose_name_plural = _("role grants")
        constraints = [
            models.UniqueConstraint(fields=["user", "role"], name="role_grant_unique"),
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
