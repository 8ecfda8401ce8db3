"""调剂 to a named unit (issue 21, point 9): the office names the receiving unit of the same
center; that unit's people confirm receipt or refuse with a reason (the tag goes back to be
decided); the history, the list, the printed tag and the API show the receiving unit."""

import pytest

from onsite.accounts.models import ApiToken
from onsite.audit.models import AuditEvent
from onsite.core.tests.factories import UnitFactory, UserFactory
from onsite.notifications.models import Notification
from onsite.redtags import actions
from onsite.redtags.models import RedTag

pytestmark = pytest.mark.django_db
API = "/api/v1/redtags"


def auth(user):
    return {"HTTP_AUTHORIZATION": f"Bearer {ApiToken.issue(user=user, name='t')[1]}"}


@pytest.fixture
def setting(center, zone, staff_user, office_user):
    tag = actions.do_tag(
        center=center, zone=zone, by=staff_user,
        data={"item_name": "闲置打印机", "quantity": 1, "reason": "not_used", "proposal": "transfer"},
    )  # fmt: skip
    receiving = UnitFactory(center=center, code="w-recv", name="接收窗口")
    receiver = UserFactory(center=center, username="recv1", roles=["staff"], unit=receiving)
    return {"tag": tag, "unit": receiving, "receiver": receiver, "office": office_user}


def _decide(client, tag, unit_pk):
    return client.post(
        f"/redtags/{tag.pk}/decide/",
        {"decision": "transfer", "transfer_to": unit_pk or "", "note": "", "version": tag.version},
    )


def test_a_transfer_names_the_unit_which_confirms_receipt(
    client_for, setting, django_capture_on_commit_callbacks
):
    tag, unit = setting["tag"], setting["unit"]
    office = client_for(setting["office"])
    with django_capture_on_commit_callbacks(execute=True):
        _decide(office, tag, unit.pk)
    tag.refresh_from_db()
    assert (tag.status, tag.decision, tag.transfer_to) == ("decided", "transfer", unit)
    assert Notification.objects.filter(user=setting["receiver"]).exists()
    assert "接收窗口" in office.get("/redtags/?show=decided").content.decode()
    assert office.get(f"/redtags/print.pdf?id={tag.pk}").status_code == 200

    receiver = client_for(setting["receiver"])
    incoming = receiver.get("/redtags/?show=incoming").content.decode()
    assert "闲置打印机" in incoming
    page = receiver.get(f"/redtags/{tag.pk}/").content.decode()
    assert 'data-testid="receipt-forms"' in page
    receiver.post(f"/redtags/{tag.pk}/receive/")
    receiver.post(f"/redtags/{tag.pk}/receive/")  # a double tap changes nothing more
    tag.refresh_from_db()
    assert tag.transfer_received_by == setting["receiver"]
    notes = list(tag.transitions.values_list("note", flat=True))
    assert "接收窗口" in notes[-1]
    assert len(notes) == 3
    assert AuditEvent.objects.filter(action="redtags.transfer_received").count() == 1
    assert "闲置打印机" not in receiver.get("/redtags/?show=incoming").content.decode()


def test_the_receiving_unit_refuses_with_a_reason_and_the_tag_is_decided_again(client_for, setting):
    tag, unit = setting["tag"], setting["unit"]
    _decide(client_for(setting["office"]), tag, unit.pk)
    receiver = client_for(setting["receiver"])
    receiver.post(f"/redtags/{tag.pk}/refuse-transfer/", {"reason": ""})
    tag.refresh_from_db()
    assert tag.status == "decided"  # a refusal needs a reason
    receiver.post(f"/redtags/{tag.pk}/refuse-transfer/", {"reason": "没有放置空间"})
    tag.refresh_from_db()
    assert (tag.status, tag.decision, tag.transfer_to) == ("held", "", None)
    assert "没有放置空间" in tag.transitions.last().note
    assert AuditEvent.objects.filter(action="redtags.transfer_refused").exists()


def test_others_cannot_confirm_or_refuse(client_for, setting, staff_user, office_user):
    tag = setting["tag"]
    _decide(client_for(setting["office"]), tag, setting["unit"].pk)
    for user in (staff_user, office_user):
        client_for(user).post(f"/redtags/{tag.pk}/receive/")
        client_for(user).post(f"/redtags/{tag.pk}/refuse-transfer/", {"reason": "不要"})
    tag.refresh_from_db()
    assert (tag.status, tag.transfer_received_at) == ("decided", None)
    page = client_for(staff_user).get(f"/redtags/{tag.pk}/").content.decode()
    assert 'data-testid="receipt-forms"' not in page


def test_a_transfer_needs_a_unit_and_not_the_tags_own(client_for, setting, staff_user):
    tag = setting["tag"]
    office = client_for(setting["office"])
    _decide(office, tag, None)
    _decide(office, tag, staff_user.unit_id)
    tag.refresh_from_db()
    assert tag.status == "held"


def test_the_api_decides_a_transfer_and_the_unit_confirms(client, setting, other_center):
    tag, unit = setting["tag"], setting["unit"]
    office = auth(setting["office"])
    UnitFactory(center=other_center, code="their-unit")
    url = f"{API}/tags/{tag.pk}/decision"
    body = {"decision": "transfer", "transfer_to": "their-unit"}
    assert client.post(url, body, content_type="application/json", **office).status_code == 404
    body = {"decision": "transfer"}
    assert client.post(url, body, content_type="application/json", **office).status_code == 422
    body = {"decision": "transfer", "transfer_to": unit.code}
    decided = client.post(url, body, content_type="application/json", **office)
    assert decided.json()["transfer_to"] == unit.code
    receipt = f"{API}/tags/{tag.pk}/receipt"
    assert client.post(receipt, **office).status_code == 403
    received = client.post(receipt, **auth(setting["receiver"]))
    assert received.status_code == 200
    assert received.json()["transfer_received_at"] is not None
    assert client.post(receipt, **auth(setting["receiver"])).status_code == 409


def test_the_api_refusal_returns_the_tag(client, setting):
    tag = setting["tag"]
    actions.do_decide(
        tag=tag, by=setting["office"], decision="transfer", transfer_to=setting["unit"]
    )
    url = f"{API}/tags/{tag.pk}/transfer-refusal"
    receiver = auth(setting["receiver"])
    assert (
        client.post(url, {"reason": " "}, content_type="application/json", **receiver).status_code
        == 422
    )
    refused = client.post(url, {"reason": "不需要"}, content_type="application/json", **receiver)
    assert refused.status_code == 200
    assert refused.json()["status"] == "held"
    assert RedTag.objects.get(pk=tag.pk).transfer_to is None
