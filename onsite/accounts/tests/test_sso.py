"""Single sign-on, end to end in Chromium, against a real OpenID Connect provider
(django-oauth-toolkit) and a real CAS server (django-cas-server) running beside the test
process on 127.0.0.1 (identity_provider.py)."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urljoin, urlsplit

import pyotp
import pytest
import requests
from django.contrib.sessions.backends.db import SessionStore
from django.utils import timezone

from onsite.accounts.models import TotpDevice, User, UserSession
from onsite.accounts.sso import cas_logout_ticket
from onsite.audit.models import AuditEvent
from onsite.core.tests.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PROVIDER = Path(__file__).with_name("identity_provider.py")
PEOPLE = [
    {"username": "amy", "password": "Provider-pw-1", "staff_number": ""},
    {"username": "stranger", "password": "Provider-pw-1", "staff_number": ""},
    {"username": "li.bo", "password": "Provider-pw-1", "staff_number": "G-0042"},
]


@pytest.fixture(scope="session")
def provider(live_server):
    """The identity service's address (http://127.0.0.1:<port>), for this test session."""
    process = subprocess.Popen(  # noqa: S603 - our own harness, fixed arguments
        [sys.executable, str(PROVIDER), "--service", live_server.url,
         "--people", json.dumps(PEOPLE)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    assert process.stdout is not None
    line = process.stdout.readline()
    if not line.startswith("READY"):
        process.kill()
        pytest.fail(f"the identity provider did not start: {line} {process.stderr.read()}")
    yield f"http://127.0.0.1:{line.split()[1]}"
    process.kill()
    process.wait()


@pytest.fixture
def oidc(settings, provider):
    settings.SSO_PROTOCOL = "oidc"
    settings.SSO_LABEL = "政务服务统一身份认证"
    settings.OIDC_DISCOVERY_URL = f"{provider}/o/.well-known/openid-configuration"
    settings.OIDC_CLIENT_ID = "onsite"
    settings.OIDC_CLIENT_SECRET = "onsite-secret"
    return provider


@pytest.fixture
def cas(settings, provider):
    settings.SSO_PROTOCOL = "cas"
    settings.CAS_SERVER_URL = f"{provider}/cas/"
    settings.CAS_VERSION = "3"
    return provider


def at_provider(page, username, password="Provider-pw-1"):
    page.get_by_test_id("sso-start").click()
    page.wait_for_url(re.compile(r"http://127\.0\.0\.1:\d+/"))
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")


def home(page, live_server):
    page.wait_for_url(lambda url: url.startswith(live_server.url) and "/accounts/" not in url)


def refusal(page):
    return page.locator(".alert-danger, .alert-error").first.inner_text()


def failures(reason):
    return AuditEvent.objects.filter(action="auth.login_failed", detail__reason=reason)


def test_oidc_signs_in_a_known_person_and_signs_out_at_both(page, live_server, oidc, center):
    amy = UserFactory(center=center, username="amy", full_name="王艾米", roles=["staff"])
    page.goto("/accounts/login/?next=/notifications/")
    assert page.get_by_test_id("sso-start").inner_text() == "使用政务服务统一身份认证登录"
    at_provider(page, "amy")
    page.wait_for_url(f"{live_server.url}/notifications/")
    login = AuditEvent.objects.get(action="auth.login", actor=amy)
    assert login.detail == {"method": "oidc"}
    session = UserSession.objects.get(user=amy)
    assert session.sso_ticket == "", "a CAS ticket only"

    page.get_by_role("button", name="退出").click()
    page.wait_for_url(re.compile(rf"{live_server.url}/accounts/login/(\?state=\w+)?$"))
    assert AuditEvent.objects.filter(action="auth.logout", actor=amy).count() == 1
    assert not UserSession.objects.filter(user=amy).exists()
    # Signed out at the provider too: single sign-on asks for the password again.
    page.get_by_test_id("sso-start").click()
    page.wait_for_url(re.compile(r"http://127\.0\.0\.1:\d+/login/"))
    assert page.locator("input[name=password]").is_visible()


def test_oidc_refuses_a_person_without_an_onsite_account(page, live_server, oidc, center):
    UserFactory(center=center, username="amy", roles=["staff"])
    accounts = User.objects.count()
    page.goto("/accounts/login/")
    at_provider(page, "stranger")
    page.wait_for_url(f"{live_server.url}/accounts/login/")
    assert User.objects.count() == accounts, "never created: accounts stay with the admins"
    message = refusal(page)
    assert "stranger" in message
    assert "没有关联" in message
    assert failures("oidc_unknown").count() == 1
    assert not UserSession.objects.exists()


def provider_round_trip(live_server, username):
    """Onsite's sign-in link, the provider's password form and its answer, driven over HTTP
    without following the last redirect: returns (the Onsite session, the callback URL)."""
    browser = requests.Session()
    answer = browser.get(f"{live_server.url}/accounts/sso/", allow_redirects=False)
    authorize = answer.headers["Location"]
    login = browser.get(authorize)  # not signed in at the provider: its sign-in form
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', login.text).group(1)
    answer = browser.post(
        login.url,
        data={"csrfmiddlewaretoken": token, "username": username,
              "password": "Provider-pw-1", "next": parse_qs(urlsplit(login.url).query)["next"][0]},
        headers={"Referer": login.url}, allow_redirects=False,
    )  # fmt: skip
    answer = browser.get(urljoin(login.url, answer.headers["Location"]), allow_redirects=False)
    callback = answer.headers["Location"]
    assert callback.startswith(f"{live_server.url}/accounts/sso/callback/?")
    return browser, callback


def test_oidc_refuses_a_forged_or_replayed_state_and_a_wrong_nonce(live_server, oidc, center):
    amy = UserFactory(center=center, username="amy", roles=["staff"])
    browser, genuine = provider_round_trip(live_server, "amy")
    query = parse_qs(urlsplit(genuine).query)

    forged = genuine.split("?")[0] + "?" + urlencode({"code": query["code"][0], "state": "x" * 30})
    answer = browser.get(forged)
    assert answer.url == f"{live_server.url}/accounts/login/"
    assert "没有完成" in answer.text
    assert failures("oidc_state").count() == 1

    # The session's nonce is not the one the provider put in the ID token.
    store = SessionStore(session_key=browser.cookies["sessionid"])
    keys = store.keys()  # a session store has keys() but cannot be iterated itself
    state_key = next(key for key in keys if key.startswith("_state_onsite_"))
    data = store[state_key]
    data["data"]["nonce"] = "not-the-nonce-sent"
    store[state_key] = data
    store.save()
    answer = browser.get(genuine)
    assert answer.url == f"{live_server.url}/accounts/login/"
    assert "没有完成" in answer.text
    assert failures("oidc_nonce").count() == 1
    assert not AuditEvent.objects.filter(action="auth.login", actor=amy).exists()

    # Replayed: the state was used up by the attempt above.
    answer = browser.get(genuine)
    assert answer.url == f"{live_server.url}/accounts/login/"
    assert failures("oidc_state").count() == 2
    assert not UserSession.objects.filter(user=amy).exists()

    # The same round trip untouched signs amy in: the refusals above were the tampering.
    browser, genuine = provider_round_trip(live_server, "amy")
    answer = browser.get(genuine)
    assert answer.url == f"{live_server.url}/"
    assert UserSession.objects.filter(user=amy).count() == 1


def test_cas_signs_in_by_staff_number_and_honours_single_logout(
    page, live_server, cas, settings, center
):
    settings.SSO_MATCH_FIELD = "staff_number"
    settings.SSO_CLAIM = "employee_number"
    li = UserFactory(center=center, username="xx-w03-1", staff_number="G-0042", roles=["staff"])
    page.goto("/accounts/login/")
    assert page.get_by_test_id("sso-start").inner_text() == "使用统一身份认证平台登录"
    at_provider(page, "li.bo")
    home(page, live_server)
    assert AuditEvent.objects.get(action="auth.login", actor=li).detail == {"method": "cas"}
    ticket = UserSession.objects.get(user=li).sso_ticket
    assert ticket.startswith("ST-")

    # Signing out at the CAS server ends the Onsite session too (its logout request).
    page.goto(f"{cas}/cas/logout")
    page.goto("/")
    page.wait_for_url(re.compile(r".*/accounts/login/.*"))
    assert not UserSession.objects.filter(user=li).exists()
    ended = AuditEvent.objects.get(action="auth.logout", actor=li)
    assert ended.detail == {"method": "cas", "single_logout": True}


def test_cas_refuses_an_unknown_person_and_signs_out_at_the_server(page, live_server, cas, center):
    amy = UserFactory(center=center, username="amy", roles=["staff"])
    page.goto("/accounts/login/")
    at_provider(page, "stranger")
    page.wait_for_url(f"{live_server.url}/accounts/login/")
    assert "stranger" in refusal(page)
    assert failures("cas_unknown").count() == 1

    page.goto(f"{cas}/cas/logout")  # as a new person at the shared counter PC
    page.goto("/accounts/login/")
    at_provider(page, "amy")
    home(page, live_server)
    page.get_by_role("button", name="退出").click()
    page.wait_for_url(f"{live_server.url}/accounts/login/")
    assert not UserSession.objects.filter(user=amy).exists()
    page.get_by_test_id("sso-start").click()  # the CAS server forgot amy too
    page.wait_for_url(re.compile(r"http://127\.0\.0\.1:\d+/cas/login.*"))
    assert page.locator("input[name=password]").is_visible()


def test_a_lockout_holds_for_single_sign_on(page, live_server, oidc, center, settings):
    amy = UserFactory(center=center, username="amy", roles=["staff"])
    for _ in range(settings.LOCKOUT_FAILURES):
        page.goto("/accounts/login/")
        page.fill("#id_username", "amy")
        page.fill("#id_password", "Wrong-pass-1")
        page.click("main form button[type=submit]")
    page.goto("/accounts/login/")
    at_provider(page, "amy")
    page.wait_for_url(f"{live_server.url}/accounts/login/")
    assert "登录失败次数过多" in refusal(page)
    assert AuditEvent.objects.filter(action="auth.login_locked", object_id=str(amy.pk)).exists()
    assert not UserSession.objects.filter(user=amy).exists()


def test_sign_in_pages_are_there_only_while_single_sign_on_is_on(client, db, settings):
    assert client.get("/accounts/sso/").status_code == 404
    assert client.get("/accounts/sso/callback/?code=x&state=y").status_code == 404
    assert "sso-start" not in client.get("/accounts/login/").content.decode()
    settings.SSO_PROTOCOL = "cas"
    settings.CAS_SERVER_URL = "http://127.0.0.1:9/cas/"
    response = client.get("/accounts/sso/?next=/zones/")
    assert response.status_code == 302
    assert response["Location"].startswith("http://127.0.0.1:9/cas/login?service=")
    assert client.session["onsite_sso_next"] == "/zones/"
    # A callback with no ticket, or a logout request naming nothing, changes nothing.
    assert client.get("/accounts/sso/callback/").status_code == 302
    assert failures("cas_ticket").count() == 1
    assert client.post("/accounts/sso/callback/", {"logoutRequest": "<x/>"}).status_code == 400


def test_a_logout_request_with_an_entity_is_not_read(client, db, settings, center):
    body = (
        "<samlp:LogoutRequest><samlp:SessionIndex>ST-1</samlp:SessionIndex></samlp:LogoutRequest>"
    )
    assert cas_logout_ticket(body) == "ST-1"
    assert cas_logout_ticket('<!DOCTYPE x [<!ENTITY a "b">]>' + body) is None


@pytest.fixture
def passwords_off(settings):
    settings.SSO_PROTOCOL = "cas"
    settings.CAS_SERVER_URL = "http://127.0.0.1:9/cas/"
    settings.LOCAL_PASSWORDS = False
    settings.BREAK_GLASS_USERNAMES = ["sys", "not-an-admin"]


@pytest.mark.parametrize(
    ("username", "roles", "signed_in"),
    [("sys", ["sysadmin"], True), ("not-an-admin", ["staff"], False), ("amy", ["staff"], False)],
)
def test_with_passwords_off_only_a_break_glass_system_admin_signs_in_locally(
    client, center, passwords_off, username, roles, signed_in
):
    UserFactory(center=center, username=username, roles=roles)
    page = client.get("/accounts/login/").content.decode()
    assert 'data-testid="break-glass"' in page
    response = client.post("/accounts/login/", {"username": username, "password": "pw-Onsite-2026"})
    assert (response.status_code == 302) is signed_in
    if not signed_in:
        assert "已关闭密码登录" in response.content.decode()
        assert "_auth_user_id" not in client.session


def test_a_second_factor_still_applies_after_single_sign_on(live_server, oidc, center, settings):
    settings.MFA_REQUIRED = True
    boss = UserFactory(center=center, username="amy", roles=["secadmin"])
    device = TotpDevice.objects.create(user=boss, secret=pyotp.random_base32(),
                                       confirmed_at=timezone.now())  # fmt: skip
    browser, callback = provider_round_trip(live_server, "amy")
    answer = browser.get(callback)
    assert answer.url == f"{live_server.url}/accounts/login/verify/"
    assert not UserSession.objects.filter(user=boss).exists(), "not signed in before the code"
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', answer.text).group(1)
    answer = browser.post(
        answer.url,
        data={"csrfmiddlewaretoken": token, "code": pyotp.TOTP(device.secret).now()},
        headers={"Referer": answer.url},
    )
    assert answer.url == f"{live_server.url}/"
    login = AuditEvent.objects.get(action="auth.login", actor=boss)
    assert login.detail == {"second_factor": True, "method": "oidc"}
    # The session remembers the identity service, so signing out goes there too.
    assert (
        SessionStore(session_key=browser.cookies["sessionid"])["onsite_sso"]["protocol"] == "oidc"
    )


def test_an_onsite_password_due_for_change_does_not_hold_up_single_sign_on(
    live_server, oidc, center
):
    amy = UserFactory(center=center, username="amy", roles=["staff"], must_change_password=True)
    browser, callback = provider_round_trip(live_server, "amy")
    answer = browser.get(callback)
    assert answer.url == f"{live_server.url}/", "not sent to change a password it did not use"
    assert UserSession.objects.filter(user=amy).exists()


def test_a_logout_request_is_taken_only_from_the_cas_servers_addresses(client, settings, center):
    settings.SSO_PROTOCOL = "cas"
    settings.CAS_SERVER_URL = "http://127.0.0.1:9/cas/"
    settings.CAS_LOGOUT_FROM = ["10.1.2.0/28"]
    amy = UserFactory(center=center, username="amy", roles=["staff"])
    UserSession.objects.create(user=amy, session_key="k1", sso_ticket="ST-7")
    body = {
        "logoutRequest": "<samlp:LogoutRequest><samlp:SessionIndex>ST-7</samlp:SessionIndex>"
        "</samlp:LogoutRequest>"
    }
    refused = client.post("/accounts/sso/callback/", body, REMOTE_ADDR="10.9.9.9")
    assert refused.status_code == 403
    assert UserSession.objects.filter(sso_ticket="ST-7").exists()
    taken = client.post("/accounts/sso/callback/", body, REMOTE_ADDR="10.1.2.5")
    assert taken.status_code == 200
    assert not UserSession.objects.filter(sso_ticket="ST-7").exists()


def test_with_passwords_off_the_password_page_is_only_for_break_glass(
    client, center, passwords_off
):
    amy = UserFactory(center=center, username="amy", roles=["staff"])
    client.force_login(amy)
    assert client.get("/accounts/password/").status_code == 404
    profile = client.get("/accounts/profile/").content.decode()
    assert "/accounts/password/" not in profile
    assert 'data-testid="password-elsewhere"' in profile
    client.force_login(UserFactory(center=center, username="sys", roles=["sysadmin"]))
    assert client.get("/accounts/password/").status_code == 200
    assert "/accounts/password/" in client.get("/accounts/profile/").content.decode()
