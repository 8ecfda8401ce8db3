from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render

from onsite.accounts.models import Role
from onsite.audit.models import AuditEvent
from onsite.core.decorators import role_required
from onsite.core.types import OnsiteRequest


@role_required(Role.AUDITOR)
def event_list(request: OnsiteRequest) -> HttpResponse:
    events = AuditEvent.objects.filter(center=request.center).order_by("-seq")
    page = Paginator(events, 50).get_page(request.GET.get("page"))
    return render(request, "audit/event_list.html", {"page": page})
