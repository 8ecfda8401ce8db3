"""Who may do what with red tags: the role sets, declared once (the pages' decorators, the
actions' checks and the menus read them), and the access helper of a tag, shared by the pages
and the API. A tag of another center is a 404."""

from __future__ import annotations

from onsite.accounts.models import User
from onsite.core.access import may
from onsite.core.models import get_for_center
from onsite.core.roles import Role
from onsite.core.types import OnsiteRequest
from onsite.redtags.models import RedTag, RedTagQuerySet
from onsite.standards.access import TAGGER_ROLES
from onsite.supplies.access import READERS

__all__ = ["DECIDER_ROLES", "POLICY_ROLES", "READERS", "TAGGER_ROLES"]

DECIDER_ROLES = (Role.OFFICE, Role.ADMIN, Role.LEADER)
"""The programme office (and the admin and leadership) decide what happens to a tag."""
POLICY_ROLES = (Role.ADMIN, Role.OFFICE)
"""Who sets the center's holding time."""


def may_withdraw(user: User, tag: RedTag) -> bool:
    """A tag hung by mistake comes off by its tagger's hand or the office's."""
    if tag.tagged_by_id == user.pk:
        return may(user, TAGGER_ROLES, write=True)
    return may(user, DECIDER_ROLES, write=True)


def visible_tags(request: OnsiteRequest) -> RedTagQuerySet:
    return RedTag.objects.filter(center=request.center).select_related(
        "zone",
        "unit",
        "item",
        "supply",
        "tagged_by",
        "decided_by",
        "store_return",
        "transfer_to",
        "transfer_received_by",
    )


def get_tag(request: OnsiteRequest, pk: int) -> RedTag:
    """The access helper: one tag of the user's center (404 for anyone else's)."""
    return get_for_center(visible_tags(request), request.center, pk=pk)
