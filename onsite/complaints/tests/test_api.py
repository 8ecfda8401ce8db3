"""The JSON API of 差评 cases: the same doors as the pages (allowed and denied per endpoint,
another center's case a 404, a stale version a 409, bad input a 422, a replayed key moves
once)."""

import pytest

from onsite.accounts.models import ApiToken
from onsite.complaints.models import Complaint
from onsite.complaints.tests.conftest import review, revisit, submit, verify

pytestmark = pytest.mark.django_db
API = "/api/v1/complaints"


def bearer(user, **headers):
    return {"HTTP_AUTHORIZATION": f"Bearer {ApiToken.issue(user=user, name='t')[1]}", **headers}


def post(client, case, name, user, **payload):
    case.refresh_from_db()
    return client.post(
        f"{API}/{case.pk}/{name}",
        {"version": case.version, **payload},
        content_type="application/json",
        **bearer(user),
    )


def test_the_loop_through_the_api(client, case, staff_user, office_user):
    assert post(client, case, "verify", staff_user, findings="属实").status_code == 200
    response = post(client, case, "submit", staff_user, outcome="explain", action="已解释")
    assert response.json()["status"] == "review"
    assert post(client, case, "review", office_user, approve=True).status_code == 200
    assert post(client, case, "revisit", office_user, satisfied="no").status_code == 200
    response = post(client, case, "close", office_user)
    assert response.status_code == 200
    assert response.json()["status"] == "closed"


def test_reading(client, case, staff_user, other_window_staff, other_admin, leader):
    assert client.get(f"{API}/", **bearer(leader)).json()[0]["id"] == case.pk
    assert client.get(f"{API}/{case.pk}", **bearer(staff_user)).status_code == 200
    assert client.get(f"{API}/", **bearer(other_window_staff)).json() == []
    assert client.get(f"{API}/{case.pk}", **bearer(other_window_staff)).status_code == 404
    assert client.get(f"{API}/{case.pk}", **bearer(other_admin)).status_code == 404
    assert client.get(f"{API}/?status=nonsense", **bearer(leader)).json() == []


def test_the_auditor_is_refused(client, case, auditor):
    # The API takes no auditor's token at all (401); the audit trail is read on its pages.
    assert client.get(f"{API}/", **bearer(auditor)).status_code in (401, 403)


def test_denied_per_step(client, case, staff_user, office_user, leader):
    assert post(client, case, "verify", office_user, findings="x").status_code == 403
    assert post(client, case, "verify", leader, findings="x").status_code == 403
    verify(case, staff_user)
    submit(case, staff_user)
    response = post(client, case, "review", staff_user, approve=True)
    assert response.status_code == 403
    assert response.json()["code"] == "not_allowed"
    review(case, office_user)
    assert post(client, case, "revisit", staff_user, satisfied="yes").status_code == 403
    revisit(case, office_user)
    assert post(client, case, "close", staff_user).status_code == 403
    assert Complaint.objects.get().status == "revisit"


def test_wrong_state_stale_and_invalid(client, case, staff_user, office_user):
    response = post(client, case, "submit", staff_user, outcome="fix", action="x")
    assert response.status_code == 409
    assert response.json()["code"] == "wrong_state"
    assert post(client, case, "verify", staff_user, findings=" ").status_code == 422
    bad = client.post(
        f"{API}/{case.pk}/submit", {"version": 1, "outcome": "ignore", "action": "x"},
        content_type="application/json", **bearer(staff_user),
    )  # fmt: skip
    assert bad.status_code == 422
    verify(case, staff_user)
    stale = client.post(
        f"{API}/{case.pk}/submit", {"version": 1, "outcome": "fix", "action": "x"},
        content_type="application/json", **bearer(staff_user),
    )  # fmt: skip
    assert stale.status_code == 409
    assert stale.json()["code"] == "stale"


def test_a_replayed_key_moves_once(client, case, staff_user):
    headers = bearer(staff_user, HTTP_IDEMPOTENCY_KEY="abc")
    for _ in range(2):
        response = client.post(
            f"{API}/{case.pk}/verify", {"version": 1, "findings": "属实"},
            content_type="application/json", **headers,
        )  # fmt: skip
        assert response.status_code == 200
    assert case.transitions.filter(action="verified").count() == 1
