"""The supplies API: every endpoint allowed and denied, scoped to the caller's center."""

import pytest

from onsite.accounts.models import ApiToken
from onsite.audit.models import AuditEvent
from onsite.supplies import actions
from onsite.supplies.models import Requisition, Supply
from onsite.supplies.tests.factories import SupplyFactory

API = "/api/v1/supplies"


@pytest.fixture
def call(client):
    """call(user, method, path, json=None, **headers) -> response, with the user's token."""

    def request(user, method, path, json=None, **headers):
        raw = ApiToken.issue(user=user, name="test")[1] if user else None
        if raw:
            headers["HTTP_AUTHORIZATION"] = f"Bearer {raw}"
        if method == "get":
            return client.get(API + path, **headers)
        return client.post(API + path, json or {}, content_type="application/json", **headers)

    return request


def test_anonymous_callers_get_401(call, db):
    for path in ["/supplies", "/stock", "/requisitions", "/returns", "/consumption"]:
        assert call(None, "get", path).status_code == 401
    assert call(None, "post", "/requisitions", {"lines": []}).status_code == 401


def test_everyone_reads_the_stock_of_their_center(call, staff_user, toner, other_center):
    SupplyFactory(center=other_center, code="their-toner")
    codes = [row["code"] for row in call(staff_user, "get", "/stock").json()]
    assert codes == ["toner"]
    assert call(staff_user, "get", "/stock/toner").json()["on_hand"] == 10
    assert call(staff_user, "get", "/stock/their-toner").status_code == 404
    assert call(staff_user, "get", "/supplies").status_code == 200
    assert call(staff_user, "get", "/stock/toner/movements").status_code == 200
    assert call(staff_user, "get", "/stock/their-toner/movements").status_code == 404


def test_low_stock_lists_what_to_reorder(call, office_user, toner, paper):
    Supply.objects.filter(pk=toner.pk).update(on_hand=1)
    assert [row["code"] for row in call(office_user, "get", "/stock?low=true").json()] == ["toner"]


def test_only_the_store_adds_supplies_and_receives(call, staff_user, office_user, viewer, toner):
    new = {"code": "pen", "name": "签字笔", "measure": "支", "min_level": 10, "max_level": 100}
    assert call(staff_user, "post", "/supplies", new).status_code == 403
    assert call(viewer, "post", "/supplies", new).status_code == 403
    assert AuditEvent.objects.filter(action="access.denied", actor=staff_user).exists()
    created = call(office_user, "post", "/supplies", new)
    assert created.status_code == 200
    assert created.json()["on_hand"] == 0
    assert call(office_user, "post", "/supplies", new).status_code == 409, "the code is taken"

    assert call(staff_user, "post", "/stock/toner/receipts", {"quantity": 5}).status_code == 403
    received = call(
        office_user, "post", "/stock/toner/receipts", {"quantity": 5}, HTTP_IDEMPOTENCY_KEY="d1"
    )
    again = call(
        office_user, "post", "/stock/toner/receipts", {"quantity": 5}, HTTP_IDEMPOTENCY_KEY="d1"
    )
    assert received.json()["on_hand"] == again.json()["on_hand"] == 15
    too_many = call(office_user, "post", "/stock/toner/receipts", {"quantity": 100})
    assert too_many.status_code == 409
    assert "at most" in too_many.json()["detail"] or "最多" in too_many.json()["detail"]


@pytest.mark.parametrize("bad", [0, -5, 2.5])
def test_a_requisition_of_a_quantity_that_is_not_positive_gets_a_clear_error(
    call, staff_user, toner, bad
):
    response = call(
        staff_user, "post", "/requisitions", {"lines": [{"supply": "toner", "quantity": bad}]}
    )
    assert response.status_code == 422
    (error,) = response.json()["detail"]
    assert error["loc"][-1] == "quantity"
    assert "greater than or equal to 1" in error["msg"] or "valid integer" in error["msg"]
    assert not Requisition.objects.exists()


def test_a_requisition_of_a_quantity_that_is_not_a_number_is_refused(call, staff_user, toner):
    response = call(
        staff_user, "post", "/requisitions", {"lines": [{"supply": "toner", "quantity": "many"}]}
    )
    assert response.status_code == 422
    assert not Requisition.objects.exists()


def test_the_requisition_flow_through_the_api(
    call, staff_user, office_user, leader, window, toner, other_window
):
    created = call(
        staff_user,
        "post",
        "/requisitions",
        {"lines": [{"supply": "toner", "quantity": 4}], "purpose": "打印"},
        HTTP_IDEMPOTENCY_KEY="req-1",
    )
    assert created.status_code == 200
    body = created.json()
    assert (body["unit"], body["status"]) == (window.code, "submitted")
    repeat = call(
        staff_user, "post", "/requisitions", {"lines": [{"supply": "toner", "quantity": 4}]},
        HTTP_IDEMPOTENCY_KEY="req-1",
    )  # fmt: skip
    assert repeat.json()["id"] == body["id"]
    pk, line = body["id"], body["lines"][0]["id"]
    for_other_unit = call(
        staff_user, "post", "/requisitions",
        {"unit": other_window.code, "lines": [{"supply": "toner", "quantity": 1}]},
    )  # fmt: skip
    assert for_other_unit.status_code == 403

    assert (
        call(staff_user, "post", f"/requisitions/{pk}/approve", {"version": 1}).status_code == 403
    )
    approved = call(leader, "post", f"/requisitions/{pk}/approve", {"version": 1})
    assert approved.json()["status"] == "approved"
    stale = call(leader, "post", f"/requisitions/{pk}/approve", {"version": 1})
    assert stale.status_code == 409
    assert "已批准" in stale.json()["detail"]

    assert (
        call(leader, "post", f"/requisitions/{pk}/issue", {"quantities": {line: 1}}).status_code
        == 403
    )
    issued = call(office_user, "post", f"/requisitions/{pk}/issue", {"quantities": {str(line): 3}})
    assert issued.status_code == 200
    assert issued.json()["status"] == "partly_issued"
    assert issued.json()["lines"][0]["issued"] == 3
    assert call(staff_user, "get", "/stock/toner").json()["on_hand"] == 7

    assert call(staff_user, "get", f"/requisitions/{pk}").status_code == 200
    other = call(other_window.staff.get(), "get", f"/requisitions/{pk}")
    assert other.status_code == 404, "another unit's staff cannot read it"
    closed = call(
        office_user, "post", f"/requisitions/{pk}/end",
        {"version": issued.json()["version"], "action": "closed"},
    )  # fmt: skip
    assert closed.json()["status"] == "closed"


def test_ending_requisitions_by_role(call, center, staff_user, window, toner, leader, member):
    requisition = actions.do_request(center=center, unit=window, by=staff_user, lines=[(toner, 1)])
    path = f"/requisitions/{requisition.pk}/end"
    assert (
        call(
            staff_user, "post", path, {"version": 1, "action": "rejected", "note": "x"}
        ).status_code
        == 403
    )
    assert call(member, "post", path, {"version": 1, "action": "cancelled"}).status_code in {
        403,
        404,
    }
    assert call(leader, "post", path, {"version": 1, "action": "rejected"}).status_code == 422, (
        "a rejection without a reason is invalid input (422), no longer a 409"
    )
    assert (
        call(leader, "post", path, {"version": 1, "action": "rejected", "note": "不需要"}).json()[
            "status"
        ]
        == "rejected"
    )


def test_requisitions_of_another_center_are_404(call, staff_user, other_center, other_admin):
    theirs = SupplyFactory(center=other_center, code="x")
    from onsite.core.tests.factories import UnitFactory

    unit = UnitFactory(center=other_center)
    requisition = actions.do_request(
        center=other_center, unit=unit, by=other_admin, lines=[(theirs, 1)]
    )
    assert call(staff_user, "get", f"/requisitions/{requisition.pk}").status_code == 404
    assert [r["id"] for r in call(staff_user, "get", "/requisitions").json()] == []


def test_returns_through_the_api(call, office_user, staff_user, window, paper):
    payload = {"supply": "a4-paper", "quantity": 3, "unit": window.code, "note": "多领"}
    assert call(staff_user, "post", "/returns", payload).status_code == 403
    created = call(office_user, "post", "/returns", payload)
    assert created.status_code == 200
    assert created.json()["source"] == "unused"
    assert call(office_user, "post", "/returns", {**payload, "quantity": 0}).status_code == 422
    assert call(office_user, "post", "/returns", {**payload, "unit": "nowhere"}).status_code == 404
    assert [r["quantity"] for r in call(staff_user, "get", "/returns").json()] == [3]


def test_consumption_for_managers_only(call, leader, staff_user, approved, office_user):
    requisition = approved(quantity=2)
    actions.do_issue(
        requisition=requisition, by=office_user, quantities={requisition.lines.get().pk: 2}
    )
    rows = call(leader, "get", "/consumption?months=1").json()
    assert {row["unit"]: row["value"] for row in rows}[requisition.unit.code] == "760.00"
    trend = call(leader, "get", "/consumption/trend?months=2").json()
    assert len(trend) == 2
    assert trend[-1]["value"] == "760.00"
    assert call(staff_user, "get", "/consumption").status_code == 403
    assert call(staff_user, "get", "/consumption/trend").status_code == 403
