"""The main navigation: one declared list, shown to the roles each page's own declaration
admits (read back by the policy), grouped into menus by section. Each app adds its entries
here when it gains pages."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any

from django.urls import NoReverseMatch, get_script_prefix, reverse
from django.utils.functional import Promise
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from onsite.complaints.apps import NAV_LABEL as COMPLAINTS
from onsite.dashboards.apps import NAV_LABEL as DASHBOARD
from onsite.engagement.apps import NAV_LABEL as BOARD
from onsite.equipment.apps import NAV_LABEL as EQUIPMENT
from onsite.org.apps import NAV_FLOOR_PLAN, NAV_GROUPS, NAV_IMPORT
from onsite.programme.apps import NAV_LABEL as PROGRAMME
from onsite.redtags.apps import NAV_LABEL as RED_TAGS
from onsite.site.policy import policy
from onsite.supplies.apps import NAV_LABEL as SUPPLIES
from onsite.surveys.apps import NAV_LABEL as SURVEYS
from onsite.vision.apps import NAV_LABEL as PHOTO_CHECK


@dataclass(frozen=True)
class NavItem:
    label: str | Promise
    url_name: str
    icon: str
    section: str | Promise | None = None  # entries of a section share one dropdown menu
    # Roles that may open the page but have no use for it in their menu (a system admin
    # does not browse standards); everyone else who may open it sees it.
    hidden_for: frozenset[str] = frozenset()

    def shown_to(self, roles: frozenset[str]) -> bool:
        """The page's roles are declared once, on its view; the menu follows them, so it
        never offers a page that would answer 403 (nor one that declares nothing)."""
        access = policy().get(self.url_name)
        visible = roles - self.hidden_for
        if access is None:
            return False
        return bool(visible) if access.roles is None else bool(visible & access.roles)


ORGANISATION = _("Organisation")
STANDARDS = _("Standards")
CHECKS = _("Check and fix")
SORT = _("Sort and supplies")
ENGAGEMENT = _("Engagement")


NAV: list[NavItem] = [
    NavItem(_("Home"), "site:home", "house"),
    NavItem(DASHBOARD, "dashboards:dashboard", "speedometer2"),
    NavItem(_("Units"), "org:unit-list", "building", ORGANISATION),
    NavItem(_("Zones"), "org:zone-list", "grid-3x3", ORGANISATION),
    NavItem(NAV_GROUPS, "org:group-list", "diagram-3", ORGANISATION),
    NavItem(NAV_FLOOR_PLAN, "org:floor-plan", "map", ORGANISATION),
    NavItem(NAV_IMPORT, "org:import", "file-earmark-spreadsheet", ORGANISATION),
    # Beside the staff sheet that holds each person's work-chat user id; a top-level entry
    # would push the admin's name off a 1440 px screen in Chinese.
    NavItem(_("Work-chat messages"), "notifications:work-chat", "chat-dots", ORGANISATION),
    NavItem(_("Standards"), "standards:standard-list", "journal-check", STANDARDS),
    NavItem(_("Item filings"), "standards:filing-list", "file-earmark-check", STANDARDS),
    NavItem(_("Inspections"), "inspections:inspection-list", "clipboard2-check", CHECKS),
    NavItem(_("Rectifications"), "rectification:rectification-list", "wrench", CHECKS),
    NavItem(COMPLAINTS, "complaints:complaint-list", "emoji-frown", CHECKS),
    NavItem(PHOTO_CHECK, "vision:overview", "magic", CHECKS),
    NavItem(EQUIPMENT, "equipment:equipment-list", "pc-display", CHECKS),
    NavItem(PROGRAMME, "programme:overview", "kanban"),
    NavItem(RED_TAGS, "redtags:tag-list", "tags", SORT),
    NavItem(SUPPLIES, "supplies:supply-list", "box-seam", SORT),
    NavItem(SURVEYS, "surveys:survey-list", "ui-checks", ENGAGEMENT),
    NavItem(BOARD, "engagement:board", "megaphone", ENGAGEMENT),
    NavItem(_("Audit trail"), "audit:event-list", "journal-text"),
    NavItem(_("Accounts"), "accounts:user-list", "shield-lock"),
]


def nav_for(roles: frozenset[str]) -> list[dict[str, Any]]:
    """Top-level entries in declared order; a section becomes one menu at the place of its
    first entry, or a plain link when the user sees only one of its entries. Built once per
    set of roles, language and URL prefix (every page draws it; read it, never change it)."""
    return _nav(frozenset(roles), get_language(), get_script_prefix())


@functools.lru_cache(maxsize=512)
def _nav(roles: frozenset[str], language: str, prefix: str) -> list[dict[str, Any]]:
    entries: list[dict[str, Any]] = []
    menus: dict[str, dict[str, Any]] = {}
    for item in NAV:
        if not item.shown_to(roles):
            continue
        try:
            url = reverse(item.url_name)
        except NoReverseMatch:
            continue
        link = {"label": str(item.label), "url": url, "icon": item.icon}
        if item.section is None:
            entries.append(link)
            continue
        key = str(item.section)
        if key not in menus:
            menus[key] = {"label": key, "children": [], "icon": item.icon}
            entries.append(menus[key])
        menus[key]["children"].append(link)
    return [
        entry["children"][0] if "children" in entry and len(entry["children"]) == 1 else entry
        for entry in entries
    ]
