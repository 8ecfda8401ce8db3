"""The JSON API of inspections and rectification: allowed and denied for every endpoint,
idempotent replays (the phone's offline queue), conflicts, photos."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from onsite.accounts.models import ApiToken
from onsite.core.tests.factories import UserFactory
from onsite.inspections.models import AnswerPhoto, Finding, Inspection
from onsite.inspections.tests.conftest import image_upload, inspect
from onsite.rectification.models import Rectification

pytestmark = pytest.mark.django_db
API = "/api/v1/inspections"
RAPI = "/api/v1/rectification"


def auth(user, key=None):
    headers = {"HTTP_AUTHORIZATION": f"Bearer {ApiToken.issue(user=user, name='t')[1]}"}
    if key:
        headers["HTTP_IDEMPOTENCY_KEY"] = key
    return headers


def started(client, user, zone, key="k1"):
    response = client.post(
        f"{API}/", {"zone": zone.code, "kind": "supervision"}, content_type="application/json",
        **auth(user, key),
    )  # fmt: skip
    assert response.status_code == 200, response.content
    return response.json()


def all_pass(body, **override):
    return [{"id": a["id"], "result": override.get(a["key"], "pass")} for a in body["answers"]]


def test_start_answer_submit_through_the_api(client, supervisor, owner, zone):
    body = started(client, supervisor, zone)
    assert started(client, supervisor, zone)["id"] == body["id"]  # same key: same draft
    answers = all_pass(body, **{"clause:C01": "fail"})
    saved = client.post(
        f"{API}/{body['id']}/answers",
        {"version": body["row_version"], "answers": answers},
        content_type="application/json",
        **auth(supervisor, "save-1"),
    )
    assert saved.status_code == 200, saved.content
    assert saved.json()["answered"] == 7
    done = client.post(
        f"{API}/{body['id']}/submit", {}, content_type="application/json",
        **auth(supervisor, "submit-1"),
    )  # fmt: skip
    assert done.status_code == 200
    assert done.json()["band"] == "green"
    assert done.json()["score"] == "93.8"
    again = client.post(
        f"{API}/{body['id']}/submit", {}, content_type="application/json",
        **auth(supervisor, "submit-2"),
    )  # fmt: skip
    assert again.status_code == 200
    assert Inspection.objects.count() == 1
    assert Finding.objects.count() == 1
    findings = client.get(f"{API}/findings", **auth(owner)).json()
    assert findings[0]["rectification_status"] == "open"
    assert client.get(f"{API}/findings/{findings[0]['id']}", **auth(owner)).status_code == 200
    assert client.get(f"{API}/{body['id']}", **auth(owner)).json()["status"] == "submitted"
    assert len(client.get(f"{API}/", **auth(owner)).json()) == 1


def test_a_replayed_save_is_accepted_once_and_a_stale_one_is_a_conflict(
    client, center, supervisor, zone
):
    body = started(client, supervisor, zone)
    url = f"{API}/{body['id']}/answers"
    payload = {"version": body["row_version"], "answers": all_pass(body)}
    first = client.post(url, payload, content_type="application/json", **auth(supervisor, "q1"))
    # The phone lost the answer and resends the same queued save with the same key.
    replay = client.post(url, payload, content_type="application/json", **auth(supervisor, "q1"))
    assert first.status_code == replay.status_code == 200
    assert replay.json()["row_version"] == first.json()["row_version"]
    other = UserFactory(center=center, roles=["supervisor"])
    stale = client.post(url, payload, content_type="application/json", **auth(other, "o1"))
    assert stale.status_code == 409
    assert stale.json()["detail"]


def test_bad_answers_are_refused_with_a_message(client, supervisor, zone):
    body = started(client, supervisor, zone)
    first = body["answers"][0]["id"]
    bad = client.post(
        f"{API}/{body['id']}/answers",
        {"version": body["row_version"], "answers": [{"id": first, "result": "fail",
                                                      "deduction": "99"}]},
        content_type="application/json", **auth(supervisor),
    )  # fmt: skip
    assert bad.status_code == 422  # invalid input (issue 15: was 400)
    assert bad.json()["code"] == "invalid"
    assert "10" in bad.json()["detail"]
    submit = client.post(f"{API}/{body['id']}/submit", {}, content_type="application/json",
                         **auth(supervisor))  # fmt: skip
    assert submit.status_code == 409  # nothing answered yet: the draft's state (was 400)
    assert submit.json()["code"] == "incomplete"


def test_photo_upload_through_the_api(client, supervisor, owner, zone):
    body = started(client, supervisor, zone)
    answer_id = body["answers"][0]["id"]
    url = f"{API}/answers/{answer_id}/photos"
    ok = client.post(url, {"photo": image_upload()}, **auth(supervisor, "p1"))
    assert ok.status_code == 200
    assert client.get(ok.json()["thumb_url"], **auth(supervisor)).status_code in {200, 302}
    replay = client.post(url, {"photo": image_upload()}, **auth(supervisor, "p1"))
    assert replay.json()["id"] == ok.json()["id"]
    not_image = client.post(
        url, {"photo": SimpleUploadedFile("a.jpg", b"GIF89a....", "image/jpeg")},
        **auth(supervisor),
    )  # fmt: skip
    assert not_image.status_code == 422  # invalid input (issue 15: was 400)
    assert client.post(url, {}, **auth(supervisor)).status_code == 422  # no photo at all
    assert AnswerPhoto.objects.count() == 1
    assert client.post(url, {"photo": image_upload()}, **auth(owner)).status_code == 403


def test_inspection_api_denied(client, center, supervisor, owner, other_supervisor, viewer, zone):
    inspection = inspect(zone, supervisor)
    finding = Finding.objects.get()
    for path in [f"{API}/", f"{API}/{inspection.pk}", f"{API}/findings", f"{API}/findings/{finding.pk}"]:  # fmt: skip
        assert client.get(path).status_code == 401
    assert client.get(f"{API}/{inspection.pk}", **auth(other_supervisor)).status_code == 404
    assert client.get(f"{API}/findings/{finding.pk}", **auth(other_supervisor)).status_code == 404
    stranger = UserFactory(center=center, roles=["staff"])
    assert client.get(f"{API}/{inspection.pk}", **auth(stranger)).status_code == 404
    start = client.post(f"{API}/", {"zone": zone.code, "kind": "supervision"},
                        content_type="application/json", **auth(owner))  # fmt: skip
    assert start.status_code == 403
    foreign = client.post(f"{API}/", {"zone": zone.code, "kind": "supervision"},
                          content_type="application/json", **auth(other_supervisor))  # fmt: skip
    assert foreign.status_code == 404
    viewer_start = client.post(f"{API}/", {"zone": zone.code, "kind": "supervision"},
                               content_type="application/json", **auth(viewer))  # fmt: skip
    assert viewer_start.status_code == 403
    assert client.get(f"{API}/{inspection.pk}", **auth(viewer)).status_code == 200  # reads


# --- rectification ---------------------------------------------------------------------------


def test_rectification_through_the_api(client, supervisor, owner, zone):
    inspect(zone, supervisor)
    rect = Rectification.objects.get()
    listing = client.get(f"{RAPI}/?mine=true", **auth(owner)).json()
    assert [r["id"] for r in listing] == [rect.pk]
    photo = client.post(f"{RAPI}/{rect.pk}/photos", {"photo": image_upload()}, **auth(owner))
    assert photo.status_code == 200
    submitted = client.post(
        f"{RAPI}/{rect.pk}/submit", {"version": rect.version, "note": "已整改"},
        content_type="application/json", **auth(owner, "s1"),
    )  # fmt: skip
    assert submitted.json()["status"] == "submitted"
    replay = client.post(
        f"{RAPI}/{rect.pk}/submit", {"version": rect.version, "note": "已整改"},
        content_type="application/json", **auth(owner, "s1"),
    )  # fmt: skip
    assert replay.status_code == 200
    version = submitted.json()["row_version"]
    returned = client.post(
        f"{RAPI}/{rect.pk}/return", {"version": version, "reason": "再看看"},
        content_type="application/json", **auth(supervisor),
    )  # fmt: skip
    assert returned.json()["status"] == "open"
    client.post(f"{RAPI}/{rect.pk}/photos", {"photo": image_upload()}, **auth(owner))
    again = client.post(
        f"{RAPI}/{rect.pk}/submit", {"version": returned.json()["row_version"], "note": "好了"},
        content_type="application/json", **auth(owner),
    )  # fmt: skip
    verified = client.post(
        f"{RAPI}/{rect.pk}/verify", {"version": again.json()["row_version"]},
        content_type="application/json", **auth(supervisor),
    )  # fmt: skip
    assert verified.json()["status"] == "closed"
    detail = client.get(f"{RAPI}/{rect.pk}", **auth(owner)).json()
    assert [h["action"] for h in detail["history"]] == [
        "assigned", "submitted", "returned", "submitted", "verified",
    ]  # fmt: skip
    assert len(detail["photos"]) == 2


def test_rectification_api_denied(client, center, supervisor, owner, other_supervisor, zone):
    inspect(zone, supervisor)
    rect = Rectification.objects.get()
    assert client.get(f"{RAPI}/").status_code == 401
    assert client.get(f"{RAPI}/{rect.pk}", **auth(other_supervisor)).status_code == 404
    stale = client.post(
        f"{RAPI}/{rect.pk}/verify", {"version": rect.version},
        content_type="application/json", **auth(owner),
    )  # fmt: skip
    assert stale.status_code == 403  # the owner never verifies their own fix
    wrong = client.post(
        f"{RAPI}/{rect.pk}/submit", {"version": rect.version, "note": "x"},
        content_type="application/json", **auth(supervisor),
    )  # fmt: skip
    assert wrong.status_code == 403
    early = client.post(
        f"{RAPI}/{rect.pk}/verify", {"version": rect.version},
        content_type="application/json", **auth(supervisor),
    )  # fmt: skip
    assert early.status_code == 409  # not submitted yet: wrong state (issue 15: was 400)
    assert early.json()["code"] == "wrong_state"
    no_photo = client.post(
        f"{RAPI}/{rect.pk}/submit", {"version": rect.version, "note": "x"},
        content_type="application/json", **auth(owner),
    )  # fmt: skip
    assert no_photo.status_code == 409  # a precondition of the state (issue 15: was 400)
    assert no_photo.json()["code"] == "no_photo"
    assert Rectification.objects.get().is_open


def test_the_daily_photo_quota_applies_to_answer_and_after_photos(
    client, settings, supervisor, owner, zone
):
    settings.PHOTO_DAILY_QUOTA = 1
    body = started(client, supervisor, zone)
    url = f"{API}/answers/{body['answers'][0]['id']}/photos"
    assert client.post(url, {"photo": image_upload()}, **auth(supervisor)).status_code == 200
    over = client.post(url, {"photo": image_upload()}, **auth(supervisor))
    assert (over.status_code, over.json()["code"]) == (422, "quota")
    assert AnswerPhoto.objects.count() == 1
    inspect(zone, supervisor)
    rect = Rectification.objects.get()
    after = f"{RAPI}/{rect.pk}/photos"
    assert client.post(after, {"photo": image_upload()}, **auth(owner)).status_code == 200
    over = client.post(after, {"photo": image_upload()}, **auth(owner))
    assert (over.status_code, over.json()["code"]) == (422, "quota")


def test_a_nul_in_a_zone_code_finds_nothing_and_is_no_server_error(client, supervisor, zone):
    """PostgreSQL refuses text with a NUL: the filters answer an empty list, a start a 422
    (found by the schema fuzz on PostgreSQL)."""
    inspect(zone, supervisor)
    for path in (f"{API}/findings?zone=w%00", f"{API}/?zone=w%00"):
        response = client.get(path, **auth(supervisor))
        assert response.status_code == 200, path
        assert response.json() == []
    started = client.post(
        f"{API}/", {"zone": "w\x00", "kind": "supervision"}, content_type="application/json",
        **auth(supervisor, "nul"),
    )  # fmt: skip
    assert started.status_code == 422
