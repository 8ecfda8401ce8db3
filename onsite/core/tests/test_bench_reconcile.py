"""The benchmark's reconciler (bench/reconcile.py): what clients were told was saved against
what the database holds."""

import datetime
import json

import pytest

from bench.reconcile import (
    Attempt,
    Stored,
    format_report,
    key_in,
    marker,
    read_journal,
    reconcile,
)

K1, K2, K3, K4 = "a1" * 16, "b2" * 16, "c3" * 16, "d4" * 16


def saved(key, object_id, **kwargs):
    return Attempt(key=key, flow="inspection", user="u1", saved=True, object_id=object_id, **kwargs)


def test_a_clean_run_reconciles():
    attempts = [saved(K1, "1"), saved(K2, "2", tries=3, statuses=(0, 502, 302))]
    report = reconcile("inspection", attempts, [Stored(K1, "1"), Stored(K2, "2")])
    assert report.ok
    assert (report.keys, report.confirmed, report.retried, report.tries) == (2, 2, 1, 4)
    assert "OK" in format_report(report)


def test_a_confirmed_submit_missing_from_the_database_is_lost():
    report = reconcile("inspection", [saved(K1, "1"), saved(K2, "2")], [Stored(K1, "1")])
    assert report.lost == [K2]
    assert not report.ok
    assert "FAILED" in format_report(report)


def test_two_objects_for_one_key_are_a_duplicate_even_if_the_clients_never_noticed():
    # A double tap: both fingers were told the same id, yet two rows exist.
    attempts = [saved(K1, "7", tap=1), saved(K1, "7", tap=2)]
    report = reconcile("inspection", attempts, [Stored(K1, "7"), Stored(K1, "8")])
    assert report.duplicated == [K1]
    assert report.double_taps == 1
    assert report.keys == 1


def test_clients_told_two_different_ids_for_one_key_is_reported():
    attempts = [saved(K1, "7", tap=1), saved(K1, "8", tap=2)]
    report = reconcile("inspection", attempts, [Stored(K1, "7"), Stored(K1, "8")])
    assert report.told_two_ids == [K1]
    assert report.duplicated == [K1]


def test_an_incomplete_object_is_partial():
    report = reconcile("inspection", [saved(K1, "1")], [Stored(K1, "1", complete=False)])
    assert report.partial == [K1]
    assert not report.ok


def test_an_object_stored_under_another_id_than_the_client_was_told():
    report = reconcile("inspection", [saved(K1, "1")], [Stored(K1, "99")])
    assert report.wrong_id == [K1]
    assert report.lost == []


def test_a_submit_without_an_answer_is_unconfirmed_not_lost():
    never_answered = Attempt(K1, "inspection", "u1", saved=False, tries=6, statuses=(0,) * 6)
    refused = Attempt(K2, "inspection", "u1", saved=False, statuses=(400,))
    report = reconcile("inspection", [never_answered, refused], [Stored(K1, "5")])
    assert report.ok
    assert (report.unconfirmed, report.unconfirmed_but_stored, report.confirmed) == (2, 1, 0)


def test_only_the_flow_asked_for_is_counted_and_strangers_in_the_database_are_noted():
    other = Attempt(K3, "filing", "u2", saved=True, object_id="3")
    report = reconcile("inspection", [saved(K1, "1"), other], [Stored(K1, "1"), Stored(K4, "4")])
    assert report.keys == 1
    assert report.unknown_stored == 1
    assert report.ok
    data = report.as_dict()
    assert data["lost"] == 0
    assert data["ok"] is True


def test_markers_are_found_in_free_text():
    text = f"基准测试检查 {marker(K1)} 其他"
    assert key_in(text) == K1
    assert key_in("no marker here") is None
    assert key_in("[bench:xyz]") is None  # not a hex key


def test_the_journal_is_read_back(tmp_path):
    lines = [
        {"key": K1, "flow": "filing", "user": "u1", "saved": False, "tries": 0, "tap": 1},
        {"key": K2, "flow": "filing", "user": "u1", "saved": False, "tries": 0, "tap": 1},
        {"key": K1, "flow": "filing", "user": "u1", "saved": True, "object_id": "4",
         "tries": 2, "statuses": [0, 302], "tap": 1},
        {"key": K1, "flow": "filing", "user": "u1", "saved": True, "object_id": "4",
         "tries": 1, "statuses": [302], "tap": 2},
    ]  # fmt: skip
    path = tmp_path / "journal-1.jsonl"
    path.write_text("\n".join(json.dumps(line) for line in lines) + "\n\n")
    attempts = read_journal([path])
    assert attempts[2] == Attempt(K1, "filing", "u1", True, "4", tries=2, statuses=(0, 302))
    report = reconcile("filing", attempts, [Stored(K1, "4")])
    assert report.ok
    assert report.double_taps == 1
    # K2 was sent and the run ended before its answer: unconfirmed, not lost.
    assert (report.keys, report.attempts, report.unconfirmed, report.tries) == (2, 2, 1, 3)


@pytest.mark.django_db
def test_the_database_side_finds_marked_filings_and_their_history(center, staff_user):
    from bench.prepare import stored_filings
    from onsite.core.tests.factories import ZoneFactory
    from onsite.standards.models import FilingTransition, Item, ItemFiling

    zone = ZoneFactory(center=center, owner=staff_user)
    item = Item.objects.create(center=center, code="fan", name="风扇")
    today = datetime.date.today()

    def filing(reason, *, history):
        row = ItemFiling.objects.create(
            center=center, zone=zone, item=item, reason=reason, valid_from=today,
            valid_to=today, filed_by=staff_user,
        )  # fmt: skip
        if history:
            FilingTransition.objects.create(filing=row, to_status="requested", by=staff_user)
        return row

    complete = filing(f"夏季 {marker(K1)}", history=True)
    partial = filing(f"夏季 {marker(K2)}", history=False)
    filing("an ordinary filing", history=True)
    stored = {row.key: row for row in stored_filings(center)}
    assert set(stored) == {K1, K2}
    assert stored[K1] == Stored(K1, str(complete.pk), True, "history rows: 1")
    assert not stored[K2].complete
    report = reconcile(
        "filing",
        [Attempt(K1, "filing", "u", True, str(complete.pk)),
         Attempt(K2, "filing", "u", True, str(partial.pk)),
         Attempt(K3, "filing", "u", True, "12345")],
        stored.values(),
    )  # fmt: skip
    assert (report.lost, report.partial) == ([K3], [K2])


def test_a_draft_left_by_an_unanswered_submit_is_not_partial_but_a_confirmed_one_is():
    unanswered = Attempt(K1, "inspection", "u1", saved=False, statuses=(0, 0))
    draft = Stored(K1, "5", complete=False, in_progress=True)
    report = reconcile("inspection", [unanswered], [draft])
    assert report.ok
    assert (report.left_in_progress, report.unconfirmed_but_stored) == (1, 0)
    report = reconcile("inspection", [saved(K1, "5")], [draft])
    assert report.partial == [K1]


def test_parts_the_client_sent_must_all_be_stored_once():
    attempt = Attempt(K1, "inspection", "u1", True, "5", parts=(("answers", 20), ("photos", 3)))
    whole = Stored(K1, "5", parts=(("answers", 20), ("photos", 3)))
    assert reconcile("inspection", [attempt], [whole]).ok
    for parts in ((("answers", 20), ("photos", 2)), (("answers", 20), ("photos", 6))):
        report = reconcile("inspection", [attempt], [Stored(K1, "5", parts=parts)])
        assert report.partial == [K1], parts
