"""`manage.py restore <folder>`: puts a backup back and proves it.

Every file is checked against the manifest before anything is touched. Then the database is
replaced (SQLite: the backup API copies the file's pages over the live database; PostgreSQL:
the schema is dropped and pg_restore loads the dump in one transaction), the media and audit
archives are replaced, and the result is verified: the row count of every table, every file's
checksum, and the audit chain up to the head recorded at backup time."""

from __future__ import annotations

import hashlib
import json
import shutil
import sqlite3
import subprocess
from pathlib import Path
from typing import Any

from django.core.files.base import File
from django.core.files.storage import default_storage
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection, connections

from onsite.audit.management.commands.backup import (
    FORMAT,
    MANIFEST,
    pg_environment,
    sha256_of,
    sqlite_path,
    storage_files,
    table_counts,
)
from onsite.audit.services import archive_directory, chain_head, record_event, verify_chain


class Command(BaseCommand):
    help = "Restores a backup made by `manage.py backup`, then verifies rows, files and the audit chain."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("folder", help="A folder written by `manage.py backup`.")
        parser.add_argument("--yes", action="store_true", help="Do not ask for confirmation.")
        parser.add_argument("--no-media", action="store_true", help="Leave the media files alone.")

    def handle(self, *args: Any, **options: Any) -> None:
        folder = Path(options["folder"])
        manifest = self.checked_manifest(folder)
        if options["no_media"]:
            manifest["files"] = {}
        if not options["yes"]:
            answer = input(
                f"This REPLACES the database {connection.settings_dict['NAME']!s}"
                f"{'' if options['no_media'] else ', the media files'} and the audit archives "
                f"with the backup of {manifest['created_at']}. Type 'yes' to go on: "
            )
            if answer != "yes":
                self.stdout.write("Restore cancelled.")
                return
        self.restore_database(folder, manifest)
        if not options["no_media"]:
            self.restore_media(folder, manifest)
        self.restore_archives(folder, manifest)
        report = self.verify(folder, manifest)
        record_event(None, action="ops.restore", detail={"folder": str(folder), **report})
        self.stdout.write(
            self.style.SUCCESS(
                f"Restored and verified: {report['rows']} rows in {report['tables']} tables, "
                f"{report['files']} files, audit chain intact to #{report['audit_seq']}."
            )
        )

    # --- before: is the backup whole? ------------------------------------------------------

    def checked_manifest(self, folder: Path) -> dict[str, Any]:
        try:
            manifest: dict[str, Any] = json.loads((folder / MANIFEST).read_text())
        except (OSError, ValueError) as exc:
            raise CommandError(f"{folder} has no readable {MANIFEST}: {exc}") from exc
        if manifest.get("format") != FORMAT:
            raise CommandError(f"Unknown backup format {manifest.get('format')!r}.")
        if manifest["vendor"] != connection.vendor:
            raise CommandError(
                f"This backup is of a {manifest['vendor']} database; this site runs on "
                f"{connection.vendor}. Restore it onto the same kind of database."
            )
        expected = {manifest["database"]["file"]: manifest["database"]}
        expected.update(manifest["files"])
        expected.update(manifest["archives"])
        for name, facts in expected.items():
            path = folder / name
            if not path.is_file():
                raise CommandError(
                    f"The backup is incomplete: {name} is missing. Nothing was changed."
                )
            if sha256_of(path) != facts["sha256"]:
                raise CommandError(
                    f"The backup is damaged: {name} does not match its checksum. Nothing was changed."
                )
        return manifest

    # --- the database ----------------------------------------------------------------------

    def restore_database(self, folder: Path, manifest: dict[str, Any]) -> None:
        dump = folder / manifest["database"]["file"]
        connections.close_all()
        if connection.vendor == "sqlite":
            source = sqlite3.connect(dump)
            live = sqlite3.connect(sqlite_path())
            with live:
                source.backup(live)
            source.close()
            live.close()
            return
        params = connection.get_connection_params()
        raw = connection.get_new_connection(params)
        try:
            raw.autocommit = True
            with raw.cursor() as cursor:
                cursor.execute("DROP SCHEMA public CASCADE")
                cursor.execute("CREATE SCHEMA public")
        finally:
            raw.close()
        result = subprocess.run(  # noqa: S603 - fixed arguments, no shell
            [  # noqa: S607 - the PostgreSQL client on PATH
                "pg_restore",
                "--no-owner",
                "--no-privileges",
                "--exit-on-error",
                "--single-transaction",
                f"--dbname={connection.settings_dict['NAME']}",
                str(dump),
            ],
            env=pg_environment(connection.settings_dict),
            capture_output=True,
            text=True,
            check=False,
        )
        if result.returncode != 0:
            raise CommandError(f"pg_restore failed: {result.stderr.strip()}")

    # --- the files -------------------------------------------------------------------------

    def restore_media(self, folder: Path, manifest: dict[str, Any]) -> None:
        for name in list(storage_files(default_storage)):
            default_storage.delete(name)
        for key in sorted(manifest["files"]):
            name = key.removeprefix("media/")
            with (folder / key).open("rb") as handle:
                saved = default_storage.save(name, File(handle, name=name))
            if saved != name:
                raise CommandError(f"The storage renamed {name} to {saved}; restore stopped.")

    def restore_archives(self, folder: Path, manifest: dict[str, Any]) -> None:
        target = archive_directory()
        if target.exists():
            for old in target.glob("*.jsonl.gz"):
                old.unlink()
        for key in sorted(manifest["archives"]):
            target.mkdir(parents=True, exist_ok=True)
            shutil.copy2(folder / key, target / Path(key).name)

    # --- after: prove it -------------------------------------------------------------------

    def verify(self, folder: Path, manifest: dict[str, Any]) -> dict[str, Any]:
        problems = []
        counts = self.live_counts()
        for table, expected in manifest["tables"].items():
            if counts.get(table) != expected:
                problems.append(f"table {table}: {counts.get(table)} rows, expected {expected}")
        for key, facts in manifest["files"].items():
            with default_storage.open(key.removeprefix("media/"), "rb") as handle:
                digest = _sha256_stream(handle)
            if digest != facts["sha256"]:
                problems.append(f"file {key}: checksum differs after restore")
        for key, facts in manifest["archives"].items():
            if sha256_of(archive_directory() / Path(key).name) != facts["sha256"]:
                problems.append(f"archive {key}: checksum differs after restore")
        checked, bad, why = verify_chain()
        if bad is not None:
            problems.append(f"audit chain broken at row {bad.seq}: {why}")
        head = manifest["audit_head"]
        seq, digest = chain_head()
        if head and (seq, digest) != (head["seq"], head["hash"]):
            problems.append(f"audit chain head is #{seq}, the backup recorded #{head['seq']}")
        if problems:
            raise CommandError("Restore verification failed:\n  " + "\n  ".join(problems))
        return {
            "tables": len(manifest["tables"]),
            "rows": sum(manifest["tables"].values()),
            "files": len(manifest["files"]) + len(manifest["archives"]),
            "audit_rows": checked,
            "audit_seq": seq,
        }

    def live_counts(self) -> dict[str, int]:
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                return table_counts(cursor)
            tables = connection.introspection.table_names(cursor)
            counts = {}
            for table in tables:
                cursor.execute(f'SELECT count(*) FROM "{table}"')  # noqa: S608 - introspected names
                counts[table] = cursor.fetchone()[0]
            return counts


def _sha256_stream(handle: Any) -> str:
    digest = hashlib.sha256()
    for block in iter(lambda: handle.read(1 << 20), b""):
        digest.update(block)
    return digest.hexdigest()
