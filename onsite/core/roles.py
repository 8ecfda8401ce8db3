"""The roles of the programme, a kernel fact: every app and the audit trail name them, and the
separation of duties (三权分立) is decided on them. Grants live with the accounts app."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    """Ordered from the widest home page to the narrowest: the first role a user holds
    picks their home page."""

    ADMIN = "admin", _("Center admin")
    LEADER = "leader", _("Leadership")
    OFFICE = "office", _("Programme office")
    SUPERVISOR = "supervisor", _("Supervisor")
    GROUP_LEADER = "group_leader", _("Promotion-group leader")
    MEMBER = "member", _("Working-group member")
    STAFF = "staff", _("Window staff")
    # 三权分立: system admin (accounts, operations), security admin (grants, security settings)
    # and the auditor (audit admin: reads and exports the audit trail). One account holds at
    # most one of the three; the auditor holds no other role at all.
    SYSADMIN = "sysadmin", _("System admin")
    SECADMIN = "secadmin", _("Security admin")
    AUDITOR = "auditor", _("Auditor")
    VIEWER = "viewer", _("Cross-center viewer")


# Role sets shared by several apps' declarations (a domain's own sets live in its access.py).
ALL = frozenset(Role.values) - {Role.VIEWER, Role.AUDITOR}
"""Everyone working in the center: not the auditor (audit trail only) nor a cross-center viewer."""
MANAGERS = frozenset({Role.ADMIN, Role.LEADER, Role.OFFICE, Role.SUPERVISOR, Role.GROUP_LEADER})
"""Who steers the programme and reads the whole center's figures."""
