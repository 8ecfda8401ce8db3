"""Every write of inspections through both doors, page and API: an allowed person gets the
same resulting state and the same audit row, a refused person the same refusal (403 with
the code `not_allowed` and one `access.denied` row), and a move the state does not allow the
same code on both doors (page: the `Onsite-Refusal` header; API: the body's `code`).

Writes with one door only are listed in PAGE_ONLY with the reason; their page is still
driven here as an allowed and a refused person."""

from dataclasses import dataclass
from typing import Any

import pytest
from django.urls import reverse

from onsite.accounts.models import ApiToken
from onsite.audit.models import AuditEvent
from onsite.core.tests.factories import AreaTypeFactory, UserFactory, ZoneFactory
from onsite.inspections import services
from onsite.inspections.models import AnswerPhoto, Inspection, InspectionSettings
from onsite.inspections.tests.conftest import answer, image_upload, inspect

pytestmark = pytest.mark.django_db
API = "/api/v1/inspections"


def bearer(user):
    return {"HTTP_AUTHORIZATION": f"Bearer {ApiToken.issue(user=user, name='parity')[1]}"}


def draft_of(zone, by):
    return services.start_inspection(zone=zone, kind="supervision", inspector=by, resume=False)


def answered(zone, by):
    inspection = draft_of(zone, by)
    return answer(inspection, by, fail=())


@dataclass
class World:
    zone: Any
    supervisor: Any
    owner: Any
    center: Any
    stranger: Any  # works elsewhere in the center: may start nothing on the zone


# Each act: how to set it up, how each door does it, what it leaves behind.
# setup(world, state) -> subject; page(client, subject) / api(client, subject, user) -> response.


def _start_page(client, world, subject):
    url = reverse("zone-inspect", args=[subject.code])
    return client.post(url, {"kind": "supervision", "submission_key": "k"})


def _start_api(client, world, subject, user):
    payload = {"zone": subject.code, "kind": "supervision"}
    return client.post(f"{API}/", payload, content_type="application/json", **bearer(user))


def _save_page(client, world, subject):
    first = subject.answers.order_by("position", "pk").first()
    data = {"version": subject.version, "action": "save", "save_key": "s", "submit_key": "t",
            f"a{first.pk}-result": "pass", f"a{first.pk}-note": ""}  # fmt: skip
    return client.post(reverse("inspections:inspection-edit", args=[subject.pk]), data)


def _save_api(client, world, subject, user):
    first = subject.answers.order_by("position", "pk").first()
    payload = {"version": subject.version, "answers": [{"id": first.pk, "result": "pass"}]}
    return client.post(
        f"{API}/{subject.pk}/answers", payload, content_type="application/json", **bearer(user)
    )


def _submit_page(client, world, subject):
    data = {"version": subject.version, "action": "submit", "save_key": "s", "submit_key": "t"}
    return client.post(reverse("inspections:inspection-edit", args=[subject.pk]), data)


def _submit_api(client, world, subject, user):
    return client.post(
        f"{API}/{subject.pk}/submit", {}, content_type="application/json", **bearer(user)
    )


def _photo_page(client, world, subject):
    url = reverse("inspections:photo-upload", args=[subject.answers.first().pk])
    return client.post(url, {"photo": image_upload()})


def _photo_api(client, world, subject, user):
    url = f"{API}/answers/{subject.answers.first().pk}/photos"
    return client.post(url, {"photo": image_upload()}, **bearer(user))


def _stale(world, subject):
    Inspection.objects.filter(pk=subject.pk).update(version=subject.version + 5)
    return subject


def _no_standard(world, subject):
    bare = AreaTypeFactory(center=world.center, code="bare", name="无标准")
    return ZoneFactory(center=world.center, area_type=bare)


ACTS = {
    "start": {
        "setup": lambda w: w.zone,
        "page": _start_page,
        "api": _start_api,
        "audit": "inspections.started",
        "outcome": lambda w, s: list(Inspection.objects.values_list("kind", "status")),
        "expected": [("supervision", "draft")],
        "refused": "stranger",
        "conflict": (_no_standard, "no_standard"),
    },
    "save answers": {
        "setup": lambda w: draft_of(w.zone, w.supervisor),
        "page": _save_page,
        "api": _save_api,
        "audit": "inspections.answers_saved",
        "outcome": lambda w, s: s.answers.order_by("position", "pk").first().result,
        "expected": "pass",
        "refused": "owner",
        "conflict": (_stale, "stale"),
    },
    "submit": {
        "setup": lambda w: answered(w.zone, w.supervisor),
        "page": _submit_page,
        "api": _submit_api,
        "audit": "inspections.submitted",
        "outcome": lambda w, s: Inspection.objects.get(pk=s.pk).status,
        "expected": "submitted",
        "refused": "owner",
        "conflict": (lambda w, s: draft_of(w.zone, w.supervisor), "incomplete"),
    },
    "add photo": {
        "setup": lambda w: draft_of(w.zone, w.supervisor),
        "page": _photo_page,
        "api": _photo_api,
        "audit": "inspections.photo_added",
        "outcome": lambda w, s: AnswerPhoto.objects.filter(answer__inspection=s).count(),
        "expected": 1,
        "refused": "owner",
        "conflict": (lambda w, s: inspect(w.zone, w.supervisor), "wrong_state"),
    },
}

PAGE_ONLY = {
    "remove photo": "the phone's script adds photos through the API; removing one is a page "
    "form next to the photo, with no API operation",
    "propose improvement (finding)": "proposals revise a standard: a desk task with no API",
    "propose improvement (recurring check)": "the same proposal from the recurring-checks page",
    "update settings": "a center admin's settings page; no API operation",
}


@pytest.fixture
def world(center, zone, supervisor, owner):
    stranger = UserFactory(center=center, roles=["staff"])
    return World(zone=zone, supervisor=supervisor, owner=owner, center=center, stranger=stranger)


def _denied_rows():
    return AuditEvent.objects.filter(action="access.denied").count()


@pytest.mark.parametrize("door", ["page", "api"])
@pytest.mark.parametrize("name", list(ACTS))
def test_an_allowed_person_gets_the_same_result_through_either_door(
    client, client_for, world, name, door
):
    act = ACTS[name]
    subject = act["setup"](world)
    if door == "page":
        response = act["page"](client_for(world.supervisor), world, subject)
        assert response.status_code == 302, response.content[:300]
    else:
        response = act["api"](client, world, subject, world.supervisor)
        assert response.status_code == 200, response.content[:300]
    assert act["outcome"](world, subject) == act["expected"]
    assert AuditEvent.objects.filter(action=act["audit"], actor=world.supervisor).exists()


@pytest.mark.parametrize("door", ["page", "api"])
@pytest.mark.parametrize("name", list(ACTS))
def test_a_refused_person_gets_the_same_refusal_through_either_door(
    client, client_for, world, name, door
):
    act = ACTS[name]
    subject = act["setup"](world)
    before = act["outcome"](world, subject)
    user = getattr(world, act["refused"])
    if door == "page":
        response = act["page"](client_for(user), world, subject)
        assert response["Onsite-Refusal"] == "not_allowed"
    else:
        response = act["api"](client, world, subject, user)
        assert response.json()["code"] == "not_allowed"
    assert response.status_code == 403
    assert _denied_rows() == 1
    assert act["outcome"](world, subject) == before


@pytest.mark.parametrize("door", ["page", "api"])
@pytest.mark.parametrize("name", list(ACTS))
def test_a_move_the_state_does_not_allow_has_the_same_code_through_either_door(
    client, client_for, world, name, door
):
    act = ACTS[name]
    subject = act["setup"](world)
    make, code = act["conflict"]
    subject = make(world, subject)
    if door == "page":
        response = act["page"](client_for(world.supervisor), world, subject)
        assert response["Onsite-Refusal"] == code
    else:
        response = act["api"](client, world, subject, world.supervisor)
        assert response.json().get("code") == code, response.content[:300]
    assert response.status_code == 409


# --- the page-only writes --------------------------------------------------------------------


def test_page_only_writes_are_listed_with_their_reason():
    assert set(PAGE_ONLY) == {
        "remove photo",
        "propose improvement (finding)",
        "propose improvement (recurring check)",
        "update settings",
    }
    assert not set(PAGE_ONLY) & set(ACTS)


def test_remove_photo_page(client_for, world):
    draft = draft_of(world.zone, world.supervisor)
    photo = services.add_photo(
        answer=draft.answers.first(), by=world.supervisor, upload=image_upload()
    )
    url = reverse("inspections:photo-delete", args=[photo.pk])
    refused = client_for(world.owner).post(url)
    assert (refused.status_code, refused["Onsite-Refusal"]) == (403, "not_allowed")
    assert client_for(world.supervisor).post(url).status_code == 302
    assert AuditEvent.objects.filter(action="inspections.photo_removed").exists()


def test_propose_improvement_pages(client_for, world):
    inspect(world.zone, world.supervisor)
    finding = Inspection.objects.get().findings.get()
    url = reverse("inspections:finding-detail", args=[finding.pk])
    refused = client_for(world.owner).post(url, {"proposal": "改"})
    assert (refused.status_code, refused["Onsite-Refusal"]) == (403, "not_allowed")
    assert client_for(world.supervisor).post(url, {"proposal": "改"}).status_code == 302
    assert AuditEvent.objects.filter(action="inspections.improvement_proposed").exists()
    recurring = client_for(world.owner).post(reverse("inspections:recurring"), {"proposal": "x"})
    assert (recurring.status_code, recurring["Onsite-Refusal"]) == (403, "not_allowed")


def test_update_settings_page(client_for, world, admin_user):
    url = reverse("inspections:settings")
    data = {"pass_mark": 85, "green_from": 90, "yellow_from": 70, "repeat_window_days": 30,
            "repeat_factor": 2, "serious_days": 2, "general_days": 5, "remind_days": 2,
            "row_version": 1}  # fmt: skip
    refused = client_for(world.supervisor).post(url, data)
    assert (refused.status_code, refused["Onsite-Refusal"]) == (403, "not_allowed")
    assert client_for(admin_user).post(url, data).status_code == 302
    assert InspectionSettings.for_center(world.center).pass_mark == 85
    stale = client_for(admin_user).post(url, {**data, "pass_mark": 70, "row_version": 99})
    assert (stale.status_code, stale["Onsite-Refusal"]) == (409, "stale")


def test_a_viewer_is_refused_the_writes_through_either_door(client, client_for, world, viewer):
    draft = draft_of(world.zone, world.supervisor)
    page = client_for(viewer).post(reverse("inspections:inspection-edit", args=[draft.pk]), {})
    api = _save_api(client, world, draft, viewer)
    assert page.status_code == api.status_code == 403
    assert api.json()["code"] == page["Onsite-Refusal"] == "not_allowed"


def test_a_kind_the_person_may_not_start_is_refused_alike(client, client_for, world):
    """The owner may self-check but not supervise: the page's form never offers it, and a
    posted one is refused as the API refuses it."""
    page = _start_page(client_for(world.owner), world, world.zone)
    api = _start_api(client, world, world.zone, world.owner)
    assert page.status_code == api.status_code == 403
    assert api.json()["code"] == page["Onsite-Refusal"] == "not_allowed"
    assert not Inspection.objects.exists()


def test_the_reminder_notice_is_set_on_the_settings_page(client_for, world, admin_user):
    url = reverse("inspections:settings")
    page = client_for(admin_user).get(url).content.decode()
    assert 'name="remind_days"' in page
    data = {"pass_mark": 80, "green_from": 80, "yellow_from": 60, "repeat_window_days": 30,
            "repeat_factor": 2, "serious_days": 2, "general_days": 5, "remind_days": 4,
            "row_version": 1}  # fmt: skip
    refused = client_for(world.supervisor).post(url, data)
    assert (refused.status_code, refused["Onsite-Refusal"]) == (403, "not_allowed")
    assert InspectionSettings.for_center(world.center).remind_days == 2  # the default
    assert client_for(admin_user).post(url, data).status_code == 302
    assert InspectionSettings.for_center(world.center).remind_days == 4
    version = InspectionSettings.for_center(world.center).version
    too_long = client_for(admin_user).post(url, {**data, "remind_days": 99, "row_version": version})
    assert too_long.status_code == 200
    assert InspectionSettings.for_center(world.center).remind_days == 4
    # A form without the field (opened before it existed) keeps the center's notice.
    without = {k: v for k, v in data.items() if k != "remind_days"}
    assert client_for(admin_user).post(url, {**without, "row_version": version}).status_code == 302
    assert InspectionSettings.for_center(world.center).remind_days == 4
