"""The red-tag API: every endpoint allowed and denied, scoped to the caller's center."""

from datetime import timedelta
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from onsite.accounts.models import ApiToken
from onsite.audit.models import AuditEvent
from onsite.core.tests.factories import UserFactory, ZoneFactory
from onsite.redtags import actions
from onsite.redtags.models import RedTag
from onsite.redtags.tests.conftest import png_bytes

API = "/api/v1/redtags"


@pytest.fixture
def call(client):
    def request(user, method, path, json=None, **headers):
        if user:
            headers["HTTP_AUTHORIZATION"] = "Bearer " + ApiToken.issue(user=user, name="t")[1]
        if method == "get":
            return client.get(API + path, **headers)
        return client.post(API + path, json or {}, content_type="application/json", **headers)

    return request


NEW = {"zone": "w01-c", "item_name": "多余签字笔", "quantity": 12, "reason": "excess",
       "proposal": "return_to_store", "supply": "pen", "footprint": "0.05"}  # fmt: skip


def test_anonymous_callers_get_401(call, db):
    for path in ["/tags", "/tags/1", "/figures", "/settings"]:
        assert call(None, "get", path).status_code == 401
    assert call(None, "post", "/tags", NEW).status_code == 401


def test_staff_tag_through_the_api_once_per_key(call, staff_user, zone, pens):
    created = call(staff_user, "post", "/tags", NEW, HTTP_IDEMPOTENCY_KEY="a1")
    assert created.status_code == 200
    body = created.json()
    assert (body["status"], body["unit"], body["supply"], body["has_photo"]) == (
        "held",
        zone.unit.code,
        "pen",
        False,
    )
    assert body["hold_until"] == (timezone.localdate() + timedelta(days=30)).isoformat()
    again = call(staff_user, "post", "/tags", NEW, HTTP_IDEMPOTENCY_KEY="a1")
    assert again.json()["id"] == body["id"]
    assert RedTag.objects.count() == 1
    bad = call(staff_user, "post", "/tags", {**NEW, "quantity": 0})
    assert bad.status_code == 422
    assert bad.json()["detail"][0]["loc"][-1] == "quantity"
    assert call(staff_user, "post", "/tags", {**NEW, "zone": "nowhere"}).status_code == 404


def test_auditors_and_viewers_do_not_tag(call, auditor, viewer, zone):
    assert call(auditor, "post", "/tags", NEW).status_code in {401, 403}
    assert call(viewer, "post", "/tags", NEW).status_code == 403
    assert call(viewer, "get", "/tags").status_code == 200
    assert call(auditor, "get", "/tags").status_code in {401, 403}, (
        "the auditor reads the audit trail"
    )


def test_lists_are_scoped_and_filtered(call, staff_user, zone, other_center, other_admin):
    mine = actions.do_tag(center=zone.center, zone=zone, by=staff_user,
                             data={**NEW, "supply": None})  # fmt: skip
    late = actions.do_tag(center=zone.center, zone=zone, by=staff_user,
                             data={**NEW, "supply": None, "item_name": "旧台历"})  # fmt: skip
    RedTag.objects.filter(pk=late.pk).update(hold_until=timezone.localdate() - timedelta(days=1))
    theirs = actions.do_tag(center=other_center, zone=ZoneFactory(center=other_center),
                               by=other_admin, data={**NEW, "supply": None})  # fmt: skip
    ids = [row["id"] for row in call(staff_user, "get", "/tags").json()]
    assert sorted(ids) == sorted([mine.pk, late.pk])
    assert [row["id"] for row in call(staff_user, "get", "/tags?show=overdue").json()] == [late.pk]
    assert call(staff_user, "get", f"/tags/{mine.pk}").json()["overdue"] is False
    assert call(staff_user, "get", f"/tags/{theirs.pk}").status_code == 404


def test_the_office_decides_one_or_many(
    call, staff_user, office_user, zone, pens, other_center, other_admin
):
    first = actions.do_tag(
        center=zone.center, zone=zone, by=staff_user, data={**NEW, "supply": pens}
    )
    assert (
        call(staff_user, "post", f"/tags/{first.pk}/decision", {"decision": "discard"}).status_code
        == 403
    )
    decided = call(
        office_user,
        "post",
        f"/tags/{first.pk}/decision",
        {"decision": "return_to_store", "version": 1},
    )
    assert decided.status_code == 200
    assert (decided.json()["decision"], decided.json()["returned_to_store"]) == (
        "return_to_store",
        12,
    )
    assert call(staff_user, "get", f"/tags/{first.pk}").json()["status"] == "decided"
    again = call(office_user, "post", f"/tags/{first.pk}/decision", {"decision": "discard"})
    assert again.status_code == 409

    more = [actions.do_tag(center=zone.center, zone=zone, by=staff_user, data={**NEW, "supply": None})
            for _n in range(2)]  # fmt: skip
    theirs = actions.do_tag(center=other_center, zone=ZoneFactory(center=other_center),
                               by=other_admin, data={**NEW, "supply": None})  # fmt: skip
    assert (
        call(
            staff_user, "post", "/decisions", {"tags": [more[0].pk], "decision": "discard"}
        ).status_code
        == 403
    )
    assert (
        call(
            office_user,
            "post",
            "/decisions",
            {"tags": [more[0].pk, theirs.pk], "decision": "discard"},
        ).status_code
        == 404
    )
    result = call(office_user, "post", "/decisions",
                  {"tags": [m.pk for m in more] + [first.pk], "decision": "discard"}).json()  # fmt: skip
    assert sorted(result["decided"]) == sorted(m.pk for m in more)
    assert result["skipped"] == [first.pk]


def test_withdraw_by_the_tagger_or_the_office(call, staff_user, member, office_user, zone):
    tag = actions.do_tag(center=zone.center, zone=zone, by=staff_user, data={**NEW, "supply": None})
    assert call(member, "post", f"/tags/{tag.pk}/withdraw").status_code == 403
    assert (
        call(staff_user, "post", f"/tags/{tag.pk}/withdraw", {"note": "贴错"}).json()["status"]
        == "withdrawn"
    )
    assert call(office_user, "post", f"/tags/{tag.pk}/withdraw").status_code == 409


def test_figures_and_settings(call, staff_user, office_user, zone, pens, other_center, other_admin):
    tag = actions.do_tag(center=zone.center, zone=zone, by=staff_user, data={**NEW, "supply": pens})
    actions.do_decide(tag=tag, by=office_user, decision="return_to_store")
    actions.do_tag(center=other_center, zone=ZoneFactory(center=other_center), by=other_admin,
                      data={**NEW, "supply": None})  # fmt: skip
    rows = call(staff_user, "get", "/figures?phase=sort").json()
    assert len(rows) == 1
    assert (rows[0]["unit"], rows[0]["items"], rows[0]["returned"], rows[0]["space"]) == (
        zone.unit.code,
        12,
        12,
        "0.05",
    )
    assert call(staff_user, "get", "/settings").json() == {"holding_days": 30}


# --- a tag's photo, sent after the tag (a phone's outbox) ----------------------------------


@pytest.fixture
def send_photo(client):
    def request(user, tag_id, content=None, key="", name="tag.png"):
        headers = {"HTTP_AUTHORIZATION": "Bearer " + ApiToken.issue(user=user, name="t")[1]}
        if key:
            headers["HTTP_IDEMPOTENCY_KEY"] = key
        data = {}
        if content is not False:
            data["photo"] = SimpleUploadedFile(name, content or png_bytes(), "image/png")
        return client.post(f"{API}/tags/{tag_id}/photo", data, **headers)

    return request


def _stored(settings):
    return sorted(p.name for p in Path(settings.MEDIA_ROOT).rglob("*") if p.is_file())


def test_the_tagger_gives_a_held_tag_its_photo_once_per_key(send_photo, staff_user, zone, settings):
    tag = actions.do_tag(center=zone.center, zone=zone, by=staff_user, data={**NEW, "supply": None})
    sent = send_photo(staff_user, tag.pk, key="p1")
    assert sent.status_code == 200
    assert (sent.json()["id"], sent.json()["has_photo"]) == (tag.pk, True)
    files = _stored(settings)
    assert len(files) == 2  # the photo and its thumbnail
    again = send_photo(staff_user, tag.pk, png_bytes("blue"), key="p1")  # the answer was lost
    assert again.status_code == 200
    assert _stored(settings) == files, "a resend stores nothing again"
    assert AuditEvent.objects.filter(action="redtags.photo", object_id=str(tag.pk)).count() == 1
    tag.refresh_from_db()
    with tag.photo.open("rb") as handle:
        assert Image.open(handle).getpixel((0, 0))[0] > 200  # still the first (red) photo


def test_a_new_photo_replaces_the_old_one(
    send_photo, staff_user, office_user, zone, settings, django_capture_on_commit_callbacks
):
    tag = actions.do_tag(center=zone.center, zone=zone, by=staff_user, data={**NEW, "supply": None})
    assert send_photo(staff_user, tag.pk, key="p1").status_code == 200
    first = _stored(settings)
    with django_capture_on_commit_callbacks(execute=True):
        assert send_photo(office_user, tag.pk, png_bytes("blue"), key="p2").status_code == 200
    now = _stored(settings)
    assert len(now) == 2
    assert not set(now) & set(first), "the old files are gone"


def test_a_tag_photo_is_refused_to_the_wrong_person_or_tag(
    send_photo, staff_user, viewer, zone, center, other_center, other_admin, settings
):
    tag = actions.do_tag(center=zone.center, zone=zone, by=staff_user, data={**NEW, "supply": None})
    colleague = UserFactory(center=center, username="colleague", roles=["staff"])
    theirs = actions.do_tag(center=other_center, zone=ZoneFactory(center=other_center),
                            by=other_admin, data={**NEW, "supply": None})  # fmt: skip
    assert send_photo(staff_user, theirs.pk).status_code == 404
    assert send_photo(staff_user, 10**12).status_code == 404
    assert send_photo(viewer, tag.pk).status_code == 403
    refused = send_photo(colleague, tag.pk)
    assert (refused.status_code, refused.json()["code"]) == (403, "not_allowed")
    assert AuditEvent.objects.filter(action="access.denied", actor=colleague).exists()
    assert _stored(settings) == []


def test_a_tag_no_longer_held_takes_no_photo(send_photo, staff_user, office_user, zone, settings):
    tag = actions.do_tag(center=zone.center, zone=zone, by=staff_user, data={**NEW, "supply": None})
    actions.do_decide(tag=tag, by=office_user, decision="discard")
    refused = send_photo(staff_user, tag.pk, key="late")
    assert (refused.status_code, refused.json()["code"]) == (409, "wrong_state")
    assert _stored(settings) == []
    withdrawn = actions.do_tag(center=zone.center, zone=zone, by=staff_user,
                               data={**NEW, "supply": None})  # fmt: skip
    actions.do_withdraw(tag=withdrawn, by=staff_user)
    assert send_photo(office_user, withdrawn.pk).status_code == 409


def test_a_bad_upload_is_a_422(send_photo, staff_user, zone, settings):
    tag = actions.do_tag(center=zone.center, zone=zone, by=staff_user, data={**NEW, "supply": None})
    not_image = send_photo(staff_user, tag.pk, b"%PDF-1.4 not a photo", name="x.png")
    assert not_image.status_code == 422
    assert not_image.json()["code"] != ""
    missing = send_photo(staff_user, tag.pk, False)
    assert (missing.status_code, missing.json()["code"]) == (422, "photo")
    assert _stored(settings) == []
    assert not RedTag.objects.get(pk=tag.pk).photo


def test_extra_keys_such_as_the_forms_submit_button_are_ignored(call, staff_user, zone):
    created = call(staff_user, "post", "/tags", {**NEW, "supply": None, "another": "1"})
    assert created.status_code == 200
