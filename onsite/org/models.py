from __future__ import annotations

import math
import secrets

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from onsite.accounts.models import User
from onsite.core.models import CenterQuerySet, CenterScoped


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

    def fits(self, *, x: int, y: int, width: int, height: int) -> bool:
        """Whether a rectangle lies wholly on this floor."""
        return x >= 0 and y >= 0 and x + width <= self.width and y + height <= self.height


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
    version = models.PositiveIntegerField(default=1)

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

    @property
    def is_placed(self) -> bool:
        return self.floor_id is not None


def new_group_code() -> str:
    # Code that creates a group without naming a code still gets a unique one.
    return f"g-{secrets.token_hex(3)}"


class GroupQuerySet(CenterQuerySet["Group"]):
    def with_standing(self) -> GroupQuerySet:
        """Annotates staff_count (active staff of the covered units) and member_count, one
        subquery each, so a list of groups costs the same whatever its size."""
        staff = (
            User.objects.filter(unit__coverage__group=models.OuterRef("pk"), is_active=True)
            .order_by()
            .values("unit__coverage__group")
            .annotate(n=models.Count("pk"))
            .values("n")
        )
        members = (
            Membership.objects.filter(group=models.OuterRef("pk"))
            .order_by()
            .values("group")
            .annotate(n=models.Count("pk"))
            .values("n")
        )
        return self.annotate(
            staff_count=Coalesce(models.Subquery(staff), 0),
            member_count=Coalesce(models.Subquery(members), 0),
        )


class Group(CenterScoped):
    """Leadership group, programme office, promotion group or working group."""

    # Which kind of group may sit under which: the programme's chain of command.
    PARENT_KINDS: dict[str, str | None] = {
        "leadership": None,
        "office": "leadership",
        "promotion": "leadership",
        "working": "promotion",
    }

    class Kind(models.TextChoices):
        LEADERSHIP = "leadership", _("Leadership group")
        OFFICE = "office", _("Programme office")
        PROMOTION = "promotion", _("Promotion group")
        WORKING = "working", _("Working group")

    code = models.SlugField(_("code"), max_length=32, default=new_group_code)
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
    version = models.PositiveIntegerField(default=1)

    objects = GroupQuerySet.as_manager()

    class Meta:
        verbose_name = _("group")
        verbose_name_plural = _("groups")
        ordering = ["center", "kind", "position", "name"]
        constraints = [
            models.UniqueConstraint(fields=["center", "name"], name="group_name_unique"),
            models.UniqueConstraint(fields=["center", "code"], name="group_code_unique"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_working(self) -> bool:
        return self.kind == self.Kind.WORKING

    @property
    def parent_kind(self) -> str | None:
        """The kind of group this one must sit under (None: it is the top)."""
        return self.PARENT_KINDS[self.kind]

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


def portrait_path(instance: StaffPhoto, filename: str) -> str:
    return f"org/staff/{instance.center_id}/{secrets.token_hex(8)}-{filename}"


class StaffPhoto(CenterScoped):
    """A staff member's photo for zone cards (optional). Stored as our own re-encoding
    (onsite.core.images.clean_photo) and served only through an access-checked view."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="staff_photo"
    )
    image = models.FileField(_("photo"), upload_to=portrait_path)
    thumbnail = models.FileField(upload_to=portrait_path)
    uploaded_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("staff photo")
        verbose_name_plural = _("staff photos")

    def __str__(self) -> str:
        return f"{self.user}"


def working_group_of(user: User) -> Group | None:
    membership = (
        Membership.objects.filter(user=user, group_kind=Group.Kind.WORKING)
        .select_related("group")
        .first()
    )
    return membership.group if membership else None
