"""The system admin's "new account" page: a temporary password shown once, roles left to the
security admin, one account per form however often it is submitted."""

import re

import pytest

from onsite.accounts.models import User
from onsite.audit.models import AuditEvent
from onsite.core.tests.factories import UnitFactory, UserFactory

URL = "/accounts/users/new/"


@pytest.fixture
def sysadmin(center):
    return UserFactory(center=center, username="sys", roles=["sysadmin"])


@pytest.fixture
def secadmin(center):
    return UserFactory(center=center, username="sec", roles=["secadmin"])


@pytest.fixture
def unit(center):
    return UnitFactory(center=center, name="市场监管窗口")


def form_data(client, **values):
    """The form as the page renders it (with its submission key), filled in."""
    page = client.get(URL).content.decode()
    key = re.search(r'name="submission_key" value="([0-9a-f]+)"', page).group(1)
    return {
        "username": "wang-fang",
        "full_name": "王芳",
        "phone": "",
        **values,
        "submission_key": key,
    }


def temporary_password(response):
    return re.search(r'<code class="fs-5[^"]*">([^<]+)</code>', response.content.decode()).group(1)


def test_the_system_admin_creates_an_account_with_a_temporary_password(
    client_for, sysadmin, unit, client
):
    client = client_for(sysadmin)
    response = client.post(URL, form_data(client, unit=unit.pk, phone="13800000000"))
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    body = response.content.decode()
    assert "账号已创建" in body
    assert "/accounts/users/wang-fang/" in body
    account = User.objects.get(username="wang-fang")
    assert (account.center, account.unit, account.full_name, account.phone) == (
        sysadmin.center,
        unit,
        "王芳",
        "13800000000",
    )
    assert account.must_change_password
    assert account.roles == frozenset()
    event = AuditEvent.objects.get(action="auth.account_create")
    assert (event.actor, event.object_id, event.detail) == (
        sysadmin,
        str(account.pk),
        {"roles": []},
    )
    password = temporary_password(response)
    assert password not in account.password  # kept only as a hash

    client.logout()
    client.post("/accounts/login/", {"username": "wang-fang", "password": password})
    assert client.get("/")["Location"].startswith("/accounts/password/")


def test_the_security_admin_then_grants_the_roles(client_for, sysadmin, secadmin, client):
    client = client_for(sysadmin)
    client.post(URL, form_data(client))
    client.force_login(secadmin)
    detail = client.get("/accounts/users/wang-fang/").content.decode()
    assert 'data-testid="roles-form"' in detail
    client.post("/accounts/users/wang-fang/roles/", {"roles": ["staff"], "based_on": ""})
    assert User.objects.get(username="wang-fang").roles == {"staff"}


def test_a_double_submit_creates_one_account(client_for, sysadmin):
    client = client_for(sysadmin)
    data = form_data(client)
    assert client.post(URL, data).status_code == 200
    again = client.post(URL, data, follow=True)
    assert again.redirect_chain[-1][0] == "/accounts/users/wang-fang/"
    assert "第一次点击时创建" in again.content.decode()
    assert User.objects.filter(username="wang-fang").count() == 1
    assert AuditEvent.objects.filter(action="auth.account_create").count() == 1


@pytest.mark.parametrize(
    ("username", "message"),
    [
        ("Sys", "该用户名已被使用"),
        ("new", "系统页面名称"),
        ("wang fang", "用户名"),
        ("", "这个字段是必填项"),
    ],
)
def test_a_bad_or_taken_username_is_explained_and_nothing_is_created(
    client_for, sysadmin, username, message
):
    client = client_for(sysadmin)
    before = User.objects.count()
    response = client.post(URL, form_data(client, username=username))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert User.objects.count() == before
    assert not AuditEvent.objects.filter(action="auth.account_create").exists()


def test_only_units_of_the_center_are_offered_or_accepted(client_for, sysadmin, unit, other_center):
    foreign = UnitFactory(center=other_center, name="外中心窗口")
    client = client_for(sysadmin)
    page = client.get(URL).content.decode()
    assert "市场监管窗口" in page
    assert "外中心窗口" not in page
    response = client.post(URL, form_data(client, unit=foreign.pk))
    assert "选择一个有效的选项" in response.content.decode()
    assert not User.objects.filter(username="wang-fang").exists()


@pytest.mark.parametrize("role", ["secadmin", "admin", "auditor", "staff"])
def test_other_roles_may_not_create_accounts(client_for, center, role):
    user = UserFactory(center=center, roles=[role])
    client = client_for(user)
    assert client.get(URL).status_code == 403
    assert client.post(URL, {"username": "x", "full_name": "X"}).status_code == 403
    assert not User.objects.filter(username="x").exists()


def test_anonymous_is_sent_to_sign_in(client, center):
    assert client.get(URL)["Location"].startswith("/accounts/login/")


def test_the_system_admin_finds_the_page_from_home_and_the_list(client_for, sysadmin, secadmin):
    client = client_for(sysadmin)
    assert URL in client.get("/").content.decode()
    assert URL in client.get("/accounts/users/").content.decode()
    assert "/accounts/users/passwords/" in client.get("/").content.decode()
    client.force_login(secadmin)
    assert URL not in client.get("/accounts/users/").content.decode()
    assert URL not in client.get("/").content.decode()


def test_the_system_admin_is_told_who_grants_the_roles(client_for, sysadmin, secadmin):
    client = client_for(sysadmin)
    client.post(URL, form_data(client))
    assert "角色由安全管理员授予" in client.get("/accounts/users/wang-fang/").content.decode()
    client.force_login(secadmin)
    assert "角色由安全管理员授予" not in client.get("/accounts/users/wang-fang/").content.decode()
