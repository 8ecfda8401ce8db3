from typing import Any

from django.core.management.base import BaseCommand, CommandError

from onsite.audit.services import ArchiveError, archive_directory, archive_events, retention_days


class Command(BaseCommand):
    help = (
        "Moves audit rows older than AUDIT_RETENTION_DAYS (at least 180) to a checksummed "
        "archive file and removes them; the chain head is kept so verification continues."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            days = retention_days()
            archive = archive_events()
        except ArchiveError as exc:
            raise CommandError(str(exc)) from exc
        if archive is None:
            self.stdout.write(f"Nothing older than {days} days to archive.")
            return
        self.stdout.write(
            self.style.SUCCESS(
                f"Archived rows {archive.seq_from}–{archive.seq_to} ({archive.rows} rows) to "
                f"{archive_directory() / archive.file_name} (sha256 {archive.sha256})."
            )
        )
