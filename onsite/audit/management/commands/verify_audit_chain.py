from typing import Any

from django.core.management.base import BaseCommand, CommandError

from onsite.audit.services import verify_chain


class Command(BaseCommand):
    help = "Checks the audit trail's hash chain and names the first altered or missing row."

    def handle(self, *args: Any, **options: Any) -> None:
        checked, bad, why = verify_chain()
        if bad is not None:
            raise CommandError(f"Audit chain broken at row {bad.seq} (id {bad.pk}): {why}")
        self.stdout.write(self.style.SUCCESS(f"Audit chain intact: {checked} rows."))
