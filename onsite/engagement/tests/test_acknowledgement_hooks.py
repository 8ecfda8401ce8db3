"""Publishing a standard, placing a newcomer in a unit and giving a zone an owner all create
the acknowledgement tasks, without waiting for the nightly safety net."""

from onsite.core.tests.factories import ZoneFactory
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
