from __future__ import annotations

from typing import Any

from django import template
from django.urls import reverse
from django.utils.translation import gettext as _

from onsite.org import access

register = template.Library()


@register.inclusion_tag("org/_tabs.html", takes_context=True)
def org_tabs(context: dict[str, Any], active: str) -> dict[str, Any]:
    """The organisation's sections the user may open, the current one marked."""
    user = context["request"].user
    tabs = [
        ("units", _("Units"), "org:unit-list", access.READERS),
        ("staff", _("Staff"), "org:staff-list", access.READERS),
        ("groups", _("Groups"), "org:group-list", access.EVERYONE),
        ("zones", _("Zones"), "org:zone-list", access.EVERYONE),
        ("plan", _("Floor plan"), "org:floor-plan", access.EVERYONE),
        ("area-types", _("Area types"), "org:area-type-list", access.READERS),
        ("import", _("Import / export"), "org:import", access.ORG_EDITORS),
    ]
    return {
        "tabs": [
            {"key": key, "label": label, "url": reverse(url), "active": key == active}
            for key, label, url, roles in tabs
            if user.has_role(*roles)
        ]
    }


@register.filter
def half(value: int) -> float:
    return value / 2
