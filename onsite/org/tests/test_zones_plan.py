import json

from onsite.audit.models import AuditEvent
from onsite.core.tests.factories import FloorFactory, UserFactory, ZoneFactory
from onsite.org.models import Floor, Zone


def _zone_form(org, **changes):
    data = {"code": "w02-c", "name": "烟草前台", "area_type": org.counter.pk, "unit": org.w02.pk,
            "owner": org.staff["w02"][0].pk, "floor": org.floor.pk, "x": 90, "y": 80,
            "width": 56, "height": 18, "is_active": "on", "submission_key": "z1"}  # fmt: skip
    data.update(changes)
    return data


def test_admin_creates_a_zone_with_owner_and_position(client_for, admin_user, org, center):
    response = client_for(admin_user).post("/org/zones/new/", _zone_form(org))
    assert response.status_code == 302
    zone = Zone.objects.get(center=center, code="w02-c")
    assert (zone.owner, zone.floor, zone.x, zone.y) == (org.staff["w02"][0], org.floor, 90, 80)


def test_a_zone_must_fit_on_its_floor(client_for, admin_user, org, center):
    response = client_for(admin_user).post("/org/zones/new/", _zone_form(org, x=580))
    assert response.status_code == 200
    assert not Zone.objects.filter(center=center, code="w02-c").exists()


def test_the_owner_must_be_of_this_center(client_for, admin_user, org, center):
    response = client_for(admin_user).post(
        "/org/zones/new/", _zone_form(org, owner=org.theirs_person.pk)
    )
    assert response.status_code == 200
    assert not Zone.objects.filter(center=center, code="w02-c").exists()


def test_a_repeated_zone_submit_creates_one_zone(client_for, admin_user, org, center):
    client = client_for(admin_user)
    first = client.post("/org/zones/new/", _zone_form(org))
    second = client.post("/org/zones/new/", _zone_form(org))
    assert first["Location"] == second["Location"]
    assert Zone.objects.filter(center=center, code="w02-c").count() == 1


def test_the_code_of_a_zone_never_changes(client_for, admin_user, org):
    response = client_for(admin_user).post(
        "/org/zones/w01-c/edit/", _zone_form(org, code="new-code", version=org.zone.version)
    )
    assert response.status_code == 302
    org.zone.refresh_from_db()
    assert org.zone.code == "w01-c"
    assert org.zone.name == "烟草前台"


def test_a_stale_zone_edit_saves_nothing(client_for, admin_user, org):
    Zone.objects.filter(pk=org.zone.pk).update(name="别人改的", version=9)
    response = client_for(admin_user).post("/org/zones/w01-c/edit/", _zone_form(org, version=1))
    assert response.status_code == 200
    org.zone.refresh_from_db()
    assert org.zone.name == "别人改的"


def test_zone_pages_allowed_and_denied(client_for, admin_user, staff_user, leader, org, client):
    staff = client_for(staff_user)
    assert staff.get("/org/zones/").status_code == 200
    assert staff.get("/org/zones/w01-c/").status_code == 200
    assert staff.get("/org/zones/y01-c/").status_code == 404
    assert staff.get("/org/zones/new/").status_code == 403
    assert client_for(leader).get("/org/zones/w01-c/edit/").status_code == 403
    admin = client_for(admin_user)
    assert admin.get("/org/zones/new/").status_code == 200
    assert admin.get("/org/zones/w01-c/edit/").status_code == 200
    assert admin.get("/org/zones/y01-c/edit/").status_code == 404
    client.logout()
    assert client.get("/org/zones/new/").status_code == 302


def test_the_zone_list_filters_by_floor(client_for, leader, org, center):
    ZoneFactory(
        center=center, code="up-1", name="楼上区域", floor=Floor.objects.get(center=center, level=2)
    )
    body = client_for(leader).get("/org/zones/", {"floor": "1"}).content.decode()
    assert "市场监管前台" in body
    assert "楼上区域" not in body


# --- floor plan ----------------------------------------------------------------------------


def test_the_plan_draws_each_zone_of_the_floor(client_for, staff_user, org, center):
    ZoneFactory(center=center, code="up-1", floor=Floor.objects.get(center=center, level=2))
    body = client_for(staff_user).get("/org/plan/", {"floor": "1"}).content.decode()
    assert '<svg id="floor-plan"' in body
    assert 'viewBox="0 0 600 320"' in body
    assert 'data-code="w01-c"' in body
    assert 'transform="translate(20 80)"' in body
    assert 'data-code="up-1"' not in body
    assert "plan.js" not in body, "only editors get the drag script"
    assert 'data-code="y01-c"' not in body


def test_admins_get_the_draggable_plan_and_the_zones_to_place(client_for, admin_user, org, center):
    ZoneFactory(center=center, code="loose", name="未定位区域", floor=None)
    body = client_for(admin_user).get("/org/plan/").content.decode()
    assert "org/plan.js" in body
    assert "is-editable" in body
    assert 'data-testid="unplaced"' in body
    assert "未定位区域" in body


def test_a_drag_moves_the_zone(client_for, admin_user, org):
    response = client_for(admin_user).post(
        "/org/plan/zones/w01-c/move/",
        {"floor": 1, "x": 100, "y": 150, "version": org.zone.version},
        HTTP_ACCEPT="application/json",
    )
    assert response.status_code == 200
    assert json.loads(response.content) == {"code": "w01-c", "x": 100, "y": 150, "version": 2}
    org.zone.refresh_from_db()
    assert (org.zone.x, org.zone.y, org.zone.version) == (100, 150, 2)
    assert AuditEvent.objects.filter(action="org.zone.move").exists()


def test_a_drag_on_an_outdated_plan_is_refused(client_for, admin_user, org):
    Zone.objects.filter(pk=org.zone.pk).update(x=300, version=4)
    response = client_for(admin_user).post(
        "/org/plan/zones/w01-c/move/", {"floor": 1, "x": 100, "y": 150, "version": 1},
        HTTP_ACCEPT="application/json",
    )  # fmt: skip
    assert response.status_code == 409
    assert json.loads(response.content)["error"]
    org.zone.refresh_from_db()
    assert org.zone.x == 300


def test_a_drop_outside_the_floor_is_refused(client_for, admin_user, org):
    response = client_for(admin_user).post(
        "/org/plan/zones/w01-c/move/", {"floor": 1, "x": 590, "y": 10, "version": 1},
        HTTP_ACCEPT="application/json",
    )  # fmt: skip
    assert response.status_code == 400
    org.zone.refresh_from_db()
    assert org.zone.x == 20


def test_placing_a_zone_with_the_form(client_for, admin_user, org, center):
    loose = ZoneFactory(center=center, code="loose", floor=None, width=30, height=20)
    response = client_for(admin_user).post(
        "/org/plan/zones/loose/move/", {"floor": 2, "x": 5, "y": 6, "version": 1}
    )
    assert response.status_code == 302
    assert "floor=2" in response["Location"]
    loose.refresh_from_db()
    assert (loose.floor.level, loose.x, loose.y) == (2, 5, 6)


def test_moving_needs_the_admin_and_this_center(client_for, leader, admin_user, org):
    assert (
        client_for(leader)
        .post("/org/plan/zones/w01-c/move/", {"floor": 1, "x": 1, "y": 1, "version": 1})
        .status_code
        == 403
    )
    assert (
        client_for(admin_user)
        .post("/org/plan/zones/y01-c/move/", {"floor": 1, "x": 1, "y": 1, "version": 1})
        .status_code
        == 404
    )
    assert client_for(admin_user).get("/org/plan/zones/w01-c/move/").status_code == 405
    org.zone.refresh_from_db()
    assert org.zone.x == 20


def test_floor_pages(client_for, admin_user, leader, org, center, client):
    admin = client_for(admin_user)
    response = admin.post(
        "/org/plan/floors/new/", {"name": "负一楼", "level": -1, "width": 300, "height": 200}
    )
    assert response.status_code == 302
    assert Floor.objects.filter(center=center, level=-1).exists()
    assert admin.get("/org/plan/floors/-1/edit/").status_code == 200
    # Shrinking a floor under its zones is refused.
    response = admin.post(
        "/org/plan/floors/1/edit/", {"name": "一楼", "level": 1, "width": 50, "height": 50}
    )
    assert response.status_code == 200
    assert Floor.objects.get(center=center, level=1).width == 600
    assert client_for(leader).get("/org/plan/floors/new/").status_code == 403
    FloorFactory(center=org.theirs_zone.center, level=7)
    assert client_for(admin_user).get("/org/plan/floors/7/edit/").status_code == 404
    client.logout()
    assert client.get("/org/plan/").status_code == 302


def test_area_type_pages(client_for, admin_user, leader, staff_user, org, center):
    admin = client_for(admin_user)
    response = admin.post(
        "/org/area-types/new/",
        {"code": "archive", "name": "档案室", "width_mm": 4000, "depth_mm": 4000, "position": 5},
    )
    assert response.status_code == 302
    assert admin.get("/org/area-types/archive/edit/").status_code == 200
    assert "档案室" in client_for(leader).get("/org/area-types/").content.decode()
    assert client_for(leader).get("/org/area-types/new/").status_code == 403
    assert client_for(staff_user).get("/org/area-types/").status_code == 403


def test_the_plan_keeps_a_fixed_query_count(
    client_for, admin_user, org, center, django_assert_max_num_queries
):
    client = client_for(admin_user)
    client.get("/org/plan/")
    with django_assert_max_num_queries(30) as small:
        client.get("/org/plan/")
        client.get("/org/zones/")
    for n in range(40):
        ZoneFactory(
            center=center, floor=org.floor if n % 2 else None, owner=UserFactory(center=center)
        )
    with django_assert_max_num_queries(len(small.captured_queries)):
        client.get("/org/plan/")
        client.get("/org/zones/")


def test_the_programme_office_lays_out_zones(client_for, office_user, org, center):
    """Zones are the office's to lay out (a new public area, a back office split in two): it
    creates, edits and places them; floors, area types and units stay with the admin."""
    office = client_for(office_user)
    assert office.post("/org/zones/new/", _zone_form(org)).status_code == 302
    zone = Zone.objects.get(center=center, code="w02-c")
    assert AuditEvent.objects.filter(action="org.zone.create", actor=office_user).exists()
    edited = office.post(
        "/org/zones/w02-c/edit/", _zone_form(org, name="烟草前台（新）", version=zone.version)
    )
    assert edited.status_code == 302
    zone.refresh_from_db()
    assert zone.name == "烟草前台（新）"
    moved = office.post(
        "/org/plan/zones/w02-c/move/", {"floor": 1, "x": 5, "y": 6, "version": zone.version}
    )
    assert moved.status_code == 302
    zone.refresh_from_db()
    assert (zone.x, zone.y) == (5, 6)
    assert office.get("/org/zones/y01-c/edit/").status_code == 404
    assert office.get("/org/plan/floors/new/").status_code == 403
    assert office.get("/org/area-types/new/").status_code == 403
    assert office.get("/org/units/new/").status_code == 403


def test_the_office_sees_the_zone_links_it_may_follow(client_for, office_user, leader, org):
    office = client_for(office_user)
    for path, link in [
        ("/org/zones/", "/org/zones/new/"),
        ("/org/zones/w01-c/", "/org/zones/w01-c/edit/"),
        ("/org/units/w01/", "/org/zones/new/?unit=w01"),
        ("/org/plan/", "/org/plan/zones/__code__/move/"),
    ]:
        page = office.get(path).content.decode()
        assert link in page, (path, link)
        assert office.get(link.replace("__code__", "w01-c")).status_code in (200, 405), link
    plan = office.get("/org/plan/").content.decode()
    assert "/org/plan/floors/new/" not in plan, "floors stay with the admin"
    for path in ["/org/zones/", "/org/zones/w01-c/", "/org/units/w01/", "/org/plan/"]:
        page = client_for(leader).get(path).content.decode()
        assert "/org/zones/new/" not in page, path
        assert "/org/zones/w01-c/edit/" not in page, path
