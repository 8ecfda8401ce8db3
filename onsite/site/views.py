"""The home pages: each role lands on what that person has to do first."""

from __future__ import annotations

from typing import Any

from django.http import HttpResponse
from django.shortcuts import render

from onsite.accounts.models import Role
from onsite.core.access import signed_in
from onsite.core.models import visible_centers
from onsite.core.offline import kept_offline
from onsite.core.types import OnsiteRequest
from onsite.site import queries
from onsite.site.setup import setup_checklist

HOME_TEMPLATES = {
    Role.ADMIN: "site/home_admin.html",
    Role.LEADER: "site/home_leader.html",
    Role.OFFICE: "site/home_leader.html",
    Role.SUPERVISOR: "site/home_supervisor.html",
    Role.GROUP_LEADER: "site/home_group.html",
    Role.MEMBER: "site/home_group.html",
    Role.STAFF: "site/home_staff.html",
    Role.SYSADMIN: "accounts/home_security.html",
    Role.SECADMIN: "accounts/home_security.html",
    Role.AUDITOR: "site/home_auditor.html",
    Role.VIEWER: "site/home_viewer.html",
}


@kept_offline
@signed_in
def home(request: OnsiteRequest) -> HttpResponse:
    """Each role lands on its own home page: what that person has to do first."""
    role = request.user.primary_role
    if role is None or request.center is None:
        return render(request, "site/home_none.html")
    context: dict[str, Any] = {"role": role, "role_label": Role(role).label}
    context.update(queries.home_summary(center=request.center, user=request.user, role=role))
    if role == Role.VIEWER:
        context["viewer_centers"] = visible_centers(request.user)
    if role == Role.ADMIN:
        context["setup"] = setup_checklist(request.center)
    return render(request, HOME_TEMPLATES[Role(role)], context)
