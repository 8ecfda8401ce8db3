from __future__ import annotations

import datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from onsite.core.models import Center
from onsite.engagement.digest import previous_week
from onsite.engagement.tasks import publish_weekly_digests


class Command(BaseCommand):
    help = (
        "Publishes the weekly digest on every center's publicity board. Run it from cron or a "
        "systemd timer on Monday morning: by default it summarises the week that just ended."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--day", help="any day of the week to summarise (YYYY-MM-DD)")
        parser.add_argument("--center", action="append", help="center code (repeatable)")
        parser.add_argument(
            "--enqueue", action="store_true", help="queue it for the task worker instead"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            day = datetime.date.fromisoformat(options["day"]) if options["day"] else previous_week()
        except ValueError as exc:
            raise CommandError(f"--day must be YYYY-MM-DD: {exc}") from exc
        center_ids = None
        if options["center"]:
            centers = Center.objects.filter(code__in=options["center"])
            missing = set(options["center"]) - set(centers.values_list("code", flat=True))
            if missing:
                raise CommandError(f"Unknown center code(s): {', '.join(sorted(missing))}")
            center_ids = list(centers.values_list("pk", flat=True))
        if options["enqueue"]:
            result = publish_weekly_digests.enqueue(day=day.isoformat(), center_ids=center_ids)
            self.stdout.write(f"Queued as task {result.id}.")
            return
        count = publish_weekly_digests.call(day=day.isoformat(), center_ids=center_ids)
        self.stdout.write(self.style.SUCCESS(f"Published {count} digest(s) for the week of {day}."))
