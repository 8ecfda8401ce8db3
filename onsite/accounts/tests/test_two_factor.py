"""The optional TOTP second factor, required for admin and audit roles when switched on."""

import pyotp
import pytest

from onsite.accounts.models import TotpDevice
from onsite.audit.models import AuditEvent
from onsite.core.tests.factories import UserFactory


def code_for(secret, clock, offset=0):
    totp = pyotp.TOTP(secret)
    return totp.at(clock.now.timestamp() + offset * totp.interval)


@pytest.fixture
def required(settings):
    settings.MFA_REQUIRED = True


def test_an_admin_sets_up_the_authenticator_before_the_first_sign_in_completes(
    client, center, sign_in, clock, required
):
    UserFactory(center=center, username="boss", roles=["admin"])
    response = sign_in("boss", next="/org/zones/")
    assert response["Location"] == "/accounts/login/verify/"
    response = client.get(response["Location"])
    assert response["Location"] == "/accounts/login/enrol/"
    page = client.get("/accounts/login/enrol/").content.decode()
    assert 'src="data:image/svg+xml' in page, "a QR code to scan, no external image"
    assert client.get("/").status_code == 302, "not signed in yet"
    secret = TotpDevice.objects.get(user__username="boss").secret
    assert client.post("/accounts/login/enrol/", {"code": "000000"}).status_code == 200
    response = client.post("/accounts/login/enrol/", {"code": code_for(secret, clock)})
    assert response["Location"] == "/org/zones/"
    assert client.get("/").status_code == 200
    assert AuditEvent.objects.filter(action="auth.mfa_enrol").exists()
    assert AuditEvent.objects.filter(action="auth.login", detail__second_factor=True).exists()


def test_the_next_sign_in_asks_for_a_code_and_refuses_a_replay(
    client, center, sign_in, clock, required
):
    user = UserFactory(center=center, username="boss", roles=["secadmin"])
    device = TotpDevice.objects.create(
        user=user, secret=pyotp.random_base32(), confirmed_at=clock.now
    )
    code = code_for(device.secret, clock)
    assert sign_in("boss")["Location"] == "/accounts/login/verify/"
    assert client.post("/accounts/login/verify/", {"code": code}).status_code == 302
    client.post("/accounts/logout/")
    sign_in("boss")
    response = client.post("/accounts/login/verify/", {"code": code})
    assert response.status_code == 200, "the same code twice is refused"
    assert "验证码不正确" in response.content.decode()
    clock.advance(seconds=30)
    assert (
        client.post("/accounts/login/verify/", {"code": code_for(device.secret, clock)}).status_code
        == 302
    )


def test_wrong_codes_count_towards_the_lockout(client, center, sign_in, clock, required):
    user = UserFactory(center=center, username="boss", roles=["auditor"])
    TotpDevice.objects.create(user=user, secret=pyotp.random_base32(), confirmed_at=clock.now)
    sign_in("boss")
    for _ in range(5):
        client.post("/accounts/login/verify/", {"code": "123456"})
    response = client.post("/accounts/login/verify/", {"code": "123456"})
    assert response["Location"] == "/accounts/login/"
    assert AuditEvent.objects.filter(action="auth.lockout").exists()
    assert sign_in("boss").status_code == 200, "the password step is locked too"


def test_the_pending_step_expires(client, center, sign_in, clock, required):
    user = UserFactory(center=center, username="boss", roles=["admin"])
    device = TotpDevice.objects.create(
        user=user, secret=pyotp.random_base32(), confirmed_at=clock.now
    )
    sign_in("boss")
    clock.advance(minutes=6)
    response = client.post("/accounts/login/verify/", {"code": code_for(device.secret, clock)})
    assert response["Location"] == "/accounts/login/"
    assert client.get("/").status_code == 302


def test_other_roles_are_not_asked_unless_they_enrolled(client, center, sign_in, clock, required):
    UserFactory(center=center, username="amy", roles=["staff"])
    assert sign_in("amy")["Location"] == "/"


def test_when_switched_off_admins_sign_in_with_a_password(client, center, sign_in):
    UserFactory(center=center, username="boss", roles=["admin"])
    assert sign_in("boss")["Location"] == "/"


def test_anyone_may_turn_it_on_and_off_for_themselves(client, center, sign_in, clock):
    user = UserFactory(center=center, username="amy", roles=["staff"])
    sign_in("amy")
    page = client.get("/accounts/two-factor/").content.decode()
    assert 'data-testid="totp-secret"' in page
    secret = TotpDevice.objects.get(user=user).secret
    client.post("/accounts/two-factor/", {"code": code_for(secret, clock)})
    assert TotpDevice.objects.get(user=user).is_confirmed
    client.post("/accounts/logout/")
    assert sign_in("amy")["Location"] == "/accounts/login/verify/"
    clock.advance(seconds=30)
    client.post("/accounts/login/verify/", {"code": code_for(secret, clock)})
    clock.advance(seconds=30)
    client.post("/accounts/two-factor/", {"code": code_for(secret, clock)})
    assert not TotpDevice.objects.filter(user=user).exists()
    assert AuditEvent.objects.filter(action="auth.mfa_remove").exists()


def test_a_required_factor_cannot_be_removed_by_its_owner(client_for, center, clock, required):
    user = UserFactory(center=center, username="boss", roles=["admin"])
    device = TotpDevice.objects.create(
        user=user, secret=pyotp.random_base32(), confirmed_at=clock.now
    )
    client_for(user).post("/accounts/two-factor/", {"code": code_for(device.secret, clock)})
    assert TotpDevice.objects.filter(user=user).exists()


def test_the_security_admin_removes_a_lost_authenticator(client_for, center, clock):
    user = UserFactory(center=center, username="amy", roles=["staff"])
    TotpDevice.objects.create(user=user, secret=pyotp.random_base32(), confirmed_at=clock.now)
    secadmin = UserFactory(center=center, username="sec", roles=["secadmin"])
    sysadmin = UserFactory(center=center, username="sys", roles=["sysadmin"])
    assert client_for(sysadmin).post("/accounts/users/amy/two-factor/").status_code == 403
    assert client_for(secadmin).post("/accounts/users/amy/two-factor/").status_code == 302
    assert not TotpDevice.objects.filter(user=user).exists()
