"""Concurrent writers, each on its own database connection, leave one linear chain.

These tests commit for real (transaction=True), so they also prove that flushing the database
between tests can empty the append-only tables (onsite/audit/management/commands/flush.py)."""

import threading

import pytest
from django.core.management import call_command
from django.db import connections, transaction

from onsite.audit.models import AuditEvent, AuditGate
from onsite.audit.services import record_event, verify_chain
from onsite.core.tests.factories import CenterFactory

pytestmark = pytest.mark.django_db(transaction=True)

WRITERS = 8
EVENTS_EACH = 15


def test_eight_concurrent_writers_leave_one_valid_chain():
    center = CenterFactory(code="cc")
    start = threading.Barrier(WRITERS)
    errors: list[BaseException] = []
    wrappers: list[object] = []

    def writer(number: int) -> None:
        try:
            wrappers.append(connections["default"])  # Django's per-thread connection
            start.wait()
            for n in range(EVENTS_EACH):
                with transaction.atomic():
                    record_event(None, action=f"writer.{number}.{n}", center=center)
        except BaseException as exc:
            errors.append(exc)
        finally:
            connections["default"].close()

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(WRITERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert not errors, errors
    assert len({id(wrapper) for wrapper in wrappers}) == WRITERS, (
        "each writer had its own connection"
    )
    seqs = list(AuditEvent.objects.order_by("seq").values_list("seq", flat=True))
    assert seqs == list(range(1, WRITERS * EVENTS_EACH + 1)), "no gaps, no duplicates"
    assert verify_chain() == (WRITERS * EVENTS_EACH, None, "")
    per_writer = dict.fromkeys(range(WRITERS), 0)
    for action in AuditEvent.objects.values_list("action", flat=True):
        per_writer[int(action.split(".")[1])] += 1
    assert set(per_writer.values()) == {EVENTS_EACH}


def test_flush_empties_the_audit_tables_and_leaves_the_gate_shut():
    record_event(None, action="before.flush")
    call_command("flush", interactive=False, verbosity=0)
    assert not AuditEvent.objects.exists()
    assert not AuditGate.objects.exists()
    record_event(None, action="after.flush")
    assert verify_chain() == (1, None, "")
