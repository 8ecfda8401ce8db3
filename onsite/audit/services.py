from __future__ import annotations

import csv
import gzip
import hashlib
import io
import json
import os
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connection, connections, models, transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from onsite.audit.models import GENESIS, AuditArchive, AuditEvent, AuditGate, Outcome
from onsite.audit.wording import stored_description
from onsite.core import excel

# The Cybersecurity Law (art. 21) asks for network logs kept at least six months.
MIN_RETENTION_DAYS = 180

# Any constant shared by every writer; PostgreSQL serialises appends on it.
_CHAIN_LOCK_KEY = 0x0A0D17


def client_ip(request: HttpRequest) -> str | None:
    # REMOTE_ADDR is the proxy's address behind nginx; deployment sets it from X-Real-IP there.
    return request.META.get("REMOTE_ADDR") or None


def record_event(
    request: HttpRequest | None,
    /,
    *,
    action: str,
    obj: models.Model | None = None,
    outcome: str = Outcome.SUCCESS,
    detail: dict[str, Any] | None = None,
    actor: Any = None,
    center: Any = None,
) -> AuditEvent:
    """Appends one row to the chain inside the caller's transaction, so the business change
    and its audit row commit (or roll back) together."""
    user = actor if actor is not None else getattr(request, "user", None)
    if user is not None and not user.is_authenticated:
        user = None
    if center is None:
        center = getattr(request, "center", None) or getattr(obj, "center", None)
    with transaction.atomic():
        _lock_chain()
        seq, prev_hash = chain_head()
        seq += 1
        event = AuditEvent(
            seq=seq,
            at=timezone.now(),
            center=center,
            actor=user,
            actor_name=str(user) if user else "",
            role=(user.primary_role or "") if user else "",
            ip=client_ip(request) if request is not None else None,
            request_id=getattr(request, "request_id", ""),
            action=action,
            object_type=obj._meta.label_lower if obj is not None else "",
            object_id=str(obj.pk) if obj is not None else "",
            object_repr=stored_description(obj) if obj is not None else "",
            outcome=outcome,
            detail=detail or {},
            prev_hash=prev_hash,
        )
        event.hash = event.compute_hash()
        event.save(force_insert=True)
    return event


def _lock_chain() -> None:
    """Serialises appends (and archiving) so the chain stays linear. On SQLite the IMMEDIATE
    transaction already holds the database's write lock."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_CHAIN_LOCK_KEY])


def chain_head() -> tuple[int, str]:
    """(seq, hash) of the newest row, or of the newest archive's last row when every row has
    been archived, or (0, GENESIS) for an empty trail."""
    last = AuditEvent.objects.order_by("-seq").values_list("seq", "hash").first()
    if last is not None:
        return last
    anchor = AuditArchive.objects.order_by("-seq_to").values_list("seq_to", "last_hash").first()
    return anchor if anchor is not None else (0, GENESIS)


def verify_chain() -> tuple[int, AuditEvent | None, str]:
    """Walks the chain in order from its anchor (GENESIS, or the newest archive's head).
    Returns (rows checked, first bad row or None, why)."""
    anchor = AuditArchive.objects.order_by("-seq_to").values_list("seq_to", "last_hash").first()
    expected_seq, expected_prev = (anchor[0] + 1, anchor[1]) if anchor else (1, GENESIS)
    checked = 0
    for event in AuditEvent.objects.order_by("seq").iterator(chunk_size=2000):
        if event.seq != expected_seq:
            why = (
                f"row {expected_seq} is missing"
                if event.seq > expected_seq
                else f"row {event.seq} precedes the archived part of the chain"
            )
            return checked, event, why
        if event.prev_hash != expected_prev:
            return checked, event, "previous hash does not match"
        if event.compute_hash() != event.hash:
            return checked, event, "row content was altered"
        expected_prev = event.hash
        expected_seq = event.seq + 1
        checked += 1
    return checked, None, ""


# --- append-only guard --------------------------------------------------------------------


@contextmanager
def audit_gate(*, reason: str, using: str = DEFAULT_DB_ALIAS) -> Iterator[None]:
    """Lets the current transaction delete audit rows (see migration 0003). Only the archive
    command and whole-database wipes (flush, restore) open it."""
    if not connections[using].in_atomic_block:
        raise RuntimeError("The audit gate opens only inside a transaction.")
    AuditGate.objects.using(using).create(reason=reason[:40])
    try:
        yield
    finally:
        AuditGate.objects.using(using).all().delete()


# --- retention and archive ----------------------------------------------------------------


class ArchiveError(Exception):
    pass


def retention_days() -> int:
    days = int(getattr(settings, "AUDIT_RETENTION_DAYS", MIN_RETENTION_DAYS))
    if days < MIN_RETENTION_DAYS:
        raise ArchiveError(
            f"AUDIT_RETENTION_DAYS is {days}; the law requires at least {MIN_RETENTION_DAYS}."
        )
    return days


def archive_directory() -> Path:
    return Path(getattr(settings, "AUDIT_ARCHIVE_DIR", settings.BASE_DIR / "var" / "audit-archive"))


def event_record(event: AuditEvent) -> dict[str, Any]:
    """Everything the hash covers, plus the hash: enough to re-verify an archive file."""
    return {
        "seq": event.seq,
        "at": event.at.isoformat(),
        "center_id": event.center_id,
        "actor_id": event.actor_id,
        "actor_name": event.actor_name,
        "role": event.role,
        "ip": event.ip,
        "request_id": event.request_id,
        "action": event.action,
        "object_type": event.object_type,
        "object_id": event.object_id,
        "object_repr": event.object_repr,
        "outcome": event.outcome,
        "detail": event.detail,
        "prev_hash": event.prev_hash,
        "hash": event.hash,
    }


def event_from_record(record: dict[str, Any]) -> AuditEvent:
    fields = dict(record)
    at = parse_datetime(fields.pop("at"))
    if at is None:
        raise ArchiveError(f"row {record.get('seq')}: unreadable time")
    return AuditEvent(at=at, **fields)


def archive_events(*, now: datetime | None = None) -> AuditArchive | None:
    """Moves rows older than the retention period to a gzipped JSON-lines file and removes
    them, keeping the chain head as the new anchor. Refuses to archive a broken chain (that
    would launder the tampering). Returns None when nothing is old enough."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=retention_days())
    directory = archive_directory()
    directory.mkdir(parents=True, exist_ok=True)
    path: Path | None = None
    try:
        with transaction.atomic():
            _lock_chain()
            _checked, bad, why = verify_chain()
            if bad is not None:
                raise ArchiveError(f"The chain is broken at row {bad.seq} ({why}); not archiving.")
            # Only a prefix of the chain may go, or the rest would not link to the anchor.
            first_young = (
                AuditEvent.objects.filter(at__gte=cutoff)
                .order_by("seq")
                .values_list("seq", flat=True)
                .first()
            )
            old = AuditEvent.objects.filter(at__lt=cutoff).order_by("seq")
            if first_young is not None:
                old = old.filter(seq__lt=first_young)
            events = list(old)
            if not events:
                return None
            first, last = events[0], events[-1]
            path = directory / f"audit-{first.seq:012d}-{last.seq:012d}.jsonl.gz"
            digest = _write_archive(path, events)
            archive = AuditArchive.objects.create(
                seq_from=first.seq,
                seq_to=last.seq,
                last_hash=last.hash,
                rows=len(events),
                cutoff=cutoff,
                file_name=path.name,
                sha256=digest,
                archived_at=now,
            )
            with audit_gate(reason="archive"):
                AuditEvent.objects.filter(seq__lte=last.seq).delete()
            record_event(
                None,
                action="audit.archive",
                obj=archive,
                detail={"rows": len(events), "seq_to": last.seq, "file": path.name},
            )
            return archive
    except BaseException:
        if path is not None and path.exists():
            path.unlink()
        raise


def _write_archive(path: Path, events: list[AuditEvent]) -> str:
    partial = path.with_suffix(".partial")
    with partial.open("wb") as raw:
        with gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as zipped:
            for event in events:
                line = json.dumps(event_record(event), ensure_ascii=False, sort_keys=True)
                zipped.write(line.encode() + b"\n")
        raw.flush()
        os.fsync(raw.fileno())
    partial.replace(path)
    return file_sha256(path)


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def verify_archive(path: Path, *, archive: AuditArchive | None = None) -> int:
    """Re-checks an archive file: its checksum against the archive row (when known), every
    row's hash and every link. Returns the number of rows; raises ArchiveError otherwise."""
    if archive is not None and file_sha256(path) != archive.sha256:
        raise ArchiveError(f"{path.name}: checksum differs from the one recorded at archive time")
    expected_prev: str | None = None
    rows = 0
    with gzip.open(path, "rt", encoding="utf-8") as lines:
        for line in lines:
            event = event_from_record(json.loads(line))
            if expected_prev is not None and event.prev_hash != expected_prev:
                raise ArchiveError(f"{path.name}: row {event.seq} does not link to the row before")
            if event.compute_hash() != event.hash:
                raise ArchiveError(f"{path.name}: row {event.seq} was altered")
            expected_prev = event.hash
            rows += 1
    if archive is not None and (rows != archive.rows or expected_prev != archive.last_hash):
        raise ArchiveError(f"{path.name}: rows or chain head differ from the archive record")
    return rows


# --- export -------------------------------------------------------------------------------


def export_header() -> list[str]:
    """The export's column headings in the reader's language."""
    return [
        _("Sequence"),
        _("Time"),
        _("Service center"),
        _("Actor"),
        _("Role"),
        _("Client IP"),
        _("Request id"),
        _("Action"),
        _("Action code"),
        _("Object type"),
        _("Object id"),
        _("Object"),
        _("Outcome"),
        _("Detail"),
        _("Previous hash"),
        _("Hash"),
    ]


# A spreadsheet runs a cell that starts with one of these as a formula (CSV injection).
def safe_cell(value: Any) -> str:
    text = "" if value is None else str(value)
    return "'" + text if excel.is_risky(text) else text


def export_rows(events: Iterable[AuditEvent]) -> Iterator[list[Any]]:
    """One row per event, words in the reader's language; codes, ids and hashes as stored."""
    for event in events:
        yield [
            event.seq,
            timezone.localtime(event.at).strftime("%Y-%m-%d %H:%M:%S"),
            event.center.code if event.center else "",
            event.actor_name,
            event.role_label,
            event.ip or "",
            event.request_id,
            event.action_label,
            event.action,
            event.object_type_label,
            event.object_id,
            event.object_text,
            event.outcome_label,
            json.dumps(event.detail, ensure_ascii=False, sort_keys=True),
            event.prev_hash,
            event.hash,
        ]


def export_csv(events: Iterable[AuditEvent]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(export_header())
    for row in export_rows(events):
        writer.writerow([safe_cell(cell) for cell in row])
    # The BOM makes Excel read the file as UTF-8 (Chinese names stay readable).
    return "\ufeff".encode() + out.getvalue().encode()


def export_xlsx(events: Iterable[AuditEvent]) -> bytes:
    book = excel.new_workbook(streaming=True)
    excel.write_sheet(
        book, title=_("Audit trail"), header=export_header(), rows=export_rows(events)
    )
    return excel.workbook_bytes(book)
