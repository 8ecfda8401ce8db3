"""Read-side views of the organisation: the 1:3 standing of groups and member suggestions.
Each function costs a fixed number of queries, whatever the size of the center."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Prefetch, QuerySet

from onsite.accounts.models import User
from onsite.core.models import Center
from onsite.org.models import Coverage, Group, Membership, Unit

ROLE_ORDER = {Membership.Role.LEADER: 0, Membership.Role.DEPUTY: 1, Membership.Role.MEMBER: 2}


@dataclass
class Standing:
    """A group against the 1:3 rule. Only working groups have a required size."""

    group: Group
    staff: int
    members: int
    children: list[Standing] = field(default_factory=list)

    @property
    def required(self) -> int:
        return Group.required_members(self.staff) if self.group.is_working else 0

    @property
    def shortfall(self) -> int:
        return max(0, self.required - self.members)

    @property
    def meets_rule(self) -> bool:
        return self.shortfall == 0

    @property
    def leaders(self) -> list[Membership]:
        return [m for m in self.group.memberships.all() if m.role == Membership.Role.LEADER]

    @property
    def units(self) -> list[Unit]:
        return [coverage.unit for coverage in self.group.coverages.all()]

    @property
    def working_children(self) -> list[Standing]:
        return [child for child in self.children if child.group.is_working]

    @property
    def other_children(self) -> list[Standing]:
        return [child for child in self.children if not child.group.is_working]


@dataclass
class Programme:
    """Every group of a center in its chain of command, and what is missing."""

    roots: list[Standing]
    working: list[Standing]
    uncovered_units: list[Unit]

    @property
    def short_groups(self) -> list[Standing]:
        return [s for s in self.working if not s.meets_rule]

    @property
    def meeting_groups(self) -> list[Standing]:
        return [s for s in self.working if s.meets_rule]

    @property
    def total_required(self) -> int:
        return sum(s.required for s in self.working)

    @property
    def total_members(self) -> int:
        return sum(s.members for s in self.working)


def groups_with_standing(center: Center | None) -> QuerySet[Group]:
    return (
        Group.objects.filter(center=center)
        .with_standing()
        .select_related("parent")
        .prefetch_related(
            Prefetch("coverages", queryset=Coverage.objects.select_related("unit").order_by(
                "unit__kind", "unit__position", "unit__code")),
            Prefetch(
                "memberships",
                queryset=Membership.objects.select_related("user").order_by("role", "user__username"),
            ),
        )
    )  # fmt: skip


def standing_of(group: Group) -> Standing:
    """`group` must come from groups_with_standing or access.get_group (annotated)."""
    return Standing(group, staff=group.staff_count, members=group.member_count)  # type: ignore[attr-defined]


def programme_standing(center: Center | None) -> Programme:
    standings = {group.pk: standing_of(group) for group in groups_with_standing(center)}
    roots: list[Standing] = []
    for standing in standings.values():
        parent = standings.get(standing.group.parent_id) if standing.group.parent_id else None
        (parent.children if parent else roots).append(standing)
    for standing in standings.values():
        standing.children.sort(
            key=lambda s: (s.group.kind != Group.Kind.OFFICE, s.group.position, s.group.code)
        )
    uncovered = list(
        Unit.objects.filter(center=center, coverage__isnull=True).order_by(
            "kind", "position", "code"
        )
    )
    working = [s for s in standings.values() if s.group.is_working]
    working.sort(key=lambda s: (s.group.position, s.group.code))
    return Programme(roots=roots, working=working, uncovered_units=uncovered)


def suggest_members(group: Group) -> list[User]:
    """Staff of the covered units who are in no working group yet, the least represented
    units first, so a short group fills up across its units rather than from one."""
    if not group.is_working:
        return []
    candidates = list(
        User.objects.filter(unit__coverage__group=group, is_active=True, center=group.center_id)
        .exclude(memberships__group_kind=Group.Kind.WORKING)
        .select_related("unit")
        .order_by("unit__position", "unit__code", "username")
    )
    members_per_unit: dict[int | None, int] = defaultdict(int)
    for member_unit in Membership.objects.filter(group=group).values_list(
        "user__unit_id", flat=True
    ):
        members_per_unit[member_unit] += 1
    by_unit: dict[int | None, list[User]] = defaultdict(list)
    for person in candidates:
        by_unit[person.unit_id].append(person)
    ordered: list[User] = []
    while by_unit:
        for unit_id in sorted(by_unit, key=lambda u: (members_per_unit[u], u or 0)):
            ordered.append(by_unit[unit_id].pop(0))
            members_per_unit[unit_id] += 1
            if not by_unit[unit_id]:
                del by_unit[unit_id]
            break
    return ordered
