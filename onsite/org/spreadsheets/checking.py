"""Every row checked against the center's data and the rest of the file."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import ValidationError
from django.core.validators import validate_slug
from django.utils.translation import gettext as _

from onsite.accounts.models import Role, User
from onsite.core.models import Center
from onsite.org.models import AreaType, Floor, Group, Membership, Unit, Zone
from onsite.org.services import ASSIGNABLE_ROLES
from onsite.org.spreadsheets.shape import (
    AREA_TYPES,
    FLOORS,
    GROUPS,
    KEEP,
    LIST_SPLIT,
    MEMBERS,
    SHEETS,
    STAFF,
    UNITS,
    ZONES,
    Row,
    RowError,
    Sheet,
    boolean_names,
    choice_names,
    normal,
)

# --- checking ------------------------------------------------------------------------


class Checker:
    """Checks every row against the center's data and the rest of the file, and turns the
    rows into plans (plain values; objects are looked up again when the plan is applied)."""

    def __init__(self, *, center: Center, user: User | None, rows: dict[str, list[Row]]):
        self.center, self.user, self.rows = center, user, rows
        self.errors: list[RowError] = []
        self.floors = {f.level: f for f in Floor.objects.filter(center=center)}
        self.area_types = {a.code: a for a in AreaType.objects.filter(center=center)}
        self.units = {u.code: u for u in Unit.objects.filter(center=center)}
        self.staff = {u.username: u for u in User.objects.filter(center=center)}
        self.groups = {
            g.code: g for g in Group.objects.filter(center=center).select_related("parent")
        }
        self.zones = {z.code: z for z in Zone.objects.filter(center=center)}
        self.plans: dict[str, dict[Any, dict[str, Any]]] = {sheet.key: {} for sheet in SHEETS}
        # Staff numbers are one person each across every center (single sign-on finds by it).
        self.numbers_taken = dict(
            User.objects.exclude(staff_number="").values_list("staff_number", "username")
        )
        self.staff_numbers: dict[str, int] = {}
        self.kinds = choice_names(Unit.Kind.choices)
        self.group_kinds = choice_names(Group.Kind.choices)
        self.roles = choice_names((r, Role(r).label) for r in ASSIGNABLE_ROLES)
        self.member_roles = choice_names(Membership.Role.choices)
        self.booleans = boolean_names()

    # cells
    def error(self, sheet: Sheet, row: Row, key: str, message: str) -> None:
        label = str(sheet.column(key).label) if key else ""
        self.errors.append(RowError(str(sheet.label), row.number, label, message))

    def text(self, sheet: Sheet, row: Row, key: str, *, max_length: int) -> Any:
        if not row.has(key):
            return KEEP
        value = row.get(key)
        if not value and sheet.column(key).required:
            self.error(sheet, row, key, _("This cell must not be empty."))
            return None
        if len(value) > max_length:
            self.error(sheet, row, key, _("At most %(max)d characters.") % {"max": max_length})
            return None
        return value

    def code(self, sheet: Sheet, row: Row, key: str) -> str | None:
        value = self.text(sheet, row, key, max_length=32)
        if value in (None, KEEP, ""):
            return None if value is KEEP else value
        try:
            validate_slug(value)
        except ValidationError:
            self.error(
                sheet,
                row,
                key,
                _("“%(value)s” is not a valid code: use letters, digits, - and _.")
                % {"value": value},
            )
            return None
        return str(value)

    def number(
        self, sheet: Sheet, row: Row, key: str, *, low: int, high: int, default: int | None
    ) -> Any:
        if not row.has(key):
            return KEEP
        value = row.get(key)
        if not value:
            if default is None:
                self.error(sheet, row, key, _("This cell must not be empty."))
            return default
        if not re.fullmatch(r"-?\d+", value) or not low <= int(value) <= high:
            self.error(
                sheet,
                row,
                key,
                _("“%(value)s” is not a whole number from %(low)d to %(high)d.")
                % {"value": value, "low": low, "high": high},
            )
            return None
        return int(value)

    def choice(
        self, sheet: Sheet, row: Row, key: str, names: dict[str, Any], *, default: Any
    ) -> Any:
        if not row.has(key):
            return KEEP
        value = row.get(key)
        if not value:
            if default is None:
                self.error(sheet, row, key, _("This cell must not be empty."))
            return default
        if normal(value) not in names:
            self.error(sheet, row, key, _("Unknown value “%(value)s”.") % {"value": value})
            return None
        return names[normal(value)]

    def duplicate(self, sheet: Sheet, row: Row, key: str, value: Any) -> bool:
        earlier = self.plans[sheet.key].get(value)
        if earlier is not None:
            self.error(
                sheet,
                row,
                key,
                _("“%(value)s” appears twice in this sheet (first in row %(row)d).")
                % {"value": value, "row": earlier["row"]},
            )
            return True
        return False

    def reference(
        self, sheet: Sheet, row: Row, key: str, value: str, *, known: Iterable[Any], message: str
    ) -> None:
        if value and value not in known:
            self.error(sheet, row, key, message % {"value": value})

    # sheets
    def check(self) -> None:
        for sheet, method in (
            (FLOORS, self.check_floor), (AREA_TYPES, self.check_area_type), (UNITS, self.check_unit),
            (STAFF, self.check_person), (GROUPS, self.check_group), (MEMBERS, self.check_member),
            (ZONES, self.check_zone),
        ):  # fmt: skip
            for row in self.rows.get(sheet.key, []):
                method(row)
        self.check_group_links()
        self.check_working_groups()

    def known_floors(self) -> set[int]:
        return set(self.floors) | set(self.plans["floors"])

    def floor_size(self, level: int) -> tuple[int, int] | None:
        """The floor's size after the import, or None while the floor row itself is bad."""
        plan = self.plans["floors"].get(level) or {}
        stored = self.floors.get(level)
        sizes = []
        for key in ("width", "height"):
            value = plan.get(key, KEEP)
            if value is KEEP:
                value = getattr(stored, key) if stored else None
            sizes.append(value)
        width, depth = sizes
        return (width, depth) if width is not None and depth is not None else None

    def check_floor(self, row: Row) -> None:
        level = self.number(FLOORS, row, "level", low=-10, high=300, default=None)
        plan = {
            "row": row.number,
            "name": self.text(FLOORS, row, "name", max_length=50),
            "width": self.number(FLOORS, row, "width", low=10, high=100000, default=None),
            "height": self.number(FLOORS, row, "depth", low=10, high=100000, default=None),
        }
        if level is None or level is KEEP or self.duplicate(FLOORS, row, "level", level):
            return
        self.plans["floors"][level] = plan

    def check_area_type(self, row: Row) -> None:
        code = self.code(AREA_TYPES, row, "code")
        plan = {
            "row": row.number,
            "name": self.text(AREA_TYPES, row, "name", max_length=50),
            "width_mm": self.number(AREA_TYPES, row, "width_mm", low=1, high=1000000, default=1600),
            "depth_mm": self.number(AREA_TYPES, row, "depth_mm", low=1, high=1000000, default=700),
            "position": self.number(AREA_TYPES, row, "order", low=0, high=32767, default=0),
        }
        if code and not self.duplicate(AREA_TYPES, row, "code", code):
            self.plans["area_types"][code] = plan

    def check_unit(self, row: Row) -> None:
        code = self.code(UNITS, row, "code")
        floor = self.number(UNITS, row, "floor", low=-10, high=300, default=0)
        if floor not in (KEEP, None, 0) and floor not in self.known_floors():
            self.error(
                UNITS,
                row,
                "floor",
                _("No floor with level %(value)s in this center or this file.") % {"value": floor},
            )
        plan = {
            "row": row.number,
            "name": self.text(UNITS, row, "name", max_length=100),
            "kind": self.choice(UNITS, row, "kind", self.kinds, default=None),
            "department": self.text(UNITS, row, "department", max_length=100),
            "floor": None if floor == 0 else floor,
            "position": self.number(UNITS, row, "order", low=0, high=32767, default=0),
        }
        if code and not self.duplicate(UNITS, row, "code", code):
            self.plans["units"][code] = plan

    def known_units(self) -> set[str]:
        return set(self.units) | set(self.plans["units"])

    def check_person(self, row: Row) -> None:
        username = self.text(STAFF, row, "username", max_length=150)
        if username:
            try:
                UnicodeUsernameValidator()(username)
            except ValidationError:
                self.error(
                    STAFF,
                    row,
                    "username",
                    _(
                        "“%(value)s” is not a valid username: use letters, digits and @ . + - _ only."
                    )
                    % {"value": username},
                )
                username = None
        if (
            username
            and username not in self.staff
            and User.objects.filter(username=username).exists()
        ):
            self.error(
                STAFF,
                row,
                "username",
                _("The username “%(value)s” is already taken.") % {"value": username},
            )
            username = None
        unit = self.text(STAFF, row, "unit", max_length=32)
        if unit not in (KEEP, None):
            self.reference(
                STAFF,
                row,
                "unit",
                unit,
                known=self.known_units(),
                message=_("No unit with code “%(value)s” in this center or this file."),
            )
        roles: Any = KEEP
        if row.has("roles") and row.get("roles"):
            roles = []
            for name in LIST_SPLIT.split(row.get("roles")):
                if not name:
                    continue
                if normal(name) in self.roles:
                    roles.append(self.roles[normal(name)])
                else:
                    self.error(
                        STAFF, row, "roles", _("Unknown role “%(value)s”.") % {"value": name}
                    )
            roles = sorted(set(roles))
        active = self.choice(STAFF, row, "active", self.booleans, default=True)
        if (
            username
            and self.user is not None
            and username == self.user.username
            and ((roles is not KEEP and Role.ADMIN not in roles) or active is False)
        ):
            self.error(
                STAFF,
                row,
                "roles" if roles is not KEEP else "active",
                _("You cannot remove your own admin role or deactivate your own account."),
            )
        plan = {
            "row": row.number,
            "full_name": self.text(STAFF, row, "full_name", max_length=50),
            "unit": unit,
            "title": self.text(STAFF, row, "title", max_length=50),
            "phone": self.text(STAFF, row, "phone", max_length=20),
            "staff_number": self.staff_number(row, username),
            "wecom_userid": self.text(STAFF, row, "wecom_userid", max_length=64),
            "dingtalk_userid": self.text(STAFF, row, "dingtalk_userid", max_length=64),
            "roles": roles,
            "is_active": active,
        }
        if username and not self.duplicate(STAFF, row, "username", username):
            self.plans["staff"][username] = plan

    def staff_number(self, row: Row, username: str | None) -> Any:
        """Optional, but one person each: in this sheet and among every account."""
        number = self.text(STAFF, row, "staff_number", max_length=40)
        if number in (KEEP, None, ""):
            return number
        earlier = self.staff_numbers.setdefault(number, row.number)
        if earlier != row.number:
            self.error(STAFF, row, "staff_number",
                       _("“%(value)s” appears twice in this sheet (first in row %(row)d).")
                       % {"value": number, "row": earlier})  # fmt: skip
        elif self.numbers_taken.get(number, username) != username:
            self.error(STAFF, row, "staff_number",
                       _("This staff number belongs to another account."))  # fmt: skip
        return number

    def known_staff(self) -> set[str]:
        return set(self.staff) | set(self.plans["staff"])

    def check_group(self, row: Row) -> None:
        code = self.code(GROUPS, row, "code")
        kind = self.choice(GROUPS, row, "kind", self.group_kinds, default=None)
        stored = self.groups.get(code or "")
        if stored is not None and kind not in (KEEP, None) and kind != stored.kind:
            self.error(
                GROUPS,
                row,
                "kind",
                _("This group is a %(kind)s; the kind of a group cannot change.")
                % {"kind": stored.get_kind_display().lower()},
            )
        units: Any = KEEP
        if row.has("units") and row.get("units"):
            units = [name for name in LIST_SPLIT.split(row.get("units")) if name]
            for name in units:
                self.reference(
                    GROUPS,
                    row,
                    "units",
                    name,
                    known=self.known_units(),
                    message=_("No unit with code “%(value)s” in this center or this file."),
                )
        plan = {
            "row": row.number,
            "name": self.text(GROUPS, row, "name", max_length=100),
            "kind": kind if kind is not KEEP else (stored.kind if stored else None),
            "parent": self.text(GROUPS, row, "parent", max_length=32),
            "units": units,
            "position": self.number(GROUPS, row, "order", low=0, high=32767, default=0),
        }
        if code and not self.duplicate(GROUPS, row, "code", code):
            self.plans["groups"][code] = plan

    def group_kind(self, code: str) -> str | None:
        plan = self.plans["groups"].get(code)
        if plan is not None:
            return plan["kind"]  # type: ignore[no-any-return]
        stored = self.groups.get(code)
        return stored.kind if stored else None

    def check_group_links(self) -> None:
        """Parents, names and coverage, once every group row is known."""
        names: dict[str, int] = {}
        covered: dict[str, tuple[str, int]] = {}
        for code, plan in self.plans["groups"].items():
            row = Row(plan["row"], {})
            kind = plan["kind"]
            name = plan["name"]
            if name:
                if name in names:
                    self.error(
                        GROUPS,
                        row,
                        "name",
                        _("“%(value)s” appears twice in this sheet (first in row %(row)d).")
                        % {"value": name, "row": names[name]},
                    )
                names[name] = plan["row"]
                clash = next(
                    (
                        g
                        for g in self.groups.values()
                        if g.name == name and g.code != code and g.code not in self.plans["groups"]
                    ),
                    None,
                )
                if clash is not None:
                    self.error(
                        GROUPS,
                        row,
                        "name",
                        _("The group “%(value)s” already has this name.") % {"value": clash.code},
                    )
            parent = plan["parent"]
            if parent is KEEP:
                stored = self.groups.get(code)
                parent = stored.parent.code if stored and stored.parent else ""
            if kind:
                wanted = Group.PARENT_KINDS[kind]
                parent_kind = self.group_kind(parent) if parent else None
                if parent and parent_kind is None:
                    self.error(
                        GROUPS,
                        row,
                        "parent",
                        _("No group with code “%(value)s” in this center or this file.")
                        % {"value": parent},
                    )
                elif wanted is None and parent:
                    self.error(
                        GROUPS, row, "parent", _("The leadership group has no parent group.")
                    )
                elif wanted is not None and parent_kind != wanted:
                    self.error(
                        GROUPS,
                        row,
                        "parent",
                        _("A %(kind)s sits under a %(parent)s.")
                        % {
                            "kind": Group.Kind(kind).label.lower(),
                            "parent": Group.Kind(wanted).label.lower(),
                        },
                    )
                if plan["units"] is not KEEP and kind != Group.Kind.WORKING:
                    self.error(GROUPS, row, "units", _("Only working groups cover units."))
            if plan["units"] is not KEEP:
                for unit in plan["units"]:
                    if unit in covered and covered[unit][0] != code:
                        self.error(
                            GROUPS,
                            row,
                            "units",
                            _("The unit “%(value)s” is also covered by the group in row %(row)d.")
                            % {"value": unit, "row": covered[unit][1]},
                        )
                    covered[unit] = (code, plan["row"])

    def check_member(self, row: Row) -> None:
        group = self.text(MEMBERS, row, "group", max_length=32)
        username = self.text(MEMBERS, row, "username", max_length=150)
        role = self.choice(MEMBERS, row, "role", self.member_roles, default=Membership.Role.MEMBER)
        if group and self.group_kind(group) is None:
            self.error(
                MEMBERS,
                row,
                "group",
                _("No group with code “%(value)s” in this center or this file.") % {"value": group},
            )
            group = None
        if username and username not in self.known_staff():
            self.error(
                MEMBERS,
                row,
                "username",
                _("No staff member with username “%(value)s” in this center or this file.")
                % {"value": username},
            )
            username = None
        if not group or not username:
            return
        key = (group, username)
        earlier = self.plans["members"].get(key)
        if earlier is not None:
            self.error(
                MEMBERS,
                row,
                "username",
                _("“%(value)s” appears twice in this sheet (first in row %(row)d).")
                % {"value": username, "row": earlier["row"]},
            )
            return
        self.plans["members"][key] = {
            "row": row.number,
            "role": Membership.Role.MEMBER if role is KEEP else role,
        }

    def check_working_groups(self) -> None:
        """A person is in at most one working group, counting what is stored and the file."""
        stored = dict(
            Membership.objects.filter(
                group__center=self.center, group_kind=Group.Kind.WORKING
            ).values_list("user__username", "group__code")
        )
        in_file: dict[str, tuple[str, int]] = {}
        for (group, username), plan in self.plans["members"].items():
            if self.group_kind(group) != Group.Kind.WORKING:
                continue
            row = Row(plan["row"], {})
            if username in in_file and in_file[username][0] != group:
                self.error(
                    MEMBERS,
                    row,
                    "username",
                    _(
                        "%(value)s is also in a working group in row %(row)d; a person is in at most one working group."
                    )
                    % {"value": username, "row": in_file[username][1]},
                )
            elif stored.get(username, group) != group:
                self.error(
                    MEMBERS,
                    row,
                    "username",
                    _(
                        "%(value)s is already in the working group “%(group)s”; a person is in at most one working group."
                    )
                    % {"value": username, "group": stored[username]},
                )
            in_file.setdefault(username, (group, plan["row"]))

    def check_zone(self, row: Row) -> None:
        code = self.code(ZONES, row, "code")
        stored = self.zones.get(code or "")
        area_type = self.text(ZONES, row, "area_type", max_length=32)
        if area_type not in (KEEP, None):
            self.reference(
                ZONES,
                row,
                "area_type",
                area_type,
                known=set(self.area_types) | set(self.plans["area_types"]),
                message=_("No area type with code “%(value)s” in this center or this file."),
            )
        unit = self.text(ZONES, row, "unit", max_length=32)
        if unit not in (KEEP, None):
            self.reference(
                ZONES,
                row,
                "unit",
                unit,
                known=self.known_units(),
                message=_("No unit with code “%(value)s” in this center or this file."),
            )
        owner = self.text(ZONES, row, "owner", max_length=150)
        if owner not in (KEEP, None):
            self.reference(
                ZONES,
                row,
                "owner",
                owner,
                known=self.known_staff(),
                message=_("No staff member with username “%(value)s” in this center or this file."),
            )
        floor = self.number(ZONES, row, "floor", low=-10, high=300, default=0)
        if floor not in (KEEP, None, 0) and floor not in self.known_floors():
            self.error(
                ZONES,
                row,
                "floor",
                _("No floor with level %(value)s in this center or this file.") % {"value": floor},
            )
            floor = None
        box = {
            "x": self.number(ZONES, row, "x", low=0, high=100000, default=0),
            "y": self.number(ZONES, row, "y", low=0, high=100000, default=0),
            "width": self.number(ZONES, row, "width", low=1, high=100000, default=20),
            "height": self.number(ZONES, row, "depth", low=1, high=100000, default=10),
        }
        level = (stored.floor.level if stored and stored.floor else 0) if floor is KEEP else floor
        if level and None not in box.values():
            size = {
                name: (
                    getattr(stored, name)
                    if stored
                    else {"x": 0, "y": 0, "width": 20, "height": 10}[name]
                )
                if value is KEEP
                else value
                for name, value in box.items()
            }
            floor_size = self.floor_size(level)
            width, depth = floor_size or (0, 0)
            if floor_size and (
                size["x"] + size["width"] > width or size["y"] + size["height"] > depth
            ):
                self.error(
                    ZONES,
                    row,
                    "x",
                    _("The zone does not fit on floor %(level)s (%(width)d × %(depth)d dm).")
                    % {"level": level, "width": width, "depth": depth},
                )
        plan = {
            "row": row.number,
            "name": self.text(ZONES, row, "name", max_length=100),
            "area_type": area_type,
            "unit": unit,
            "owner": owner,
            "floor": None if floor == 0 else floor,
            **box,
            "is_active": self.choice(ZONES, row, "active", self.booleans, default=True),
        }
        if stored is None and area_type is KEEP:
            self.error(ZONES, row, "", _("A new zone needs an area type."))
        if code and not self.duplicate(ZONES, row, "code", code):
            self.plans["zones"][code] = plan
