"""Session rotation, idle and absolute limits, and ending sessions when an account is disabled."""

import pytest
from django.contrib.sessions.models import Session
from django.test import Client

from onsite.accounts.models import ApiToken, UserSession
from onsite.audit.models import AuditEvent
from onsite.core.tests.factories import UserFactory


@pytest.fixture
def amy(center):
    return UserFactory(center=center, username="amy", roles=["staff"])


def test_the_session_key_changes_at_sign_in(client, amy, sign_in):
    client.get("/accounts/login/")
    client.session.save()
    before = client.session.session_key
    sign_in("amy")
    after = client.session.session_key
    assert before
    assert after != before
    assert UserSession.objects.filter(user=amy, session_key=after).exists()


@pytest.mark.parametrize(
    ("roles", "limit"), [(["staff"], 30), (["admin"], 15), (["secadmin"], 15), (["auditor"], 15)]
)
def test_an_idle_session_ends(client, center, sign_in, clock, roles, limit):
    UserFactory(center=center, username="idle", roles=roles)
    sign_in("idle")
    clock.advance(minutes=limit - 1)
    assert client.get("/").status_code == 200, "activity within the limit"
    clock.advance(minutes=limit - 1)
    assert client.get("/").status_code == 200, "the limit counts from the last request"
    clock.advance(minutes=limit, seconds=1)
    response = client.get("/")
    assert response.status_code == 302
    login = client.get(response["Location"]).content.decode()
    assert "由于长时间未操作" in login, "the sign-in page says why"
    assert AuditEvent.objects.filter(action="auth.session_expired", detail__reason="idle").exists()


def test_an_active_session_still_ends_at_the_absolute_limit(client, amy, sign_in, clock, settings):
    settings.SESSION_ABSOLUTE_SECONDS = 2 * 3600
    sign_in("amy")
    for _ in range(7):
        clock.advance(minutes=17)
        assert client.get("/").status_code == 200
    clock.advance(minutes=2)
    assert client.get("/").status_code == 302
    assert AuditEvent.objects.filter(
        action="auth.session_expired", detail__reason="absolute"
    ).exists()


def test_disabling_an_account_ends_its_sessions_at_once(center, amy, client_for):
    phone, desk = Client(), Client()
    for device in (phone, desk):
        device.post("/accounts/login/", {"username": "amy", "password": "pw-Onsite-2026"})
        assert device.get("/").status_code == 200
    _token, raw = ApiToken.issue(user=amy, name="phone")
    keys = list(UserSession.objects.filter(user=amy).values_list("session_key", flat=True))
    assert len(keys) == 2

    sysadmin = UserFactory(center=center, username="sys", roles=["sysadmin"])
    response = client_for(sysadmin).post("/accounts/users/amy/active/", {"active": "0"})
    assert response.status_code == 302

    assert not Session.objects.filter(session_key__in=keys).exists()
    assert phone.get("/").status_code == 302
    assert desk.get("/api/v1/accounts/me").status_code == 401
    assert (
        Client().get("/api/v1/accounts/me", HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 401
    )
    event = AuditEvent.objects.get(action="auth.account_disable")
    assert event.detail == {"sessions_ended": 2}
    assert event.actor == sysadmin


def test_a_disabled_account_cannot_sign_in_and_is_told_nothing_more(client, amy, sign_in):
    amy.is_active = False
    amy.save()
    response = sign_in("amy")
    assert response.status_code == 200
    assert "请输入一个正确的用户名和密码" in response.content.decode()


def test_sign_out_forgets_the_session(client, amy, sign_in):
    sign_in("amy")
    client.post("/accounts/logout/")
    assert not UserSession.objects.filter(user=amy).exists()
    assert AuditEvent.objects.filter(action="auth.logout", actor=amy).exists()


def test_an_htmx_request_after_the_timeout_sends_the_whole_page_to_sign_in(
    client, amy, sign_in, clock
):
    sign_in("amy")
    clock.advance(minutes=31)
    response = client.get(
        "/org/zones/", HTTP_HX_REQUEST="true", HTTP_HX_CURRENT_URL="http://testserver/org/zones/"
    )
    assert response.status_code == 204
    assert response["HX-Redirect"] == "/accounts/login/?next=%2Forg%2Fzones%2F"


def test_an_htmx_request_with_a_temporary_password_goes_to_the_change_page(client, amy):
    amy.must_change_password = True
    amy.save()
    client.force_login(amy)
    response = client.get("/org/zones/", HTTP_HX_REQUEST="true")
    assert response.status_code == 204
    assert response["HX-Redirect"].startswith("/accounts/password/?next=")
