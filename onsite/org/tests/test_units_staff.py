import io

import pytest
from PIL import Image

from onsite.accounts.models import RoleGrant, User
from onsite.audit.models import AuditEvent
from onsite.core.tests.factories import UnitFactory, UserFactory
from onsite.org.models import StaffPhoto, Unit


def test_the_unit_list_shows_headcount_from_active_staff(client_for, leader, org):
    org.staff["w01"][4].is_active = False
    org.staff["w01"][4].save()
    body = client_for(leader).get("/org/units/").content.decode()
    assert "市场监管窗口" in body
    assert '<td class="text-end">4</td>' in body
    assert "别家窗口" not in body


def test_the_unit_page_lists_staff_roles_zones_and_its_working_group(client_for, leader, org):
    body = client_for(leader).get("/org/units/w01/").content.decode()
    for text in ["市场监管窗口1号", "市场监管前台", "第1工作组"]:
        assert text in body


def test_admin_creates_and_edits_a_unit(client_for, admin_user, center, org):
    client = client_for(admin_user)
    response = client.post(
        "/org/units/new/",
        {"code": "w03", "name": "商务窗口", "kind": "window", "department": "商务",
         "floor": org.floor.pk, "position": 3, "submission_key": "u1"},
    )  # fmt: skip
    assert response.status_code == 302
    unit = Unit.objects.get(center=center, code="w03")
    response = client.post(
        "/org/units/w03/edit/",
        {"name": "商务局窗口", "kind": "window", "department": "商务", "position": 3,
         "version": unit.version},
    )  # fmt: skip
    assert response.status_code == 302
    unit.refresh_from_db()
    assert (unit.name, unit.floor, unit.version) == ("商务局窗口", None, 2)
    assert AuditEvent.objects.filter(action="org.unit.update", object_id=str(unit.pk)).exists()


def test_a_unit_code_is_unique_in_the_center_only(client_for, admin_user, org, center):
    client = client_for(admin_user)
    taken = client.post(
        "/org/units/new/", {"code": "w01", "name": "重复", "kind": "window", "position": 0}
    )
    assert taken.status_code == 200
    assert Unit.objects.filter(center=center, code="w01").count() == 1
    fine = client.post(
        "/org/units/new/", {"code": "y01", "name": "同码不同中心", "kind": "window", "position": 0}
    )
    assert fine.status_code == 302


def test_a_stale_unit_edit_saves_nothing(client_for, admin_user, org):
    Unit.objects.filter(pk=org.w01.pk).update(name="别人改的", version=5)
    response = client_for(admin_user).post(
        "/org/units/w01/edit/", {"name": "我改的", "kind": "window", "position": 0, "version": 1}
    )
    assert response.status_code == 200
    assert "我改的" in response.content.decode()
    org.w01.refresh_from_db()
    assert org.w01.name == "别人改的"


def test_unit_pages_allowed_and_denied(
    client_for, admin_user, leader, staff_user, viewer, org, client
):
    assert client_for(leader).get("/org/units/new/").status_code == 403
    assert client_for(leader).post("/org/units/w01/edit/", {"name": "x"}).status_code == 403
    assert client_for(staff_user).get("/org/units/w01/").status_code == 403
    assert client_for(viewer).get("/org/units/w01/").status_code == 200
    assert client_for(viewer).get("/org/units/w01/edit/").status_code == 403
    admin = client_for(admin_user)
    assert admin.get("/org/units/new/").status_code == 200
    assert admin.get("/org/units/w01/edit/").status_code == 200
    assert admin.get("/org/units/y01/edit/").status_code == 404
    client.logout()
    assert client.get("/org/units/new/").status_code == 302


# --- staff -------------------------------------------------------------------------------


def test_the_staff_list_searches_and_filters(client_for, leader, org):
    client = client_for(leader)
    body = client.get("/org/staff/").content.decode()
    assert "市场监管窗口1号" in body
    assert "烟草窗口1号" in body
    assert "y01-1" not in body
    body = client.get("/org/staff/", {"unit": "w02"}).content.decode()
    assert "烟草窗口1号" in body
    assert "市场监管窗口1号" not in body
    partial = client.get("/org/staff/", {"q": "烟草"}, HTTP_HX_REQUEST="true").content.decode()
    assert "<html" not in partial
    assert "烟草窗口2号" in partial


def test_phone_numbers_are_shown_to_the_admin_only(client_for, admin_user, leader, org):
    person = org.staff["w01"][0]
    person.phone = "13800001111"
    person.save()
    assert "13800001111" in client_for(admin_user).get("/org/staff/w01-1/").content.decode()
    assert "13800001111" not in client_for(leader).get("/org/staff/w01-1/").content.decode()


def test_admin_adds_a_person_who_can_sign_in(client_for, admin_user, org, center, client):
    response = client_for(admin_user).post(
        "/org/staff/new/",
        {"username": "w02-3", "full_name": "王芳", "unit": org.w02.pk, "title": "窗口工作人员",
         "roles": ["staff", "member"], "is_active": "on", "password": "Zhang-San-2026!",
         "submission_key": "s1"},
    )  # fmt: skip
    assert response.status_code == 302
    person = User.objects.get(username="w02-3")
    assert person.center == center
    assert person.unit == org.w02
    assert sorted(person.roles) == ["member", "staff"]
    assert person.must_change_password, "a password the admin chose is temporary"
    client.logout()
    assert client.login(username="w02-3", password="Zhang-San-2026!")


def test_a_person_without_a_password_cannot_sign_in_yet(client_for, admin_user, org, client):
    client_for(admin_user).post(
        "/org/staff/new/",
        {"username": "newbie", "full_name": "新人", "roles": ["staff"], "is_active": "on"},
    )
    assert not User.objects.get(username="newbie").has_usable_password()


def test_usernames_are_unique_across_centers(client_for, admin_user, org):
    response = client_for(admin_user).post(
        "/org/staff/new/", {"username": "y01-1", "full_name": "撞名", "roles": ["staff"]}
    )
    assert response.status_code == 200
    assert User.objects.filter(username="y01-1").count() == 1


def test_admin_edits_roles_and_the_unit(client_for, admin_user, org):
    from onsite.org.services import staff_fingerprint

    person = org.staff["w02"][1]
    response = client_for(admin_user).post(
        "/org/staff/w02-2/edit/",
        {"full_name": "烟草窗口2号", "unit": org.w01.pk, "title": "科长", "roles": ["staff", "supervisor"],
         "is_active": "on", "version": staff_fingerprint(person)},
    )  # fmt: skip
    assert response.status_code == 302
    person = User.objects.get(pk=person.pk)
    assert person.unit == org.w01
    assert person.title == "科长"
    assert sorted(person.roles) == ["staff", "supervisor"]


def test_roles_granted_elsewhere_are_kept(client_for, admin_user, org):
    from onsite.org.services import staff_fingerprint

    person = org.staff["w02"][1]
    RoleGrant.objects.create(user=person, role="viewer")  # not one the org pages manage
    person = User.objects.get(pk=person.pk)
    client_for(admin_user).post(
        "/org/staff/w02-2/edit/",
        {
            "full_name": "x",
            "roles": ["staff"],
            "is_active": "on",
            "version": staff_fingerprint(person),
        },
    )
    assert RoleGrant.objects.filter(user=person, role="viewer").exists()


def test_a_concurrent_staff_edit_is_detected(client_for, admin_user, org):
    from onsite.org.services import staff_fingerprint

    person = org.staff["w02"][1]
    seen = staff_fingerprint(person)
    User.objects.filter(pk=person.pk).update(title="别人改的")
    response = client_for(admin_user).post(
        "/org/staff/w02-2/edit/",
        {"full_name": "我的改动", "roles": ["staff"], "is_active": "on", "version": seen},
    )
    assert response.status_code == 200
    person.refresh_from_db()
    assert (person.full_name, person.title) == ("烟草窗口2号", "别人改的")


def test_the_admin_cannot_lock_themselves_out(client_for, admin_user, org):
    from onsite.org.services import staff_fingerprint

    response = client_for(admin_user).post(
        f"/org/staff/{admin_user.username}/edit/",
        {"full_name": "管理员", "roles": ["staff"], "is_active": "on",
         "version": staff_fingerprint(admin_user)},
    )  # fmt: skip
    assert response.status_code == 200
    assert RoleGrant.objects.filter(user=admin_user, role="admin").exists()


def test_staff_pages_allowed_and_denied(client_for, admin_user, leader, staff_user, org, client):
    assert client_for(staff_user).get("/org/staff/").status_code == 403
    leader_client = client_for(leader)
    assert leader_client.get("/org/staff/w01-1/").status_code == 200
    assert leader_client.get("/org/staff/y01-1/").status_code == 404
    assert leader_client.get("/org/staff/new/").status_code == 403
    assert leader_client.get("/org/staff/w01-1/edit/").status_code == 403
    admin = client_for(admin_user)
    assert admin.get("/org/staff/new/").status_code == 200
    assert admin.get("/org/staff/w01-1/edit/").status_code == 200
    assert admin.get("/org/staff/y01-1/edit/").status_code == 404
    client.logout()
    assert client.get("/org/staff/").status_code == 302


def test_staff_list_keeps_a_fixed_query_count(
    client_for, admin_user, org, center, django_assert_max_num_queries
):
    client = client_for(admin_user)
    client.get("/org/staff/")
    with django_assert_max_num_queries(30) as small:
        client.get("/org/staff/")
    for _ in range(40):
        UserFactory(center=center, unit=UnitFactory(center=center), roles=["staff", "member"])
    with django_assert_max_num_queries(len(small.captured_queries)):
        client.get("/org/staff/")


# --- photos ------------------------------------------------------------------------------


def _jpeg():
    out = io.BytesIO()
    Image.new("RGB", (60, 80), (200, 120, 90)).save(out, format="JPEG")
    out.seek(0)
    out.name = "me.jpg"
    return out


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def test_a_photo_is_uploaded_and_served_to_the_center_only(
    client_for, admin_user, other_admin, org, media
):
    client = client_for(admin_user)
    response = client.post("/org/staff/w01-2/photo/upload/", {"photo": _jpeg()})
    assert response.status_code == 302
    assert StaffPhoto.objects.filter(user=org.staff["w01"][1]).exists()
    served = client.get("/org/staff/w01-2/photo/?size=thumb")
    assert served.status_code == 200
    assert served["Content-Type"] == "image/jpeg"
    assert client_for(other_admin).get("/org/staff/w01-2/photo/").status_code == 404


def test_a_file_that_is_not_a_photo_is_refused(client_for, admin_user, org, media):
    fake = io.BytesIO(b"\x89PNG\r\n\x1a\n<script>alert(1)</script>")
    fake.name = "x.png"
    response = client_for(admin_user).post(
        "/org/staff/w01-2/photo/upload/", {"photo": fake}, follow=True
    )
    assert not StaffPhoto.objects.exists()
    assert response.status_code == 200


def test_photo_changes_need_the_admin(client_for, leader, org, media):
    client = client_for(leader)
    assert client.post("/org/staff/w01-2/photo/upload/", {"photo": _jpeg()}).status_code == 403
    assert client.post("/org/staff/w01-2/photo/remove/").status_code == 403
    assert client.get("/org/staff/w01-2/photo/").status_code == 404, "no photo yet"


def test_the_staff_form_keeps_the_work_chat_user_ids(client_for, admin_user, center):
    from onsite.org.services import staff_fingerprint  # as the tests above

    person = UserFactory(center=center, username="chat1", full_name="周八", roles=["staff"])
    client = client_for(admin_user)
    form = client.get(f"/org/staff/{person.username}/edit/").content.decode()
    assert 'name="wecom_userid"' in form
    response = client.post(
        f"/org/staff/{person.username}/edit/",
        {"full_name": "周八", "roles": ["staff"], "is_active": "on",
         "wecom_userid": "ZhouBa", "dingtalk_userid": "ding-88",
         "version": staff_fingerprint(person)},
    )  # fmt: skip
    assert response.status_code == 302
    person.refresh_from_db()
    assert (person.wecom_userid, person.dingtalk_userid) == ("ZhouBa", "ding-88")
