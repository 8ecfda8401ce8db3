import pytest
from django.db import IntegrityError, transaction

from onsite.audit.models import AuditEvent
from onsite.core.tests.factories import GroupFactory, UnitFactory, UserFactory
from onsite.org.models import Coverage, Group, Membership
from onsite.org.queries import programme_standing, suggest_members


def test_the_one_three_rule_counts_staff_of_the_covered_units(org, center):
    standing = {s.group.code: s for s in programme_standing(center).working}["wg1"]
    assert (standing.staff, standing.required, standing.members) == (7, 3, 1)
    assert standing.shortfall == 2
    assert not standing.meets_rule


def test_inactive_staff_do_not_count(org, center):
    for person in org.staff["w01"][3:]:
        person.is_active = False
        person.save()
    standing = {s.group.code: s for s in programme_standing(center).working}["wg1"]
    assert (standing.staff, standing.required) == (5, 2)


@pytest.mark.parametrize(("staff", "required"), [(0, 0), (1, 1), (3, 1), (4, 2), (6, 2), (7, 3)])
def test_required_members_is_a_third_rounded_up(staff, required):
    assert Group.required_members(staff) == required


def test_the_programme_view_warns_about_short_groups_and_uncovered_units(
    client_for, staff_user, org
):
    body = client_for(staff_user).get("/org/groups/").content.decode()
    assert 'data-testid="shortfall-warning"' in body
    assert "第1工作组" in body
    assert "别家工作组" not in body, "another center's groups stay hidden"
    # staff_user's own unit is covered by no working group.
    assert "以下单位没有工作组负责" in body


def test_suggestions_come_from_the_least_represented_unit_first(org):
    suggested = [person.username for person in suggest_members(org.wg1)]
    assert suggested[:3] == ["w02-1", "w01-2", "w02-2"]
    assert "w01-1" not in suggested, "already a member"


def test_suggestions_skip_people_already_in_another_working_group(org, center):
    other = GroupFactory(center=center, code="wg2", kind=Group.Kind.WORKING, parent=org.p1)
    Membership.objects.create(group=other, user=org.staff["w02"][0], group_kind="working")
    assert "w02-1" not in [person.username for person in suggest_members(org.wg1)]


def test_an_editor_adds_a_suggested_member(client_for, office_user, org):
    client = client_for(office_user)
    page = client.get("/org/groups/wg1/").content.decode()
    assert 'data-testid="suggestions"' in page
    person = org.staff["w02"][0]
    response = client.post("/org/groups/wg1/members/", {"user": person.pk, "role": "member"})
    assert response.status_code == 302
    assert Membership.objects.filter(group=org.wg1, user=person, role="member").exists()
    assert AuditEvent.objects.filter(action="org.member.add", actor=office_user).exists()


def test_a_person_joins_at_most_one_working_group(client_for, admin_user, org, center):
    other = GroupFactory(center=center, code="wg2", kind=Group.Kind.WORKING, parent=org.p1)
    leader = org.staff["w01"][0]
    response = client_for(admin_user).post(
        "/org/groups/wg2/members/", {"user": leader.pk, "role": "member"}
    )
    assert response.status_code == 400
    assert "第1工作组" in response.content.decode()
    assert not Membership.objects.filter(group=other, user=leader).exists()


def test_the_database_itself_refuses_a_second_working_group(org, center):
    other = GroupFactory(center=center, code="wg2", kind=Group.Kind.WORKING, parent=org.p1)
    with pytest.raises(IntegrityError), transaction.atomic():
        Membership.objects.create(group=other, user=org.staff["w01"][0], group_kind="working")


def test_a_person_may_be_in_a_working_group_and_a_promotion_group(client_for, admin_user, org):
    leader = org.staff["w01"][0]
    response = client_for(admin_user).post(
        "/org/groups/p1/members/", {"user": leader.pk, "role": "deputy"}
    )
    assert response.status_code == 302
    assert Membership.objects.filter(group=org.p1, user=leader, role="deputy").exists()


def test_another_centers_person_cannot_be_added(client_for, admin_user, org):
    response = client_for(admin_user).post(
        "/org/groups/wg1/members/", {"user": org.theirs_person.pk, "role": "member"}
    )
    assert response.status_code == 400
    assert not Membership.objects.filter(user=org.theirs_person).exists()


def test_removing_a_member(client_for, admin_user, org):
    client = client_for(admin_user)
    response = client.post("/org/groups/wg1/members/w01-1/remove/")
    assert response.status_code == 302
    assert not Membership.objects.filter(group=org.wg1).exists()


def test_membership_changes_need_a_group_editor(client_for, staff_user, supervisor, org):
    person = org.staff["w02"][0]
    for user in (staff_user, supervisor):
        client = client_for(user)
        add = client.post("/org/groups/wg1/members/", {"user": person.pk, "role": "member"})
        assert add.status_code == 403
        assert client.post("/org/groups/wg1/members/w01-1/remove/").status_code == 403
    assert Membership.objects.filter(group=org.wg1).count() == 1


def test_membership_pages_are_post_only(client_for, admin_user, org):
    client = client_for(admin_user)
    assert client.get("/org/groups/wg1/members/").status_code == 405
    assert client.get("/org/groups/wg1/members/w01-1/remove/").status_code == 405


def test_creating_a_working_group_under_a_promotion_group(client_for, office_user, org, center):
    w03 = UnitFactory(center=center, code="w03", name="商务窗口")
    response = client_for(office_user).post(
        "/org/groups/new/",
        {"code": "wg2", "name": "第2工作组", "kind": "working", "parent": org.p1.pk,
         "position": 2, "units": [w03.pk], "submission_key": "k1"},
    )  # fmt: skip
    assert response.status_code == 302
    group = Group.objects.get(center=center, code="wg2")
    assert group.parent == org.p1
    assert list(group.units.all()) == [w03]


def test_a_repeated_create_submit_makes_one_group(client_for, office_user, org, center):
    client = client_for(office_user)
    data = {"code": "wg2", "name": "第2工作组", "kind": "working", "parent": org.p1.pk,
            "position": 2, "submission_key": "same-key"}  # fmt: skip
    first = client.post("/org/groups/new/", data)
    second = client.post("/org/groups/new/", data)
    assert first.status_code == second.status_code == 302
    assert second["Location"] == first["Location"]
    assert Group.objects.filter(center=center, code="wg2").count() == 1


def test_a_working_group_must_sit_under_a_promotion_group(client_for, admin_user, org, center):
    response = client_for(admin_user).post(
        "/org/groups/new/",
        {"code": "wg9", "name": "错位工作组", "kind": "working", "parent": org.lead.pk,
         "position": 0},
    )  # fmt: skip
    assert response.status_code == 200
    assert "推行小组" in response.content.decode()
    assert not Group.objects.filter(center=center, code="wg9").exists()


def test_covering_a_unit_moves_it_from_its_old_group(client_for, admin_user, org, center):
    wg2 = GroupFactory(center=center, code="wg2", name="第2工作组", kind="working", parent=org.p1)
    response = client_for(admin_user).post(
        "/org/groups/wg2/edit/",
        {"name": "第2工作组", "parent": org.p1.pk, "position": 0, "units": [org.w02.pk],
         "version": wg2.version},
    )  # fmt: skip
    assert response.status_code == 302
    assert Coverage.objects.get(unit=org.w02).group == wg2
    assert list(org.wg1.units.all()) == [org.w01]


def test_an_edit_based_on_an_old_version_is_refused(client_for, admin_user, org):
    client = client_for(admin_user)
    stale = org.wg1.version
    Group.objects.filter(pk=org.wg1.pk).update(name="别人改过", version=stale + 1)
    response = client.post(
        "/org/groups/wg1/edit/",
        {"name": "我的改动", "parent": org.p1.pk, "position": 0, "units": [org.w01.pk],
         "version": stale},
    )  # fmt: skip
    assert response.status_code == 200
    assert "我的改动" in response.content.decode(), "the user's input is kept"
    org.wg1.refresh_from_db()
    assert org.wg1.name == "别人改过"


def test_group_pages_allowed_and_denied(client_for, staff_user, admin_user, viewer, org, client):
    staff = client_for(staff_user)
    assert staff.get("/org/groups/").status_code == 200
    assert staff.get("/org/groups/wg1/").status_code == 200
    assert staff.get("/org/groups/ywg/").status_code == 404
    assert staff.get("/org/groups/new/").status_code == 403
    assert staff.get("/org/groups/wg1/edit/").status_code == 403
    assert client_for(viewer).get("/org/groups/wg1/").status_code == 200
    assert client_for(viewer).get("/org/groups/new/").status_code == 403, "viewers never write"
    admin = client_for(admin_user)
    assert admin.get("/org/groups/new/").status_code == 200
    assert admin.get("/org/groups/wg1/edit/").status_code == 200
    assert admin.get("/org/groups/ywg/edit/").status_code == 404
    client.logout()
    for url in ["/org/groups/", "/org/groups/wg1/", "/org/groups/new/"]:
        assert client.get(url).status_code == 302


def test_the_programme_view_keeps_a_fixed_query_count(
    client_for, leader, org, center, django_assert_max_num_queries
):
    client = client_for(leader)
    client.get("/org/groups/")  # warm the session and the role cache

    def grow(n):
        for i in range(n):
            unit = UnitFactory(center=center)
            group = GroupFactory(center=center, kind="working", parent=org.p1)
            Coverage.objects.create(group=group, unit=unit)
            for _ in range(3):
                person = UserFactory(center=center, unit=unit)
                if i % 2:
                    Membership.objects.create(group=group, user=person, group_kind="working")

    grow(2)
    with django_assert_max_num_queries(40) as small:
        assert client.get("/org/groups/").status_code == 200
    grow(20)
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert client.get("/org/groups/").status_code == 200
