"""The audit trail's writes and their doors. The auditor has pages only: the API serves
business data and refuses an auditor's credentials (三权分立, `accounts.api.may_use_api`),
so no write here has a second door. Each is named with that reason; a refused person gets
the one audited refusal of every app."""

import pytest
from django.test import Client

from onsite.audit import acts
from onsite.audit.models import AuditEvent

WRITES = {
    "do_export": "a page only: the auditor has no API (三权分立)",
    "do_verify_chain": "a page only: the auditor has no API (三权分立)",
}
COMMAND_ONLY = {"archive": "manage.py archive_audit, run by operations (docs/operations.md)"}


def test_every_write_is_named_with_its_door():
    own = {n for n in dir(acts) if getattr(getattr(acts, n), "__module__", "") == acts.__name__}
    assert set(WRITES) == {name for name in own if name.startswith("do_")}


@pytest.mark.parametrize(
    ("url", "data"),
    [("/audit/export/", {"format": "csv"}), ("/audit/verify/", {})],
)
def test_anyone_but_the_auditor_gets_the_one_audited_refusal(url, data, admin_user):
    client = Client()
    client.force_login(admin_user)
    response = client.post(url, data)
    assert response.status_code == 403
    assert response["Onsite-Refusal"] == "not_allowed"
    assert AuditEvent.objects.filter(action="access.denied", actor=admin_user).count() == 1
    assert not AuditEvent.objects.filter(action__startswith="audit.").exists()


def test_the_auditor_has_no_api(auditor):
    client = Client()
    client.force_login(auditor)
    assert client.get("/api/v1/accounts/me").status_code == 401
