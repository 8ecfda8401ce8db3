"""Writing checked rows, all at once or not at all."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.http import HttpRequest
from django.utils.translation import gettext as _

from onsite.accounts.models import Role, RoleGrant, User
from onsite.audit.services import record_event
from onsite.core.models import Center
from onsite.org.models import AreaType, Coverage, Floor, Group, Membership, Unit, Zone
from onsite.org.services import set_roles
from onsite.org.spreadsheets.checking import Checker
from onsite.org.spreadsheets.reading import read_workbook
from onsite.org.spreadsheets.shape import (
    AREA_TYPES,
    FLOORS,
    KEEP,
    SHEETS,
    UNITS,
    ZONES,
    ImportResult,
    RowError,
    Sheet,
    SheetCount,
)

# --- applying ------------------------------------------------------------------------


class Applier:
    """Writes checked plans. Values equal to what is stored are left alone, so a second
    import of the same file counts every row as unchanged."""

    def __init__(self, checker: Checker):
        self.c = checker
        self.center = checker.center
        self.counts = {sheet.key: SheetCount(str(sheet.label)) for sheet in SHEETS}

    def _upsert(
        self,
        sheet: Sheet,
        stored: Any,
        model: type[Any],
        lookup: dict[str, Any],
        values: dict[str, Any],
        *,
        versioned: bool = False,
    ) -> Any:
        values = {name: value for name, value in values.items() if value is not KEEP}
        count = self.counts[sheet.key]
        if stored is None:
            obj = model.objects.create(center=self.center, **lookup, **values)
            count.created += 1
            return obj
        changed = {name: value for name, value in values.items() if getattr(stored, name) != value}
        if not changed:
            count.unchanged += 1
            return stored
        for name, value in changed.items():
            setattr(stored, name, value)
        extra = {"version": F("version") + 1} if versioned else {}
        model.objects.filter(pk=stored.pk).update(**changed, **extra)
        count.updated += 1
        return stored

    def apply(self) -> None:
        c = self.c
        for level, plan in c.plans["floors"].items():
            c.floors[level] = self._upsert(
                FLOORS, c.floors.get(level), Floor, {"level": level}, _without(plan, "row")
            )
        for code, plan in c.plans["area_types"].items():
            c.area_types[code] = self._upsert(
                AREA_TYPES, c.area_types.get(code), AreaType, {"code": code}, _without(plan, "row")
            )
        for code, plan in c.plans["units"].items():
            values = _without(plan, "row")
            if values["floor"] is not KEEP:
                values["floor"] = c.floors[values["floor"]] if values["floor"] else None
            c.units[code] = self._upsert(
                UNITS, c.units.get(code), Unit, {"code": code}, values, versioned=True
            )
        for username, plan in c.plans["staff"].items():
            c.staff[username] = self.apply_person(username, plan)
        self.apply_groups()
        for (group_code, username), plan in c.plans["members"].items():
            self.apply_member(c.groups[group_code], c.staff[username], plan["role"])
        for code, plan in c.plans["zones"].items():
            values = _without(plan, "row")
            for name, objects in (
                ("area_type", c.area_types),
                ("unit", c.units),
                ("owner", c.staff),
            ):
                if values[name] is not KEEP:
                    values[name] = objects[values[name]] if values[name] else None
            if values["floor"] is not KEEP:
                values["floor"] = c.floors[values["floor"]] if values["floor"] else None
            c.zones[code] = self._upsert(
                ZONES, c.zones.get(code), Zone, {"code": code}, values, versioned=True
            )

    def apply_person(self, username: str, plan: dict[str, Any]) -> User:
        stored = self.c.staff.get(username)
        values = _without(plan, "row", "roles")
        if values["unit"] is not KEEP:
            values["unit"] = self.c.units[values["unit"]] if values["unit"] else None
        values = {name: value for name, value in values.items() if value is not KEEP}
        count = self.counts["staff"]
        if stored is None:
            person = User(center=self.center, username=username, **values)
            person.set_unusable_password()
            person.save()
            RoleGrant.objects.bulk_create(
                RoleGrant(user=person, role=role)
                for role in (plan["roles"] if plan["roles"] is not KEEP else [Role.STAFF])
            )
            count.created += 1
            return person
        changed = {name: value for name, value in values.items() if getattr(stored, name) != value}
        if changed:
            User.objects.filter(pk=stored.pk).update(**changed)
            for name, value in changed.items():
                setattr(stored, name, value)
        roles_changed = plan["roles"] is not KEEP and set_roles(stored, plan["roles"])
        if changed or roles_changed:
            count.updated += 1
        else:
            count.unchanged += 1
        return stored

    def apply_groups(self) -> None:
        c = self.c
        outcome: dict[str, str] = {}  # code -> created / updated / unchanged
        for code, plan in c.plans["groups"].items():
            stored = c.groups.get(code)
            values = {
                name: value
                for name, value in _without(plan, "row", "parent", "units").items()
                if value is not KEEP
            }
            if stored is None:
                c.groups[code] = Group.objects.create(center=self.center, code=code, **values)
                outcome[code] = "created"
                continue
            values.pop("kind", None)  # never changes (checked)
            changed = {
                name: value for name, value in values.items() if getattr(stored, name) != value
            }
            if changed:
                Group.objects.filter(pk=stored.pk).update(**changed, version=F("version") + 1)
                for name, value in changed.items():
                    setattr(stored, name, value)
            outcome[code] = "updated" if changed else "unchanged"
        # Parents and coverage once every group exists: a parent may come later in the sheet.
        for code, plan in c.plans["groups"].items():
            group = c.groups[code]
            linked = False
            if plan["parent"] is not KEEP:
                parent = c.groups[plan["parent"]] if plan["parent"] else None
                if group.parent_id != (parent.pk if parent else None):
                    Group.objects.filter(pk=group.pk).update(
                        parent=parent, version=F("version") + 1
                    )
                    group.parent = parent
                    linked = True
            if plan["units"] is not KEEP:
                wanted = {c.units[unit].pk for unit in plan["units"]}
                current = set(
                    Coverage.objects.filter(group=group).values_list("unit_id", flat=True)
                )
                if wanted != current:
                    Coverage.objects.filter(group=group).exclude(unit_id__in=wanted).delete()
                    for unit_id in wanted - current:
                        Coverage.objects.update_or_create(
                            unit_id=unit_id, defaults={"group": group}
                        )
                    linked = True
            if linked and outcome[code] == "unchanged":
                outcome[code] = "updated"
        count = self.counts["groups"]
        for state in outcome.values():
            setattr(count, state, getattr(count, state) + 1)

    def apply_member(self, group: Group, person: User, role: str) -> None:
        count = self.counts["members"]
        current = Membership.objects.filter(group=group, user=person).first()
        if current is None:
            Membership.objects.create(group=group, user=person, role=role, group_kind=group.kind)
            count.created += 1
        elif current.role != role:
            Membership.objects.filter(pk=current.pk).update(role=role)
            count.updated += 1
        else:
            count.unchanged += 1


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
    applier = Applier(checker)
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
