"""The photo check's pages and API: every one with a person allowed and one refused; the
suggestions on the inspection pages; the office's page at a fixed number of queries."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from onsite.core.tests.factories import UserFactory
from onsite.inspections import services as inspections
from onsite.inspections.models import Answer, InspectionSettings
from onsite.inspections.tests.conftest import answer as answer_all
from onsite.standards.models import Item
from onsite.standards.queries import published_version
from onsite.standards.tests.factories import ItemFactory, ItemRuleFactory
from onsite.vision.models import DraftFinding, PhotoAnalysis, ReferencePhoto
from onsite.vision.tests.flow import (
    checked_zone,
    coffee,
    counter_scene,
    first_clause,
    start,
    upload,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def zone(center):
    zone = checked_zone(center, owner=UserFactory(center=center, roles=["staff"]))[0]
    ItemRuleFactory(
        standard_version=published_version(zone),
        item=ItemFactory(center=center, code="phone", name="电话", vision_kind="phone"),
    )
    return zone


@pytest.fixture
def draft(zone, supervisor, django_capture_on_commit_callbacks):
    """A proposed draft (a real cup the standard does not allow) of a draft inspection."""
    check = first_clause(start(zone, supervisor))
    with django_capture_on_commit_callbacks(execute=True):
        inspections.add_photo(answer=check, by=supervisor, upload=upload(coffee()))
    return DraftFinding.objects.select_related("answer__inspection").get()


def htmx(client, url):
    return client.get(url, HTTP_HX_REQUEST="true")


# --- the suggestions on the inspection ------------------------------------------------------


def test_the_checklist_shows_the_photo_with_its_boxes_and_buttons(client_for, draft, supervisor):
    page = client_for(supervisor).get(
        reverse("inspections:inspection-edit", args=[draft.answer.inspection_id])
    )
    html = page.content.decode()
    assert page.status_code == 200
    assert 'data-testid="photo-check"' in html
    assert "<rect" in html
    assert "不允许的物品" in html  # zh-hans: "Item not allowed here: …"
    assert reverse("vision:draft-accept", args=[draft.pk]) in html
    assert reverse("vision:draft-dismiss", args=[draft.pk]) in html


def test_a_queued_photo_shows_a_quiet_refreshing_note(client_for, zone, supervisor):
    check = first_clause(start(zone, supervisor))
    inspections.add_photo(answer=check, by=supervisor, upload=upload(coffee()))  # not run yet
    assert PhotoAnalysis.objects.get().status == "queued"
    html = (
        client_for(supervisor)
        .get(reverse("inspections:inspection-edit", args=[check.inspection_id]))
        .content.decode()
    )
    assert 'hx-trigger="every 4s"' in html
    assert "照片检查中" in html
    panel = htmx(client_for(supervisor), reverse("vision:answer-panel", args=[check.pk]))
    assert panel.status_code == 200
    assert "every 4s" in panel.content.decode()


def test_the_panel_refresh_allowed_and_refused(client_for, draft, supervisor, other_admin, auditor):
    url = reverse("vision:answer-panel", args=[draft.answer_id])
    shown = htmx(client_for(supervisor), url)
    assert shown.status_code == 200
    assert "every 4s" not in shown.content.decode()
    plain = client_for(supervisor).get(url)
    assert plain.status_code == 302
    assert f"#a{draft.answer_id}" in plain["Location"]
    assert htmx(client_for(other_admin), url).status_code == 404
    assert htmx(client_for(auditor), url).status_code == 403


def test_accept_on_the_page_fails_the_check_and_leads_back(client_for, draft, supervisor):
    response = client_for(supervisor).post(
        reverse("vision:draft-accept", args=[draft.pk]), {"version": draft.version}
    )
    assert response.status_code == 302
    assert response["Location"].endswith(f"/edit/#a{draft.answer_id}")
    assert Answer.objects.get(pk=draft.answer_id).result == "fail"
    assert DraftFinding.objects.get(pk=draft.pk).status == "accepted"


def test_accept_and_dismiss_refused_to_others(client_for, draft, center, other_admin, viewer):
    staff = UserFactory(center=center, roles=["staff"])
    for name in ("vision:draft-accept", "vision:draft-dismiss"):
        url = reverse(name, args=[draft.pk])
        refused = client_for(staff).post(url, {"version": draft.version})
        assert refused.status_code in (403, 404)
        assert client_for(other_admin).post(url, {"version": 1}).status_code == 404
        assert client_for(viewer).post(url, {"version": 1}).status_code == 403
    assert DraftFinding.objects.get(pk=draft.pk).status == "proposed"


def test_dismiss_on_the_page_and_a_stale_second_tap(client_for, draft, supervisor):
    client = client_for(supervisor)
    url = reverse("vision:draft-dismiss", args=[draft.pk])
    assert client.post(url, {"version": draft.version}).status_code == 302
    assert DraftFinding.objects.get(pk=draft.pk).status == "dismissed"
    again = client.post(reverse("vision:draft-accept", args=[draft.pk]), {"version": draft.version})
    assert again.status_code == 302
    assert again["Onsite-Refusal"] == "decided"
    assert Answer.objects.get(pk=draft.answer_id).result == ""


def test_after_the_submit_the_detail_page_shows_the_suggestions(
    client_for, draft, supervisor, office_user
):
    inspection = answer_all(draft.answer.inspection, supervisor, fail=())
    inspections.submit_inspection(inspection=inspection, by=supervisor)
    page = client_for(office_user).get(
        reverse("inspections:inspection-detail", args=[inspection.pk])
    )
    assert 'data-testid="answer-panel"' in page.content.decode()
    accepted = client_for(office_user).post(
        reverse("vision:draft-accept", args=[draft.pk]), {"version": draft.version}
    )
    assert accepted["Location"].endswith(f"/inspections/{inspection.pk}/#a{draft.answer_id}")
    assert DraftFinding.objects.get(pk=draft.pk).finding is not None


# --- the API (what the phone's outbox sends) ------------------------------------------------


def test_api_accept_with_idempotency_and_conflict(client_for, draft, supervisor):
    client = client_for(supervisor)
    url = f"/api/v1/vision/drafts/{draft.pk}/accept"
    first = client.post(url, {"version": draft.version}, content_type="application/json",
                        HTTP_IDEMPOTENCY_KEY="k1")  # fmt: skip
    assert first.status_code == 200
    assert first.json()["status"] == "accepted"
    replay = client.post(url, {"version": draft.version}, content_type="application/json",
                         HTTP_IDEMPOTENCY_KEY="k1")  # fmt: skip
    assert replay.status_code == 200
    assert replay.json() == first.json()
    other = client.post(f"/api/v1/vision/drafts/{draft.pk}/dismiss", {"version": 1},
                        content_type="application/json")  # fmt: skip
    assert other.status_code == 409
    checks = client.get(f"/api/v1/vision/inspections/{draft.answer.inspection_id}/checks")
    assert checks.json()[0]["drafts"][0]["status"] == "accepted"


def test_api_refusals(client_for, draft, center, other_admin, viewer):
    url = f"/api/v1/vision/drafts/{draft.pk}/dismiss"
    staff = UserFactory(center=center, roles=["staff"])
    assert client_for(staff).post(url, {"version": 1}, content_type="application/json"
                                  ).status_code in (403, 404)  # fmt: skip
    assert client_for(other_admin).post(url, {"version": 1}, content_type="application/json"
                                        ).status_code == 404  # fmt: skip
    assert client_for(viewer).post(url, {"version": 1}, content_type="application/json"
                                   ).status_code == 403  # fmt: skip
    checks = f"/api/v1/vision/inspections/{draft.answer.inspection_id}/checks"
    assert client_for(other_admin).get(checks).status_code == 404


def test_api_reference_photos(client_for, zone, supervisor, staff_user, other_admin):
    url = f"/api/v1/vision/zones/{zone.code}/references"
    taken = client_for(supervisor).post(url, {"photo": upload(counter_scene())})
    assert taken.status_code == 200
    assert taken.json()["is_active"]
    assert client_for(staff_user).post(url, {"photo": upload(counter_scene())}).status_code == 403
    assert client_for(staff_user).get(url).json()[0]["id"] == taken.json()["id"]
    assert client_for(other_admin).get(url).status_code == 404


# --- reference photos, markers ---------------------------------------------------------------


def test_reference_page_allowed_and_refused(client_for, zone, supervisor, staff_user, other_admin):
    url = reverse("vision:zone-reference", args=[zone.code])
    assert client_for(staff_user).get(url).status_code == 200
    assert client_for(other_admin).get(url).status_code == 404
    refused = client_for(staff_user).post(url, {"photo": upload(counter_scene())})
    assert refused.status_code == 403
    assert not ReferencePhoto.objects.exists()
    taken = client_for(supervisor).post(url, {"photo": upload(counter_scene())})
    assert taken.status_code == 302
    reference = ReferencePhoto.objects.get()
    assert reference.taken_by == supervisor
    assert reference.zone == zone
    page = client_for(supervisor).get(url).content.decode()
    assert reverse("vision:reference-photo", args=[reference.pk]) in page
    assert 'capture="environment"' in page
    bad = client_for(supervisor).post(url, {"photo": upload(b"not a photo")})
    assert bad.status_code == 422


def test_the_zone_page_links_the_reference_photo(client_for, zone, staff_user):
    page = client_for(staff_user).get(reverse("zone-page", args=[zone.code])).content.decode()
    assert reverse("vision:zone-reference", args=[zone.code]) in page


def test_reference_photo_served_only_in_its_center(client_for, zone, supervisor, other_admin):
    client_for(supervisor).post(
        reverse("vision:zone-reference", args=[zone.code]), {"photo": upload(counter_scene())}
    )
    url = reverse("vision:reference-photo", args=[ReferencePhoto.objects.get().pk])
    shown = client_for(supervisor).get(url)
    assert shown.status_code == 200
    assert shown["Content-Type"] == "image/jpeg"
    assert client_for(other_admin).get(url).status_code == 404


def test_marker_sheet_allowed_and_refused(client_for, office_user, staff_user):
    url = reverse("vision:markers")
    page = client_for(office_user).get(url)
    assert page.status_code == 200
    assert "<svg" in page.content.decode()
    assert client_for(staff_user).get(url).status_code == 403


# --- settings, items ------------------------------------------------------------------------


def test_the_setting_is_on_the_inspection_settings_page(client_for, center, admin_user):
    url = reverse("inspections:settings")
    assert 'data-testid="photo-check"' in client_for(admin_user).get(url).content.decode()
    data = {"pass_mark": 80, "green_from": 80, "yellow_from": 60, "repeat_window_days": 30,
            "repeat_factor": 2, "serious_days": 2, "general_days": 5,
            "row_version": InspectionSettings.for_center(center).version}  # fmt: skip
    assert client_for(admin_user).post(url, data).status_code == 302
    assert InspectionSettings.for_center(center).photo_check is False
    current = InspectionSettings.for_center(center).version
    client_for(admin_user).post(url, {**data, "photo_check": "on", "row_version": current})
    assert InspectionSettings.for_center(center).photo_check is True


def test_a_new_center_starts_with_the_photo_check_off(other_center):
    assert InspectionSettings.for_center(other_center).photo_check is False


def test_an_item_carries_its_detector_kind(client_for, center, admin_user):
    item = ItemFactory(center=center, code="flask", name="保温杯")
    url = reverse("standards:item-edit", args=[item.pk])
    assert 'name="vision_kind"' in client_for(admin_user).get(url).content.decode()
    response = client_for(admin_user).post(
        url, {"code": "flask", "name": "保温杯", "vision_kind": "bottle", "is_active": "on"}
    )
    assert response.status_code == 302
    assert Item.objects.get(pk=item.pk).vision_kind == "bottle"
    listed = client_for(admin_user).get("/api/v1/standards/items").json()
    assert {i["code"]: i["vision_kind"] for i in listed}["flask"] == "bottle"


# --- the office's page ----------------------------------------------------------------------


def _drafts(analysis, n, kind, item, status):
    DraftFinding.objects.bulk_create(
        DraftFinding(center_id=analysis.center_id, analysis=analysis, answer_id=analysis.photo.answer_id,
                     kind=kind, item=item, x=0.1, y=0.1, w=0.2, h=0.2, score=0.9, status=status)
        for _ in range(n)
    )  # fmt: skip


def test_the_office_page_rates_per_kind_and_item_at_fixed_queries(
    client_for, draft, office_user, staff_user
):
    client = client_for(office_user)
    url = reverse("vision:overview")
    analysis = draft.analysis
    _drafts(analysis, 3, "not_allowed", "cup", "accepted")
    client.get(url)  # warm the session and the menus
    with CaptureQueriesContext(connection) as few:
        first = client.get(url)
    _drafts(analysis, 20, "added", "", "dismissed")
    _drafts(analysis, 5, "over_quantity", "bottle", "proposed")
    _drafts(analysis, 2, "added", "", "accepted")
    with CaptureQueriesContext(connection) as many:
        second = client.get(url)
    assert first.status_code == second.status_code == 200
    assert len(few) == len(many)
    rows = {(r["kind"], r["item"]): r for r in second.context["rows"]}
    assert rows[("not_allowed", "cup")]["accepted"] == 3
    assert rows[("not_allowed", "cup")]["proposed"] == 1  # the fixture's own
    assert rows[("not_allowed", "cup")]["rate"] == 100
    assert rows[("added", "")]["rate"] == 9  # 2 of 22 decided
    assert rows[("over_quantity", "bottle")]["rate"] is None
    assert client_for(staff_user).get(url).status_code == 403
