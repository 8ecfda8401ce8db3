from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from onsite.engagement.tasks import remind_post_confirmations


class Command(BaseCommand):
    help = (
        "Reminds those who have not confirmed a board post they were asked to read: on the "
        "working day before its date and once after it. Safe to run again; run it daily."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        reminded = remind_post_confirmations.call()
        self.stdout.write(self.style.SUCCESS(f"{reminded} reminder(s) sent."))
