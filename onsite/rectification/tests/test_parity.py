"""Every write of rectification through both doors, page and API: an allowed person gets
the same resulting state and the same audit row, a refused person the same refusal (403
with the code `not_allowed` and one `access.denied` row), and a move the state does not
allow the same code on both doors (page: the `Onsite-Refusal` header; API: the body's
`code`).

Writes with one door only are listed in PAGE_ONLY with the reason; their page is still
driven here as an allowed and a refused person."""

import datetime

import pytest
from django.urls import reverse

from onsite.accounts.models import ApiToken
from onsite.audit.models import AuditEvent
from onsite.core.tests.factories import UserFactory
from onsite.inspections.tests.conftest import image_upload
from onsite.rectification import services
from onsite.rectification.models import CalendarDay, CalendarYear, Rectification

pytestmark = pytest.mark.django_db
API = "/api/v1/rectification"


def bearer(user):
    return {"HTTP_AUTHORIZATION": f"Bearer {ApiToken.issue(user=user, name='parity')[1]}"}


def fresh(r):
    return Rectification.objects.get(pk=r.pk)


def with_photo(r, owner):
    services.add_after_photo(rectification=r, by=owner, upload=image_upload())
    return fresh(r)


def handed_in(r, owner):
    r = with_photo(r, owner)
    services.submit_rectification(
        rectification=r, by=owner, note="好了", expected_version=r.version
    )
    return fresh(r)


def _json(client, url, payload, user):
    return client.post(url, payload, content_type="application/json", **bearer(user))


# act: setup(r, owner) -> r; page(client, r); api(client, r, user); who may; what it leaves.
ACTS = {
    "add photo": {
        "setup": lambda r, owner: r,
        "page": lambda c, r: c.post(
            reverse("rectification:photo-upload", args=[r.pk]), {"photo": image_upload()}
        ),
        "api": lambda c, r, u: c.post(
            f"{API}/{r.pk}/photos", {"photo": image_upload()}, **bearer(u)
        ),
        "allowed": "owner",
        "refused": "colleague",
        "audit": "rectification.photo_added",
        "outcome": lambda r: (fresh(r).status, r.photos.count()),
        "expected": ("open", 1),
        "conflict": (handed_in, "wrong_state"),
    },
    "submit": {
        "setup": with_photo,
        "page": lambda c, r: c.post(
            reverse("rectification:rectification-submit", args=[r.pk]),
            {"note": "已整改", "row_version": r.version, "submission_key": "k"},
        ),
        "api": lambda c, r, u: _json(
            c, f"{API}/{r.pk}/submit", {"version": r.version, "note": "已整改"}, u
        ),
        "allowed": "owner",
        "refused": "colleague",
        "audit": "rectification.submitted",
        "outcome": lambda r: (fresh(r).status, fresh(r).note),
        "expected": ("submitted", "已整改"),
        "conflict": (lambda r, owner: r.photos.all().delete() and fresh(r), "no_photo"),
    },
    "return": {
        "setup": handed_in,
        "page": lambda c, r: c.post(
            reverse("rectification:rectification-return", args=[r.pk]),
            {"reason": "再看看", "row_version": r.version, "submission_key": "k"},
        ),
        "api": lambda c, r, u: _json(
            c, f"{API}/{r.pk}/return", {"version": r.version, "reason": "再看看"}, u
        ),
        "allowed": "supervisor",
        "refused": "owner",
        "audit": "rectification.returned",
        "outcome": lambda r: (fresh(r).status, fresh(r).times_returned),
        "expected": ("open", 1),
        "conflict": (lambda r, owner: r, "wrong_state"),  # not handed in: nothing to return
    },
    "verify": {
        "setup": handed_in,
        "page": lambda c, r: c.post(
            reverse("rectification:rectification-verify", args=[r.pk]),
            {"row_version": r.version, "submission_key": "k"},
        ),
        "api": lambda c, r, u: _json(c, f"{API}/{r.pk}/verify", {"version": r.version}, u),
        "allowed": "supervisor",
        "refused": "owner",
        "audit": "rectification.verified",
        "outcome": lambda r: fresh(r).status,
        "expected": "closed",
        "conflict": (lambda r, owner: r, "wrong_state"),  # not handed in: nothing to verify
    },
}

PAGE_ONLY = {
    "remove photo": "a page form beside the after-photo; the API adds photos only",
    "reassign": "the supervision section reassigns at a desk from the detail page",
    "calendar (set, remove, confirm, load)": "an admin's page for the national calendar",
}


@pytest.fixture
def people(center, owner, supervisor):
    return {
        "owner": owner,
        "supervisor": supervisor,
        "colleague": UserFactory(center=center, roles=["supervisor"]),  # sees it, never fixes
    }


def _conflict_subject(name, rectification, owner):
    if name in {"return", "verify"}:
        return fresh(rectification)  # still open: the setup's hand-in is not made
    make, _code = ACTS[name]["conflict"]
    return make(ACTS[name]["setup"](rectification, owner), owner)


@pytest.mark.parametrize("door", ["page", "api"])
@pytest.mark.parametrize("name", list(ACTS))
def test_an_allowed_person_gets_the_same_result_through_either_door(
    client, client_for, rectification, people, name, door
):
    act = ACTS[name]
    r = act["setup"](rectification, people["owner"])
    user = people[act["allowed"]]
    if door == "page":
        response = act["page"](client_for(user), r)
        assert response.status_code == 302, response.content[:300]
    else:
        response = act["api"](client, r, user)
        assert response.status_code == 200, response.content[:300]
    assert act["outcome"](r) == act["expected"]
    assert AuditEvent.objects.filter(action=act["audit"], actor=user).exists()


@pytest.mark.parametrize("door", ["page", "api"])
@pytest.mark.parametrize("name", list(ACTS))
def test_a_refused_person_gets_the_same_refusal_through_either_door(
    client, client_for, rectification, people, name, door
):
    act = ACTS[name]
    r = act["setup"](rectification, people["owner"])
    before = act["outcome"](r)
    user = people[act["refused"]]
    if door == "page":
        response = act["page"](client_for(user), r)
        assert response["Onsite-Refusal"] == "not_allowed"
    else:
        response = act["api"](client, r, user)
        assert response.json()["code"] == "not_allowed"
    assert response.status_code == 403
    assert AuditEvent.objects.filter(action="access.denied").count() == 1
    assert act["outcome"](r) == before


@pytest.mark.parametrize("door", ["page", "api"])
@pytest.mark.parametrize("name", list(ACTS))
def test_a_move_the_state_does_not_allow_has_the_same_code_through_either_door(
    client, client_for, rectification, people, name, door
):
    act = ACTS[name]
    r = _conflict_subject(name, rectification, people["owner"])
    user = people[act["allowed"]]
    code = act["conflict"][1]
    if door == "page":
        response = act["page"](client_for(user), r)
        assert response["Onsite-Refusal"] == code
    else:
        response = act["api"](client, r, user)
        assert response.json().get("code") == code, response.content[:300]
    assert response.status_code == 409


# --- the page-only writes --------------------------------------------------------------------


def test_page_only_writes_are_listed_with_their_reason():
    assert not set(PAGE_ONLY) & set(ACTS)


def test_remove_photo_page(client_for, rectification, people):
    photo = services.add_after_photo(
        rectification=rectification, by=people["owner"], upload=image_upload()
    )
    url = reverse("rectification:photo-delete", args=[photo.pk])
    refused = client_for(people["colleague"]).post(url)
    assert (refused.status_code, refused["Onsite-Refusal"]) == (403, "not_allowed")
    assert client_for(people["owner"]).post(url).status_code == 302
    assert AuditEvent.objects.filter(action="rectification.photo_removed").exists()


def test_reassign_page(client_for, center, rectification, people):
    newcomer = UserFactory(center=center, roles=["staff"])
    url = reverse("rectification:rectification-reassign", args=[rectification.pk])
    data = {"to": newcomer.pk, "reason": "轮岗", "row_version": rectification.version}
    refused = client_for(people["owner"]).post(url, data)
    assert (refused.status_code, refused["Onsite-Refusal"]) == (403, "not_allowed")
    assert client_for(people["supervisor"]).post(url, data).status_code == 302
    assert fresh(rectification).assignee == newcomer
    assert AuditEvent.objects.filter(action="rectification.reassigned").exists()


def test_calendar_page(client_for, admin_user, staff_user):
    url = reverse("rectification:calendar") + "?year=2027"
    day = {"day": "2027-02-08", "is_working_day": "0", "name": "春节"}
    refused = client_for(staff_user).post(url, day)
    assert (refused.status_code, refused["Onsite-Refusal"]) == (403, "not_allowed")
    admin = client_for(admin_user)
    assert admin.post(url, day).status_code == 302
    assert CalendarDay.objects.filter(day=datetime.date(2027, 2, 8)).exists()
    assert admin.post(url, {"action": "confirm"}).status_code == 302
    assert CalendarYear.objects.get(year=2027).is_confirmed
    assert admin.post(url, {"action": "remove", "day": "2027-02-08"}).status_code == 302
    assert not CalendarDay.objects.filter(day=datetime.date(2027, 2, 8)).exists()
    assert AuditEvent.objects.filter(action="rectification.calendar_day_set").exists()
