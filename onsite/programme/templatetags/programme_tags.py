"""Tags of the programme's pages, and the panel other apps' pages include."""

from __future__ import annotations

from typing import Any

from django import template
from django.urls import reverse
from django.utils.translation import gettext as _

from onsite.org.models import Unit
from onsite.programme import access, queries
from onsite.programme.models import ProgressStatus

register = template.Library()

STATUS_CLASSES: dict[str, str] = {
    ProgressStatus.NOT_STARTED.value: "text-bg-light border",
    ProgressStatus.IN_PROGRESS.value: "text-bg-primary",
    ProgressStatus.AWAITING.value: "text-bg-warning",
    ProgressStatus.ACCEPTED.value: "text-bg-success",
}
CARD_CLASSES = {"red_flag": "card-flag", "yellow": "card-yellow", "red": "card-red"}
CARD_ICONS = {"red_flag": "flag-fill", "yellow": "square-fill", "red": "square-fill"}


@register.inclusion_tag("programme/_tabs.html", takes_context=True)
def programme_tabs(context: dict[str, Any], active: str) -> dict[str, Any]:
    """The programme's sections the user may open, the current one marked."""
    user = context["request"].user
    tabs = [
        ("overview", _("Programme"), "programme:overview", access.READERS, "kanban"),
        ("rounds", _("Acceptance rounds"), "programme:round-list", access.READERS, "people"),
        ("rankings", _("Rankings"), "programme:rankings", access.READERS, "trophy"),
        ("cards", _("Cards"), "programme:card-list", access.READERS, "flag"),
        (
            "interviews",
            _("Interviews"),
            "programme:interview-list",
            access.RESULT_READERS,
            "chat-square-text",
        ),
        ("gates", _("Exit gates"), "programme:gates", access.PLANNERS, "sign-stop"),
    ]
    return {
        "tabs": [
            {
                "key": key,
                "label": label,
                "url": reverse(url),
                "active": key == active,
                "icon": icon,
            }
            for key, label, url, roles, icon in tabs
            if user.has_role(*roles)
            and (roles is not access.PLANNERS or access.may(user, access.PLANNERS))
        ]
    }


@register.filter
def status_class(status: str) -> str:
    return STATUS_CLASSES.get(status, "text-bg-light")


@register.filter
def card_class(kind: str) -> str:
    return CARD_CLASSES.get(kind, "")


@register.filter
def card_icon(kind: str) -> str:
    return CARD_ICONS.get(kind, "square")


@register.inclusion_tag("programme/_unit_panel_body.html", takes_context=True)
def unit_programme_panel(context: dict[str, Any], unit: Unit) -> dict[str, Any]:
    """The unit's phases, current exit gate and cards, for the unit's page in `org`."""
    request = context["request"]
    user = request.user
    if not user.has_role(*access.READERS) or unit.center_id != getattr(request.center, "pk", None):
        return {"show": False}
    programme = access.current_programme(request.center)
    return {
        "show": True,
        "unit": unit,
        "panel": queries.unit_panel(unit, programme),
        "request": request,
    }


@register.filter
def get_item(mapping: dict[str, Any], key: str) -> Any:
    return mapping.get(key, "")
