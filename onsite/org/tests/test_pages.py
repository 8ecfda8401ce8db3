import pytest

from onsite.audit.models import AuditEvent
from onsite.core.tests.factories import UnitFactory, UserFactory, ZoneFactory


@pytest.fixture
def units(center, other_center):
    mine = UnitFactory(center=center, code="w01", name="市场监管窗口")
    theirs = UnitFactory(center=other_center, code="w01", name="别家窗口")
    return mine, theirs


def test_managers_see_their_own_units_only(client_for, leader, units):
    body = client_for(leader).get("/org/units/").content.decode()
    assert "市场监管窗口" in body
    assert "别家窗口" not in body


def test_window_staff_may_not_open_the_unit_list(client_for, staff_user, units):
    response = client_for(staff_user).get("/org/units/")
    assert response.status_code == 403
    assert AuditEvent.objects.filter(action="access.denied", actor=staff_user).exists()


def test_unit_detail_allowed_and_other_center_is_404(client_for, leader, other_admin, units):
    assert client_for(leader).get("/org/units/w01/").status_code == 200
    other = UnitFactory(center=other_admin.center, code="w99")
    assert client_for(leader).get(f"/org/units/{other.code}/").status_code == 404


def test_zone_pages_are_scoped_to_the_center(client_for, staff_user, center, other_center):
    ZoneFactory(center=center, code="w01-c", name="市场监管前台")
    ZoneFactory(center=other_center, code="y01-c", name="别家前台")
    client = client_for(staff_user)
    listing = client.get("/org/zones/").content.decode()
    assert "市场监管前台" in listing
    assert "别家前台" not in listing
    assert client.get("/org/zones/w01-c/").status_code == 200
    assert client.get("/org/zones/y01-c/").status_code == 404


def test_anonymous_visitors_are_sent_to_sign_in(client, db):
    for url in ["/org/units/", "/org/zones/", "/org/units/w01/", "/org/zones/x/"]:
        assert client.get(url).status_code == 302


def test_viewer_reads_granted_center_but_not_others(client_for, viewer, center, other_center):
    ZoneFactory(center=center, code="a1")
    ZoneFactory(center=other_center, code="b1")
    client = client_for(viewer)
    assert client.get("/org/zones/a1/").status_code == 200
    assert client.get("/org/zones/b1/").status_code == 404


def test_list_pages_keep_a_fixed_query_count(
    client_for, leader, center, django_assert_max_num_queries
):
    client = client_for(leader)
    for _n in range(3):
        unit = UnitFactory(center=center)
        UserFactory(center=center, unit=unit)
        ZoneFactory(center=center, unit=unit)
    client.get("/org/units/")  # the first request of a session does one-off work
    with django_assert_max_num_queries(30) as small:
        client.get("/org/units/")
        client.get("/org/zones/")
    for _n in range(30):
        unit = UnitFactory(center=center)
        UserFactory(center=center, unit=unit)
        ZoneFactory(center=center, unit=unit)
    with django_assert_max_num_queries(len(small.captured_queries)):
        client.get("/org/units/")
        client.get("/org/zones/")


def test_the_zone_page_a_qr_card_opens(client_for, staff_user, center, other_center):
    ZoneFactory(center=center, code="w01-c", name="市场监管前台")
    ZoneFactory(center=other_center, code="y01-c")
    client = client_for(staff_user)
    assert "市场监管前台" in client.get("/z/w01-c/").content.decode()
    assert client.get("/z/y01-c/").status_code == 404


def test_the_zone_page_needs_sign_in(client, db):
    assert client.get("/z/w01-c/").status_code == 302
