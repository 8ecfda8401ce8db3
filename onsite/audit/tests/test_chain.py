import itertools

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from onsite.audit.models import AuditEvent
from onsite.audit.services import record_event, verify_chain


@pytest.fixture
def chain(center):
    return [record_event(None, action=f"test.{n}", center=center) for n in range(5)]


def test_a_clean_chain_verifies(chain, capsys):
    call_command("verify_audit_chain")
    assert "5 rows" in capsys.readouterr().out


def test_an_edited_row_is_named(chain):
    AuditEvent.objects.filter(pk=chain[2].pk).update(action="test.forged")
    checked, bad, why = verify_chain()
    assert (checked, bad.seq, why) == (2, chain[2].seq, "row content was altered")
    with pytest.raises(CommandError, match=f"row {chain[2].seq}"):
        call_command("verify_audit_chain")


def test_a_removed_row_is_named(chain):
    AuditEvent.objects.filter(pk=chain[1].pk).delete()
    _checked, bad, why = verify_chain()
    assert bad.seq == chain[2].seq
    assert why == f"row {chain[1].seq} is missing"


def test_each_row_carries_the_previous_hash(chain):
    for before, after in itertools.pairwise(chain):
        assert after.prev_hash == before.hash


def test_auditor_reads_the_trail_of_their_center_only(client_for, auditor, other_center):
    record_event(None, action="mine.event", center=auditor.center)
    record_event(None, action="theirs.event", center=other_center)
    body = client_for(auditor).get("/audit/").content.decode()
    assert "mine.event" in body
    assert "theirs.event" not in body


def test_others_may_not_read_the_trail(client_for, admin_user):
    assert client_for(admin_user).get("/audit/").status_code == 403
