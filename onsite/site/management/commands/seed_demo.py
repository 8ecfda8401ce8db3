from types import ModuleType
from typing import Any

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import translation

from onsite.accounts import demo as accounts_demo
from onsite.complaints import demo as complaints_demo
from onsite.core.models import Center
from onsite.dashboards import demo as dashboards_demo
from onsite.engagement import demo as engagement_demo
from onsite.equipment import demo as equipment_demo
from onsite.inspections import demo as inspections_demo
from onsite.org.demo import DEMO_PASSWORD, seed_demo
from onsite.programme import demo as programme_demo
from onsite.rectification import demo as rectification_demo
from onsite.redtags import demo as redtags_demo
from onsite.standards import demo as standards_demo
from onsite.supplies import demo as supplies_demo
from onsite.surveys import demo as surveys_demo

# Each domain seeds its part of the demo after the organisation exists, in this order.
# A step is a module with `seed(center)`; it must be idempotent (keyed by codes, get_or_create).
DEMO_STEPS: list[ModuleType] = [
    standards_demo,
    equipment_demo,
    inspections_demo,
    rectification_demo,
    supplies_demo,
    redtags_demo,
    surveys_demo,
    engagement_demo,
    accounts_demo,
    programme_demo,
    dashboards_demo,
    complaints_demo,  # plays the cases the dashboards' bad ratings opened
]


class Command(BaseCommand):
    help = "Loads the demo centers of the source document. Safe to run again: changes nothing."

    def handle(self, *args: Any, **options: Any) -> None:
        with translation.override("zh-hans"), transaction.atomic():
            logins = seed_demo()
            for center in Center.objects.filter(code__in=["xx", "yy"]).order_by("code"):
                for step in DEMO_STEPS:
                    step.seed(center)
        self.stdout.write(
            self.style.SUCCESS(f"Demo data ready. Password of every demo login: {DEMO_PASSWORD}")
        )
        for login in logins:
            self.stdout.write(f"  {login.username:<14} {login.role!s:<24} {login.who}")
