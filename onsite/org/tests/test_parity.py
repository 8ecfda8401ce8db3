"""Every organisation write through both doors, the page and its API operation: the same
state and audit row for an allowed person, the same audited 403 for a refused one, and the
same refusal for a stale edit (issue 15: one front door per action)."""

from dataclasses import dataclass
from typing import Any

import pytest
from django.utils.html import escape

from onsite.accounts.models import User
from onsite.core.tests.parity import call_api, denials, post_page, through
from onsite.org.models import Group, Membership, Unit, Zone
from onsite.org.services import staff_fingerprint


@dataclass
class Act:
    name: str
    page: tuple[str, Any]  # url, form data (a function of the org fixture)
    api: tuple[str, str, Any]  # method, path, body
    audit: str
    state: Any  # org -> what the act leaves behind
    allowed: str = "admin_user"
    stale: bool = False  # the act takes a version: a stale one is refused alike


def _unit(org, **extra):
    return {"code": "w01", "name": "改名窗口", "kind": "window", "department": "",
            "floor": org.floor.pk, "position": 0, "version": 1, **extra}  # fmt: skip


def _person(org, **extra):
    person = User.objects.get(username="w01-3")
    return {"username": "w01-3", "full_name": "改名", "unit": org.w01.pk, "title": "",
            "phone": "", "roles": ["staff"], "is_active": "on",
            "version": staff_fingerprint(person), **extra}  # fmt: skip


def _group(org, **extra):
    return {"code": "wg1", "name": "改名组", "kind": "working", "parent": org.p1.pk,
            "position": 0, "units": [org.w01.pk, org.w02.pk], "version": 1, **extra}  # fmt: skip


def _zone(org, **extra):
    return {"code": "w01-c", "name": "改名前台", "area_type": org.counter.pk, "unit": org.w01.pk,
            "owner": org.staff["w01"][1].pk, "floor": org.floor.pk, "x": 20, "y": 80,
            "width": 56, "height": 18, "is_active": "on", "version": 1, **extra}  # fmt: skip


ACTS = [
    Act(
        "unit-create",
        ("/org/units/new/", lambda org: {"code": "w09", "name": "新窗口", "kind": "window", "position": 0}),
        ("post", "/units", lambda org: {"code": "w09", "name": "新窗口", "kind": "window"}),
        "org.unit.create",
        lambda org: Unit.objects.filter(code="w09").values_list("name", "kind").first(),
    ),
    Act(
        "unit-update",
        ("/org/units/w01/edit/", _unit),
        ("patch", "/units/w01", lambda org: {"version": 1, "name": "改名窗口"}),
        "org.unit.update",
        lambda org: Unit.objects.filter(code="w01").values_list("name", "floor", "version").first(),
        stale=True,
    ),
    Act(
        "staff-create",
        ("/org/staff/new/", lambda org: {"username": "n1", "full_name": "新人", "roles": ["staff"], "is_active": "on"}),
        ("post", "/staff", lambda org: {"username": "n1", "full_name": "新人", "roles": ["staff"]}),
        "org.staff.create",
        lambda org: (User.objects.filter(username="n1").values_list("full_name", "is_active").first(),
                     sorted(User.objects.filter(username="n1").values_list("role_grants__role", flat=True))),
    ),
    Act(
        "staff-update",
        ("/org/staff/w01-3/edit/", _person),
        ("patch", "/staff/w01-3", lambda org: {"version": _person(org)["version"], "full_name": "改名"}),
        "org.staff.update",
        lambda org: User.objects.filter(username="w01-3").values_list("full_name", "unit").first(),
        stale=True,
    ),
    Act(
        "group-create",
        ("/org/groups/new/", lambda org: {"code": "wg9", "name": "新工作组", "kind": "working", "parent": org.p1.pk, "position": 0}),
        ("post", "/groups", lambda org: {"code": "wg9", "name": "新工作组", "kind": "working", "parent": "p1"}),
        "org.group.create",
        lambda org: Group.objects.filter(code="wg9").values_list("name", "kind", "parent__code").first(),
        allowed="office_user",
    ),
    Act(
        "group-update",
        ("/org/groups/wg1/edit/", _group),
        ("patch", "/groups/wg1", lambda org: {"version": 1, "name": "改名组"}),
        "org.group.update",
        lambda org: (Group.objects.filter(code="wg1").values_list("name", "version").first(),
                     sorted(Group.objects.get(code="wg1").units.values_list("code", flat=True))),
        allowed="office_user",
        stale=True,
    ),
    Act(
        "member-add",
        ("/org/groups/wg1/members/", lambda org: {"user": org.staff["w02"][0].pk, "role": "member"}),
        ("put", "/groups/wg1/members/w02-1", lambda org: {"role": "member"}),
        "org.member.add",
        lambda org: list(Membership.objects.filter(group__code="wg1").values_list("user__username", "role").order_by("user__username")),
        allowed="office_user",
    ),
    Act(
        "member-remove",
        ("/org/groups/wg1/members/w01-1/remove/", lambda org: {}),
        ("delete", "/groups/wg1/members/w01-1", lambda org: None),
        "org.member.remove",
        lambda org: Membership.objects.filter(group__code="wg1").count(),
        allowed="office_user",
    ),
    Act(
        "zone-create",
        ("/org/zones/new/", lambda org: {"code": "w02-c", "name": "烟草前台", "area_type": org.counter.pk,
                                         "unit": org.w02.pk, "x": 0, "y": 0, "width": 20, "height": 10, "is_active": "on"}),
        ("post", "/zones", lambda org: {"code": "w02-c", "name": "烟草前台", "area_type": "counter", "unit": "w02"}),
        "org.zone.create",
        lambda org: Zone.objects.filter(code="w02-c").values_list("name", "area_type__code", "unit__code", "is_active").first(),
    ),
    Act(
        "zone-update",
        ("/org/zones/w01-c/edit/", _zone),
        ("patch", "/zones/w01-c", lambda org: {"version": 1, "name": "改名前台"}),
        "org.zone.update",
        lambda org: Zone.objects.filter(code="w01-c").values_list("name", "owner__username", "x", "version").first(),
        stale=True,
    ),
]  # fmt: skip

# Writes with a page and no API operation, and why.
PAGE_ONLY = {
    "/org/staff/w01-3/photo/upload/": "a photo is taken and cropped on the page",
    "/org/staff/w01-3/photo/remove/": "goes with the photo upload",
    "/org/plan/zones/w01-c/move/": "the plan's drag-and-drop; the API moves a zone by PATCH /zones",
    "/org/plan/floors/new/": "floors are set up once, on the plan page",
    "/org/area-types/new/": "area types are set up once, with the standards",
    "/org/cards.pdf": "a printable sheet for people, not data",
    "/org/import/": "a workbook upload checked on the page",
}


def _api(user, method, path, body):
    return call_api(user, method, f"/api/v1/org{path}", body)


def _through(door, act, org):
    """Runs one door and undoes it, so the other door starts from the same organisation."""
    return through(door, lambda: act.state(org))


@pytest.mark.parametrize("act", ACTS, ids=lambda act: act.name)
def test_an_allowed_person_gets_the_same_result_through_both_doors(request, org, act):
    user = request.getfixturevalue(act.allowed)
    url, data = act.page
    method, path, body = act.api
    page, page_audit, page_state = _through(lambda: post_page(user, url, data(org)), act, org)
    api, api_audit, api_state = _through(lambda: _api(user, method, path, body(org)), act, org)
    assert page.status_code == 302, page.content.decode()[-2000:]
    assert api.status_code == 200, api.content
    assert page_state == api_state
    assert act.audit in page_audit
    assert act.audit in api_audit


@pytest.mark.parametrize("act", ACTS, ids=lambda act: act.name)
def test_a_refused_person_gets_the_same_audited_403_through_both_doors(staff_user, org, act):
    url, data = act.page
    method, path, body = act.api
    page, page_audit, page_state = _through(lambda: post_page(staff_user, url, data(org)), act, org)
    api, api_audit, api_state = _through(
        lambda: _api(staff_user, method, path, body(org)), act, org
    )
    assert page.status_code == 403
    assert page["Onsite-Refusal"] == "not_allowed"
    assert api.status_code == 403
    assert api.json()["code"] == "not_allowed"
    assert page_audit == api_audit == ["access.denied"]
    assert page_state == api_state == act.state(org), "nothing was written"


@pytest.mark.parametrize("act", [act for act in ACTS if act.stale], ids=lambda act: act.name)
def test_a_stale_edit_is_refused_alike(request, org, act):
    user = request.getfixturevalue(act.allowed)
    url, data = act.page
    method, path, body = act.api
    stale = "0" * 32 if act.name == "staff-update" else 7
    page, _audit, page_state = _through(
        lambda: post_page(user, url, data(org) | {"version": stale}), act, org
    )
    api, _audit, api_state = _through(
        lambda: _api(user, method, path, body(org) | {"version": stale}), act, org
    )
    assert api.status_code == 409
    assert api.json()["code"] == "stale"
    assert page.status_code == 200, "the form again, with the reason"
    assert escape(api.json()["detail"]) in page.content.decode()
    assert page_state == api_state == act.state(org)


@pytest.mark.parametrize("url", PAGE_ONLY, ids=lambda url: url)
def test_page_only_writes_refuse_alike_too(staff_user, org, url):
    before = denials()
    response = post_page(staff_user, url)
    assert response.status_code == 403
    assert response["Onsite-Refusal"] == "not_allowed"
    assert denials() == before + 1
