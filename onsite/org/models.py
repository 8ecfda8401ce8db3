from __future__ import annotations

import math

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from onsite.core.models import CenterScoped


class Floor(CenterScoped):
    """A floor of the hall. Plan coordinates are in decimetres (0.1 m) from the top-left."""

    name = models.CharField(_("name"), max_length=50)
    level = models.SmallIntegerField(_("level"), default=1)
    width = models.PositiveIntegerField(_("width (dm)"), default=600)
    height = models.PositiveIntegerField(_("depth (dm)"), default=300)

    class Meta:
        verbose_name = _("floor")
        verbose_name_plural = _("floors")
        ordering = ["center", "level"]
        constraints = [
            models.UniqueConstraint(fields=["center", "level"], name="floor_level_unique"),
        ]

    def __str__(self) -> str:
        return self.name


class Unit(CenterScoped):
    """An approval window (审批窗口) or a management section (管理科室)."""

    class Kind(models.TextChoices):
        WINDOW = "window", _("Window")
        SECTION = "section", _("Section")

    code = models.SlugField(_("code"), max_length=32)
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.WINDOW)
    department = models.CharField(_("department"), max_length=100, blank=True)
    floor = models.ForeignKey(
        Floor, on_delete=models.SET_NULL, null=True, blank=True, verbose_name=_("floor")
    )
    position = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("unit")
        verbose_name_plural = _("units")
        ordering = ["center", "kind", "position", "code"]
        constraints = [
            models.UniqueConstraint(fields=["center", "code"], name="unit_code_unique"),
        ]

    def __str__(self) -> str:
        return self.name


class AreaType(CenterScoped):
    """A kind of area with its own execution standard: front counter, back office ..."""

    code = models.SlugField(_("code"), max_length=32)
    name = models.CharField(_("name"), max_length=50)
    width_mm = models.PositiveIntegerField(_("width (mm)"), default=1600)
    depth_mm = models.PositiveIntegerField(_("depth (mm)"), default=700)
    position = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("area type")
        verbose_name_plural = _("area types")
        ordering = ["center", "position", "code"]
        constraints = [
            models.UniqueConstraint(fields=["center", "code"], name="area_type_code_unique"),
        ]

    def __str__(self) -> str:
        return self.name


class Zone(CenterScoped):
    """A responsibility zone (责任区域): one place, one owner (定位、定点、定人)."""

    code = models.SlugField(_("code"), max_length=32)
    name = models.CharField(_("name"), max_length=100)
    area_type = models.ForeignKey(
        AreaType, on_delete=models.PROTECT, related_name="zones", verbose_name=_("area type")
    )
    unit = models.ForeignKey(
        Unit,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="zones",
        verbose_name=_("unit"),
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="owned_zones",
        verbose_name=_("zone owner"),
    )
    floor = models.ForeignKey(
        Floor,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="zones",
        verbose_name=_("floor"),
    )
    x = models.PositiveIntegerField(_("x (dm)"), default=0)
    y = models.PositiveIntegerField(_("y (dm)"), default=0)
    width = models.PositiveIntegerField(
        _("width (dm)"), default=20, validators=[MinValueValidator(1)]
    )
    height = models.PositiveIntegerField(
        _("depth (dm)"), default=10, validators=[MinValueValidator(1)]
    )
    is_active = models.BooleanField(_("active"), default=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("zone")
        verbose_name_plural = _("zones")
        ordering = ["center", "code"]
        constraints = [
            models.UniqueConstraint(fields=["center", "code"], name="zone_code_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class Group(CenterScoped):
    """Leadership group, programme office, promotion group or working group."""

    class Kind(models.TextChoices):
        LEADERSHIP = "leadership", _("Leadership group")
        OFFICE = "office", _("Programme office")
        PROMOTION = "promotion", _("Promotion group")
        WORKING = "working", _("Working group")

    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=100)
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("parent group"),
    )
    units = models.ManyToManyField(
        Unit, through="Coverage", blank=True, related_name="groups", verbose_name=_("units covered")
    )
    position = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("group")
        verbose_name_plural = _("groups")
        ordering = ["center", "kind", "position", "name"]
        constraints = [
            models.UniqueConstraint(fields=["center", "name"], name="group_name_unique"),
        ]

    def __str__(self) -> str:
        return self.name

    @staticmethod
    def required_members(staff_count: int) -> int:
        """The 1:3 rule: one working-group member per three staff of the covered units."""
        return math.ceil(staff_count / 3)


class Coverage(models.Model):
    """A working group covers a unit; a unit is covered by at most one working group."""

    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="coverages")
    unit = models.OneToOneField(Unit, on_delete=models.CASCADE, related_name="coverage")

    class Meta:
        verbose_name = _("coverage")
        verbose_name_plural = _("coverages")

    def __str__(self) -> str:
        return f"{self.group} → {self.unit}"


class Membership(models.Model):
    class Role(models.TextChoices):
        LEADER = "leader", _("Leader")
        DEPUTY = "deputy", _("Deputy")
        MEMBER = "member", _("Member")

    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(_("role"), max_length=10, choices=Role.choices, default=Role.MEMBER)
    # Copied from the group (whose kind never changes) so the database itself can say
    # "a person is in at most one working group".
    group_kind = models.CharField(max_length=12, choices=Group.Kind.choices, editable=False)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(fields=["group", "user"], name="membership_unique"),
            models.UniqueConstraint(
                fields=["user"],
                condition=models.Q(group_kind="working"),
                name="one_working_group_per_person",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} @ {self.group}"
