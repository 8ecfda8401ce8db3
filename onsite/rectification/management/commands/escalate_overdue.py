from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from onsite.rectification.services import escalate_overdue, remind_due_soon
from onsite.rectification.signals import send_daily_run
from onsite.rectification.tasks import escalate_overdue_rectifications


class Command(BaseCommand):
    help = (
        "Escalates rectifications that went overdue to the promotion-group leader and the "
        "programme office (once each), and reminds of deadlines within each center's notice "
        "(rectifications, item filings; once per item and due date); the apps above escalate "
        "their own overdue cases on the same run (complaint cases). Run daily from cron; "
        "--enqueue hands it to db_worker."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--enqueue", action="store_true", help="Queue it as a task.")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["enqueue"]:
            result = escalate_overdue_rectifications.enqueue()
            self.stdout.write(f"Queued task {result.id}.")
            return
        reminded = remind_due_soon()
        self.stdout.write(f"Reminded the assignees of {reminded} item(s) due soon.")
        count = escalate_overdue()
        self.stdout.write(self.style.SUCCESS(f"Escalated {count} overdue rectification(s)."))
        others = send_daily_run()
        self.stdout.write(self.style.SUCCESS(f"Escalated {others} other overdue case(s)."))
