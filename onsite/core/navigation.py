"""The main navigation: one declared list, filtered by the user's roles.
Each app adds its entries here when it gains pages."""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from onsite.accounts.models import Role
from onsite.dashboards.apps import NAV_LABEL as DASHBOARD
from onsite.engagement.apps import NAV_LABEL as BOARD
from onsite.org.apps import NAV_FLOOR_PLAN, NAV_GROUPS, NAV_IMPORT
from onsite.programme.apps import NAV_LABEL as PROGRAMME
from onsite.redtags.apps import NAV_LABEL as RED_TAGS
from onsite.supplies.apps import NAV_LABEL as SUPPLIES
from onsite.surveys.apps import NAV_LABEL as SURVEYS


@dataclass(frozen=True)
class NavItem:
    label: str | Promise
    url_name: str
    icon: str
    roles: frozenset[str]


ALL = frozenset(Role.values) - {Role.VIEWER}
MANAGERS = frozenset({Role.ADMIN, Role.LEADER, Role.OFFICE, Role.SUPERVISOR, Role.GROUP_LEADER})

NAV: list[NavItem] = [
    NavItem(_("Home"), "core:home", "house", frozenset(Role.values)),
    NavItem(DASHBOARD, "dashboards:dashboard", "speedometer2", MANAGERS | {Role.VIEWER}),
    NavItem(_("Units"), "org:unit-list", "building", MANAGERS | {Role.MEMBER, Role.VIEWER}),
    NavItem(_("Zones"), "org:zone-list", "grid-3x3", ALL | {Role.VIEWER}),
    NavItem(NAV_GROUPS, "org:group-list", "diagram-3", ALL | {Role.VIEWER}),
    NavItem(NAV_FLOOR_PLAN, "org:floor-plan", "map", ALL | {Role.VIEWER}),
    NavItem(NAV_IMPORT, "org:import", "file-earmark-spreadsheet", frozenset({Role.ADMIN})),
    NavItem(_("Standards"), "standards:standard-list", "journal-check", ALL | {Role.VIEWER}),
    NavItem(_("Item filings"), "standards:filing-list", "file-earmark-check", ALL | {Role.VIEWER}),
    NavItem(_("Inspections"), "inspections:inspection-list", "clipboard2-check", ALL | {Role.VIEWER}),
    NavItem(_("Rectifications"), "rectification:rectification-list", "wrench", ALL | {Role.VIEWER}),
    NavItem(PROGRAMME, "programme:overview", "kanban", MANAGERS | {Role.MEMBER, Role.STAFF, Role.VIEWER}),
    NavItem(RED_TAGS, "redtags:tag-list", "tags", ALL | {Role.VIEWER}),
    NavItem(SUPPLIES, "supplies:supply-list", "box-seam", ALL | {Role.VIEWER}),
    NavItem(SURVEYS, "surveys:survey-list", "ui-checks", ALL | {Role.VIEWER}),
    NavItem(BOARD, "engagement:board", "megaphone", ALL | {Role.VIEWER}),
    NavItem(_("Audit trail"), "audit:event-list", "journal-text", frozenset({Role.AUDITOR})),
    NavItem(
        _("Accounts"), "accounts:user-list", "shield-lock", frozenset({Role.SYSADMIN, Role.SECADMIN})
    ),
]


def nav_for(roles: frozenset[str]) -> list[dict[str, str]]:
    items = []
    for item in NAV:
        if not roles & item.roles:
            continue
        try:
            url = reverse(item.url_name)
        except NoReverseMatch:
            continue
        items.append({"label": str(item.label), "url": url, "icon": item.icon})
    return items
