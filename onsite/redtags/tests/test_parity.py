"""Every write of the red-tag register through both doors, its page and its API operation:
the same outcome and audit row for an allowed person, the same audited 403 for a refused
one, and the same refusal code where the tag's state refuses the act."""

from dataclasses import dataclass
from typing import Any

import pytest

from onsite.core.tests.factories import UnitFactory, UserFactory
from onsite.core.tests.parity import audit_rows, post_api, post_page
from onsite.redtags import actions
from onsite.redtags.models import RedTag

API = "/api/v1/redtags"


@dataclass
class Door:
    """One act as the page and the API call it: paths, bodies and the state it leaves."""

    page: str
    page_data: dict[str, Any]
    api: str
    api_json: dict[str, Any]
    state: Any = None


@pytest.fixture
def world(center, zone, staff_user, office_user, viewer):
    colleague = UserFactory(center=center, username="colleague", roles=["staff"])
    receiving = UnitFactory(center=center, code="w-recv")
    receiver = UserFactory(center=center, username="receiver", roles=["staff"], unit=receiving)
    return {"center": center, "zone": zone, "staff": staff_user, "office": office_user,
            "viewer": viewer, "colleague": colleague, "receiving": receiving,
            "receiver": receiver}  # fmt: skip


def _held(w):
    return actions.do_tag(
        center=w["center"], zone=w["zone"], by=w["staff"],
        data={"item_name": "旧文件夹", "quantity": 1, "reason": "not_used", "proposal": "discard"},
    )  # fmt: skip


def _status(tag):
    return lambda: RedTag.objects.get(pk=tag.pk).status


def tag(w, n):
    page = {"zone": w["zone"].code, "item_name": "旧椅子", "quantity": "1", "reason": "broken",
            "proposal": "discard", "phase": "sort"}  # fmt: skip
    api = {"zone": w["zone"].code, "item_name": "旧椅子", "quantity": 1, "reason": "broken",
           "proposal": "discard"}  # fmt: skip
    before = RedTag.objects.count()
    return Door("/redtags/new/", page, "/tags", api, state=lambda: RedTag.objects.count() - before)


def decide(w, n, tag=None):
    tag = tag or _held(w)
    body = {"decision": "discard", "version": tag.version}
    return Door(f"/redtags/{tag.pk}/decide/", body, f"/tags/{tag.pk}/decision", body,
                state=_status(tag))  # fmt: skip


def decide_many(w, n):
    tag = _held(w)
    return Door("/redtags/decide/", {"tags": [tag.pk], "decision": "discard"}, "/decisions",
                {"tags": [tag.pk], "decision": "discard"}, state=_status(tag))  # fmt: skip


def withdraw(w, n, tag=None):
    tag = tag or _held(w)
    return Door(f"/redtags/{tag.pk}/withdraw/", {"note": "贴错"}, f"/tags/{tag.pk}/withdraw",
                {"note": "贴错"}, state=_status(tag))  # fmt: skip


def _transferred(w):
    held = _held(w)
    actions.do_decide(tag=held, by=w["office"], decision="transfer", transfer_to=w["receiving"])
    return RedTag.objects.get(pk=held.pk)


def receive(w, n, tag=None):
    tag = tag or _transferred(w)
    return Door(f"/redtags/{tag.pk}/receive/", {}, f"/tags/{tag.pk}/receipt", {},
                state=lambda: RedTag.objects.get(pk=tag.pk).transfer_received_at is not None)  # fmt: skip


def refuse_transfer(w, n, tag=None):
    tag = tag or _transferred(w)
    body = {"reason": "没有空间"}
    return Door(f"/redtags/{tag.pk}/refuse-transfer/", body, f"/tags/{tag.pk}/transfer-refusal",
                body, state=_status(tag))  # fmt: skip


def _received(w, n):
    tag = _transferred(w)
    actions.do_receive(tag=tag, by=w["receiver"])
    return receive(w, n, tag=RedTag.objects.get(pk=tag.pk))


def _decided(w, n):
    held = _held(w)
    actions.do_decide(tag=held, by=w["office"], decision="keep_filed")
    return decide(w, n, tag=RedTag.objects.get(pk=held.pk))


def _withdrawn(w, n):
    held = _held(w)
    actions.do_withdraw(tag=held, by=w["staff"])
    return withdraw(w, n, tag=held)


# name: (make, allowed, refused, audit action)
ACTIONS = {
    "tag": (tag, "staff", "viewer", "redtags.tag"),
    "decide": (decide, "office", "staff", "redtags.decide"),
    "decide many": (decide_many, "office", "staff", "redtags.decide"),
    "withdraw": (withdraw, "staff", "colleague", "redtags.withdraw"),
    "receive": (receive, "receiver", "colleague", "redtags.transfer_received"),
    "refuse transfer": (refuse_transfer, "receiver", "colleague", "redtags.transfer_refused"),
}
ONE_DOOR = {
    "set holding time": "a page only: the API reads the holding time (GET /settings), it sets none",
    "tag photo": "the API only: a phone's outbox sends a tag's photo after the tag; the page "
    "takes the photo with the tag (test_api tests both answers)",
}
"""Writes with a single door, named so none is skipped silently."""
WRITES = {
    "do_tag": ["tag"],
    "do_decide": ["decide"],
    "do_decide_many": ["decide many"],
    "do_withdraw": ["withdraw"],
    "do_receive": ["receive"],
    "do_refuse_transfer": ["refuse transfer"],
    "do_set_policy": ["set holding time"],
    "do_tag_photo": ["tag photo"],
}
# name: (make a door whose tag the act no longer fits, allowed person, code)
CONFLICTS = {
    "decide a decided tag": (_decided, "office", "wrong_state"),
    "withdraw a withdrawn tag": (_withdrawn, "staff", "wrong_state"),
    "receive a received transfer": (_received, "receiver", "wrong_state"),
}


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
    api = _api(world[allowed], make(world, 1))
    assert (api.status_code, api.json()["code"]) == (409, code)
