"""Separation of duties (三权分立) and the account pages of the system and security admins."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from onsite.accounts.models import Role, RoleGrant
from onsite.accounts.services import check_role_combination
from onsite.audit.models import AuditEvent
from onsite.core.tests.factories import UserFactory


@pytest.fixture
def sysadmin(center):
    return UserFactory(center=center, username="sys", roles=["sysadmin"])


@pytest.fixture
def secadmin(center):
    return UserFactory(center=center, username="sec", roles=["secadmin"])


@pytest.fixture
def amy(center):
    return UserFactory(center=center, username="amy", roles=["staff"])


@pytest.mark.parametrize(
    "roles",
    [
        {"sysadmin", "secadmin"},
        {"sysadmin", "auditor"},
        {"secadmin", "auditor"},
        {"auditor", "staff"},
        {"auditor", "admin"},
    ],
)
def test_duties_do_not_combine(roles):
    with pytest.raises(ValidationError):
        check_role_combination(roles)


@pytest.mark.parametrize("roles", [{"sysadmin", "admin"}, {"secadmin", "leader"}, {"auditor"}])
def test_other_combinations_are_fine(roles):
    check_role_combination(roles)


@pytest.mark.parametrize(("first", "second"), [("sysadmin", "secadmin"), ("auditor", "sysadmin")])
def test_the_database_refuses_two_duties_on_one_account(amy, first, second):
    RoleGrant.objects.create(user=amy, role=first)
    with pytest.raises(IntegrityError), transaction.atomic():
        RoleGrant.objects.create(user=amy, role=second)


def test_the_security_admin_grants_roles_and_it_is_audited(client_for, secadmin, amy):
    client = client_for(secadmin)
    response = client.post(
        "/accounts/users/amy/roles/", {"roles": ["staff", "supervisor"], "based_on": "staff"}
    )
    assert response.status_code == 302
    assert set(amy.role_grants.values_list("role", flat=True)) == {"staff", "supervisor"}
    event = AuditEvent.objects.get(action="auth.roles_change")
    assert (event.actor, event.detail) == (secadmin, {"added": ["supervisor"], "removed": []})


def test_a_forbidden_combination_is_explained_and_nothing_changes(client_for, secadmin, amy):
    response = client_for(secadmin).post(
        "/accounts/users/amy/roles/", {"roles": ["staff", "auditor"], "based_on": "staff"}
    )
    assert response.status_code == 400
    assert "审计员只查阅审计日志" in response.content.decode()
    assert set(amy.role_grants.values_list("role", flat=True)) == {"staff"}


def test_roles_changed_in_the_meantime_are_not_overwritten(client_for, secadmin, amy):
    RoleGrant.objects.create(user=amy, role="member")  # someone else, after the form opened
    response = client_for(secadmin).post(
        "/accounts/users/amy/roles/", {"roles": ["staff", "supervisor"], "based_on": "staff"},
        follow=True,
    )  # fmt: skip
    assert "其他人同时修改了这些角色" in response.content.decode()
    assert set(amy.role_grants.values_list("role", flat=True)) == {"staff", "member"}


def test_nobody_grants_their_own_roles(client_for, secadmin):
    response = client_for(secadmin).post(
        "/accounts/users/sec/roles/", {"roles": ["secadmin", "admin"], "based_on": "secadmin"}
    )
    assert response.status_code == 403
    assert set(secadmin.role_grants.values_list("role", flat=True)) == {"secadmin"}


def test_the_system_admin_does_not_grant_roles(client_for, sysadmin, amy):
    response = client_for(sysadmin).post(
        "/accounts/users/amy/roles/", {"roles": ["admin"], "based_on": "staff"}
    )
    assert response.status_code == 403
    assert AuditEvent.objects.filter(action="access.denied", actor=sysadmin).exists()


def test_the_system_admin_cannot_take_over_a_duty_account(client_for, sysadmin, secadmin, auditor):
    client = client_for(sysadmin)
    for target in ("auditor1", "sec"):
        assert client.post(f"/accounts/users/{target}/password/").status_code == 403
        assert client.post(f"/accounts/users/{target}/active/", {"active": "0"}).status_code == 403
    auditor.refresh_from_db()
    assert auditor.is_active
    assert client_for(secadmin).post("/accounts/users/auditor1/password/").status_code == 200


def test_the_security_admin_does_not_reset_ordinary_accounts(client_for, secadmin, amy):
    assert client_for(secadmin).post("/accounts/users/amy/password/").status_code == 403


def test_nobody_disables_themselves(client_for, sysadmin):
    response = client_for(sysadmin).post("/accounts/users/sys/active/", {"active": "0"})
    assert response.status_code == 403
    sysadmin.refresh_from_db()
    assert sysadmin.is_active


def test_a_disabled_account_is_enabled_again(client_for, sysadmin, amy):
    client = client_for(sysadmin)
    client.post("/accounts/users/amy/active/", {"active": "0"})
    amy.refresh_from_db()
    assert not amy.is_active
    client.post("/accounts/users/amy/active/", {"active": "1"})
    amy.refresh_from_db()
    assert amy.is_active
    assert AuditEvent.objects.filter(action="auth.account_enable").exists()


ACCOUNT_PAGES = [
    ("get", "/accounts/users/"),
    ("get", "/accounts/users/amy/"),
    ("post", "/accounts/users/amy/roles/"),
    ("post", "/accounts/users/amy/password/"),
    ("post", "/accounts/users/amy/active/"),
    ("post", "/accounts/users/amy/unlock/"),
    ("post", "/accounts/users/amy/two-factor/"),
]


@pytest.mark.parametrize(("method", "url"), ACCOUNT_PAGES)
@pytest.mark.parametrize("persona", ["admin_user", "leader", "staff_user", "auditor", "viewer"])
def test_other_roles_are_refused(client_for, request, amy, method, url, persona):
    user = request.getfixturevalue(persona)
    assert getattr(client_for(user), method)(url).status_code == 403


@pytest.mark.parametrize(("method", "url"), ACCOUNT_PAGES)
def test_anonymous_is_sent_to_sign_in(client, amy, method, url):
    response = getattr(client, method)(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize(("method", "url"), ACCOUNT_PAGES[1:])
def test_another_centers_account_is_not_found(client_for, other_center, secadmin, method, url):
    UserFactory(center=other_center, username="amy", roles=["staff"])
    assert getattr(client_for(secadmin), method)(url).status_code == 404


@pytest.mark.parametrize(("method", "url"), ACCOUNT_PAGES[2:])
def test_changes_need_post(client_for, secadmin, amy, method, url):
    assert client_for(secadmin).get(url).status_code == 405


@pytest.mark.parametrize("persona", ["sysadmin", "secadmin"])
def test_both_admins_see_the_accounts_of_their_center(
    client_for, request, amy, other_admin, persona
):
    client = client_for(request.getfixturevalue(persona))
    body = client.get("/accounts/users/").content.decode()
    assert ">amy<" in body
    assert "otheradmin" not in body
    assert client.get("/accounts/users/amy/").status_code == 200
    assert "账号" in client.get("/").content.decode(), "their home points to the accounts"


def test_the_account_list_costs_the_same_for_more_people(
    client_for, secadmin, center, django_assert_max_num_queries
):
    client = client_for(secadmin)
    for _ in range(3):
        UserFactory(center=center, roles=["staff", "member"])
    with django_assert_max_num_queries(30) as small:
        client.get("/accounts/users/")
    for _ in range(40):
        UserFactory(center=center, roles=["staff"])
    with django_assert_max_num_queries(len(small.captured_queries)):
        client.get("/accounts/users/")


def test_search_finds_people_by_name(client_for, secadmin, center):
    UserFactory(center=center, username="zhang", full_name="张伟")
    UserFactory(center=center, username="li", full_name="李娜")
    body = client_for(secadmin).get("/accounts/users/", {"q": "张"}).content.decode()
    assert ">zhang<" in body
    assert ">li<" not in body


def test_role_labels_exist_in_both_languages():
    from django.utils import translation

    with translation.override("zh-hans"):
        assert str(Role.SYSADMIN.label) == "系统管理员"
        assert str(Role.SECADMIN.label) == "安全管理员"
