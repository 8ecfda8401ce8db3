import datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from onsite.notifications.models import ChatDelivery
from onsite.notifications.tasks import send_chat_message


class Command(BaseCommand):
    help = (
        "Queues again the work-chat messages still waiting after --minutes (default 120): "
        "a retry lost when the task worker stopped. A message already sent is never resent."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--minutes", type=int, default=120)

    def handle(self, *args: Any, **options: Any) -> None:
        before = timezone.now() - datetime.timedelta(minutes=options["minutes"])
        waiting = ChatDelivery.objects.filter(
            status=ChatDelivery.Status.PENDING, updated_at__lt=before
        ).values_list("pk", flat=True)
        count = 0
        for delivery_id in waiting:
            send_chat_message.enqueue(delivery_id=delivery_id)
            count += 1
        self.stdout.write(f"Queued {count} waiting work-chat message(s) again.")
