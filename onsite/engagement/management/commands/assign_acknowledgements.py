from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from onsite.engagement.tasks import assign_acknowledgements


class Command(BaseCommand):
    help = (
        "Gives everyone who works in a zone the task to acknowledge its published standard, "
        "if they do not have it yet, and notifies them. Safe to run again; run it nightly."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        created = assign_acknowledgements.call()
        self.stdout.write(self.style.SUCCESS(f"{created} acknowledgement task(s) assigned."))
