"""Read-side summaries for the home pages: a fixed number of queries each."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db.models import Count, Q
from django.utils import timezone

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

        return {
            "my_zones": list(zones),
            "my_unit": user.unit,
            **my_work(center=center, user=user),
            **staff_to_do(user),
        }
    mine: dict[str, Any] = {}
    if role in (Role.MEMBER, Role.GROUP_LEADER):
        # Working-group members are window staff too: their own work comes first.
        from onsite.rectification.queries import my_work

        mine = {**my_work(center=center, user=user), **staff_to_do(user)}
    counts = Unit.objects.filter(center=center).aggregate(
        windows=Count("pk", filter=Q(kind=Unit.Kind.WINDOW)),
        sections=Count("pk", filter=Q(kind=Unit.Kind.SECTION)),
    )
    return {
        "unit_counts": counts,
        "zone_count": Zone.objects.filter(center=center, is_active=True).count(),
        "staff_count": User.objects.filter(center=center, is_active=True).count(),
        "group_count": Group.objects.filter(center=center).count(),
        **mine,
    }


def staff_to_do(user: User) -> dict[str, Any]:
    """What else waits for a person besides rectifications: surveys addressed to them that
    they have not answered, and published standards of their zones not yet acknowledged
    (a newcomer's first tasks). Three queries."""
    from onsite.engagement.models import Acknowledgement
    from onsite.engagement.services import versions_for
    from onsite.surveys.models import Survey

    surveys = list(
        Survey.objects.open_on(timezone.localdate())
        .addressed_to(user)
        .exclude(participations__user=user)
        .order_by("closes_on", "pk")[:5]
    )
    versions = list(versions_for(user).select_related("standard__area_type"))
    done = set(
        Acknowledgement.objects.filter(
            user=user, standard_version__in=versions, acknowledged_at__isnull=False
        ).values_list("standard_version_id", flat=True)
    )
    return {
        "open_surveys": surveys,
        "to_acknowledge": [version for version in versions if version.pk not in done],
    }
