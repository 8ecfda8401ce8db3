"""The organisation over JSON: units, staff, groups (with their 1:3 standing) and zones.
Everyone in a center reads; the admin writes (and the programme office writes groups).
The handlers are adapters over the same actions as the pages (onsite.org.actions); a refusal
is answered by config/api.py (403 not allowed, 404, 409 conflict or stale, 422 invalid)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import ValidationError
from django.core.validators import validate_slug
from django.db.models import Prefetch, QuerySet
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from ninja import Router, Schema
from ninja.params import HeaderEx, P, QueryEx
from pydantic import Field, StringConstraints

from onsite.accounts.models import RoleGrant, User
from onsite.core.api import IdempotencyKey, documented
from onsite.core.concurrency import existing_submission
from onsite.core.models import Center, get_for_center
from onsite.core.refusals import Invalid
from onsite.core.types import OnsiteRequest
from onsite.org import access, actions, services
from onsite.org.models import AreaType, Floor, Group, Membership, Unit, Zone
from onsite.org.queries import groups_with_standing, standing_of

router = Router(tags=["org"])


# What the database accepts, said in the schema: a bad value is a 422, never a 500.
_NO_NUL = r"^[^\x00]*$"
Code = Annotated[str, StringConstraints(pattern=r"^[-a-zA-Z0-9_]+$", min_length=1, max_length=32)]
Username = Annotated[str, StringConstraints(pattern=r"^[\w.@+-]+$", min_length=1, max_length=150)]
Level = Annotated[int, Field(ge=-10, le=300)]
Position = Annotated[int, Field(ge=0, le=32767)]
Coordinate = Annotated[int, Field(ge=0, le=100000)]
Length = Annotated[int, Field(ge=1, le=100000)]
Version = Annotated[int, Field(ge=1, le=2_000_000_000)]
Text20 = Annotated[str, StringConstraints(max_length=20, pattern=_NO_NUL)]
Text50 = Annotated[str, StringConstraints(max_length=50, pattern=_NO_NUL)]
Name50 = Annotated[str, StringConstraints(min_length=1, max_length=50, pattern=_NO_NUL)]
Text100 = Annotated[str, StringConstraints(max_length=100, pattern=_NO_NUL)]
Name100 = Annotated[str, StringConstraints(min_length=1, max_length=100, pattern=_NO_NUL)]
Password = Annotated[str, StringConstraints(max_length=128, pattern=_NO_NUL)]
RoleName = Literal[
    "admin", "leader", "office", "supervisor", "group_leader", "member", "staff", "auditor"
]


def _slug(code: str) -> str:
    """A code from the path: anything that cannot be a code is simply not found."""
    try:
        validate_slug(code)
    except ValidationError as exc:
        raise Http404 from exc
    return code


def _username(username: str) -> str:
    try:
        UnicodeUsernameValidator()(username)
    except ValidationError as exc:
        raise Http404 from exc
    return username


def _by_code(queryset: QuerySet[Any], center: Center, code: str | None, what: Any) -> Any:
    return actions.known(queryset, center, what, code=_slug(code)) if code else None


# --- units ------------------------------------------------------------------------------

UnitKind = Literal["window", "section"]


class UnitOut(Schema):
    id: int
    code: str
    name: str
    kind: str
    department: str
    headcount: int
    floor: int | None
    working_group: str | None
    version: int


class UnitIn(Schema):
    code: Code
    name: Name100
    kind: UnitKind = "window"
    department: Text100 = ""
    floor: Level | None = None
    position: Position = 0


class UnitPatch(Schema):
    version: Version
    name: Name100 | None = None
    kind: UnitKind | None = None
    department: Text100 | None = None
    floor: Level | None = None
    position: Position | None = None


def _units(request: OnsiteRequest) -> QuerySet[Unit]:
    return access.units_of(request.center).select_related("coverage__group")


def _unit_out(unit: Unit) -> UnitOut:
    coverage = getattr(unit, "coverage", None)
    return UnitOut(
        id=unit.pk,
        code=unit.code,
        name=unit.name,
        kind=unit.kind,
        department=unit.department,
        headcount=getattr(unit, "headcount", 0),
        floor=unit.floor.level if unit.floor else None,
        working_group=coverage.group.code if coverage else None,
        version=unit.version,
    )


def _repeat(request: OnsiteRequest, scope: str, key: str | None) -> str | None:
    return existing_submission(user=request.user, scope=scope, key=key) if key else None


@router.get("/units", response=documented(list[UnitOut]), summary="Units of the caller's center")
def list_units(request: OnsiteRequest) -> list[UnitOut]:
    return [_unit_out(unit) for unit in _units(request)]


@router.get("/units/{code}", response=documented(UnitOut), summary="One unit")
def get_unit(request: OnsiteRequest, code: str) -> UnitOut:
    return _unit_out(get_for_center(_units(request), request.center, code=_slug(code)))


@router.post("/units", response=documented(UnitOut), summary="Create a unit (admin)")
def create_unit(
    request: OnsiteRequest,
    payload: UnitIn,
    idempotency_key: HeaderEx[IdempotencyKey | None, P(alias="Idempotency-Key")] = None,
) -> UnitOut:
    center = actions.check_edit_org(request)
    if first := _repeat(request, "org.unit", idempotency_key):
        return _unit_out(get_for_center(_units(request), center, pk=first))
    data = payload.dict()
    data["floor"] = actions.floor_at(center, payload.floor)
    unit = actions.do_create_unit(
        request, center=center, data=data, submission_key=idempotency_key or ""
    )
    return _unit_out(get_for_center(_units(request), center, pk=unit.pk))


@router.patch("/units/{code}", response=documented(UnitOut), summary="Change a unit (admin)")
def update_unit(request: OnsiteRequest, code: str, payload: UnitPatch) -> UnitOut:
    center = actions.check_edit_org(request)
    unit = get_for_center(_units(request), center, code=_slug(code))
    data = payload.dict(exclude_unset=True, exclude={"version"})
    if "floor" in data:
        data["floor"] = actions.floor_at(center, payload.floor)
    data = {name: value for name, value in data.items() if value is not None or name == "floor"}
    actions.do_update_unit(request, unit=unit, data=data, expected_version=payload.version)
    return _unit_out(get_for_center(_units(request), center, pk=unit.pk))


# --- staff ------------------------------------------------------------------------------


class StaffOut(Schema):
    username: str
    full_name: str
    unit: str | None
    title: str
    phone: str | None
    roles: list[str]
    is_active: bool
    groups: list[str]
    version: str


class StaffIn(Schema):
    username: Username
    full_name: Name50
    unit: Code | None = None
    title: Text50 = ""
    phone: Text20 = ""
    roles: list[RoleName] = ["staff"]
    is_active: bool = True
    password: Password | None = None


class StaffPatch(Schema):
    version: Text50
    full_name: Name50 | None = None
    unit: Code | None = None
    title: Text50 | None = None
    phone: Text20 | None = None
    roles: list[RoleName] | None = None
    is_active: bool | None = None
    password: Password | None = None


def _staff(request: OnsiteRequest) -> QuerySet[User]:
    return access.staff_of(request.center).prefetch_related(
        Prefetch("role_grants", queryset=RoleGrant.objects.order_by("role")),
        Prefetch("memberships", queryset=Membership.objects.select_related("group")),
    )


def _staff_out(person: User, *, show_phone: bool) -> StaffOut:
    return StaffOut(
        username=person.username,
        full_name=person.full_name,
        unit=person.unit.code if person.unit else None,
        title=person.title,
        phone=person.phone if show_phone else None,
        roles=[grant.role for grant in person.role_grants.all()],
        is_active=person.is_active,
        groups=[membership.group.code for membership in person.memberships.all()],
        version=services.staff_fingerprint(person),
    )


@router.get("/staff", response=documented(list[StaffOut]), summary="Staff of the caller's center")
def list_staff(
    request: OnsiteRequest, unit: QueryEx[str | None, P(max_length=32, pattern=r"^[-\w]*$")] = None
) -> list[StaffOut]:
    people = _staff(request).order_by("username")
    if unit:
        people = people.filter(unit__code=unit)
    show_phone = access.can_see_phone(request.user)
    return [_staff_out(person, show_phone=show_phone) for person in people]


@router.get("/staff/{username}", response=documented(StaffOut), summary="One staff member")
def get_staff(request: OnsiteRequest, username: str) -> StaffOut:
    person = get_for_center(_staff(request), request.center, username=_username(username))
    return _staff_out(person, show_phone=access.can_see_phone(request.user))


@router.post("/staff", response=documented(StaffOut), summary="Add a staff member (admin)")
def create_staff(
    request: OnsiteRequest,
    payload: StaffIn,
    idempotency_key: HeaderEx[IdempotencyKey | None, P(alias="Idempotency-Key")] = None,
) -> StaffOut:
    center = actions.check_edit_org(request)
    if first := _repeat(request, "org.staff", idempotency_key):
        return _staff_out(get_for_center(_staff(request), center, pk=first), show_phone=True)
    password = actions.check_password(payload.password, User(username=payload.username))
    data = payload.dict(exclude={"roles", "password"})
    data["unit"] = _by_code(Unit.objects.all(), center, payload.unit, _("unit"))
    person = actions.do_create_staff(
        request,
        center=center,
        data=data,
        roles=payload.roles,
        password=password,
        submission_key=idempotency_key or "",
    )
    return _staff_out(get_for_center(_staff(request), center, pk=person.pk), show_phone=True)


@router.patch(
    "/staff/{username}",
    response=documented(StaffOut),
    summary="Change a staff member (admin)",
)
def update_staff(request: OnsiteRequest, username: str, payload: StaffPatch) -> StaffOut:
    center = actions.check_edit_org(request)
    person = get_for_center(_staff(request), center, username=_username(username))
    password = actions.check_password(payload.password, person)
    data = payload.dict(exclude_unset=True, exclude={"version", "roles", "password"})
    if "unit" in data:
        data["unit"] = _by_code(Unit.objects.all(), center, payload.unit, _("unit"))
    data = {name: value for name, value in data.items() if value is not None or name == "unit"}
    actions.do_update_staff(
        request,
        person=person,
        data=data,
        roles=payload.roles,
        fingerprint=payload.version,
        password=password,
    )
    return _staff_out(get_for_center(_staff(request), center, pk=person.pk), show_phone=True)


# --- groups -----------------------------------------------------------------------------

GroupKind = Literal["leadership", "office", "promotion", "working"]
MemberRole = Literal["leader", "deputy", "member"]


class MemberOut(Schema):
    username: str
    full_name: str
    role: str


class GroupOut(Schema):
    code: str
    name: str
    kind: str
    parent: str | None
    units: list[str]
    staff: int
    required: int
    members: int
    shortfall: int
    meets_rule: bool
    memberships: list[MemberOut]
    version: int


class GroupIn(Schema):
    code: Code
    name: Name100
    kind: GroupKind
    parent: Code | None = None
    units: list[Code] = []
    position: Position = 0


class GroupPatch(Schema):
    version: Version
    name: Name100 | None = None
    parent: Code | None = None
    units: list[Code] | None = None
    position: Position | None = None


class MemberIn(Schema):
    role: MemberRole = "member"


class RemovedOut(Schema):
    removed: bool


def _group_out(group: Group) -> GroupOut:
    standing = standing_of(group)
    return GroupOut(
        code=group.code,
        name=group.name,
        kind=group.kind,
        parent=group.parent.code if group.parent else None,
        units=[unit.code for unit in standing.units],
        staff=standing.staff,
        required=standing.required,
        members=standing.members,
        shortfall=standing.shortfall,
        meets_rule=standing.meets_rule,
        memberships=[
            MemberOut(username=m.user.username, full_name=m.user.full_name, role=m.role)
            for m in group.memberships.all()
        ],
        version=group.version,
    )


def _one_group(request: OnsiteRequest, code: str) -> Group:
    return get_for_center(groups_with_standing(request.center), request.center, code=_slug(code))


def _units_by_code(center: Center, codes: list[str]) -> list[Unit]:
    units = list(Unit.objects.filter(center=center, code__in=codes))
    if missing := sorted(set(codes) - {unit.code for unit in units}):
        raise Invalid(
            _("Unknown %(what)s: %(value)s")
            % {"what": _("unit"), "value": ", ".join(missing)[:200]},
            code="unknown",
        )
    return units


@router.get(
    "/groups",
    response=documented(list[GroupOut]),
    summary="Every group with its 1:3 standing (required and actual members)",
)
def list_groups(request: OnsiteRequest) -> list[GroupOut]:
    return [_group_out(group) for group in groups_with_standing(request.center)]


@router.get("/groups/{code}", response=documented(GroupOut), summary="One group")
def get_group(request: OnsiteRequest, code: str) -> GroupOut:
    return _group_out(_one_group(request, code))


@router.post("/groups", response=documented(GroupOut), summary="Create a group")
def create_group(
    request: OnsiteRequest,
    payload: GroupIn,
    idempotency_key: HeaderEx[IdempotencyKey | None, P(alias="Idempotency-Key")] = None,
) -> GroupOut:
    center = actions.check_edit_groups(request)
    if first := _repeat(request, "org.group", idempotency_key):
        return _group_out(get_for_center(groups_with_standing(center), center, pk=first))
    data = payload.dict(exclude={"units"})
    data["parent"] = _by_code(Group.objects.all(), center, payload.parent, _("group"))
    units = _units_by_code(center, payload.units)
    group = actions.do_create_group(
        request, center=center, data=data, units=units, submission_key=idempotency_key or ""
    )
    return _group_out(get_for_center(groups_with_standing(center), center, pk=group.pk))


@router.patch("/groups/{code}", response=documented(GroupOut), summary="Change a group")
def update_group(request: OnsiteRequest, code: str, payload: GroupPatch) -> GroupOut:
    center = actions.check_edit_groups(request)
    group = _one_group(request, code)
    data = payload.dict(exclude_unset=True, exclude={"version", "units"})
    if "parent" in data:
        data["parent"] = _by_code(Group.objects.all(), center, payload.parent, _("group"))
    data = {name: value for name, value in data.items() if value is not None or name == "parent"}
    units = _units_by_code(center, payload.units) if payload.units is not None else None
    actions.do_update_group(
        request, group=group, data=data, expected_version=payload.version, units=units
    )
    return _group_out(_one_group(request, code))


@router.put(
    "/groups/{code}/members/{username}",
    response=documented(GroupOut),
    summary="Add a member to a group, or change their role",
)
def put_member(request: OnsiteRequest, code: str, username: str, payload: MemberIn) -> GroupOut:
    center = actions.check_edit_groups(request)
    group = _one_group(request, code)
    person = get_for_center(User.objects.all(), center, username=_username(username))
    actions.do_set_membership(request, group=group, person=person, role=payload.role)
    return _group_out(_one_group(request, code))


@router.delete(
    "/groups/{code}/members/{username}",
    response=documented(RemovedOut),
    summary="Remove a member from a group",
)
def delete_member(request: OnsiteRequest, code: str, username: str) -> RemovedOut:
    center = actions.check_edit_groups(request)
    group = _one_group(request, code)
    person = get_for_center(User.objects.all(), center, username=_username(username))
    return RemovedOut(removed=actions.do_remove_membership(request, group=group, person=person))


# --- zones ------------------------------------------------------------------------------


class ZoneOut(Schema):
    id: int
    code: str
    name: str
    area_type: str
    unit: str | None
    owner: str | None
    floor: int | None
    x: int
    y: int
    width: int
    height: int
    is_active: bool
    version: int


class ZoneIn(Schema):
    code: Code
    name: Name100
    area_type: Code
    unit: Code | None = None
    owner: Username | None = None
    floor: Level | None = None
    x: Coordinate = 0
    y: Coordinate = 0
    width: Length = 20
    height: Length = 10
    is_active: bool = True


class ZonePatch(Schema):
    version: Version
    name: Name100 | None = None
    area_type: Code | None = None
    unit: Code | None = None
    owner: Username | None = None
    floor: Level | None = None
    x: Coordinate | None = None
    y: Coordinate | None = None
    width: Length | None = None
    height: Length | None = None
    is_active: bool | None = None


def _zones(request: OnsiteRequest) -> QuerySet[Zone]:
    return Zone.objects.filter(center=request.center).select_related(
        "area_type", "unit", "owner", "floor"
    )


def _zone_out(zone: Zone) -> ZoneOut:
    return ZoneOut(
        id=zone.pk,
        code=zone.code,
        name=zone.name,
        area_type=zone.area_type.code,
        unit=zone.unit.code if zone.unit else None,
        owner=zone.owner.username if zone.owner else None,
        floor=zone.floor.level if zone.floor else None,
        x=zone.x,
        y=zone.y,
        width=zone.width,
        height=zone.height,
        is_active=zone.is_active,
        version=zone.version,
    )


def _zone_refs(center: Center, data: dict[str, Any]) -> dict[str, Any]:
    """Codes in a zone payload → the center's objects; checks the box is sane."""
    if "area_type" in data:
        if not data["area_type"]:
            raise Invalid(_("A new zone needs an area type."), code="area_type")
        data["area_type"] = _by_code(
            AreaType.objects.all(), center, data["area_type"], _("area type")
        )
    if "unit" in data:
        data["unit"] = _by_code(Unit.objects.all(), center, data["unit"], _("unit"))
    if "owner" in data:
        owner = data["owner"]
        data["owner"] = (
            User.objects.filter(center=center, username=owner).first() if owner else None
        )
        if owner and data["owner"] is None:
            raise Invalid(
                _("Unknown %(what)s: %(value)s") % {"what": _("staff member"), "value": owner[:40]},
                code="unknown",
            )
    if "floor" in data:
        data["floor"] = actions.floor_at(center, data["floor"])
    return data


@router.get(
    "/zones", response=documented(list[ZoneOut]), summary="Active zones of the caller's center"
)
def list_zones(
    request: OnsiteRequest, floor: QueryEx[int | None, P(ge=-10, le=300)] = None
) -> list[ZoneOut]:
    zones = _zones(request).filter(is_active=True)
    if floor is not None:
        zones = zones.filter(floor__level=floor)
    return [_zone_out(zone) for zone in zones]


@router.get("/zones/{code}", response=documented(ZoneOut), summary="One zone")
def get_zone(request: OnsiteRequest, code: str) -> ZoneOut:
    return _zone_out(get_for_center(_zones(request), request.center, code=_slug(code)))


@router.post(
    "/zones", response=documented(ZoneOut), summary="Create a zone (admin, programme office)"
)
def create_zone(
    request: OnsiteRequest,
    payload: ZoneIn,
    idempotency_key: HeaderEx[IdempotencyKey | None, P(alias="Idempotency-Key")] = None,
) -> ZoneOut:
    center = actions.check_edit_zones(request)
    if first := _repeat(request, "org.zone", idempotency_key):
        return _zone_out(get_for_center(_zones(request), center, pk=first))
    data = _zone_refs(center, payload.dict())
    zone = actions.do_create_zone(
        request, center=center, data=data, submission_key=idempotency_key or ""
    )
    return _zone_out(get_for_center(_zones(request), center, pk=zone.pk))


@router.patch(
    "/zones/{code}",
    response=documented(ZoneOut),
    summary="Change a zone: owner, position on the floor plan … (admin, programme office)",
)
def update_zone(request: OnsiteRequest, code: str, payload: ZonePatch) -> ZoneOut:
    center = actions.check_edit_zones(request)
    zone = get_for_center(_zones(request), center, code=_slug(code))
    data = payload.dict(exclude_unset=True, exclude={"version"})
    nullable = {"unit", "owner", "floor"}
    data = {name: value for name, value in data.items() if value is not None or name in nullable}
    data = _zone_refs(center, data)
    actions.do_update_zone(request, zone=zone, data=data, expected_version=payload.version)
    return _zone_out(get_for_center(_zones(request), center, pk=zone.pk))


class FloorOut(Schema):
    level: int
    name: str
    width: int
    height: int


@router.get("/floors", response=documented(list[FloorOut]), summary="Floors and their plan size")
def list_floors(request: OnsiteRequest) -> list[FloorOut]:
    return [
        FloorOut(level=f.level, name=f.name, width=f.width, height=f.height)
        for f in Floor.objects.filter(center=request.center)
    ]
