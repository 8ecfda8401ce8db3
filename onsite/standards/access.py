"""Who may do what with standards and filings: the app's one declaration of role sets (read
by the pages' `role_required`, the actions' checks in onsite.standards.actions and the menus)
and one helper per object type, shared by the pages and the API. Objects of another center
are a 404 (never a 403)."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from onsite.accounts.models import Role, User
from onsite.core.access import may
from onsite.core.models import Center, get_for_center
from onsite.core.roles import ALL
from onsite.org.models import AreaType, Zone
from onsite.standards.models import Clause, FilingQuerySet, ItemFiling, ItemRule, StandardVersion

READERS = tuple(ALL | {Role.VIEWER})
EDITORS = (Role.ADMIN, Role.OFFICE)
REVIEWERS = (Role.ADMIN, Role.OFFICE)
FILERS = tuple(ALL)
# Red tags (整理) start where people stand, on the zone page: anyone working in the center
# tags; cross-center viewers only read. Declared here, below both, for the zone page and the
# red-tag register alike.
TAGGER_ROLES = (
    Role.ADMIN,
    Role.LEADER,
    Role.OFFICE,
    Role.SUPERVISOR,
    Role.GROUP_LEADER,
    Role.MEMBER,
    Role.STAFF,
)


def can_edit_standards(user: User) -> bool:
    return may(user, EDITORS, write=True)


def can_review_filings(user: User) -> bool:
    return may(user, REVIEWERS, write=True)


def sees_all_filings(user: User) -> bool:
    return user.has_role(Role.ADMIN, Role.LEADER, Role.OFFICE, Role.SUPERVISOR, Role.VIEWER)


def get_area_type(center: Center | None, code: str) -> AreaType:
    return get_for_center(AreaType.objects.all(), center, code=code)


def get_version(center: Center | None, pk: int) -> StandardVersion:
    return get_for_center(
        StandardVersion.objects.select_related("standard__area_type", "based_on"), center, pk=pk
    )


def get_clause(center: Center | None, pk: int) -> Clause:
    return get_for_center(
        Clause.objects.select_related("standard_version__standard__area_type"), center, pk=pk
    )


def get_item_rule(center: Center | None, pk: int) -> ItemRule:
    return get_for_center(
        ItemRule.objects.select_related("item", "standard_version__standard__area_type"),
        center,
        pk=pk,
    )


def visible_filings(user: User, center: Center | None) -> FilingQuerySet:
    """Managers see every filing of the center; others the filings of zones they own or
    filings they made."""
    rows = ItemFiling.objects.filter(center=center)
    if sees_all_filings(user):
        return rows
    return rows.filter(Q(zone__owner=user) | Q(filed_by=user))


def get_filing(user: User, center: Center | None, pk: int) -> ItemFiling:
    return get_for_center(
        visible_filings(user, center).select_related(
            "zone__area_type", "zone__owner", "item", "filed_by", "reviewed_by"
        ),
        center,
        pk=pk,
    )


def fileable_zones(user: User, center: Center | None) -> QuerySet[Zone]:
    """Zones a user may file items for: their own, or every zone for the office."""
    zones = Zone.objects.filter(center=center, is_active=True).select_related("area_type")
    if can_review_filings(user):
        return zones
    return zones.filter(owner=user)


def can_withdraw(user: User, filing: ItemFiling) -> bool:
    return (
        filing.filed_by_id == user.pk or filing.zone.owner_id == user.pk or can_review_filings(user)
    ) and not user.is_cross_center_viewer
