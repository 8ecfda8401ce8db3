"""Who may read and change the organisation, and the one door to each org object.

The role sets below are the app's one declaration: the pages' `role_required`, the actions'
checks (onsite.org.actions) and the menus read them, so a page and its endpoint can never
disagree about who sees or does what."""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet

from onsite.accounts.models import Role, User
from onsite.core.access import may
from onsite.core.models import Center, get_for_center
from onsite.core.roles import ALL, MANAGERS
from onsite.core.sorting import by_choices
from onsite.org.models import AreaType, Floor, Group, Unit, Zone

# Units and staff: people who run or take part in the programme, and cross-center viewers.
READERS: tuple[str, ...] = tuple(sorted(MANAGERS | {Role.MEMBER, Role.VIEWER}))
# Zones, groups and the floor plan: everyone in the center (window staff see their zones).
EVERYONE: tuple[str, ...] = tuple(sorted(ALL | {Role.VIEWER}))
# Units, staff, floors, area types, import/export: the center admin owns configuration.
ORG_EDITORS: tuple[str, ...] = (Role.ADMIN,)
# Zones (create, edit, place on the plan): the admin, and the programme office, which lays
# out the areas it standardizes (a new public area, a window's back office split in two).
ZONE_EDITORS: tuple[str, ...] = (Role.ADMIN, Role.OFFICE)
# Groups are the programme's organisation: the admin and the programme office form them.
GROUP_EDITORS: tuple[str, ...] = (Role.ADMIN, Role.OFFICE)
# Printing zone cards is part of setting up the zones and of running the programme.
CARD_PRINTERS: tuple[str, ...] = (Role.ADMIN, Role.OFFICE)


def _may(user: User, roles: tuple[str, ...]) -> bool:
    return may(user, roles, write=True)


def can_edit_org(user: User) -> bool:
    return _may(user, ORG_EDITORS)


def can_read_units(user: User) -> bool:
    return may(user, READERS)


def can_edit_zones(user: User) -> bool:
    return _may(user, ZONE_EDITORS)


def can_edit_groups(user: User) -> bool:
    return _may(user, GROUP_EDITORS)


def can_print_cards(user: User) -> bool:
    return _may(user, CARD_PRINTERS)


def can_see_phone(user: User) -> bool:
    """Phone numbers are personal data: only the admin who keeps them sees them."""
    return can_edit_org(user)


def units_of(center: Center | None) -> QuerySet[Unit]:
    return (
        Unit.objects.filter(center=center)
        .select_related("floor")
        .annotate(headcount=Count("staff", filter=Q(staff__is_active=True)))
        # Windows first, then sections, in their set order: said here, because with the
        # count's GROUP BY the rows came back in whatever order PostgreSQL's plan gave
        # (once headcount order: a flaky test_the_unit_list_sorts_by_a_column).
        .order_by(by_choices("kind", Unit.Kind.values), "position", "code", "pk")
    )


def staff_of(center: Center | None) -> QuerySet[User]:
    return User.objects.filter(center=center).select_related("unit")


def get_unit(center: Center | None, code: str) -> Unit:
    return get_for_center(units_of(center), center, code=code)


def get_person(center: Center | None, username: str) -> User:
    return get_for_center(staff_of(center), center, username=username)


def get_group(center: Center | None, code: str) -> Group:
    return get_for_center(Group.objects.with_standing().select_related("parent"), center, code=code)


def get_zone(center: Center | None, code: str) -> Zone:
    return get_for_center(
        Zone.objects.select_related("area_type", "unit", "owner", "floor"), center, code=code
    )


def get_floor(center: Center | None, level: int) -> Floor:
    return get_for_center(Floor.objects.all(), center, level=level)


def get_area_type(center: Center | None, code: str) -> AreaType:
    return get_for_center(AreaType.objects.all(), center, code=code)
