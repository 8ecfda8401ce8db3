"""`{% zone_equipment zone %}`: the zone's equipment as a line with a link to its register, for
pages of apps below this one (the organisation's zone page) that cannot import it. Shown only
to those who may open the register, and only when the zone has equipment in use."""

from __future__ import annotations

from typing import Any

from django import template
from django.db.models import Count, Q

from onsite.core.access import may
from onsite.equipment.access import READERS
from onsite.equipment.models import Equipment, FaultReport
from onsite.org.models import Zone

register = template.Library()


@register.inclusion_tag("equipment/_zone_equipment.html", takes_context=True)
def zone_equipment(context: Any, zone: Zone) -> dict[str, Any]:
    request = context.get("request")
    if request is None or not may(request.user, READERS):
        return {"zone": zone, "counts": None}
    counts = Equipment.objects.filter(zone=zone, is_active=True).aggregate(
        pieces=Count("pk", distinct=True),
        faults=Count(
            "faults",
            filter=~Q(faults__status=FaultReport.Status.CLOSED),
            distinct=True,
        ),
    )
    return {"zone": zone, "counts": counts if counts["pieces"] else None}
