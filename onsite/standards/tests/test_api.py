"""The standards API: allowed and denied for every endpoint."""

import datetime

import pytest
from django.utils import timezone

from onsite.accounts.models import ApiToken
from onsite.core.tests.factories import UserFactory, ZoneFactory
from onsite.standards.models import ItemFiling, StandardVersion
from onsite.standards.tests.factories import ItemFactory, ItemFilingFactory

pytestmark = pytest.mark.django_db
API = "/api/v1/standards"


def auth(user):
    return {"HTTP_AUTHORIZATION": f"Bearer {ApiToken.issue(user=user, name='t')[1]}"}


@pytest.fixture
def zone(center, published):
    area, _v = published
    owner = UserFactory(center=center, username="owner1", roles=["staff"])
    ItemFactory(center=center, code="plant", name="绿植")
    return ZoneFactory(center=center, code="w01-c", area_type=area, owner=owner)


def test_reads_for_any_role(client, staff_user, published, zone):
    _area, version = published
    h = auth(staff_user)
    listing = client.get(f"{API}/", **h).json()
    assert listing[0]["published"]["number"] == 1
    assert (
        client.get(f"{API}/area-types/counter", **h).json()["versions"][0]["status"] == "published"
    )
    body = client.get(f"{API}/versions/{version.pk}", **h).json()
    assert {r["item"]: r["edge_distance_mm"] for r in body["item_rules"]} == {
        "phone": 50,
        "cup": 80,
    }
    assert len(client.get(f"{API}/versions/{version.pk}/clauses", **h).json()) == 1
    assert len(client.get(f"{API}/versions/{version.pk}/item-rules", **h).json()) == 2
    assert {i["code"] for i in client.get(f"{API}/items", **h).json()} >= {"phone", "plant"}
    effective = client.get(f"{API}/zones/w01-c/effective", **h).json()
    assert effective["version"]["number"] == 1
    assert effective["filings"] == []


def test_reads_need_credentials_and_stay_in_the_center(client, other_admin, published, zone):
    _area, version = published
    assert client.get(f"{API}/").status_code == 401
    assert client.get(f"{API}/versions/{version.pk}").status_code == 401
    h = auth(other_admin)
    assert client.get(f"{API}/versions/{version.pk}", **h).status_code == 404
    assert client.get(f"{API}/zones/w01-c/effective", **h).status_code == 404
    assert client.get(f"{API}/versions/{version.pk}/clauses", **h).status_code == 404


def test_the_office_revises_edits_and_publishes(client, office_user, published):
    _area, v1 = published
    h = auth(office_user)
    draft = client.post(
        f"{API}/area-types/counter/revisions", {"note": "api"}, content_type="application/json", **h
    ).json()
    assert draft["status"] == "draft"
    phone = next(r for r in draft["item_rules"] if r["item"] == "phone")
    changed = client.put(
        f"{API}/item-rules/{phone['id']}",
        {"item": "phone", "kind": "banned", "row_version": phone["row_version"]},
        content_type="application/json",
        **h,
    )
    assert changed.status_code == 200
    assert changed.json()["kind"] == "banned"
    stale = client.put(
        f"{API}/item-rules/{phone['id']}",
        {"item": "phone", "kind": "allowed", "row_version": phone["row_version"]},
        content_type="application/json",
        **h,
    )
    assert stale.status_code == 409
    added = client.post(
        f"{API}/versions/{draft['id']}/clauses",
        {"code": "C9", "pillar": "safety", "text": "理线"},
        content_type="application/json",
        **h,
    )
    assert added.status_code == 200
    bad = client.post(
        f"{API}/versions/{draft['id']}/item-rules",
        {"item": "cup", "slot_x_mm": 1500, "slot_y_mm": 0, "slot_w_mm": 300, "slot_h_mm": 100},
        content_type="application/json",
        **h,
    )
    assert bad.status_code == 422, "invalid input is 422 since issue 15 (was 400)"
    current = client.get(f"{API}/versions/{draft['id']}", **h).json()
    published = client.post(
        f"{API}/versions/{draft['id']}/publish",
        {"row_version": current["row_version"]},
        content_type="application/json",
        **h,
    )
    assert published.status_code == 200
    assert published.json()["status"] == "published"
    again = client.post(
        f"{API}/versions/{draft['id']}/publish",
        {"row_version": current["row_version"]},
        content_type="application/json",
        **h,
    )
    assert again.status_code == 409
    assert StandardVersion.objects.get(pk=v1.pk).status == "retired"


def test_other_roles_cannot_write(client, staff_user, viewer, published):
    _area, version = published
    for user in (staff_user,):
        h = auth(user)
        assert (
            client.post(
                f"{API}/area-types/counter/revisions", {}, content_type="application/json", **h
            ).status_code
            == 403
        )
        assert (
            client.post(
                f"{API}/versions/{version.pk}/publish",
                {"row_version": 1},
                content_type="application/json",
                **h,
            ).status_code
            == 403
        )
        assert (
            client.post(
                f"{API}/versions/{version.pk}/clauses",
                {"code": "X", "pillar": "sort", "text": "x"},
                content_type="application/json",
                **h,
            ).status_code
            == 403
        )
        clause = version.clauses.get()
        assert client.delete(f"{API}/clauses/{clause.pk}?row_version=1", **h).status_code == 403
        rule = version.item_rules.first()
        assert client.delete(f"{API}/item-rules/{rule.pk}?row_version=1", **h).status_code == 403
        assert (
            client.put(
                f"{API}/versions/{version.pk}",
                {
                    "row_version": 1,
                    "width_mm": 1000,
                    "depth_mm": 500,
                    "default_edge_distance_mm": 10,
                },
                content_type="application/json",
                **h,
            ).status_code
            == 403
        )
    assert version.clauses.count() == 1


def test_published_versions_refuse_edits_over_the_api(client, office_user, published):
    _area, version = published
    clause = version.clauses.get()
    response = client.put(
        f"/api/v1/standards/clauses/{clause.pk}",
        {"code": "C1", "pillar": "sort", "text": "x", "row_version": clause.version},
        content_type="application/json",
        **auth(office_user),
    )
    assert response.status_code == 409, "a published version is the wrong state (was 400)"
    assert response.json()["code"] == "not_draft"


def test_filing_over_the_api(client, zone, office_user, staff_user):
    today = timezone.localdate()
    body = {
        "zone": "w01-c",
        "item": "plant",
        "quantity": 1,
        "reason": "绿化",
        "valid_from": today.isoformat(),
        "valid_to": (today + datetime.timedelta(days=10)).isoformat(),
        "submission_key": "abc",
    }
    owner = auth(zone.owner)
    first = client.post(f"{API}/filings", body, content_type="application/json", **owner)
    second = client.post(f"{API}/filings", body, content_type="application/json", **owner)
    assert first.status_code == 200
    assert first.json()["id"] == second.json()["id"]
    assert ItemFiling.objects.count() == 1
    assert (
        client.post(
            f"{API}/filings", body, content_type="application/json", **auth(staff_user)
        ).status_code
        == 403
    )
    assert (
        client.post(
            f"{API}/filings", body | {"zone": "nope"}, content_type="application/json", **owner
        ).status_code
        == 404
    )
    filing_id = first.json()["id"]
    assert (
        client.post(
            f"{API}/filings/{filing_id}/review",
            {"decision": "approve", "row_version": 1},
            content_type="application/json",
            **owner,
        ).status_code
        == 403
    )
    reviewed = client.post(
        f"{API}/filings/{filing_id}/review",
        {"decision": "approve", "row_version": 1},
        content_type="application/json",
        **auth(office_user),
    )
    assert reviewed.json()["status"] == "approved"
    effective = client.get(f"{API}/zones/w01-c/effective", **owner).json()
    assert [f["item"] for f in effective["filings"]] == ["plant"]
    assert client.get(f"{API}/filings/{filing_id}", **auth(staff_user)).status_code == 404
    assert [f["id"] for f in client.get(f"{API}/filings", **owner).json()] == [filing_id]
    withdrawn = client.post(
        f"{API}/filings/{filing_id}/withdraw",
        {"row_version": 2},
        content_type="application/json",
        **owner,
    )
    assert withdrawn.json()["status"] == "withdrawn"


def test_the_other_centers_filings_are_404(client, other_admin, zone):
    filing = ItemFilingFactory(
        zone=zone, item=ItemFactory(center=zone.center, code="cal", name="台历")
    )
    h = auth(other_admin)
    assert client.get(f"{API}/filings/{filing.pk}", **h).status_code == 404
    assert (
        client.post(
            f"{API}/filings/{filing.pk}/review",
            {"decision": "approve", "row_version": 1},
            content_type="application/json",
            **h,
        ).status_code
        == 404
    )


def test_the_schema_documents_our_own_bodies(client, db):
    """Ninja names components by class name: a same-named schema of another app would
    silently replace ours, so the names here are specific."""
    schema = client.get("/api/v1/openapi.json").json()
    components = schema["components"]["schemas"]
    review = components["ItemFilingReviewIn"]["properties"]
    assert review["decision"]["enum"] == ["approve", "approve_catalogue", "reject"]
    assert "pillar" in components["StandardClauseIn"]["properties"]
    assert "valid_to" in components["ItemFilingIn"]["properties"]


def test_the_filing_list_pages_back_with_an_offset(client, zone, office_user):
    made = [ItemFilingFactory(center=zone.center, zone=zone) for _ in range(3)]
    office = auth(office_user)
    everything = [row["id"] for row in client.get(f"{API}/filings", **office).json()]
    assert everything == sorted((f.pk for f in made), reverse=True)
    later = [row["id"] for row in client.get(f"{API}/filings?offset=2", **office).json()]
    assert later == everything[2:]


def test_a_filing_is_repeat_safe_by_its_idempotency_key_too(client, zone):
    """What a phone's outbox sends: the form's fields (codes), no submission_key, the key in
    the Idempotency-Key header, and the keys the API does not name (ignored)."""
    today = timezone.localdate()
    body = {"zone": "w01-c", "item": "plant", "quantity": 2, "reason": "绿化",
            "valid_from": today.isoformat(), "valid_to": today.isoformat(), "extra": "1"}  # fmt: skip
    owner = auth(zone.owner)

    def send(key):
        return client.post(
            f"{API}/filings", body, content_type="application/json", HTTP_IDEMPOTENCY_KEY=key,
            **owner,
        )  # fmt: skip

    sent = [send("phone-1"), send("phone-1")]  # the first answer was lost
    assert [r.status_code for r in sent] == [200, 200]
    assert sent[0].json()["id"] == sent[1].json()["id"]
    other = send("phone-2")
    assert other.json()["id"] != sent[0].json()["id"]
    assert ItemFiling.objects.count() == 2
