import pytest

from onsite.core.tests.factories import AreaTypeFactory, UnitFactory, UserFactory, ZoneFactory
from onsite.engagement import services
from onsite.engagement.models import Acknowledgement
from onsite.engagement.queries import acknowledgement_overview, acknowledgement_status
from onsite.notifications.models import Notification
from onsite.standards.models import StandardVersion
from onsite.standards.tests.factories import ClauseFactory, StandardFactory, VersionFactory


@pytest.fixture
def counter(center):
    return AreaTypeFactory(center=center, code="counter", name="前台")


@pytest.fixture
def published(center, counter):
    standard = StandardFactory(center=center, area_type=counter)
    version = VersionFactory(
        center=center, standard=standard, number=1, status=StandardVersion.Status.PUBLISHED
    )
    ClauseFactory(standard_version=version)
    return version


@pytest.fixture
def window(center, counter):
    unit = UnitFactory(center=center, name="市场监管窗口")
    owner = UserFactory(center=center, unit=unit, full_name="区域责任人", roles=["staff"])
    ZoneFactory(center=center, area_type=counter, unit=unit, owner=owner, code="w01-c")
    return unit, owner


def test_the_people_of_affected_zones_must_acknowledge(center, published, window, counter):
    unit, owner = window
    colleague = UserFactory(center=center, unit=unit, roles=["staff"])
    elsewhere = UserFactory(center=center, unit=UnitFactory(center=center), roles=["staff"])
    back_office = AreaTypeFactory(center=center, code="back", name="中间办公室")
    ZoneFactory(center=center, area_type=back_office, unit=elsewhere.unit, owner=elsewhere)
    assert set(services.required_people(published)) == {owner, colleague}


def test_ensure_creates_tasks_once_and_notifies(
    center, published, window, django_capture_on_commit_callbacks
):
    _unit, owner = window
    with django_capture_on_commit_callbacks(execute=True):
        assert services.ensure_acknowledgements(version=published) == 1
        assert services.ensure_acknowledgements(version=published) == 0
        assert services.ensure_acknowledgements(center=center) == 0
    assert Acknowledgement.objects.get().acknowledged_at is None
    assert Notification.objects.filter(user=owner, kind="engagement.acknowledge").count() == 1


def test_a_newcomer_gets_the_task_at_once(
    client_for, leader, center, published, window, django_capture_on_commit_callbacks
):
    unit, owner = window
    services.acknowledge(published, user=owner)
    newcomer = UserFactory(center=center, unit=unit, full_name="新进人员", roles=["staff"])
    # No hook needed for the page: who must acknowledge is computed from the zones.
    status = acknowledgement_status(published)
    assert [p.full_name for p in status.missing] == ["新进人员"]
    body = client_for(newcomer).get("/engagement/acknowledgements/mine/").content.decode()
    assert str(published) in body
    assert 'data-testid="acknowledge"' in body
    # The hook creates the task row and tells the newcomer.
    with django_capture_on_commit_callbacks(execute=True):
        assert services.ensure_acknowledgements(user=newcomer) == 1
    assert Notification.objects.filter(user=newcomer, kind="engagement.acknowledge").exists()
    page = client_for(leader).get(f"/engagement/acknowledgements/{published.pk}/").content.decode()
    missing = page.split('data-testid="missing"')[1].split("</ul>")[0]
    assert "新进人员" in missing
    assert "区域责任人" not in missing


def test_a_new_zone_owner_gets_the_task(center, published, counter):
    person = UserFactory(center=center, roles=["staff"])
    zone = ZoneFactory(center=center, area_type=counter, owner=person)
    assert services.ensure_acknowledgements(zone=zone) == 1
    assert Acknowledgement.objects.filter(user=person, standard_version=published).exists()


def test_staff_acknowledge_a_standard(client_for, published, window):
    _unit, owner = window
    client = client_for(owner)
    response = client.post(f"/engagement/acknowledgements/{published.pk}/confirm/")
    assert response.status_code == 302
    record = Acknowledgement.objects.get(user=owner)
    assert record.acknowledged_at is not None
    first = record.acknowledged_at
    client.post(f"/engagement/acknowledgements/{published.pk}/confirm/")
    record.refresh_from_db()
    assert record.acknowledged_at == first
    overview = acknowledgement_overview(published.center)
    assert [(row.required, row.done) for row in overview] == [(1, 1)]


def test_nobody_acknowledges_what_does_not_apply_or_is_not_published(
    client_for, center, published, counter, window
):
    stranger = UserFactory(center=center, roles=["staff"])
    assert (
        client_for(stranger)
        .post(f"/engagement/acknowledgements/{published.pk}/confirm/")
        .status_code
        == 404
    )
    draft = VersionFactory(center=center, standard=published.standard, number=2)
    _unit, owner = window
    assert (
        client_for(owner).post(f"/engagement/acknowledgements/{draft.pk}/confirm/").status_code
        == 404
    )
    assert not Acknowledgement.objects.exists()


def test_pages_allowed_and_denied(
    client_for, leader, viewer, staff_user, other_admin, published, window
):
    for user in (leader, viewer):
        client = client_for(user)
        assert client.get("/engagement/acknowledgements/").status_code == 200
        assert client.get(f"/engagement/acknowledgements/{published.pk}/").status_code == 200
    client = client_for(staff_user)
    assert client.get("/engagement/acknowledgements/").status_code == 403
    assert client.get(f"/engagement/acknowledgements/{published.pk}/").status_code == 403
    assert client.get("/engagement/acknowledgements/mine/").status_code == 200
    assert client_for(viewer).get("/engagement/acknowledgements/mine/").status_code == 403
    assert (
        client_for(viewer).post(f"/engagement/acknowledgements/{published.pk}/confirm/").status_code
        == 403
    )
    other = client_for(other_admin)
    assert other.get(f"/engagement/acknowledgements/{published.pk}/").status_code == 404
    assert other.post(f"/engagement/acknowledgements/{published.pk}/confirm/").status_code == 404
    assert (
        client_for(window[1])
        .get(f"/engagement/acknowledgements/{published.pk}/confirm/")
        .status_code
        == 405
    )


def test_anonymous_visitors_are_sent_to_sign_in(client, published):
    for url in ("/engagement/acknowledgements/", "/engagement/acknowledgements/mine/",
                f"/engagement/acknowledgements/{published.pk}/"):  # fmt: skip
        assert client.get(url).status_code == 302


def test_the_overview_keeps_a_fixed_query_count(
    client_for, leader, center, django_assert_max_num_queries
):
    client = client_for(leader)

    def grow(n, start):
        for i in range(start, start + n):
            area = AreaTypeFactory(center=center, code=f"a{i}", name=f"区域类型{i}")
            version = VersionFactory(center=center, standard=StandardFactory(center=center, area_type=area),
                                     number=1, status=StandardVersion.Status.PUBLISHED)  # fmt: skip
            unit = UnitFactory(center=center)
            owner = UserFactory(center=center, unit=unit)
            ZoneFactory(center=center, area_type=area, unit=unit, owner=owner)
            services.acknowledge(version, user=owner)

    grow(1, 0)
    with django_assert_max_num_queries(25) as small:
        client.get("/engagement/acknowledgements/")
    grow(6, 1)
    with django_assert_max_num_queries(len(small.captured_queries)):
        client.get("/engagement/acknowledgements/")


def test_the_nightly_command_assigns_missing_tasks(center, published, window):
    from django.core.management import call_command

    call_command("assign_acknowledgements")
    assert Acknowledgement.objects.filter(user=window[1], standard_version=published).exists()
    call_command("assign_acknowledgements")
    assert Acknowledgement.objects.count() == 1
