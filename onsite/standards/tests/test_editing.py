"""Drafting, editing, publishing and comparing versions through the pages."""

import threading

import pytest
from django.db import connection

from onsite.audit.models import AuditEvent
from onsite.core.concurrency import ConflictError
from onsite.standards.models import Clause, ItemRule, StandardVersion
from onsite.standards.services import (
    PublishConflictError,
    StandardError,
    publish_version,
    save_clause,
    start_revision,
)
from onsite.standards.tests.conftest import make_published

pytestmark = pytest.mark.django_db


def test_revise_opens_a_copy_and_a_second_revise_reuses_it(client_for, office_user, published):
    _area, v1 = published
    client = client_for(office_user)
    response = client.post("/standards/area-types/counter/revise/", {"note": "ban the phone"})
    draft = StandardVersion.objects.get(standard=v1.standard, status="draft")
    assert response["Location"] == f"/standards/versions/{draft.pk}/"
    assert draft.based_on == v1
    assert draft.number == 2
    assert list(draft.clauses.values_list("code", flat=True)) == ["C1"]
    assert draft.item_rules.count() == 2
    client.post("/standards/area-types/counter/revise/", {"note": "and the cup"})
    assert StandardVersion.objects.filter(standard=v1.standard, status="draft").count() == 1
    draft.refresh_from_db()
    assert "ban the phone" in draft.note
    assert "and the cup" in draft.note


def test_edit_a_rule_then_publish_and_the_diff_shows_it(client_for, admin_user, draft):
    client = client_for(admin_user)
    rule = draft.item_rules.get(item__code="phone")
    response = client.post(
        f"/standards/rules/{rule.pk}/edit/",
        {
            "item": rule.item_id,
            "kind": "banned",
            "marking": "none",
            "position": 1,
            "row_version": rule.version,
        },
    )
    assert response.status_code == 302
    cup = draft.item_rules.get(item__code="cup")
    client.post(
        f"/standards/rules/{cup.pk}/edit/",
        {
            "item": cup.item_id,
            "kind": "allowed",
            "max_quantity": 1,
            "slot_x_mm": 400,
            "slot_y_mm": 500,
            "slot_w_mm": 90,
            "slot_h_mm": 90,
            "min_edge_distance_mm": 100,
            "marking": "none",
            "position": 2,
            "row_version": cup.version,
        },
    )
    draft.refresh_from_db()
    page = client.get(f"/standards/versions/{draft.pk}/").content.decode()
    # the cup's slot is 110 mm from the front edge: fine; nothing flagged
    assert "layout-problems" not in page
    response = client.post(
        f"/standards/versions/{draft.pk}/publish/", {"row_version": draft.version}
    )
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.status == "published"
    assert draft.based_on.__class__.objects.get(pk=draft.based_on_id).status == "retired"
    diff = client.get(f"/standards/versions/{draft.pk}/diff/").content.decode()
    assert "电话" in diff
    assert "水杯" in diff
    assert AuditEvent.objects.filter(action="standards.version_published").exists()


def test_a_slot_outside_the_plan_is_refused_with_a_message(client_for, admin_user, draft):
    rule = draft.item_rules.get(item__code="phone")
    response = client_for(admin_user).post(
        f"/standards/rules/{rule.pk}/edit/",
        {
            "item": rule.item_id,
            "kind": "allowed",
            "slot_x_mm": 1500,
            "slot_y_mm": 0,
            "slot_w_mm": 300,
            "slot_h_mm": 100,
            "marking": "none",
            "position": 1,
            "row_version": rule.version,
        },
    )
    assert response.status_code == 200
    assert "定位超出了定置图范围" in response.content.decode()
    rule.refresh_from_db()
    assert rule.slot_x_mm == 100


def test_a_slot_too_close_to_the_edge_is_flagged(client_for, admin_user, draft):
    cup = draft.item_rules.get(item__code="cup")
    cup.min_edge_distance_mm = 200
    cup.save()
    page = client_for(admin_user).get(f"/standards/versions/{draft.pk}/").content.decode()
    assert 'data-testid="layout-problems"' in page


def test_two_people_editing_one_clause_get_a_conflict(client_for, admin_user, office_user, draft):
    clause = draft.clauses.get()
    data = {
        "code": "C1",
        "pillar": "sort",
        "position": 1,
        "text": "A",
        "weight": 1,
        "max_points": 10,
        "row_version": clause.version,
    }
    assert (
        client_for(admin_user).post(f"/standards/clauses/{clause.pk}/edit/", data).status_code
        == 302
    )
    second = client_for(office_user).post(
        f"/standards/clauses/{clause.pk}/edit/", data | {"text": "B"}
    )
    assert second.status_code == 200
    assert 'class="alert alert-danger"' in second.content.decode()
    clause.refresh_from_db()
    assert clause.text == "A"


def test_a_duplicate_clause_code_is_a_clear_error(client_for, admin_user, draft):
    response = client_for(admin_user).post(
        f"/standards/versions/{draft.pk}/clauses/new/",
        {
            "code": "C1",
            "pillar": "shine",
            "position": 2,
            "text": "X",
            "weight": 1,
            "max_points": 10,
        },
    )
    assert response.status_code == 200
    assert draft.clauses.count() == 1


def test_a_published_version_cannot_be_edited(client_for, admin_user, published):
    _area, v1 = published
    clause = v1.clauses.get()
    client = client_for(admin_user)
    response = client.post(
        f"/standards/clauses/{clause.pk}/edit/",
        {
            "code": "C1",
            "pillar": "sort",
            "position": 1,
            "text": "changed",
            "weight": 1,
            "max_points": 10,
            "row_version": clause.version,
        },
    )
    assert response.status_code == 302
    clause.refresh_from_db()
    assert clause.text == "台面整洁"
    with pytest.raises(StandardError):
        save_clause(standard_version=v1, clause=clause, data={}, by=admin_user, expected_version=1)


def test_publishing_a_stale_draft_fails_and_changes_nothing(client_for, admin_user, draft):
    client = client_for(admin_user)
    seen = draft.version
    clause = draft.clauses.get()
    client.post(f"/standards/clauses/{clause.pk}/delete/", {"row_version": clause.version})
    response = client.post(f"/standards/versions/{draft.pk}/publish/", {"row_version": seen})
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.is_draft
    assert StandardVersion.objects.published().get(standard=draft.standard).number == 1


def test_an_empty_draft_cannot_be_published(admin_user, draft):
    Clause.objects.filter(standard_version=draft).delete()
    with pytest.raises(StandardError):
        publish_version(version=draft, by=admin_user, expected_version=draft.version)


def test_discard_removes_the_draft(client_for, admin_user, draft):
    client_for(admin_user).post(
        f"/standards/versions/{draft.pk}/discard/", {"row_version": draft.version}
    )
    assert not StandardVersion.objects.filter(pk=draft.pk).exists()


def test_the_database_allows_one_published_version_per_standard(admin_user, draft):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        StandardVersion.objects.filter(pk=draft.pk).update(status="published")


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_publishes_one_wins_one_fails_cleanly(center, admin_user):
    area, v1 = make_published(center, admin_user)
    a = start_revision(area_type=area, by=admin_user, note="a")
    b = StandardVersion.objects.create(center=center, standard=a.standard, number=3, based_on=v1)
    Clause.objects.create(center=center, standard_version=b, code="B1", pillar="sort", text="b")
    barrier = threading.Barrier(2)
    results = {}

    def publish(version):
        try:
            barrier.wait(timeout=10)
            publish_version(version=version, by=admin_user, expected_version=version.version)
            results[version.pk] = "ok"
        except ConflictError as exc:
            results[version.pk] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=publish, args=(v,)) for v in (a, b)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    outcomes = sorted(str(type(r).__name__) if r != "ok" else "ok" for r in results.values())
    assert outcomes == ["PublishConflictError", "ok"]
    published = StandardVersion.objects.filter(standard=a.standard, status="published")
    assert published.count() == 1
    v1.refresh_from_db()
    assert v1.status == "retired"
    assert isinstance(next(r for r in results.values() if r != "ok"), PublishConflictError)
    assert ItemRule.objects.filter(standard_version=published.get()).count() in (0, 2)
