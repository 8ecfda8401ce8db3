"""Backup, wipe, restore, verify: on the database the suite runs on (SQLite or PostgreSQL)."""

import hashlib
import io
import json

import pytest
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from onsite.accounts.models import User
from onsite.audit.management.commands.backup import storage_files
from onsite.audit.models import AuditEvent
from onsite.audit.services import chain_head, record_event, verify_chain
from onsite.core.models import Center
from onsite.core.tests.factories import CenterFactory, UnitFactory, UserFactory, ZoneFactory
from onsite.org.models import Unit, Zone

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.AUDIT_ARCHIVE_DIR = tmp_path / "archive"
    return tmp_path


def counts():
    return {
        "centers": Center.objects.count(),
        "users": User.objects.count(),
        "units": Unit.objects.count(),
        "zones": Zone.objects.count(),
        "audit": AuditEvent.objects.count(),
    }


def files():
    return {
        name: hashlib.sha256(default_storage.open(name).read()).hexdigest()
        for name in storage_files(default_storage)
    }


def make_data():
    center = CenterFactory(code="bk", name="备份中心")
    for n in range(3):
        UnitFactory(center=center, code=f"u{n}")
    UserFactory(center=center, username="zhang", full_name="张伟", roles=["staff"])
    ZoneFactory(center=center, code="z1")
    for n in range(5):
        record_event(None, action=f"test.{n}", center=center)
    default_storage.save("photos/2026/a.jpg", io.BytesIO(b"\xff\xd8\xff" + bytes(range(256)) * 40))
    default_storage.save("reports/月报.pdf", io.BytesIO(b"%PDF-1.7 " + b"x" * 5000))
    return center


def test_backup_wipe_restore_verify(media, capsys):
    make_data()
    before, before_files, head = counts(), files(), chain_head()

    call_command("backup", output=str(media / "bk"))
    manifest = json.loads((media / "bk" / "manifest.json").read_text())
    assert manifest["vendor"] == connection.vendor
    assert manifest["audit_head"] == {"seq": head[0], "hash": head[1]}
    assert manifest["tables"]["org_unit"] == before["units"]
    assert set(manifest["files"]) == {"media/photos/2026/a.jpg", "media/reports/月报.pdf"}
    assert AuditEvent.objects.filter(action="ops.backup").exists(), "the backup is audited"

    call_command("flush", interactive=False, verbosity=0)  # the wipe
    for name in storage_files(default_storage):
        default_storage.delete(name)
    assert counts() == dict.fromkeys(before, 0)
    assert files() == {}

    call_command("restore", str(media / "bk"), yes=True)

    assert "Restored and verified" in capsys.readouterr().out
    after = counts()
    assert after == {**before, "audit": before["audit"] + 1}, "+1: the restore's own audit row"
    assert files() == before_files
    assert verify_chain()[1] is None
    restore_row = AuditEvent.objects.get(action="ops.restore")
    assert restore_row.prev_hash == head[1], "the chain continues from the backed-up head"
    assert User.objects.get(username="zhang").check_password("pw-Onsite-2026")


def test_a_damaged_backup_is_refused_before_anything_changes(media):
    make_data()
    call_command("backup", output=str(media / "bk"))
    photo = media / "bk" / "media" / "photos" / "2026" / "a.jpg"
    photo.write_bytes(photo.read_bytes()[:-1] + b"\x00")
    record_event(None, action="after.backup")
    before = counts()
    with pytest.raises(CommandError, match=r"damaged: media/photos/2026/a\.jpg"):
        call_command("restore", str(media / "bk"), yes=True)
    assert counts() == before


def test_a_missing_file_is_refused(media):
    make_data()
    call_command("backup", output=str(media / "bk"))
    (media / "bk" / "media" / "reports" / "月报.pdf").unlink()
    with pytest.raises(CommandError, match="incomplete"):
        call_command("restore", str(media / "bk"), yes=True)


def test_a_backup_never_overwrites_an_existing_folder(media):
    (media / "bk").mkdir()
    with pytest.raises(CommandError, match="already exists"):
        call_command("backup", output=str(media / "bk"))


def test_audit_archives_travel_with_the_backup(media, monkeypatch):
    import datetime as dt

    from django.utils import timezone

    from onsite.audit.services import archive_events

    long_ago = timezone.now() - dt.timedelta(days=400)
    monkeypatch.setattr(timezone, "now", lambda: long_ago)
    make_data()
    monkeypatch.undo()
    archive = archive_events()
    call_command("backup", output=str(media / "bk"), no_media=True)
    (media / "archive" / archive.file_name).unlink()
    call_command("flush", interactive=False, verbosity=0)
    call_command("restore", str(media / "bk"), yes=True, no_media=True)
    assert (media / "archive" / archive.file_name).exists()
    call_command("verify_audit_chain", "--archives")
