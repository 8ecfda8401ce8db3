"""`manage.py create_center`: the first command on an empty installation."""

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from onsite.accounts.models import User
from onsite.audit.models import AuditEvent
from onsite.core.models import Center


@pytest.mark.django_db
def test_it_creates_a_center_audits_it_and_names_the_next_step(capsys):
    call_command("create_center", "xx", "--name", "XX市行政服务中心", "--region", "XX市")
    center = Center.objects.get(code="xx")
    assert (center.name, center.region) == ("XX市行政服务中心", "XX市")
    event = AuditEvent.objects.get(action="center.create")
    assert (event.center, event.object_id) == (center, str(center.pk))
    out = capsys.readouterr().out
    assert "create_account <username> --center xx --role admin" in out
    assert "--role sysadmin" in out


@pytest.mark.django_db
def test_the_first_admin_can_be_created_right_after(capsys):
    call_command("create_center", "xx", "--name", "XX市行政服务中心")
    call_command("create_account", "li-admin", "--center", "xx", "--role", "admin")
    assert User.objects.get(username="li-admin").roles == {"admin"}


@pytest.mark.parametrize("code", ["xx", "XX"])
def test_a_taken_code_is_refused_and_nothing_changes(center, code):
    with pytest.raises(CommandError, match="taken by XX市行政服务中心"):
        call_command("create_center", code, "--name", "另一个中心")
    assert Center.objects.count() == 1
    assert not AuditEvent.objects.filter(action="center.create").exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("code", "name", "message"),
    [
        ("x x", "某中心", "not a usable center code"),
        ("市中心", "某中心", "not a usable center code"),
        ("a" * 33, "某中心", "at most 32"),
        ("zz", "  ", "Give the center's name"),
    ],
)
def test_a_bad_code_or_name_is_refused(code, name, message):
    with pytest.raises(CommandError, match=message):
        call_command("create_center", code, "--name", name)
    assert not Center.objects.exists()
