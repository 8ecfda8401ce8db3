"""Read-side summaries for the home pages: a fixed number of queries each."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db.models import Count, Q

from onsite.accounts.models import Role, User
from onsite.org.models import Group, Unit, Zone

if TYPE_CHECKING:
    from onsite.core.models import Center


def home_summary(*, center: Center, user: User, role: str) -> dict[str, Any]:
    if role == Role.STAFF:
        zones = Zone.objects.filter(center=center, owner=user, is_active=True).select_related(
            "area_type", "unit"
        )
        from onsite.rectification.queries import my_work

        return {"my_zones": list(zones), "my_unit": user.unit, **my_work(center=center, user=user)}
    counts = Unit.objects.filter(center=center).aggregate(
        windows=Count("pk", filter=Q(kind=Unit.Kind.WINDOW)),
        sections=Count("pk", filter=Q(kind=Unit.Kind.SECTION)),
    )
    return {
        "unit_counts": counts,
        "zone_count": Zone.objects.filter(center=center, is_active=True).count(),
        "staff_count": User.objects.filter(center=center, is_active=True).count(),
        "group_count": Group.objects.filter(center=center).count(),
    }
