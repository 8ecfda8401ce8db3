"""Pages of the standards app."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import render

from onsite.accounts.models import Role
from onsite.core.decorators import role_required
from onsite.core.models import get_for_center
from onsite.core.types import OnsiteRequest
from onsite.org.models import Zone


@role_required(*Role.values)
def zone_page(request: OnsiteRequest, code: str) -> HttpResponse:
    """What a zone's QR card opens on a phone: the zone, its owner and its standard."""
    zone = get_for_center(
        Zone.objects.select_related("area_type", "unit", "owner", "floor"),
        request.center,
        code=code,
    )
    return render(request, "standards/zone_page.html", {"zone": zone})
