import datetime

import pytest

from onsite.accounts.models import ApiToken
from onsite.audit.models import AuditEvent
from onsite.core.tests.factories import UserFactory


def test_login_page_is_chinese_by_default(client, db):
    body = client.get("/accounts/login/").content.decode()
    assert '<html lang="zh-hans">' in body
    assert "登录" in body


def test_login_page_in_english_after_switching(client, db):
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/accounts/login/"})
    assert response.status_code == 302
    body = client.get("/accounts/login/").content.decode()
    assert '<html lang="en">' in body
    assert "Sign in" in body


def test_sign_in_and_out(client, center):
    user = UserFactory(center=center, username="amy", roles=["staff"])
    response = client.post("/accounts/login/", {"username": "amy", "password": "pw-Onsite-2026"})
    assert response.status_code == 302
    assert client.get("/").status_code == 200
    assert AuditEvent.objects.filter(action="auth.login", actor=user).exists()
    assert client.get("/accounts/logout/").status_code == 405, "no state change on GET"
    client.post("/accounts/logout/")
    assert client.get("/").status_code == 302


def test_a_wrong_password_is_refused_in_the_users_language_and_audited(client, center):
    UserFactory(center=center, username="amy", roles=["staff"])
    response = client.post("/accounts/login/", {"username": "amy", "password": "wrong"})
    assert response.status_code == 200
    assert "请输入一个正确的用户名和密码" in response.content.decode()
    event = AuditEvent.objects.get(action="auth.login_failed")
    assert event.outcome == "failure"
    assert event.detail["username"] == "amy"


def test_login_never_redirects_off_site(client, center):
    UserFactory(center=center, username="amy", roles=["staff"])
    response = client.post(
        "/accounts/login/",
        {"username": "amy", "password": "pw-Onsite-2026", "next": "https://evil.example/"},
    )
    assert response["Location"] == "/"


def test_profile_needs_sign_in(client, db):
    assert client.get("/accounts/profile/").status_code == 302


def test_a_user_issues_and_revokes_a_token(client_for, staff_user):
    client = client_for(staff_user)
    body = client.post("/accounts/profile/", {"name": "手机"}).content.decode()
    token = ApiToken.objects.get(user=staff_user)
    assert token.hint in body
    assert "ons_" in body
    client.post(f"/accounts/tokens/{token.pk}/revoke/")
    token.refresh_from_db()
    assert not token.is_active


def test_nobody_revokes_another_users_token(client_for, staff_user, admin_user):
    token, _raw = ApiToken.issue(user=admin_user, name="x")
    response = client_for(staff_user).post(f"/accounts/tokens/{token.pk}/revoke/")
    assert response.status_code == 404
    token.refresh_from_db()
    assert token.is_active


@pytest.mark.parametrize("name", ["", "x" * 61])
def test_a_bad_token_name_gets_a_clear_error(client_for, staff_user, name):
    body = client_for(staff_user).post("/accounts/profile/", {"name": name}).content.decode()
    assert "invalid-feedback" in body
    assert not ApiToken.objects.exists()


def test_chinese_is_the_default_whatever_the_browser_asks_for(client, db):
    body = client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert '<html lang="zh-hans">' in body


def test_login_fields_are_styled(client, db):
    body = client.get("/accounts/login/").content.decode()
    assert 'class="form-control"' in body


def test_the_auditor_reads_no_business_data_through_the_api(client, auditor, client_for):
    raw = ApiToken.issue(user=auditor, name="x")[1]
    assert client.get("/api/v1/org/units", HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 401
    assert client_for(auditor).get("/api/v1/org/units").status_code == 401


def test_a_token_records_its_last_use_to_the_minute_without_writing_on_every_call(
    client, staff_user
):
    token, raw = ApiToken.issue(user=staff_user, name="x")
    auth = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
    assert client.get("/api/v1/accounts/me", **auth).status_code == 200
    token.refresh_from_db()
    first = token.last_used_at
    assert first is not None
    client.get("/api/v1/accounts/me", **auth)
    token.refresh_from_db()
    assert token.last_used_at == first, "a second call within the minute writes nothing"
    earlier = first - datetime.timedelta(minutes=2)
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=earlier)
    client.get("/api/v1/accounts/me", **auth)
    token.refresh_from_db()
    assert token.last_used_at > earlier
