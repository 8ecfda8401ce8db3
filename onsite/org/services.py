"""Writes to the organisation, shared by the pages, the API and the Excel import.

Each function checks the rule it protects, writes, and appends its audit row in the same
transaction. Rule violations raise ValidationError with a message in the user's language;
an edit based on an outdated version raises ConflictError and writes nothing."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils.translation import gettext as _

from onsite.accounts.models import Role, RoleGrant, User
from onsite.accounts.uploads import daily_quota
from onsite.audit.services import record_event
from onsite.core.concurrency import ConflictError, claim_submission, save_versioned
from onsite.core.images import clean_photo
from onsite.core.models import Center
from onsite.org.models import AreaType, Coverage, Floor, Group, Membership, StaffPhoto, Unit, Zone
from onsite.org.signals import person_placed, zone_changed

# The programme's roles, which the center admin grants. Cross-center viewers and any
# security-administration roles are granted elsewhere and are never touched here.
ASSIGNABLE_ROLES = [
    Role.ADMIN, Role.LEADER, Role.OFFICE, Role.SUPERVISOR, Role.GROUP_LEADER, Role.MEMBER,
    Role.STAFF, Role.AUDITOR,
]  # fmt: skip


class AlreadySubmitted(Exception):  # noqa: N818 - a signal to the caller, not a failure
    """The same form was submitted before; `object_id` is what the first submit created."""

    def __init__(self, object_id: str) -> None:
        super().__init__(object_id)
        self.object_id = object_id


def _claim(request: HttpRequest, *, center: Center, scope: str, key: str, obj: Any) -> None:
    if not key:
        return
    first = claim_submission(
        center=center, user=request.user, scope=scope, key=key, object_id=str(obj.pk)
    )
    if first != str(obj.pk):
        raise AlreadySubmitted(first)


def _check_fits(floor: Floor | None, *, x: int, y: int, width: int, height: int) -> None:
    if floor is not None and not floor.fits(x=x, y=y, width=width, height=height):
        raise ValidationError(
            _("The zone does not fit on %(floor)s (%(width)d × %(depth)d dm).")
            % {"floor": floor.name, "width": floor.width, "depth": floor.height},
            code="outside_floor",
        )


# --- units ------------------------------------------------------------------------------

UNIT_FIELDS = ["code", "name", "kind", "department", "floor", "position"]


@transaction.atomic
def create_unit(
    request: HttpRequest, *, center: Center, data: dict[str, Any], submission_key: str = ""
) -> Unit:
    unit = Unit(center=center, **{name: data[name] for name in UNIT_FIELDS if name in data})
    try:
        with transaction.atomic():
            unit.save()
    except IntegrityError as exc:
        raise ValidationError(_("A unit with this code already exists."), code="unique") from exc
    _claim(request, center=center, scope="org.unit", key=submission_key, obj=unit)
    record_event(request, action="org.unit.create", obj=unit, detail={"code": unit.code})
    return unit


@transaction.atomic
def update_unit(
    request: HttpRequest, *, unit: Unit, data: dict[str, Any], expected_version: int
) -> Unit:
    fields = [name for name in UNIT_FIELDS if name in data and name != "code"]
    for name in fields:
        setattr(unit, name, data[name])
    save_versioned(unit, expected_version=expected_version, fields=fields)
    record_event(request, action="org.unit.update", obj=unit, detail={"fields": fields})
    return unit


# --- staff ------------------------------------------------------------------------------

STAFF_FIELDS = [
    "full_name",
    "unit",
    "title",
    "phone",
    "staff_number",
    "wecom_userid",
    "dingtalk_userid",
    "is_active",
]


def staff_fingerprint(person: User) -> str:
    """What an edit form was based on: a staff record has no version column (accounts owns
    the model), so the values themselves are compared when the edit is saved."""
    values = {
        "full_name": person.full_name,
        "unit": person.unit_id,
        "title": person.title,
        "phone": person.phone,
        "staff_number": person.staff_number,
        "wecom_userid": person.wecom_userid,
        "dingtalk_userid": person.dingtalk_userid,
        "is_active": person.is_active,
        # Through the related manager, so a prefetched list costs no query.
        "roles": sorted(grant.role for grant in person.role_grants.all()),
    }
    return hashlib.sha256(json.dumps(values, sort_keys=True).encode()).hexdigest()[:32]


def _check_roles(roles: Iterable[str]) -> list[str]:
    roles = sorted(set(roles))
    unknown = [role for role in roles if role not in ASSIGNABLE_ROLES]
    if unknown:
        raise ValidationError(
            _("Unknown role: %(roles)s.") % {"roles": ", ".join(unknown)}, code="role"
        )
    return roles


def _check_not_locking_out(
    request: HttpRequest, person: User, *, roles: list[str], active: bool
) -> None:
    if request.user.pk == person.pk and (Role.ADMIN not in roles or not active):
        raise ValidationError(
            _("You cannot remove your own admin role or deactivate your own account."),
            code="self_lockout",
        )


def set_roles(person: User, roles: Iterable[str]) -> bool:
    """Makes `roles` the person's assignable roles; other roles they hold are kept."""
    current = set(
        RoleGrant.objects.filter(user=person, role__in=ASSIGNABLE_ROLES).values_list(
            "role", flat=True
        )
    )
    wanted = set(roles)
    if current == wanted:
        return False
    RoleGrant.objects.filter(user=person, role__in=current - wanted).delete()
    RoleGrant.objects.bulk_create([RoleGrant(user=person, role=role) for role in wanted - current])
    person.__dict__.pop("roles", None)  # the cached_property
    return True


def _placed(*, user: User | None = None, zone: Zone | None = None) -> None:
    """Tells the apps above (engagement's acknowledgements) that a person or a zone moved."""
    if user is not None:
        person_placed.send(sender=User, user=user)
    if zone is not None:
        zone_changed.send(sender=Zone, zone=zone)


def create_staff(
    request: HttpRequest,
    *,
    center: Center,
    data: dict[str, Any],
    roles: Sequence[str],
    password: str = "",
    submission_key: str = "",
) -> User:
    roles = _check_roles(roles)
    person = User(center=center, username=data["username"])
    for name in STAFF_FIELDS:
        if name in data:
            setattr(person, name, data[name])
    if password:
        person.set_password(password)
        person.must_change_password = True  # a password someone else chose is temporary
    else:
        person.set_unusable_password()  # signs in once the admin sets a password
    try:
        with transaction.atomic():
            person.save()
    except IntegrityError as exc:
        raise ValidationError(_("This username is already taken."), code="unique") from exc
    set_roles(person, roles)
    _claim(request, center=center, scope="org.staff", key=submission_key, obj=person)
    record_event(
        request, action="org.staff.create", obj=person, detail={"roles": roles}, center=center
    )
    _placed(user=person)
    return person


@transaction.atomic
def update_staff(
    request: HttpRequest,
    *,
    person: User,
    data: dict[str, Any],
    roles: Sequence[str] | None,
    fingerprint: str,
    password: str = "",
) -> User:
    # Serialises concurrent edits of one person on PostgreSQL; SQLite's IMMEDIATE
    # transaction already holds the write lock.
    User.objects.select_for_update().filter(pk=person.pk).first()
    fresh = User.objects.get(pk=person.pk)
    if staff_fingerprint(fresh) != fingerprint:
        raise ConflictError
    wanted_roles = (
        _check_roles(roles)
        if roles is not None
        else sorted(role for role in fresh.roles if role in ASSIGNABLE_ROLES)
    )
    _check_not_locking_out(
        request, person, roles=wanted_roles, active=data.get("is_active", person.is_active)
    )
    fields = [name for name in STAFF_FIELDS if name in data]
    for name in fields:
        setattr(person, name, data[name])
    if password:
        person.set_password(password)
        person.must_change_password = True  # a password someone else chose is temporary
    person.save(
        update_fields=[*fields, *(["password", "must_change_password"] if password else [])]
    )
    set_roles(person, wanted_roles)
    record_event(
        request,
        action="org.staff.update",
        obj=person,
        detail={"fields": fields, "roles": wanted_roles, "password_set": bool(password)},
    )
    if "unit" in fields:
        _placed(user=person)
    return person


@transaction.atomic
def set_staff_photo(request: HttpRequest, *, person: User, upload: UploadedFile[bytes]) -> None:
    if person.center is None:
        raise ValidationError(_("Only staff of a center have a photo."))
    # ValidationError in the user's language; the uploader's daily photo quota counts it.
    photo = clean_photo(upload, quota=daily_quota(request.user))
    old = StaffPhoto.objects.filter(user=person).first()
    if old is not None:
        _delete_files_on_commit(old)
        old.delete()
    StaffPhoto.objects.create(
        center=person.center, user=person, image=photo.image, thumbnail=photo.thumbnail
    )
    record_event(request, action="org.staff.photo", obj=person)


@transaction.atomic
def remove_staff_photo(request: HttpRequest, *, person: User) -> None:
    old = StaffPhoto.objects.filter(user=person).first()
    if old is None:
        return
    _delete_files_on_commit(old)
    old.delete()
    record_event(request, action="org.staff.photo_remove", obj=person)


def _delete_files_on_commit(photo: StaffPhoto) -> None:
    image, thumbnail = photo.image, photo.thumbnail

    def delete() -> None:
        image.delete(save=False)
        thumbnail.delete(save=False)

    transaction.on_commit(delete)


# --- groups -----------------------------------------------------------------------------

GROUP_FIELDS = ["code", "name", "kind", "parent", "position"]


def _check_parent(kind: str, parent: Group | None, *, group: Group | None = None) -> None:
    wanted = Group.PARENT_KINDS[kind]
    if wanted is None and parent is not None:
        raise ValidationError(_("The leadership group has no parent group."), code="parent")
    if wanted is not None and (parent is None or parent.kind != wanted):
        raise ValidationError(
            _("A %(kind)s sits under a %(parent)s.")
            % {
                "kind": Group.Kind(kind).label.lower(),
                "parent": Group.Kind(wanted).label.lower(),
            },
            code="parent",
        )
    if group is not None and parent is not None and parent.center_id != group.center_id:
        raise ValidationError(_("The parent group belongs to another center."), code="parent")


def _set_coverage(group: Group, units: Iterable[Unit]) -> bool:
    wanted = {unit.pk for unit in units}
    if wanted and not group.is_working:
        raise ValidationError(_("Only working groups cover units."), code="coverage")
    current = set(Coverage.objects.filter(group=group).values_list("unit_id", flat=True))
    if current == wanted:
        return False
    Coverage.objects.filter(group=group).exclude(unit_id__in=wanted).delete()
    for unit_id in wanted - current:
        # A unit is covered by one working group: covering it here moves it.
        Coverage.objects.update_or_create(unit_id=unit_id, defaults={"group": group})
    return True


@transaction.atomic
def create_group(
    request: HttpRequest,
    *,
    center: Center,
    data: dict[str, Any],
    units: Iterable[Unit] = (),
    submission_key: str = "",
) -> Group:
    _check_parent(data["kind"], data.get("parent"))
    group = Group(center=center, **{name: data[name] for name in GROUP_FIELDS if name in data})
    try:
        with transaction.atomic():
            group.save()
    except IntegrityError as exc:
        raise ValidationError(
            _("A group with this code or name already exists."), code="unique"
        ) from exc
    _set_coverage(group, units)
    _claim(request, center=center, scope="org.group", key=submission_key, obj=group)
    record_event(request, action="org.group.create", obj=group, detail={"code": group.code})
    return group


@transaction.atomic
def update_group(
    request: HttpRequest,
    *,
    group: Group,
    data: dict[str, Any],
    expected_version: int,
    units: Iterable[Unit] | None = None,
) -> Group:
    # The kind never changes: memberships copy it so the database can enforce
    # "one working group per person".
    fields: list[str] = [name for name in ("name", "parent", "position") if name in data]
    _check_parent(group.kind, data.get("parent", group.parent), group=group)
    for name in fields:
        setattr(group, name, data[name])
    try:
        with transaction.atomic():
            save_versioned(group, expected_version=expected_version, fields=fields)
    except IntegrityError as exc:
        raise ValidationError(_("A group with this name already exists."), code="unique") from exc
    covered = _set_coverage(group, units) if units is not None else False
    record_event(
        request,
        action="org.group.update",
        obj=group,
        detail={"fields": fields, "coverage_changed": covered},
    )
    return group


def _working_group_clash(group: Group, person: User) -> Group | None:
    if not group.is_working:
        return None
    other = (
        Membership.objects.filter(user=person, group_kind=Group.Kind.WORKING)
        .exclude(group=group)
        .select_related("group")
        .first()
    )
    return other.group if other else None


def _clash_error(person: User, other: Group) -> ValidationError:
    return ValidationError(
        _(
            "%(person)s is already in the working group “%(group)s”; "
            "a person is in at most one working group."
        )
        % {"person": person.display_name, "group": other.name},
        code="one_working_group",
    )


@transaction.atomic
def set_membership(request: HttpRequest, *, group: Group, person: User, role: str) -> Membership:
    """Adds `person` to `group` with `role`, or changes their role there."""
    if person.center_id != group.center_id or not person.is_active:
        raise ValidationError(_("Only active staff of this center can join a group."))
    if role not in Membership.Role.values:
        raise ValidationError(_("Unknown group role."), code="role")
    other = _working_group_clash(group, person)
    if other is not None:
        raise _clash_error(person, other)
    try:
        with transaction.atomic():
            membership, created = Membership.objects.update_or_create(
                group=group, user=person, defaults={"role": role, "group_kind": group.kind}
            )
    except IntegrityError as exc:  # a concurrent add won the race; the database said no
        raise ValidationError(
            _("A person is in at most one working group."), code="one_working_group"
        ) from exc
    record_event(
        request,
        action="org.member.add" if created else "org.member.role",
        obj=group,
        detail={"user": person.username, "role": role},
    )
    return membership


@transaction.atomic
def remove_membership(request: HttpRequest, *, group: Group, person: User) -> bool:
    deleted, _rows = Membership.objects.filter(group=group, user=person).delete()
    if deleted:
        record_event(
            request, action="org.member.remove", obj=group, detail={"user": person.username}
        )
    return bool(deleted)


# --- zones, floors, area types -----------------------------------------------------------

ZONE_FIELDS = [
    "code", "name", "area_type", "unit", "owner", "floor", "x", "y", "width", "height",
    "is_active",
]  # fmt: skip


@transaction.atomic
def create_zone(
    request: HttpRequest, *, center: Center, data: dict[str, Any], submission_key: str = ""
) -> Zone:
    zone = Zone(center=center, **{name: data[name] for name in ZONE_FIELDS if name in data})
    _check_fits(zone.floor, x=zone.x, y=zone.y, width=zone.width, height=zone.height)
    try:
        with transaction.atomic():
            zone.save()
    except IntegrityError as exc:
        raise ValidationError(_("A zone with this code already exists."), code="unique") from exc
    _claim(request, center=center, scope="org.zone", key=submission_key, obj=zone)
    record_event(request, action="org.zone.create", obj=zone, detail={"code": zone.code})
    _placed(zone=zone)
    return zone


@transaction.atomic
def update_zone(
    request: HttpRequest, *, zone: Zone, data: dict[str, Any], expected_version: int
) -> Zone:
    # The code is printed on the zone's QR card: it never changes.
    fields = [name for name in ZONE_FIELDS if name in data and name != "code"]
    for name in fields:
        setattr(zone, name, data[name])
    _check_fits(zone.floor, x=zone.x, y=zone.y, width=zone.width, height=zone.height)
    save_versioned(zone, expected_version=expected_version, fields=fields)
    record_event(request, action="org.zone.update", obj=zone, detail={"fields": fields})
    if {"owner", "unit", "area_type"} & set(fields):
        _placed(zone=zone)
    return zone


@transaction.atomic
def move_zone(
    request: HttpRequest, *, zone: Zone, floor: Floor, x: int, y: int, expected_version: int
) -> Zone:
    """Places or moves a zone on a floor plan (the drag-and-drop and the place form)."""
    _check_fits(floor, x=x, y=y, width=zone.width, height=zone.height)
    zone.floor, zone.x, zone.y = floor, x, y
    save_versioned(zone, expected_version=expected_version, fields=["floor", "x", "y"])
    record_event(
        request, action="org.zone.move", obj=zone, detail={"floor": floor.level, "x": x, "y": y}
    )
    return zone


FLOOR_FIELDS = ["name", "level", "width", "height"]


def _check_floor_holds_zones(floor: Floor) -> None:
    outside = [
        zone.code
        for zone in Zone.objects.filter(floor=floor).only("code", "x", "y", "width", "height")
        if not floor.fits(x=zone.x, y=zone.y, width=zone.width, height=zone.height)
    ]
    if outside:
        raise ValidationError(
            _("These zones would lie outside the floor: %(codes)s. Move them first.")
            % {"codes": ", ".join(outside[:10])},
            code="outside_floor",
        )


@transaction.atomic
def save_floor(request: HttpRequest, *, floor: Floor, data: dict[str, Any]) -> Floor:
    created = floor.pk is None
    for name in FLOOR_FIELDS:
        if name in data:
            setattr(floor, name, data[name])
    if not created:
        _check_floor_holds_zones(floor)
    try:
        with transaction.atomic():
            floor.save()
    except IntegrityError as exc:
        raise ValidationError(_("A floor with this level already exists."), code="unique") from exc
    record_event(
        request,
        action="org.floor.create" if created else "org.floor.update",
        obj=floor,
        detail={"level": floor.level},
    )
    return floor


AREA_TYPE_FIELDS = ["code", "name", "width_mm", "depth_mm", "position"]


@transaction.atomic
def save_area_type(
    request: HttpRequest | None, *, area_type: AreaType, data: dict[str, Any]
) -> AreaType:
    created = area_type.pk is None
    for name in AREA_TYPE_FIELDS:
        if name in data and (created or name != "code"):
            setattr(area_type, name, data[name])
    try:
        with transaction.atomic():
            area_type.save()
    except IntegrityError as exc:
        raise ValidationError(
            _("An area type with this code already exists."), code="unique"
        ) from exc
    record_event(
        request,
        action="org.area_type.create" if created else "org.area_type.update",
        obj=area_type,
        detail={"code": area_type.code},
    )
    return area_type
