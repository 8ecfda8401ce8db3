"""Every write of supplies through both doors, its page and its API operation: the same
outcome and audit row for an allowed person, the same audited 403 for a refused one, and the
same refusal code where the object's state refuses the act."""

from dataclasses import dataclass, field
from typing import Any

import pytest

from onsite.core.tests.parity import audit_rows, post_api, post_page
from onsite.supplies import actions
from onsite.supplies.models import Requisition, Supply, SupplyReturn

API = "/api/v1/supplies"


@dataclass
class Door:
    """One act as the page and the API call it: paths, bodies and the state it leaves."""

    page: str
    page_data: dict[str, Any]
    api: str
    api_json: dict[str, Any]
    state: Any = None
    extra: dict[str, Any] = field(default_factory=dict)


@pytest.fixture
def world(center, staff_user, office_user, leader, viewer, toner, window):
    return {"center": center, "staff": staff_user, "office": office_user, "leader": leader,
            "viewer": viewer, "toner": toner, "window": window}  # fmt: skip


def _submitted(w, quantity=4):
    return actions.do_request(
        center=w["center"], unit=w["window"], by=w["staff"], lines=[(w["toner"], quantity)]
    )


def _approved(w, quantity=4):
    requisition = _submitted(w, quantity)
    return actions.do_approve(requisition=requisition, by=w["office"], expected_version=1)


def _partly_issued(w):
    requisition = _approved(w)
    return actions.do_issue(
        requisition=requisition, by=w["office"], quantities={requisition.lines.get().pk: 1}
    )


def _status(requisition):
    return lambda: Requisition.objects.get(pk=requisition.pk).status


def _end(requisition, action, note=""):
    path = f"/requisitions/{requisition.pk}/end"
    body = {"version": requisition.version, "action": action, "note": note}
    return Door(f"/supplies{path}/", body, path, body, state=_status(requisition))


def create_supply(w, n):
    body = {"code": f"pen-{n}", "name": "签字笔", "category": "stationery", "measure": "支",
            "unit_price": "2", "min_level": "10", "max_level": "100", "is_active": "on"}  # fmt: skip
    api = {**body, "unit_price": 2, "min_level": 10, "max_level": 100}
    del api["is_active"]
    return Door("/supplies/new/", body, "/supplies", api,
                state=lambda: Supply.objects.filter(code=f"pen-{n}").count())  # fmt: skip


def _grown(rows, value=len):
    """The state an act leaves: what it added to `rows` (a queryset)."""
    before = value(list(rows))
    return lambda: value(list(rows.all())) - before


def receive(w, n):
    stock = Supply.objects.filter(pk=w["toner"].pk)
    return Door("/supplies/stock/toner/receive/", {"quantity": "2"}, "/stock/toner/receipts",
                {"quantity": 2}, state=_grown(stock, lambda rows: rows[0].on_hand))  # fmt: skip


def request_supplies(w, n):
    page = {"unit": w["window"].pk, "purpose": "打印", "form-TOTAL_FORMS": "1",
            "form-INITIAL_FORMS": "0", "form-MIN_NUM_FORMS": "0", "form-MAX_NUM_FORMS": "20",
            "form-0-supply": w["toner"].pk, "form-0-quantity": "2"}  # fmt: skip
    api = {
        "unit": w["window"].code,
        "purpose": "打印",
        "lines": [{"supply": "toner", "quantity": 2}],
    }
    return Door("/supplies/requisitions/new/", page, "/requisitions", api,
                state=_grown(Requisition.objects.filter(status="submitted")))  # fmt: skip


def approve(w, n):
    requisition = _submitted(w)
    line = requisition.lines.get()
    return Door(f"/supplies/requisitions/{requisition.pk}/approve/",
                {"version": 1, f"line_{line.pk}": "4"}, f"/requisitions/{requisition.pk}/approve",
                {"version": 1}, state=_status(requisition))  # fmt: skip


def reject(w, n):
    return _end(_submitted(w), "rejected", "库存不足")


def cancel(w, n):
    return _end(_submitted(w), "cancelled")


def close(w, n):
    return _end(_partly_issued(w), "closed")


def issue(w, n):
    requisition = _approved(w)
    line = requisition.lines.get()
    return Door(f"/supplies/requisitions/{requisition.pk}/issue/", {f"line_{line.pk}": "4"},
                f"/requisitions/{requisition.pk}/issue", {"quantities": {str(line.pk): 4}},
                state=_status(requisition))  # fmt: skip


def give_back(w, n):
    page = {"supply": w["toner"].pk, "unit": w["window"].pk, "quantity": "1", "source": "unused"}
    api = {"supply": "toner", "unit": w["window"].code, "quantity": 1}
    return Door("/supplies/returns/new/", page, "/returns", api,
                state=_grown(SupplyReturn.objects.all()))  # fmt: skip


# name: (make, allowed, refused, audit action)
ACTIONS = {
    "create supply": (create_supply, "office", "staff", "supplies.supply_create"),
    "receive": (receive, "office", "staff", "supplies.receive"),
    "request": (request_supplies, "staff", "viewer", "supplies.requisition_submit"),
    "approve": (approve, "leader", "staff", "supplies.requisition_approve"),
    "reject": (reject, "leader", "staff", "supplies.requisition_rejected"),
    "cancel": (cancel, "staff", "leader", "supplies.requisition_cancelled"),
    "close": (close, "office", "leader", "supplies.requisition_closed"),
    "issue": (issue, "office", "leader", "supplies.issue"),
    "return": (give_back, "office", "staff", "supplies.return"),
}
ONE_DOOR = {
    "edit supply": "a page only: the API offers the catalogue and adds supplies, it edits none",
    "count": "a page only: a stock count is a form of every shelf, filled in at the store",
}
"""Writes with a single door, named so none is skipped silently."""
WRITES = {
    "do_create_supply": ["create supply"],
    "do_update_supply": ["edit supply"],
    "do_receive": ["receive"],
    "do_request": ["request"],
    "do_approve": ["approve"],
    "do_end": ["reject", "cancel", "close"],
    "do_issue": ["issue"],
    "do_return": ["return"],
    "do_count": ["count"],
}


def _receive_too_much(w, n):
    return Door(
        "/supplies/stock/toner/receive/", {"quantity": "100"}, "/stock/toner/receipts",
        {"quantity": 100},
    )  # fmt: skip


# name: (make a door whose object the act no longer fits, allowed person, code)
CONFLICTS = {
    "receive above the maximum": (_receive_too_much, "office", "above_max"),
    "approve twice": (lambda w, n: _approve_again(w), "leader", "wrong_state"),
    "reject a rejected one": (
        lambda w, n: _end(_rejected(w), "rejected", "再"),
        "leader",
        "wrong_state",
    ),
    "close a submitted one": (lambda w, n: _end(_submitted(w), "closed"), "office", "wrong_state"),
    "issue before approval": (lambda w, n: _issue_submitted(w), "office", "wrong_state"),
}


def _approve_again(w):
    door = approve(w, 0)
    requisition = Requisition.objects.order_by("-pk").first()
    actions.do_approve(requisition=requisition, by=w["office"], expected_version=1)
    return door


def _rejected(w):
    requisition = _submitted(w)
    return actions.do_end(
        requisition=requisition, to="rejected", by=w["office"], expected_version=1, note="不要"
    )


def _issue_submitted(w):
    requisition = _submitted(w)
    line = requisition.lines.get()
    return Door(f"/supplies/requisitions/{requisition.pk}/issue/", {f"line_{line.pk}": "1"},
                f"/requisitions/{requisition.pk}/issue", {"quantities": {str(line.pk): 1}})  # fmt: skip


def _page(user, door):
    return post_page(user, door.page, door.page_data)


def _api(user, door):
    return post_api(user, API + door.api, door.api_json)


_rows = audit_rows


def test_every_write_is_driven_or_named_with_its_reason():
    own = {
        n
        for n in dir(actions)
        if getattr(getattr(actions, n), "__module__", "") == actions.__name__
    }
    assert set(WRITES) == {name for name in own if name.startswith("do_")}
    driven = sorted(name for names in WRITES.values() for name in names)
    assert driven == sorted([*ACTIONS, *ONE_DOOR])


@pytest.mark.parametrize("name", ACTIONS)
def test_an_allowed_person_gets_the_same_outcome_through_both_doors(world, name):
    make, allowed, _refused, action = ACTIONS[name]
    user = world[allowed]
    outcomes = []
    for n, door in enumerate([_page, _api]):
        act = make(world, n)
        before = _rows(action, user)
        response = door(user, act)
        assert response.status_code in {200, 302}, (door.__name__, response.content[:300])
        assert "Onsite-Refusal" not in response, response["Onsite-Refusal"]
        assert _rows(action, user) == before + 1, door.__name__
        outcomes.append(act.state())
    assert outcomes[0] == outcomes[1]


@pytest.mark.parametrize("name", ACTIONS)
def test_a_refused_person_gets_the_same_audited_403_through_both_doors(world, name):
    make, _allowed, refused, action = ACTIONS[name]
    user = world[refused]
    for n, door in enumerate([_page, _api]):
        act = make(world, n)
        state = act.state()
        denied = _rows("access.denied", user)
        response = door(user, act)
        assert response.status_code == 403, door.__name__
        code = response["Onsite-Refusal"] if door is _page else response.json()["code"]
        assert code == "not_allowed"
        assert _rows("access.denied", user) == denied + 1, door.__name__
        assert _rows(action, user) == 0
        assert act.state() == state


@pytest.mark.parametrize("name", CONFLICTS)
def test_a_state_refusal_has_the_same_code_through_both_doors(world, name):
    make, allowed, code = CONFLICTS[name]
    page = _page(world[allowed], make(world, 0))
    assert page["Onsite-Refusal"] == code
    api = _api(world[allowed], make(world, 0))
    assert (api.status_code, api.json()["code"]) == (409, code)


def test_a_taken_code_is_refused_with_the_same_words_through_both_doors(world):
    door = create_supply(world, 1)
    assert _page(world["office"], door).status_code == 302
    page = _page(world["office"], door).content.decode()
    api = _api(world["office"], door)
    assert (api.status_code, api.json()["code"]) == (409, "duplicate")
    assert api.json()["detail"] in page, "the page's form says it in the same words"
