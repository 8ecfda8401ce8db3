"""`manage.py backup`: a consistent copy of the database, the media files and the audit
archives, with a manifest of checksums, row counts and the audit chain's head.

SQLite is copied with SQLite's online backup API (safe while the site runs). PostgreSQL is
dumped with pg_dump inside an exported snapshot, so the row counts in the manifest describe
exactly the rows in the dump. The database goes first, then the files: a photo uploaded
meanwhile is at worst an extra file, never a missing one for a row in the dump."""

from __future__ import annotations

import hashlib
import json
import os
import posixpath
import shutil
import sqlite3
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files.storage import Storage, default_storage
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone

from onsite.audit.services import archive_directory, record_event

MANIFEST = "manifest.json"
FORMAT = 1


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def storage_files(storage: Storage, path: str = "") -> Iterator[str]:
    """Every file name in a Django storage (local folder or S3 bucket)."""
    try:
        directories, files = storage.listdir(path)
    except FileNotFoundError:
        return
    for name in sorted(files):
        yield posixpath.join(path, name) if path else name
    for directory in sorted(directories):
        yield from storage_files(storage, posixpath.join(path, directory) if path else directory)


def pg_environment(params: dict[str, Any]) -> dict[str, str]:
    """libpq variables for pg_dump / pg_restore (the password never appears on a command line)."""
    env = dict(os.environ)
    for key, variable in (
        ("HOST", "PGHOST"),
        ("PORT", "PGPORT"),
        ("USER", "PGUSER"),
        ("PASSWORD", "PGPASSWORD"),
        ("NAME", "PGDATABASE"),
    ):
        if params.get(key):
            env[variable] = str(params[key])
    return env


def sqlite_path() -> Path:
    return Path(str(connection.settings_dict["NAME"]))


def sqlite_snapshot_facts(path: Path) -> tuple[dict[str, int], dict[str, Any]]:
    """Row counts of every table and the audit chain head, read from a SQLite file."""
    with sqlite3.connect(path) as db:
        tables = [
            row[0]
            for row in db.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
                "ORDER BY name"
            )
        ]
        # Table names come from sqlite_master, not from anyone's input.
        counts = {
            table: db.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0]  # noqa: S608
            for table in tables
        }
        head = db.execute(
            "SELECT seq, hash FROM audit_auditevent ORDER BY seq DESC LIMIT 1"
        ).fetchone()
    db.close()
    return counts, {"seq": head[0], "hash": head[1]} if head else {}


def table_counts(cursor: Any) -> dict[str, int]:
    """Row counts of every table of the current PostgreSQL schema, through `cursor`."""
    cursor.execute(
        "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() ORDER BY tablename"
    )
    tables = [row[0] for row in cursor.fetchall()]
    counts = {}
    for table in tables:
        cursor.execute(f'SELECT count(*) FROM "{table}"')  # noqa: S608 - names from pg_tables
        counts[table] = cursor.fetchone()[0]
    return counts


class Command(BaseCommand):
    help = "Backs up the database, media files and audit archives into a folder with a manifest."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--output",
            help="Folder to create (default: BACKUP_DIR/onsite-<time>). Must not exist.",
        )
        parser.add_argument("--no-media", action="store_true", help="Database only.")

    def handle(self, *args: Any, **options: Any) -> None:
        stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
        default_root = Path(getattr(settings, "BACKUP_DIR", settings.BASE_DIR / "var" / "backups"))
        target = Path(options["output"] or default_root / f"onsite-{stamp}")
        if target.exists():
            raise CommandError(f"{target} already exists; choose a new folder.")
        target.mkdir(parents=True)
        try:
            manifest = self.back_up(target, media=not options["no_media"])
        except BaseException:
            shutil.rmtree(target, ignore_errors=True)
            raise
        (target / MANIFEST).write_text(json.dumps(manifest, indent=1, ensure_ascii=False))
        record_event(
            None,
            action="ops.backup",
            detail={
                "folder": str(target),
                "rows": sum(manifest["tables"].values()),
                "files": len(manifest["files"]),
                "audit_head": manifest["audit_head"],
            },
        )
        self.stdout.write(
            self.style.SUCCESS(
                f"Backup written to {target}: {sum(manifest['tables'].values())} rows in "
                f"{len(manifest['tables'])} tables, {len(manifest['files'])} files."
            )
        )

    def back_up(self, target: Path, *, media: bool) -> dict[str, Any]:
        manifest: dict[str, Any] = {
            "format": FORMAT,
            "created_at": timezone.now().isoformat(),
            "vendor": connection.vendor,
            "migrations": self.migrations(),
        }
        if connection.vendor == "sqlite":
            database = target / "db.sqlite3"
            source = sqlite3.connect(sqlite_path())
            copy = sqlite3.connect(database)
            with copy:
                source.backup(copy)
            source.close()
            copy.close()
            counts, head = sqlite_snapshot_facts(database)
        elif connection.vendor == "postgresql":
            database = target / "db.dump"
            counts, head = self.pg_dump(database)
        else:  # pragma: no cover - Onsite runs on SQLite or PostgreSQL
            raise CommandError(f"Backups of {connection.vendor} are not supported.")
        manifest["database"] = {"file": database.name, "sha256": sha256_of(database)}
        manifest["tables"] = counts
        manifest["audit_head"] = head
        manifest["files"] = self.copy_media(target / "media") if media else {}
        manifest["archives"] = self.copy_archives(target / "audit-archive")
        return manifest

    def migrations(self) -> dict[str, str]:
        latest: dict[str, str] = {}
        for app, name in MigrationRecorder(connection).applied_migrations():
            latest[app] = max(latest.get(app, ""), name)
        return dict(sorted(latest.items()))

    def pg_dump(self, database: Path) -> tuple[dict[str, int], dict[str, Any]]:
        params = connection.get_connection_params()
        snapshot_connection = connection.get_new_connection(params)
        try:
            snapshot_connection.autocommit = False
            with snapshot_connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
                cursor.execute("SELECT pg_export_snapshot()")
                snapshot = cursor.fetchone()[0]
                counts = table_counts(cursor)
                cursor.execute("SELECT seq, hash FROM audit_auditevent ORDER BY seq DESC LIMIT 1")
                row = cursor.fetchone()
                head = {"seq": row[0], "hash": row[1]} if row else {}
                result = subprocess.run(  # noqa: S603 - fixed arguments, no shell
                    ["pg_dump", "--format=custom", f"--snapshot={snapshot}", f"--file={database}"],  # noqa: S607 - the PostgreSQL client on PATH
                    env=pg_environment(connection.settings_dict),
                    capture_output=True,
                    text=True,
                    check=False,
                )
            snapshot_connection.rollback()
        finally:
            snapshot_connection.close()
        if result.returncode != 0:
            raise CommandError(f"pg_dump failed: {result.stderr.strip()}")
        return counts, head

    def copy_media(self, folder: Path) -> dict[str, dict[str, Any]]:
        files: dict[str, dict[str, Any]] = {}
        for name in storage_files(default_storage):
            destination = folder / name
            destination.parent.mkdir(parents=True, exist_ok=True)
            with default_storage.open(name, "rb") as source, destination.open("wb") as out:
                shutil.copyfileobj(source, out, 1 << 20)
            files[f"media/{name}"] = {
                "sha256": sha256_of(destination),
                "size": destination.stat().st_size,
            }
        return files

    def copy_archives(self, folder: Path) -> dict[str, dict[str, Any]]:
        files: dict[str, dict[str, Any]] = {}
        source = archive_directory()
        if not source.exists():
            return files
        for path in sorted(source.glob("*.jsonl.gz")):
            folder.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, folder / path.name)
            files[f"audit-archive/{path.name}"] = {
                "sha256": sha256_of(folder / path.name),
                "size": path.stat().st_size,
            }
        return files
