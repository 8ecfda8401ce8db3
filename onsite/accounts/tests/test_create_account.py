import re

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from onsite.accounts.models import User
from onsite.audit.models import AuditEvent


def test_the_first_system_admin_gets_a_temporary_password(center, capsys, client):
    call_command("create_account", "li-sys", "--center=xx", "--role=sysadmin", "--full-name=李")
    out = capsys.readouterr().out
    temporary = re.search(r"first sign-in\): (\S+)", out).group(1)
    user = User.objects.get(username="li-sys")
    assert user.roles == {"sysadmin"}
    assert user.must_change_password
    assert AuditEvent.objects.filter(action="auth.account_create", object_id=str(user.pk)).exists()
    client.post("/accounts/login/", {"username": "li-sys", "password": temporary})
    assert client.get("/")["Location"].startswith("/accounts/password/")


def test_duties_are_kept_apart_from_the_command_line_too(center):
    with pytest.raises(CommandError, match="相互分离的职责"):
        call_command("create_account", "x", "--center=xx", "--role=sysadmin", "--role=auditor")
    assert not User.objects.filter(username="x").exists()


def test_an_unknown_center_or_a_taken_name_is_refused(center, admin_user):
    with pytest.raises(CommandError, match="No service center"):
        call_command("create_account", "y", "--center=nope", "--role=admin")
    with pytest.raises(CommandError, match="该用户名已被使用"):
        call_command("create_account", "admin1", "--center=xx", "--role=admin")
    with pytest.raises(CommandError, match="该用户名已被使用"):
        call_command("create_account", "ADMIN1", "--center=xx", "--role=admin")
    with pytest.raises(CommandError, match="页面"):
        call_command("create_account", "new", "--center=xx", "--role=admin")


def test_the_service_refuses_an_unknown_role_in_words(center):
    from django.core.exceptions import ValidationError

    from onsite.accounts.services import create_account

    with pytest.raises(ValidationError, match="bogus"):
        create_account(None, center=center, username="x", roles=["bogus"])
    assert not User.objects.filter(username="x").exists()
