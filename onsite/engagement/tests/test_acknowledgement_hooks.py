"""Publishing a standard, placing a newcomer in a unit (a new account, or the staff pages) and
giving a zone an owner all create the acknowledgement tasks, without waiting for the nightly
safety net."""

import re

from onsite.accounts.models import User
from onsite.core.tests.factories import UnitFactory, UserFactory, ZoneFactory
from onsite.engagement.models import Acknowledgement
from onsite.org import services as org_services
from onsite.standards.services import publish_version, start_revision
from onsite.standards.tests.conftest import make_published


def test_publishing_asks_the_zone_owners_to_acknowledge(center, admin_user, staff_user):
    area, _version = make_published(center, admin_user)
    ZoneFactory(center=center, code="k1", area_type=area, unit=staff_user.unit, owner=staff_user)
    draft = start_revision(area_type=area, by=admin_user, note="更新")
    draft.refresh_from_db()
    publish_version(version=draft, by=admin_user, expected_version=draft.version)
    assert Acknowledgement.objects.filter(user=staff_user, standard_version=draft).exists()


def test_a_zone_given_an_owner_asks_the_owner(rf, center, admin_user, staff_user):
    area, version = make_published(center, admin_user)
    assert not Acknowledgement.objects.filter(user=staff_user).exists()
    request = rf.post("/")
    request.user = admin_user
    request.center = center
    org_services.create_zone(
        request,
        center=center,
        data={
            "code": "k2",
            "name": "前台",
            "area_type": area,
            "unit": staff_user.unit,
            "owner": staff_user,
        },
    )
    assert Acknowledgement.objects.filter(user=staff_user, standard_version=version).exists()


def test_an_account_made_on_the_new_account_page_gets_its_tasks_at_once(
    client_for, center, admin_user, staff_user, django_capture_on_commit_callbacks
):
    area, version = make_published(center, admin_user)
    ZoneFactory(center=center, code="k3", area_type=area, unit=staff_user.unit, owner=staff_user)
    client = client_for(UserFactory(center=center, roles=["sysadmin"]))
    page = client.get("/accounts/users/new/").content.decode()
    key = re.search(r'name="submission_key" value="([0-9a-f]+)"', page).group(1)
    form = {"username": "xin-lai", "full_name": "新来的", "phone": "", "submission_key": key}
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/accounts/users/new/", {**form, "unit": staff_user.unit.pk})
    assert response.status_code == 200
    newcomer = User.objects.get(username="xin-lai")
    assert Acknowledgement.objects.filter(user=newcomer, standard_version=version).exists()


def test_an_account_without_a_unit_has_nothing_to_acknowledge_yet(
    client_for, center, admin_user, staff_user
):
    area, _version = make_published(center, admin_user)
    ZoneFactory(center=center, code="k4", area_type=area, unit=staff_user.unit, owner=staff_user)
    client = client_for(UserFactory(center=center, roles=["sysadmin"]))
    page = client.get("/accounts/users/new/").content.decode()
    key = re.search(r'name="submission_key" value="([0-9a-f]+)"', page).group(1)
    form = {"username": "wu-dan-wei", "full_name": "未分单位", "phone": "", "submission_key": key}
    client.post("/accounts/users/new/", form)
    assert not Acknowledgement.objects.filter(user__username="wu-dan-wei").exists()


def test_staff_added_on_the_organisation_pages_get_their_tasks_at_once(
    rf, center, admin_user, staff_user
):
    area, version = make_published(center, admin_user)
    ZoneFactory(center=center, code="k5", area_type=area, unit=staff_user.unit, owner=staff_user)
    other = UnitFactory(center=center)
    request = rf.post("/")
    request.user = admin_user
    request.center = center
    person = org_services.create_staff(
        request, center=center, data={"username": "li-si", "full_name": "李四", "unit": other},
        roles=["staff"],
    )  # fmt: skip
    assert not Acknowledgement.objects.filter(user=person).exists()
    org_services.update_staff(
        request, person=person, data={"unit": staff_user.unit}, roles=["staff"],
        fingerprint=org_services.staff_fingerprint(person),
    )  # fmt: skip
    assert Acknowledgement.objects.filter(user=person, standard_version=version).exists()
