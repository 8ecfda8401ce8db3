from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from onsite.audit.models import AuditArchive
from onsite.audit.services import (
    ArchiveError,
    archive_directory,
    chain_head,
    verify_archive,
    verify_chain,
)


class Command(BaseCommand):
    help = "Checks the audit trail's hash chain and names the first altered or missing row."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--archives",
            action="store_true",
            help="Also re-check every archive file against its checksum and its own chain.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        checked, bad, why = verify_chain()
        if bad is not None:
            raise CommandError(f"Audit chain broken at row {bad.seq} (id {bad.pk}): {why}")
        if options["archives"]:
            for archive in AuditArchive.objects.order_by("seq_from"):
                path = archive_directory() / archive.file_name
                if not path.exists():
                    raise CommandError(f"Archive file missing: {path}")
                try:
                    verify_archive(path, archive=archive)
                except ArchiveError as exc:
                    raise CommandError(str(exc)) from exc
                self.stdout.write(f"Archive {archive.file_name}: {archive.rows} rows intact.")
        seq, digest = chain_head()
        # Print the head so operators can log it elsewhere: that catches a removed tail too.
        self.stdout.write(
            self.style.SUCCESS(f"Audit chain intact: {checked} rows. Head: #{seq} {digest}")
        )
