import json

import pytest

from onsite.accounts.models import ApiToken
from onsite.core.tests.factories import GroupFactory
from onsite.org.models import Group, Membership, Unit, Zone


@pytest.fixture
def call(client):
    def request(user, method, path, body=None, **headers):
        token = ApiToken.issue(user=user, name="t")[1]
        kwargs = {"HTTP_AUTHORIZATION": f"Bearer {token}", **headers}
        if body is not None:
            kwargs.update(data=json.dumps(body), content_type="application/json")
        return getattr(client, method)(f"/api/v1/org{path}", **kwargs)

    return request


def test_everyone_in_the_center_reads_units_staff_groups_and_zones(call, staff_user, org):
    units = call(staff_user, "get", "/units").json()
    assert {u["code"] for u in units} >= {"w01", "w02"}
    assert "y01" not in {u["code"] for u in units}
    w01 = next(u for u in units if u["code"] == "w01")
    assert (w01["headcount"], w01["working_group"], w01["floor"]) == (5, "wg1", 1)
    staff = call(staff_user, "get", "/staff").json()
    assert "y01-1" not in {p["username"] for p in staff}
    assert all(p["phone"] is None for p in staff), "phones are for the admin"
    group = call(staff_user, "get", "/groups/wg1").json()
    assert (group["staff"], group["required"], group["members"], group["shortfall"]) == (7, 3, 1, 2)
    assert group["units"] == ["w01", "w02"]
    assert group["parent"] == "p1"
    zone = call(staff_user, "get", "/zones/w01-c").json()
    assert (zone["owner"], zone["floor"], zone["x"], zone["y"]) == ("w01-2", 1, 20, 80)
    assert call(staff_user, "get", "/floors").json()[0]["width"] == 600


def test_another_centers_objects_are_not_found(call, admin_user, org):
    for path in ["/units/y01", "/staff/y01-1", "/groups/ywg", "/zones/y01-c"]:
        assert call(admin_user, "get", path).status_code == 404, path
    assert call(admin_user, "patch", "/zones/y01-c", {"version": 1, "name": "x"}).status_code == 404
    assert (
        call(admin_user, "put", "/groups/wg1/members/y01-1", {"role": "member"}).status_code == 404
    )


def test_anonymous_callers_get_401(client, db):
    for path in ["/units", "/staff", "/groups", "/zones"]:
        assert client.get(f"/api/v1/org{path}").status_code == 401


def test_admin_creates_a_unit_and_others_cannot(call, admin_user, staff_user, org, center):
    body = {"code": "w03", "name": "商务窗口", "kind": "window", "floor": 1}
    denied = call(staff_user, "post", "/units", body)
    assert denied.status_code == 403
    assert not Unit.objects.filter(code="w03").exists()
    created = call(admin_user, "post", "/units", body)
    assert created.status_code == 200
    assert created.json()["floor"] == 1
    again = call(admin_user, "post", "/units", body)
    assert again.status_code == 409, "the code is taken"


def test_a_repeated_create_with_the_same_idempotency_key_returns_the_first(
    call, admin_user, org, center
):
    body = {
        "code": "w03-c",
        "name": "商务前台",
        "area_type": "counter",
        "floor": 1,
        "x": 100,
        "y": 80,
    }
    first = call(admin_user, "post", "/zones", body, HTTP_IDEMPOTENCY_KEY="abc-123")
    second = call(admin_user, "post", "/zones", body, HTTP_IDEMPOTENCY_KEY="abc-123")
    assert first.status_code == second.status_code == 200
    assert first.json()["id"] == second.json()["id"]
    assert Zone.objects.filter(center=center, code="w03-c").count() == 1


def test_moving_a_zone_needs_its_current_version(call, admin_user, org):
    stale = call(admin_user, "patch", "/zones/w01-c", {"version": 7, "x": 200})
    assert stale.status_code == 409
    moved = call(admin_user, "patch", "/zones/w01-c", {"version": 1, "x": 200, "owner": "w01-3"})
    assert moved.status_code == 200
    assert (moved.json()["x"], moved.json()["owner"], moved.json()["version"]) == (200, "w01-3", 2)
    outside = call(admin_user, "patch", "/zones/w01-c", {"version": 2, "x": 590})
    assert outside.status_code == 422, "invalid input is 422 since issue 15 (was 400)"
    assert outside.json()["code"] == "outside_floor"


def test_bad_values_are_422_not_500(call, admin_user, org):
    assert call(admin_user, "post", "/units", {"code": "a b", "name": "x"}).status_code == 422
    assert (
        call(
            admin_user, "post", "/units", {"code": "ok", "name": "x", "position": 99999}
        ).status_code
        == 422
    )
    assert (
        call(
            admin_user, "post", "/zones", {"code": "z", "name": "a\x00b", "area_type": "counter"}
        ).status_code
        == 422
    )
    assert call(admin_user, "get", "/zones?floor=99999").status_code == 422


def test_staff_writes(call, admin_user, leader, org, center):
    body = {"username": "w02-9", "full_name": "新同事", "unit": "w02", "roles": ["staff", "member"]}
    assert call(leader, "post", "/staff", body).status_code == 403
    created = call(admin_user, "post", "/staff", body)
    assert created.status_code == 200
    assert created.json()["roles"] == ["member", "staff"]
    version = created.json()["version"]
    changed = call(admin_user, "patch", "/staff/w02-9", {"version": version, "title": "科员"})
    assert changed.status_code == 200
    assert changed.json()["title"] == "科员"
    stale = call(admin_user, "patch", "/staff/w02-9", {"version": version, "title": "又改"})
    assert stale.status_code == 409


def test_group_membership_over_the_api(call, office_user, staff_user, org, center):
    other = GroupFactory(center=center, code="wg2", kind=Group.Kind.WORKING, parent=org.p1)
    assert (
        call(staff_user, "put", "/groups/wg1/members/w02-1", {"role": "member"}).status_code == 403
    )
    added = call(office_user, "put", "/groups/wg1/members/w02-1", {"role": "member"})
    assert added.status_code == 200
    assert added.json()["members"] == 2
    clash = call(office_user, "put", "/groups/wg2/members/w02-1", {"role": "member"})
    assert clash.status_code == 409
    assert not Membership.objects.filter(group=other).exists()
    removed = call(office_user, "delete", "/groups/wg1/members/w02-1")
    assert removed.json() == {"removed": True}


def test_groups_are_created_in_the_chain_of_command(call, admin_user, org, center):
    wrong = call(
        admin_user,
        "post",
        "/groups",
        {"code": "wg9", "name": "错位", "kind": "working", "parent": "lead"},
    )
    assert wrong.status_code == 422, "invalid input is 422 since issue 15 (was 400)"
    assert wrong.json()["code"] == "parent"
    right = call(
        admin_user,
        "post",
        "/groups",
        {"code": "wg9", "name": "第9工作组", "kind": "working", "parent": "p1"},
    )
    assert right.status_code == 200
    assert right.json()["parent"] == "p1"


def test_a_cross_center_viewer_reads_but_never_writes(call, viewer, org):
    assert call(viewer, "get", "/zones/w01-c").status_code == 200
    assert call(viewer, "patch", "/zones/w01-c", {"version": 1, "x": 1}).status_code == 403


def test_api_lists_keep_a_fixed_query_count(
    call, admin_user, org, center, django_assert_max_num_queries
):
    from onsite.core.tests.factories import UserFactory, ZoneFactory

    def lists():
        for path in ["/units", "/staff", "/groups", "/zones"]:
            assert call(admin_user, "get", path).status_code == 200

    with django_assert_max_num_queries(60) as small:
        lists()
    for _ in range(20):
        ZoneFactory(center=center, owner=UserFactory(center=center, roles=["staff"]))
    with django_assert_max_num_queries(len(small.captured_queries)):
        lists()


def test_the_office_creates_and_changes_zones_over_the_api(call, office_user, leader, org):
    body = {"code": "hall-1", "name": "等候区", "area_type": "counter", "floor": 1, "x": 5, "y": 5}
    assert call(leader, "post", "/zones", body).status_code == 403
    created = call(office_user, "post", "/zones", body)
    assert created.status_code == 200
    changed = call(office_user, "patch", "/zones/hall-1", {"version": 1, "name": "大厅等候区"})
    assert changed.status_code == 200
    assert Zone.objects.get(code="hall-1").name == "大厅等候区"
    assert call(leader, "patch", "/zones/hall-1", {"version": 2, "x": 9}).status_code == 403
    assert call(office_user, "patch", "/zones/y01-c", {"version": 1, "x": 9}).status_code == 404
