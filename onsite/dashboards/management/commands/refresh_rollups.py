from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from onsite.core.models import Center
from onsite.dashboards import jobs, rollups, tasks


class Command(BaseCommand):
    help = (
        "Brings the dashboards' daily roll-ups up to date (only the days whose data changed "
        "since the last run; --full rebuilds everything) and deletes report files older than "
        "seven days. Run it nightly, e.g. from cron or a systemd timer."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--center", help="code of one center (default: every center)")
        parser.add_argument("--full", action="store_true", help="rebuild the whole history")
        parser.add_argument(
            "--enqueue", action="store_true", help="hand the work to the task worker instead"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        centers = Center.objects.order_by("code")
        if options["center"]:
            centers = centers.filter(code=options["center"])
            if not centers.exists():
                raise CommandError(f"No center with the code {options['center']!r}.")
        if options["enqueue"]:
            for center in centers:
                tasks.refresh_rollups.enqueue(center_id=center.pk, full=options["full"])
            tasks.prune_report_jobs.enqueue()
            self.stdout.write(f"Queued a refresh of {len(centers)} center(s).")
            return
        for center in centers:
            days = rollups.refresh(center, full=options["full"])
            self.stdout.write(f"{center.code}: {days} day(s) rewritten.")
        pruned = jobs.prune_jobs()
        if pruned:
            self.stdout.write(f"{pruned} old report job(s) deleted.")
