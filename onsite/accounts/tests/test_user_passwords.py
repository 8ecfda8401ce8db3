"""Temporary passwords in bulk: staff from the organisation import get printed sign-in slips,
change the password at first sign-in, and every issue is audited; nothing keeps the passwords."""

import re
import shutil
import subprocess

import pytest
from django.utils import timezone

from onsite.accounts.models import User
from onsite.audit.models import AuditEvent
from onsite.core.models import SubmissionKey
from onsite.core.tests.factories import UnitFactory, UserFactory

URL = "/accounts/users/passwords/"


@pytest.fixture
def sysadmin(center):
    return UserFactory(center=center, username="sys", roles=["sysadmin"])


@pytest.fixture
def unit(center):
    return UnitFactory(center=center, code="scjg", name="市场监管窗口")


def imported(center, unit, username, full_name):
    """A person as the organisation import makes them: no usable password."""
    person = UserFactory(center=center, unit=unit, username=username, full_name=full_name)
    person.set_unusable_password()
    person.save()
    return person


@pytest.fixture
def newcomers(center, unit):
    return [
        imported(center, unit, "zhang-wei", "张伟"),
        imported(center, unit, "li-na", "李娜"),
    ]


def tool(name, *args, check=True):
    """Runs a poppler or zbar tool on a file this test wrote."""
    path = shutil.which(name)
    assert path, f"{name} is not installed"
    return subprocess.run([path, *map(str, args)], capture_output=True, text=True, check=check)  # noqa: S603


def pdf_text(content: bytes, tmp_path) -> str:
    (tmp_path / "text.pdf").write_bytes(content)
    return tool("pdftotext", "-layout", tmp_path / "text.pdf", "-").stdout


def qr_codes(content: bytes, tmp_path) -> set[str]:
    """Every QR code on the sheet, read as a phone camera would."""
    (tmp_path / "slips.pdf").write_bytes(content)
    tool("pdftoppm", "-r", "150", "-png", tmp_path / "slips.pdf", tmp_path / "page")
    found: set[str] = set()
    for png in sorted(tmp_path.glob("page*.png")):
        found |= set(tool("zbarimg", "--quiet", "--raw", png, check=False).stdout.split())
    return found


def issue(client, people, key="k1"):
    return client.post(
        URL,
        {"accounts": [person.pk for person in people], "confirmed": "1", "submission_key": key},
    )


def test_the_page_lists_who_waits_for_a_password_preselected(
    client_for, sysadmin, newcomers, center, unit, other_center
):
    veteran = UserFactory(center=center, unit=unit, username="old-hand", last_login=timezone.now())
    UserFactory(center=center, username="the-auditor", roles=["auditor"])
    UserFactory(center=other_center, username="elsewhere")
    body = client_for(sysadmin).get(URL).content.decode()
    for person in newcomers:
        assert f'value="{person.pk}" id="pick-{person.pk}" checked' in body
    assert "old-hand" not in body  # signed in before: listed under "every enabled account"
    assert "the-auditor" not in body  # a separate duty: reset by the security admin only
    assert "elsewhere" not in body
    assert ">sys<" not in body
    everyone = client_for(sysadmin).get(URL, {"show": "all"}).content.decode()
    assert f'value="{veteran.pk}" id="pick-{veteran.pk}">' in everyone  # listed, not picked


def test_the_list_filters_by_unit(client_for, sysadmin, newcomers, center):
    other_unit = UnitFactory(center=center, code="gs", name="公安窗口")
    imported(center, other_unit, "zhao-lei", "赵磊")
    body = client_for(sysadmin).get(URL, {"unit": "gs"}).content.decode()
    assert "zhao-lei" in body
    assert "zhang-wei" not in body


def test_issuing_asks_for_confirmation_first(client_for, sysadmin, newcomers):
    response = client_for(sysadmin).post(URL, {"accounts": [p.pk for p in newcomers]})
    body = response.content.decode()
    assert "这将使所选 2 人的现有密码失效" in body
    assert "张伟" in body
    assert "李娜" in body
    assert 'name="confirmed" value="1"' in body
    for person in newcomers:
        person.refresh_from_db()
        assert not person.has_usable_password()
    assert not AuditEvent.objects.filter(action="auth.password_reset").exists()


def test_the_pdf_gives_each_person_a_password_to_change_at_first_sign_in(
    client_for, sysadmin, newcomers, client, tmp_path
):
    response = issue(client_for(sysadmin), newcomers)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith('attachment; filename="sign-in-slips-')
    assert response["Cache-Control"] == "no-store"
    text = pdf_text(response.content, tmp_path)
    for person in newcomers:
        assert person.username in text
        assert person.full_name in text
    assert "市场监管窗口" in text
    assert "XX市行政服务中心" in text
    assert "http://testserver/accounts/login/" in text
    if shutil.which("zbarimg"):
        assert qr_codes(response.content, tmp_path) == {"http://testserver/accounts/login/"}

    events = AuditEvent.objects.filter(action="auth.password_reset").order_by("seq")
    assert sorted(event.object_id for event in events) == sorted(str(p.pk) for p in newcomers)
    assert len({event.detail["batch"] for event in events}) == 1
    assert {event.actor for event in events} == {sysadmin}

    for person in newcomers:
        person.refresh_from_db()
        assert person.must_change_password
        assert person.has_usable_password()
    # The password printed under a person's name signs them in, straight to the change page.
    client.logout()
    solo = issue(client_for(sysadmin), newcomers[:1], key="k2")
    password = re.search(
        r"(?:临时密码|Temporary password)\s+(\S{12})", pdf_text(solo.content, tmp_path)
    )
    client.logout()
    client.post("/accounts/login/", {"username": "zhang-wei", "password": password.group(1)})
    assert client.get("/")["Location"].startswith("/accounts/password/")


def test_another_centers_account_can_never_be_picked(client_for, sysadmin, newcomers, other_center):
    stranger = UserFactory(center=other_center, username="stranger")
    stranger_hash = stranger.password
    response = issue(client_for(sysadmin), [newcomers[0], stranger])
    assert response.status_code == 400
    assert "不能在此发放密码" in response.content.decode()
    stranger.refresh_from_db()
    newcomers[0].refresh_from_db()
    assert stranger.password == stranger_hash
    assert not stranger.must_change_password
    assert not newcomers[0].has_usable_password()  # nothing of the batch was issued
    assert not AuditEvent.objects.filter(action="auth.password_reset").exists()


def test_duty_accounts_and_oneself_are_left_to_the_security_admin(client_for, sysadmin, center):
    auditor = UserFactory(center=center, username="the-auditor", roles=["auditor"])
    for person in (auditor, sysadmin):
        response = issue(client_for(sysadmin), [person], key=f"k-{person.pk}")
        assert response.status_code == 400
    assert not AuditEvent.objects.filter(action="auth.password_reset").exists()


def test_a_second_click_issues_nothing_more(client_for, sysadmin, newcomers):
    client = client_for(sysadmin)
    assert issue(client, newcomers)["Content-Type"] == "application/pdf"
    hashes = {p.pk: User.objects.get(pk=p.pk).password for p in newcomers}
    again = issue(client, newcomers)
    assert again.status_code == 302
    assert again["Location"] == URL
    assert "第一次点击时发放" in client.get(URL).content.decode()
    assert {p.pk: User.objects.get(pk=p.pk).password for p in newcomers} == hashes
    assert AuditEvent.objects.filter(action="auth.password_reset").count() == 2
    assert SubmissionKey.objects.filter(scope="accounts.passwords").count() == 1


def test_nothing_picked_or_too_many_is_explained(client_for, sysadmin, center, unit, settings):
    client = client_for(sysadmin)
    assert "请至少选择一人" in client.post(URL, {"accounts": []}).content.decode()
    crowd = [imported(center, unit, f"p{n}", f"人员{n}") for n in range(41)]
    response = client.post(URL, {"accounts": [p.pk for p in crowd]})
    assert response.status_code == 400
    assert "每次最多 40 人" in response.content.decode()


@pytest.mark.parametrize("role", ["secadmin", "admin", "auditor", "staff"])
def test_other_roles_are_refused(client_for, center, newcomers, role):
    client = client_for(UserFactory(center=center, roles=[role]))
    assert client.get(URL).status_code == 403
    assert issue(client, newcomers).status_code == 403
    assert not AuditEvent.objects.filter(action="auth.password_reset").exists()


def test_the_list_keeps_a_fixed_number_of_queries(
    client_for, sysadmin, center, unit, django_assert_max_num_queries
):
    client = client_for(sysadmin)
    for n in range(3):
        imported(center, unit, f"a{n}", f"甲{n}")
    with django_assert_max_num_queries(15) as few:
        client.get(URL)
    for n in range(30):
        imported(center, unit, f"b{n}", f"乙{n}")
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(URL)


def test_the_accounts_list_shows_who_has_no_password_yet(client_for, sysadmin, newcomers):
    body = client_for(sysadmin).get("/accounts/users/").content.decode()
    assert body.count("尚无密码") == len(newcomers)
