"""Who a survey or a training session is for: the whole center, or some units and groups.

Shared by surveys and engagement (training): both keep `units` and `groups` many-to-many
fields, and an empty selection means the whole center."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Q, QuerySet

from onsite.accounts.models import User

if TYPE_CHECKING:
    from onsite.core.models import Center


def audience_filter(*, unit_ids: list[int], group_ids: list[int]) -> Q:
    """Condition on User rows: in one of the units, or member of one of the groups.
    Both empty → everyone (the whole center)."""
    if not unit_ids and not group_ids:
        return Q()
    condition = Q(pk__in=[])
    if unit_ids:
        condition |= Q(unit_id__in=unit_ids)
    if group_ids:
        condition |= Q(memberships__group_id__in=group_ids)
    return condition


def audience_users(
    center: Center | int, *, unit_ids: list[int], group_ids: list[int]
) -> QuerySet[User]:
    """Active people of the center the selection covers (cross-center viewers belong to no
    center, so they are never part of an audience)."""
    return (
        User.objects.filter(center=center, is_active=True)
        .filter(audience_filter(unit_ids=unit_ids, group_ids=group_ids))
        .distinct()
    )


def is_in_audience(
    user: User, *, center_id: int, unit_ids: list[int], group_ids: list[int]
) -> bool:
    if not user.is_authenticated or user.center_id != center_id or not user.is_active:
        return False
    if not unit_ids and not group_ids:
        return True
    if user.unit_id is not None and user.unit_id in unit_ids:
        return True
    return bool(group_ids) and user.memberships.filter(group_id__in=group_ids).exists()
