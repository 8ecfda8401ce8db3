"""Lockout after repeated failures, the same for known and unknown usernames."""

import pytest

from onsite.accounts.models import LoginFailure
from onsite.accounts.tests.conftest import PASSWORD, without_tokens
from onsite.audit.models import AuditEvent
from onsite.core.tests.factories import UserFactory


@pytest.fixture
def amy(center):
    return UserFactory(center=center, username="amy", roles=["staff"])


def fail(sign_in, username, times, ip="127.0.0.1"):
    return [sign_in(username, "wrong-Password-1", ip=ip) for _ in range(times)]


def test_five_failures_lock_the_username_from_that_address(sign_in, amy, clock):
    fail(sign_in, "amy", 4)
    assert sign_in("amy").status_code == 302, "four failures do not lock"
    clock.advance(minutes=1)
    fail(sign_in, "amy", 5)
    response = sign_in("amy")  # the right password, while locked
    assert response.status_code == 200
    assert "登录失败次数过多" in response.content.decode()
    assert AuditEvent.objects.filter(action="auth.lockout", detail__username="amy").exists()
    assert AuditEvent.objects.filter(action="auth.login_locked", outcome="denied").exists()


def test_the_lock_lifts_after_thirty_minutes(sign_in, amy, clock):
    fail(sign_in, "amy", 5)
    clock.advance(minutes=29)
    assert sign_in("amy").status_code == 200, "still locked"
    clock.advance(minutes=1, seconds=1)
    assert sign_in("amy").status_code == 302


def test_the_lock_is_per_address(sign_in, amy, clock):
    fail(sign_in, "amy", 5, ip="10.0.0.66")
    assert sign_in("amy", ip="10.0.0.66").status_code == 200
    assert sign_in("amy", ip="10.0.0.7").status_code == 302, "another address still signs in"


def test_a_per_username_cap_holds_across_addresses(sign_in, amy, clock, settings):
    settings.LOCKOUT_USERNAME_FAILURES = 12
    for n in range(12):
        fail(sign_in, "amy", 1, ip=f"10.0.1.{n}")  # never 5 from one address
    assert sign_in("amy", ip="10.0.2.1").status_code == 200, "locked from a new address too"
    clock.advance(minutes=31)
    assert sign_in("amy", ip="10.0.2.1").status_code == 302


def test_success_clears_that_addresses_failures_only(sign_in, amy):
    fail(sign_in, "amy", 3, ip="10.0.0.1")
    fail(sign_in, "amy", 3, ip="10.0.0.2")
    assert sign_in("amy", ip="10.0.0.1").status_code == 302
    assert list(LoginFailure.objects.values_list("ip", flat=True).distinct()) == ["10.0.0.2"]


def test_unknown_usernames_get_exactly_the_same_answers(sign_in, amy, clock):
    for attempt in range(7):
        known = sign_in("amy", "wrong-Password-1")
        unknown = sign_in("nobody", "wrong-Password-1")
        assert known.status_code == unknown.status_code == 200
        assert without_tokens(known.content).replace("amy", "X") == without_tokens(
            unknown.content
        ).replace("nobody", "X"), f"attempt {attempt + 1} differs"
    assert "登录失败次数过多" in unknown.content.decode(), "unknown names lock the same way"


def test_failures_are_audited_with_the_username_and_address(sign_in, amy, center):
    sign_in("amy", "wrong-Password-1", ip="10.9.8.7")
    sign_in("ghost", "wrong-Password-1", ip="10.9.8.7")
    known, unknown = AuditEvent.objects.filter(action="auth.login_failed").order_by("seq")
    assert (known.detail["username"], known.ip, known.center, known.outcome) == (
        "amy",
        "10.9.8.7",
        center,
        "failure",
    )
    assert known.object_id == str(amy.pk)
    assert (unknown.detail["username"], unknown.center) == ("ghost", None)


def test_usernames_are_counted_without_regard_to_case(sign_in, amy):
    fail(sign_in, "AMY", 3)
    fail(sign_in, "amy", 2)
    assert sign_in("amy").status_code == 200


def test_a_system_admin_clears_the_lock(sign_in, amy, client_for, center, clock):
    fail(sign_in, "amy", 5)
    admin = UserFactory(center=center, username="sys", roles=["sysadmin"])
    client = client_for(admin)
    page = client.get("/accounts/users/amy/").content.decode()
    assert 'data-testid="failures">5' in page
    client.post("/accounts/users/amy/unlock/")
    assert AuditEvent.objects.filter(action="auth.unlock", object_id=str(amy.pk)).exists()
    client.logout()
    assert sign_in("amy", PASSWORD).status_code == 302


def test_old_failures_are_dropped(sign_in, amy, clock):
    fail(sign_in, "amy", 3)
    clock.advance(hours=2)
    fail(sign_in, "amy", 1)
    assert LoginFailure.objects.count() == 1
