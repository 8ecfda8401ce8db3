"""Writing checked rows, all at once or not at all, through the organisation's actions."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils.translation import gettext as _

from onsite.accounts.models import Role, User
from onsite.audit.services import record_event
from onsite.core.models import Center
from onsite.core.refusals import Invalid, Refusal
from onsite.org import actions
from onsite.org.models import AreaType, Coverage, Floor, Group, Membership, Unit, Zone
from onsite.org.services import ASSIGNABLE_ROLES, staff_fingerprint
from onsite.org.spreadsheets.checking import Checker
from onsite.org.spreadsheets.reading import read_workbook
from onsite.org.spreadsheets.shape import (
    AREA_TYPES,
    FLOORS,
    GROUPS,
    KEEP,
    MEMBERS,
    SHEETS,
    STAFF,
    UNITS,
    ZONES,
    ImportResult,
    RowError,
    Sheet,
    SheetCount,
)

T = TypeVar("T")

# --- applying ------------------------------------------------------------------------

# Parents before children: a group is created under a parent that already exists.
GROUP_DEPTH = {"leadership": 0, "office": 1, "promotion": 1, "working": 2}


class RowRefusedError(Exception):
    """An action refused a row the checker passed (a change saved in the meantime, say)."""

    def __init__(self, error: RowError) -> None:
        super().__init__(error.message)
        self.error = error


class Applier:
    """Writes checked plans through the organisation's actions (onsite.org.actions), so each
    object written gets the audit row and the signals of a page's or the API's write. Values
    equal to what is stored are left alone, so a second import of the same file counts every
    row as unchanged."""

    def __init__(self, checker: Checker, request: HttpRequest):
        self.c = checker
        self.request = request
        self.center = checker.center
        self.counts = {sheet.key: SheetCount(str(sheet.label)) for sheet in SHEETS}

    def _act(self, sheet: Sheet, plan: dict[str, Any], write: Callable[[], T]) -> T:
        try:
            return write()
        except Refusal as refusal:
            raise RowRefusedError(
                RowError(str(sheet.label), plan.get("row"), "", str(refusal.message))
            ) from refusal

    def _changes(self, stored: Any, values: dict[str, Any]) -> dict[str, Any]:
        return {name: value for name, value in values.items() if getattr(stored, name) != value}

    def _count(self, sheet: Sheet, state: str) -> None:
        count = self.counts[sheet.key]
        setattr(count, state, getattr(count, state) + 1)

    def apply(self) -> None:
        c = self.c
        # A floor that shrinks around zones the file also moves is saved once they moved.
        later = [
            level for level, plan in c.plans["floors"].items() if not self.apply_floor(level, plan)
        ]
        for code, plan in c.plans["area_types"].items():
            c.area_types[code] = self.apply_area_type(code, plan)
        for code, plan in c.plans["units"].items():
            c.units[code] = self.apply_unit(code, plan)
        for username, plan in c.plans["staff"].items():
            c.staff[username] = self.apply_person(username, plan)
        self.apply_groups()
        for (group_code, username), plan in c.plans["members"].items():
            self.apply_member(c.groups[group_code], c.staff[username], plan)
        for code, plan in c.plans["zones"].items():
            c.zones[code] = self.apply_zone(code, plan)
        for level in later:
            self.save_floor_late(level, c.plans["floors"][level])

    def save_floor_late(self, level: int, plan: dict[str, Any]) -> None:
        floor = self.c.floors[level]
        self._act(FLOORS, plan, lambda: actions.do_save_floor(
            self.request, floor=floor, data=_kept(plan)
        ))  # fmt: skip

    def apply_floor(self, level: int, plan: dict[str, Any]) -> bool:
        """Saves the floor, or returns False when stored zones keep it from shrinking yet."""
        stored = self.c.floors.get(level)
        values = _kept(plan)
        if stored is not None and not (values := self._changes(stored, values)):
            self._count(FLOORS, "unchanged")
            return True
        floor = stored or Floor(center=self.center)
        self.c.floors[level] = floor
        self._count(FLOORS, "updated" if stored else "created")
        try:
            actions.do_save_floor(self.request, floor=floor, data={**values, "level": level})
        except Invalid as refusal:
            if refusal.code != "outside_floor":
                raise RowRefusedError(
                    RowError(str(FLOORS.label), plan["row"], "", str(refusal.message))
                ) from refusal
            return False
        return True

    def apply_area_type(self, code: str, plan: dict[str, Any]) -> AreaType:
        stored = self.c.area_types.get(code)
        values = _kept(plan)
        if stored is not None and not (values := self._changes(stored, values)):
            self._count(AREA_TYPES, "unchanged")
            return stored
        self._count(AREA_TYPES, "updated" if stored else "created")
        area_type = stored or AreaType(center=self.center)
        return self._act(AREA_TYPES, plan, lambda: actions.do_save_area_type(
            self.request, area_type=area_type, data={**values, "code": code}
        ))  # fmt: skip

    def apply_unit(self, code: str, plan: dict[str, Any]) -> Unit:
        stored = self.c.units.get(code)
        values = _kept(plan)
        if "floor" in values:
            values["floor"] = self.c.floors[values["floor"]] if values["floor"] else None
        if stored is None:
            self._count(UNITS, "created")
            return self._act(UNITS, plan, lambda: actions.do_create_unit(
                self.request, center=self.center, data={**values, "code": code}
            ))  # fmt: skip
        if not (values := self._changes(stored, values)):
            self._count(UNITS, "unchanged")
            return stored
        self._count(UNITS, "updated")
        return self._act(UNITS, plan, lambda: actions.do_update_unit(
            self.request, unit=stored, data=values, expected_version=stored.version
        ))  # fmt: skip

    def apply_person(self, username: str, plan: dict[str, Any]) -> User:
        stored = self.c.staff.get(username)
        values = _kept(_without(plan, "roles"))
        if "unit" in values:
            values["unit"] = self.c.units[values["unit"]] if values["unit"] else None
        roles = None if plan["roles"] is KEEP else list(plan["roles"])
        if stored is None:
            self._count(STAFF, "created")
            return self._act(STAFF, plan, lambda: actions.do_create_staff(
                self.request, center=self.center, data={**values, "username": username},
                roles=roles if roles is not None else [Role.STAFF],
            ))  # fmt: skip
        values = self._changes(stored, values)
        held = {role for role in stored.roles if role in ASSIGNABLE_ROLES}
        if not values and (roles is None or set(roles) == held):
            self._count(STAFF, "unchanged")
            return stored
        self._count(STAFF, "updated")
        return self._act(STAFF, plan, lambda: actions.do_update_staff(
            self.request, person=stored, data=values, roles=roles,
            fingerprint=staff_fingerprint(User.objects.get(pk=stored.pk)),
        ))  # fmt: skip

    def apply_groups(self) -> None:
        c = self.c
        plans = sorted(
            c.plans["groups"].items(), key=lambda item: GROUP_DEPTH.get(item[1]["kind"], 3)
        )
        for code, plan in plans:
            values = _kept(_without(plan, "units"))
            if "parent" in values:
                values["parent"] = c.groups[values["parent"]] if values["parent"] else None
            units = None if plan["units"] is KEEP else [c.units[unit] for unit in plan["units"]]
            c.groups[code] = self.apply_group(code, plan, values, units)

    def apply_group(
        self, code: str, plan: dict[str, Any], values: dict[str, Any], units: list[Unit] | None
    ) -> Group:
        stored = self.c.groups.get(code)
        if stored is None:
            self._count(GROUPS, "created")
            return self._act(GROUPS, plan, lambda: actions.do_create_group(
                self.request, center=self.center, data={**values, "code": code},
                units=units or [],
            ))  # fmt: skip
        values.pop("kind", None)  # never changes (checked)
        values = self._changes(stored, values)
        covered = set(Coverage.objects.filter(group=stored).values_list("unit_id", flat=True))
        if units is not None and {unit.pk for unit in units} == covered:
            units = None
        if not values and units is None:
            self._count(GROUPS, "unchanged")
            return stored
        self._count(GROUPS, "updated")
        return self._act(GROUPS, plan, lambda: actions.do_update_group(
            self.request, group=stored, data=values, expected_version=stored.version,
            units=units,
        ))  # fmt: skip

    def apply_member(self, group: Group, person: User, plan: dict[str, Any]) -> None:
        current = Membership.objects.filter(group=group, user=person).first()
        if current is not None and current.role == plan["role"]:
            self._count(MEMBERS, "unchanged")
            return
        self._count(MEMBERS, "updated" if current else "created")
        self._act(MEMBERS, plan, lambda: actions.do_set_membership(
            self.request, group=group, person=person, role=plan["role"]
        ))  # fmt: skip

    def apply_zone(self, code: str, plan: dict[str, Any]) -> Zone:
        c = self.c
        stored = c.zones.get(code)
        values = _kept(plan)
        for name, objects in (("area_type", c.area_types), ("unit", c.units), ("owner", c.staff)):
            if name in values:
                values[name] = objects[values[name]] if values[name] else None
        if "floor" in values:
            values["floor"] = c.floors[values["floor"]] if values["floor"] else None
        if stored is None:
            self._count(ZONES, "created")
            return self._act(ZONES, plan, lambda: actions.do_create_zone(
                self.request, center=self.center, data={**values, "code": code}
            ))  # fmt: skip
        if not (values := self._changes(stored, values)):
            self._count(ZONES, "unchanged")
            return stored
        self._count(ZONES, "updated")
        return self._act(ZONES, plan, lambda: actions.do_update_zone(
            self.request, zone=stored, data=values, expected_version=stored.version
        ))  # fmt: skip


def _kept(plan: dict[str, Any]) -> dict[str, Any]:
    """The plan's values for the columns the file has (KEEP: not in the file)."""
    return {name: value for name, value in plan.items() if name != "row" and value is not KEEP}


def _without(plan: dict[str, Any], *names: str) -> dict[str, Any]:
    return {name: value for name, value in plan.items() if name not in names}


def import_workbook(
    request: HttpRequest, *, center: Center, data: bytes, save: bool = True
) -> ImportResult:
    """Checks the workbook and, if every row is good and `save`, writes it all at once."""
    result = ImportResult()
    try:
        rows, result.errors = read_workbook(data)
    except ValidationError as exc:
        result.errors = [RowError("", None, "", message) for message in exc.messages]
        return result
    user = request.user if isinstance(request.user, User) else None
    checker = Checker(center=center, user=user, rows=rows)
    checker.check()
    result.errors += checker.errors
    if result.errors:
        return result
    applier = Applier(checker, request)
    try:
        with transaction.atomic():
            applier.apply()
            result.counts = [applier.counts[sheet.key] for sheet in SHEETS if sheet.key in rows]
            if save:
                record_event(
                    request,
                    action="org.import",
                    detail={
                        count.label: [count.created, count.updated, count.unchanged]
                        for count in result.counts
                    },
                )
            else:
                transaction.set_rollback(True)
    except RowRefusedError as refused:
        result.errors = [refused.error]
        result.counts = []
        return result
    except IntegrityError:
        result.errors = [
            RowError(
                "",
                None,
                "",
                _(
                    "The import conflicts with a change saved in the meantime; nothing was imported. Please try again."
                ),
            )
        ]
        result.counts = []
        return result
    result.saved = save
    return result
