import gzip
import itertools
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction

from onsite.audit.models import AuditArchive, AuditEvent, AuditGate
from onsite.audit.services import (
    ArchiveError,
    archive_events,
    audit_gate,
    chain_head,
    record_event,
    verify_archive,
    verify_chain,
)
from onsite.core.tests.factories import UnitFactory


@pytest.fixture
def chain(center):
    return [record_event(None, action=f"test.{n}", center=center) for n in range(5)]


@pytest.fixture
def archive_dir(settings, tmp_path):
    settings.AUDIT_ARCHIVE_DIR = tmp_path / "archive"
    return settings.AUDIT_ARCHIVE_DIR


def bypass_the_triggers():
    """What someone with the database owner's password could do. The test's transaction
    rolls this back (DDL is transactional on both databases)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # no pending FK checks before ALTER
            cursor.execute("ALTER TABLE audit_auditevent DISABLE TRIGGER USER")
        else:
            cursor.execute("DROP TRIGGER audit_auditevent_no_update")
            cursor.execute("DROP TRIGGER audit_auditevent_no_delete")


def test_a_clean_chain_verifies(chain, capsys):
    call_command("verify_audit_chain")
    out = capsys.readouterr().out
    assert "5 rows" in out
    assert f"#{chain[-1].seq} {chain[-1].hash}" in out, "the head is printed for outside logs"


def test_each_row_carries_the_previous_hash(chain):
    for before, after in itertools.pairwise(chain):
        assert after.prev_hash == before.hash
        assert after.seq == before.seq + 1


@pytest.mark.parametrize(
    "change",
    [
        lambda pk: AuditEvent.objects.filter(pk=pk).update(action="test.forged"),
        lambda pk: AuditEvent.objects.filter(pk=pk).delete(),
        lambda pk: AuditEvent.objects.all().delete(),
        lambda pk: AuditArchive.objects.all().update(rows=0),
    ],
    ids=["update", "delete-one", "delete-all", "update-archive"],
)
def test_the_database_refuses_to_edit_or_delete_audit_rows(chain, change):
    AuditArchive.objects.create(
        seq_from=0, seq_to=0, last_hash="0" * 64, rows=1, cutoff=chain[0].at,
        file_name="x", sha256="0" * 64, archived_at=chain[0].at,
    )  # fmt: skip
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        change(chain[2].pk)
    assert AuditEvent.objects.count() == 5
    assert verify_chain()[1] is None


def test_raw_sql_is_refused_too(chain):
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("UPDATE audit_auditevent SET outcome = 'success'")


def test_emptying_the_table_is_refused(chain):
    # TRUNCATE on PostgreSQL; SQLite's equivalent is a DELETE without WHERE.
    statement = (
        "TRUNCATE audit_auditevent"
        if connection.vendor == "postgresql"
        else "DELETE FROM audit_auditevent"
    )
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
            cursor.execute(statement)
    assert AuditEvent.objects.count() == 5


def test_the_gate_closes_when_its_block_ends(chain):
    with transaction.atomic(), audit_gate(reason="test"):
        AuditEvent.objects.filter(pk=chain[0].pk).delete()
    assert not AuditGate.objects.exists()
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEvent.objects.filter(pk=chain[1].pk).delete()


def test_an_edited_row_is_named_by_verify_audit_chain(chain):
    bypass_the_triggers()
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE audit_auditevent SET outcome = 'denied' WHERE id = %s", [chain[2].pk]
        )
    checked, bad, why = verify_chain()
    assert (checked, bad.seq, why) == (2, chain[2].seq, "row content was altered")
    with pytest.raises(CommandError, match=rf"row {chain[2].seq} \(id {chain[2].pk}\)"):
        call_command("verify_audit_chain")


def test_a_re_hashed_forgery_breaks_the_next_link(chain):
    bypass_the_triggers()
    forged = AuditEvent.objects.get(pk=chain[2].pk)
    forged.action = "test.forged"
    forged.hash = forged.compute_hash()
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE audit_auditevent SET action = %s, hash = %s WHERE id = %s",
            [forged.action, forged.hash, forged.pk],
        )
    _checked, bad, why = verify_chain()
    assert (bad.seq, why) == (chain[3].seq, "previous hash does not match")


def test_a_removed_row_is_named(chain):
    bypass_the_triggers()
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_auditevent WHERE id = %s", [chain[1].pk])
    _checked, bad, why = verify_chain()
    assert bad.seq == chain[2].seq
    assert why == f"row {chain[1].seq} is missing"


def test_the_change_and_its_audit_row_commit_or_roll_back_together(center):
    with pytest.raises(ZeroDivisionError), transaction.atomic():  # noqa: PT012
        unit = UnitFactory(center=center, code="w900")
        record_event(None, action="org.unit_create", obj=unit)
        1 / 0  # noqa: B018 - the business change fails after its audit row was written
    assert not AuditEvent.objects.filter(action="org.unit_create").exists()
    assert verify_chain() == (0, None, "")


# --- retention and archive ----------------------------------------------------------------


def test_old_rows_are_archived_with_the_chain_head_kept(center, clock, archive_dir, capsys):
    old = [record_event(None, action=f"old.{n}", center=center) for n in range(4)]
    clock.advance(days=100)
    young = [record_event(None, action=f"young.{n}", center=center) for n in range(2)]
    clock.advance(days=100)  # old rows are 200 days old now, young ones 100

    archive = archive_events()

    assert (archive.seq_from, archive.seq_to, archive.rows) == (old[0].seq, old[-1].seq, 4)
    assert archive.last_hash == old[-1].hash
    remaining = list(AuditEvent.objects.order_by("seq").values_list("action", flat=True))
    assert remaining[:2] == ["young.0", "young.1"]
    assert remaining[2] == "audit.archive", "archiving is itself audited"
    assert verify_chain()[1] is None, "the rest of the chain links to the anchor"
    assert verify_archive(archive_dir / archive.file_name, archive=archive) == 4
    with gzip.open(archive_dir / archive.file_name, "rt") as lines:
        assert [json.loads(line)["action"] for line in lines] == [e.action for e in old]
    call_command("verify_audit_chain", "--archives")
    assert "4 rows intact" in capsys.readouterr().out
    assert young[0].prev_hash == archive.last_hash


def test_nothing_younger_than_the_retention_period_is_archived(center, clock, archive_dir):
    record_event(None, action="recent", center=center)
    clock.advance(days=179)
    assert archive_events() is None
    assert AuditEvent.objects.count() == 1


def test_the_chain_continues_from_the_anchor_when_every_row_was_archived(
    center, clock, archive_dir
):
    first = [record_event(None, action="old", center=center) for _ in range(3)]
    clock.advance(days=181)
    archive_events()
    # Only the audit.archive row is left; archive it too, a year later.
    clock.advance(days=365)
    second = archive_events()
    assert not AuditEvent.objects.exclude(action="audit.archive").exists()
    head_seq, head_hash = chain_head()
    event = record_event(None, action="after", center=center)
    assert event.seq == head_seq + 1 > first[-1].seq
    assert event.prev_hash == head_hash
    assert second.seq_to == first[-1].seq + 1
    assert verify_chain()[1] is None


def test_a_retention_below_180_days_is_refused(settings, archive_dir, db):
    settings.AUDIT_RETENTION_DAYS = 90
    with pytest.raises(CommandError, match="at least 180"):
        call_command("archive_audit")


def test_a_broken_chain_is_not_archived(chain, clock, archive_dir):
    bypass_the_triggers()
    with connection.cursor() as cursor:
        cursor.execute("UPDATE audit_auditevent SET action = 'x' WHERE id = %s", [chain[1].pk])
    clock.advance(days=400)
    with pytest.raises(ArchiveError, match=f"row {chain[1].seq}"):
        archive_events()
    assert not list(archive_dir.glob("*.gz")), "no archive file is left behind"


def test_a_tampered_archive_file_is_reported(center, clock, archive_dir):
    for n in range(3):
        record_event(None, action=f"old.{n}", center=center)
    clock.advance(days=200)
    archive = archive_events()
    path = archive_dir / archive.file_name
    with gzip.open(path, "rt") as lines:
        records = [json.loads(line) for line in lines]
    records[1]["action"] = "old.forged"
    with gzip.open(path, "wt") as out:
        out.writelines(json.dumps(record) + "\n" for record in records)
    with pytest.raises(ArchiveError, match="checksum"):
        verify_archive(path, archive=archive)
    with pytest.raises(ArchiveError, match=f"row {records[1]['seq']} was altered"):
        verify_archive(path)
    with pytest.raises(CommandError, match="checksum"):
        call_command("verify_audit_chain", "--archives")


def test_archive_command_reports_what_it_did(center, clock, archive_dir, capsys):
    record_event(None, action="old", center=center)
    call_command("archive_audit")
    assert "Nothing older than 180 days" in capsys.readouterr().out
    clock.advance(days=181)
    call_command("archive_audit")
    assert "1 rows" in capsys.readouterr().out
