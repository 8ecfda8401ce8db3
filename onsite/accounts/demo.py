"""Demo accounts for the separation of duties: a system admin and a security admin per demo
center (the auditor comes with the organisation's demo). Same demo password as everyone."""

from __future__ import annotations

from django.contrib.auth.hashers import make_password

from onsite.accounts.models import Role, RoleGrant, User
from onsite.core.models import Center

DEMO_PASSWORD = "Onsite@2026"  # noqa: S105 - the published demo password, printed by make run
"""The password of every demo login (accounts holds it: the organisation's demo people and
the duty accounts here share it)."""

DUTY_ACCOUNTS = [
    ("sysadmin", "系统管理员", Role.SYSADMIN),
    ("secadmin", "安全管理员", Role.SECADMIN),
]


def seed(center: Center) -> None:
    for suffix, title, role in DUTY_ACCOUNTS:
        user, _created = User.objects.get_or_create(
            username=f"{center.code}-{suffix}",
            defaults={
                "center": center,
                "full_name": f"{center.name[:2]}{title}",
                "title": title,
                "password": make_password(DEMO_PASSWORD),
            },
        )
        RoleGrant.objects.get_or_create(user=user, role=role)
