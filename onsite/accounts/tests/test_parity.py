"""The accounts app's writes and their doors. Account administration and one's own sign-in
settings have pages only: the API serves business data (`accounts.api` has no write, and
三权分立 keeps the system admin, the security admin and the auditor to their pages), so no
write here has a second door to compare. Each one is named with that reason, and each page
refusal is the one audited refusal of every app: 403, `Onsite-Refusal: not_allowed` and an
`access.denied` row."""

import pytest
from django.test import Client

from onsite.accounts import actions
from onsite.accounts.models import ApiToken, RoleGrant
from onsite.audit.models import AuditEvent
from onsite.core.tests.factories import UserFactory

PAGE_ONLY = "a page only: the API serves business data, never account administration"
OWN = "a page only: one's own sign-in settings (the API has no write of the accounts app)"
SIGN_IN = "a page only: signing in is the browser's; the API authenticates each call by token"
WRITES = {
    "do_create_account": PAGE_ONLY,
    "do_issue_passwords": PAGE_ONLY,
    "do_reset_password": PAGE_ONLY,
    "do_set_active": PAGE_ONLY,
    "do_unlock": PAGE_ONLY,
    "do_set_roles": PAGE_ONLY,
    "do_reset_second_factor": PAGE_ONLY,
    "do_change_password": OWN,
    "do_issue_token": OWN,
    "do_revoke_token": OWN,
    "do_enrol_second_factor": OWN,
    "do_remove_second_factor": OWN,
    "do_logout": OWN,
    "do_sign_in": SIGN_IN,
    "do_register_failure": SIGN_IN,
}
"""Every `do_*` of accounts.actions, with why it has no API operation."""


@pytest.fixture
def people(center):
    return {
        "sys": UserFactory(center=center, username="sys", roles=["sysadmin"]),
        "sec": UserFactory(center=center, username="sec", roles=["secadmin"]),
        "amy": UserFactory(center=center, username="amy", roles=["staff"]),
        "aud": UserFactory(center=center, username="aud", roles=["auditor"]),
    }


# name: (refused person, page, form data) — the check refuses the person, not the form.
REFUSED = {
    "create an account": ("sec", "/accounts/users/new/", {"username": "x", "full_name": "X"}),
    "issue passwords": ("sec", "/accounts/users/passwords/", {"accounts": ["amy"]}),
    "grant roles (system admin)": ("sys", "/accounts/users/amy/roles/", {"roles": ["office"]}),
    "grant one's own roles": ("sec", "/accounts/users/sec/roles/", {"roles": ["office"]}),
    "reset a duty holder's password": ("sys", "/accounts/users/aud/password/", {}),
    "disable an ordinary account (security admin)": (
        "sec",
        "/accounts/users/amy/active/",
        {"active": "0"},
    ),
    "unlock oneself": ("sys", "/accounts/users/sys/unlock/", {}),
    "reset one's own second factor": ("sec", "/accounts/users/sec/two-factor/", {}),
    "reset a second factor (system admin)": ("sys", "/accounts/users/amy/two-factor/", {}),
}


def test_every_write_is_named_with_its_door():
    own = {
        name
        for name in dir(actions)
        if getattr(getattr(actions, name), "__module__", "") == actions.__name__
    }
    assert set(WRITES) == {name for name in own if name.startswith("do_")}


@pytest.mark.parametrize("name", REFUSED)
def test_a_refused_administrator_gets_the_one_audited_refusal(people, name):
    who, url, data = REFUSED[name]
    user = people[who]
    client = Client()
    client.force_login(user)
    grants = RoleGrant.objects.count()
    before = AuditEvent.objects.filter(action="access.denied", actor=user).count()
    response = client.post(url, data)
    assert response.status_code == 403
    assert response["Onsite-Refusal"] == "not_allowed"
    assert AuditEvent.objects.filter(action="access.denied", actor=user).count() == before + 1
    assert RoleGrant.objects.count() == grants
    assert not AuditEvent.objects.filter(actor=user).exclude(action="access.denied").exists()


def test_a_stale_grant_is_a_conflict_shown_on_the_page(people):
    client = Client()
    client.force_login(people["sec"])
    response = client.post(
        "/accounts/users/amy/roles/", {"roles": ["office"], "based_on": "member"}, follow=True
    )
    assert "其他人同时修改了这些角色" in response.content.decode()  # Conflict `stale`, shown
    assert not people["amy"].role_grants.filter(role="office").exists()


def test_someone_elses_token_is_not_found(people):
    token, _raw = ApiToken.issue(user=people["amy"], name="phone")
    client = Client()
    client.force_login(people["sys"])
    response = client.post(f"/accounts/tokens/{token.pk}/revoke/")
    assert response.status_code == 404
    assert response["Onsite-Refusal"] == "not_found"
    token.refresh_from_db()
    assert token.revoked_at is None
