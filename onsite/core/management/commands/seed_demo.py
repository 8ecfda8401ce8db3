from importlib import import_module
from typing import Any

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import translation

from onsite.org.demo import DEMO_PASSWORD, seed_demo

# Each domain seeds its part of the demo after the organisation exists, in this order.
# A step is a module with `seed(center)`; it must be idempotent (keyed by codes, get_or_create).
DEMO_STEPS: list[str] = [
    "onsite.standards.demo",
    "onsite.inspections.demo",
    "onsite.supplies.demo",
    "onsite.redtags.demo",
    "onsite.surveys.demo",
    "onsite.engagement.demo",
    "onsite.accounts.demo",
    "onsite.programme.demo",
    "onsite.dashboards.demo",
]


class Command(BaseCommand):
    help = "Loads the demo centers of the source document. Safe to run again: changes nothing."

    def handle(self, *args: Any, **options: Any) -> None:
        with translation.override("zh-hans"), transaction.atomic():
            logins = seed_demo()
            from onsite.core.models import Center

            for center in Center.objects.filter(code__in=["xx", "yy"]).order_by("code"):
                for step in DEMO_STEPS:
                    import_module(step).seed(center)
        self.stdout.write(
            self.style.SUCCESS(f"Demo data ready. Password of every demo login: {DEMO_PASSWORD}")
        )
        for login in logins:
            self.stdout.write(f"  {login.username:<14} {login.role!s:<24} {login.who}")
