from typing import Any

from django.core.management.base import BaseCommand
from django.utils import translation

from onsite.org.demo import DEMO_PASSWORD, seed_demo


class Command(BaseCommand):
    help = "Loads the demo centers of the source document. Safe to run again: changes nothing."

    def handle(self, *args: Any, **options: Any) -> None:
        with translation.override("zh-hans"):
            logins = seed_demo()
            self.stdout.write(
                self.style.SUCCESS(f"Demo data ready. Demo logins (password: {DEMO_PASSWORD}):")
            )
            for login in logins:
                self.stdout.write(f"  {login.username:<14} {login.role!s:<12} {login.who}")
