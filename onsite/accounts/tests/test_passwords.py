"""The password policy, its history, expiry and the forced change of a temporary password."""

import re

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError

from onsite.accounts.models import PasswordHistory
from onsite.audit.models import AuditEvent
from onsite.core.tests.factories import UserFactory


@pytest.fixture
def amy(center):
    return UserFactory(center=center, username="amy", roles=["staff"])


@pytest.mark.parametrize(
    ("password", "code"),
    [
        ("Ab1!xyz", "password_too_short"),
        ("abcdefgh12", "password_too_simple"),  # two classes
        ("ABCDEFGH!!", "password_too_simple"),
        ("Password1", "password_too_common"),
        ("12345678", "password_entirely_numeric"),
        ("xAMY-2026!", "password_like_username"),
        ("ymA-2026!x", "password_like_username"),  # backwards
    ],
)
def test_weak_passwords_are_refused(amy, password, code):
    with pytest.raises(ValidationError) as caught:
        validate_password(password, amy)
    assert code in {error.code for error in caught.value.error_list}


@pytest.mark.parametrize("password", ["Kx7#mPq2", "现场管理Abc12", "river-Stone-42"])
def test_strong_passwords_pass(amy, password):
    validate_password(password, amy)


def test_the_last_five_passwords_cannot_return(amy, client_for):
    client = client_for(amy)
    current = "pw-Onsite-2026"
    history = [f"Fresh-pass-{n}!" for n in range(6)]
    for new in history:
        response = client.post(
            "/accounts/password/",
            {"old_password": current, "new_password1": new, "new_password2": new},
        )
        assert response.status_code == 302, response.content.decode()[:2000]
        current = new
    assert PasswordHistory.objects.filter(user=amy).count() == 5
    for reused in history[1:]:
        with pytest.raises(ValidationError, match="不能与最近 5 次"):
            validate_password(reused, amy)
    validate_password(history[0], amy)  # six changes ago: allowed again


def test_passwords_expire_after_ninety_days(amy, clock, client, settings):
    amy.set_password("First-pass-1")
    amy.save()
    clock.advance(days=89)
    client.force_login(amy)
    assert client.get("/").status_code == 200
    clock.advance(days=1, seconds=1)
    client.force_login(amy)  # the first session timed out long ago
    response = client.get("/org/zones/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/password/?next=%2Forg%2Fzones%2F"
    assert "您的密码已过期" in client.get(response["Location"]).content.decode()
    settings.PASSWORD_MAX_AGE_DAYS = 0
    assert client.get("/").status_code == 200, "0 turns expiry off"


def test_a_temporary_password_must_be_changed_before_anything_else(amy, center, client, sign_in):
    admin = UserFactory(center=center, username="sys", roles=["sysadmin"])
    client.force_login(admin)
    body = client.post("/accounts/users/amy/password/").content.decode()
    temporary = re.search(r'<code class="fs-5[^"]*">([^<]+)</code>', body).group(1)
    assert AuditEvent.objects.filter(action="auth.password_reset", object_id=str(amy.pk)).exists()
    client.logout()

    assert sign_in("amy", temporary).status_code == 302
    for path in ["/", "/org/zones/", "/accounts/profile/"]:
        assert client.get(path)["Location"].startswith("/accounts/password/")
    assert client.get("/api/v1/accounts/me").status_code == 403
    page = client.get("/accounts/password/").content.decode()
    assert "临时密码" in page
    response = client.post(
        "/accounts/password/",
        {"old_password": temporary, "new_password1": "short", "new_password2": "short"},
    )
    assert response.status_code == 200, "a bad new password is explained, nothing saved"
    assert "密码太短" in response.content.decode()
    response = client.post(
        "/accounts/password/",
        {"old_password": temporary, "new_password1": "Mine-2026!x", "new_password2": "Mine-2026!x"},
    )
    assert response.status_code == 302
    assert client.get("/").status_code == 200, "still signed in, free to go"
    amy.refresh_from_db()
    assert not amy.must_change_password
    assert AuditEvent.objects.filter(action="auth.password_change", actor=amy).exists()


def test_a_wrong_current_password_is_explained(amy, client_for):
    response = client_for(amy).post(
        "/accounts/password/",
        {"old_password": "nope", "new_password1": "Mine-2026!x", "new_password2": "Mine-2026!x"},
    )
    assert "当前密码不正确" in response.content.decode()
    amy.refresh_from_db()
    assert amy.check_password("pw-Onsite-2026")


def test_mismatched_new_passwords_are_explained(amy, client_for):
    response = client_for(amy).post(
        "/accounts/password/",
        {"old_password": "pw-Onsite-2026", "new_password1": "Mine-2026!x", "new_password2": "x"},
    )
    assert "两次输入的新密码不一致" in response.content.decode()


def test_changing_the_password_ends_the_other_sessions(amy, client, sign_in, django_user_model):
    from django.test import Client

    other = Client()
    other.force_login(amy)
    assert other.get("/").status_code == 200
    sign_in("amy")
    client.post(
        "/accounts/password/",
        {
            "old_password": "pw-Onsite-2026",
            "new_password1": "Mine-2026!x",
            "new_password2": "Mine-2026!x",
        },
    )
    assert client.get("/").status_code == 200
    assert other.get("/").status_code == 302


def test_a_background_request_with_the_replaced_cookie_does_not_sign_the_person_out(
    amy, client, sign_in, settings
):
    """The service worker fetched the offline page with the cookie of a moment before, while
    the password change replaced the session: its answer came last and deleted the cookie."""
    from django.test import Client

    sign_in("amy")
    name = settings.SESSION_COOKIE_NAME
    old = client.cookies[name].value
    client.post(
        "/accounts/password/",
        {
            "old_password": "pw-Onsite-2026",
            "new_password1": "Mine-2026!x",
            "new_password2": "Mine-2026!x",
        },
    )
    new = client.cookies[name].value
    assert new
    assert new != old
    background = Client()
    background.cookies[name] = old
    for path in ("/offline/", "/"):
        response = background.get(path)
        assert name not in response.cookies, f"{path} deleted the cookie"
    assert background.get("/")["Location"].startswith("/accounts/login/"), "the old one is dead"
    assert client.get("/").status_code == 200
    # Signing out (a POST) still clears it.
    assert client.post("/accounts/logout/").cookies[name].value == ""


def test_the_password_page_needs_sign_in(client, db):
    assert client.get("/accounts/password/")["Location"].startswith("/accounts/login/")
