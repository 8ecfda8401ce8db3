"""Every page: allowed, denied by role (403), another center's object (404), anonymous."""

import pytest

from onsite.audit.models import AuditEvent
from onsite.core.tests.factories import AreaTypeFactory, UserFactory, ZoneFactory
from onsite.standards.models import ItemFiling
from onsite.standards.tests.factories import ItemFactory, ItemFilingFactory

pytestmark = pytest.mark.django_db


def _read_urls(version, zone, filing):
    clause = version.clauses.first()
    return [
        "/standards/",
        "/standards/area-types/counter/",
        f"/standards/versions/{version.pk}/",
        f"/standards/versions/{version.pk}/diff/?against={version.pk}",
        f"/standards/versions/{version.pk}/plan.svg",
        f"/standards/versions/{version.pk}/export.xlsx",
        "/standards/items/",
        "/standards/filings/",
        f"/standards/filings/{filing.pk}/",
        f"/z/{zone.code}/",
    ], clause


@pytest.fixture
def world(center, published, admin_user):
    area, version = published
    owner = UserFactory(center=center, username="owner1", roles=["staff"])
    zone = ZoneFactory(center=center, code="w01-c", area_type=area, owner=owner)
    filing = ItemFilingFactory(
        zone=zone, item=ItemFactory(center=center, code="plant", name="绿植")
    )
    return {"area": area, "version": version, "zone": zone, "filing": filing, "owner": owner}


def test_readers_open_every_read_page(client_for, leader, world):
    urls, _clause = _read_urls(world["version"], world["zone"], world["filing"])
    client = client_for(leader)
    for url in urls:
        assert client.get(url).status_code == 200, url


def test_the_viewer_reads_the_granted_center(client_for, viewer, world):
    client = client_for(viewer)
    assert client.get("/standards/").status_code == 200
    assert client.get(f"/standards/versions/{world['version'].pk}/").status_code == 200
    assert client.get(f"/z/{world['zone'].code}/").status_code == 200


def test_anonymous_visitors_are_sent_to_sign_in(client, world):
    urls, _clause = _read_urls(world["version"], world["zone"], world["filing"])
    for url in [*urls, "/standards/import/", "/standards/items/new/", "/standards/filings/new/"]:
        response = client.get(url)
        assert response.status_code == 302, url
        assert "/accounts/login/" in response["Location"]


def test_other_centers_objects_are_404(client_for, leader, world, theirs):
    client = client_for(leader)
    version, draft = theirs["version"], theirs["draft"]
    their_filing = ItemFilingFactory(zone=theirs["zone"])
    for url in [
        f"/standards/versions/{version.pk}/",
        f"/standards/versions/{version.pk}/diff/",
        f"/standards/versions/{version.pk}/plan.svg",
        f"/standards/versions/{version.pk}/visual.pdf",
        f"/standards/versions/{version.pk}/labels.pdf",
        f"/standards/versions/{version.pk}/export.xlsx",
        f"/standards/versions/{world['version'].pk}/diff/?against={version.pk}",
        f"/standards/filings/{their_filing.pk}/",
        f"/z/{theirs['zone'].code}/",
    ]:
        assert client.get(url).status_code == 404, url
    editor = client_for(UserFactory(center=world["zone"].center, roles=["office"]))
    for url in [
        f"/standards/versions/{draft.pk}/settings/",
        f"/standards/clauses/{theirs['clause'].pk}/edit/",
        f"/standards/rules/{theirs['rule'].pk}/edit/",
        f"/standards/versions/{draft.pk}/clauses/new/",
        f"/standards/versions/{draft.pk}/rules/new/",
    ]:
        assert editor.get(url).status_code == 404, url
    for url in [
        f"/standards/versions/{draft.pk}/publish/",
        f"/standards/versions/{draft.pk}/discard/",
        f"/standards/clauses/{theirs['clause'].pk}/delete/",
        f"/standards/rules/{theirs['rule'].pk}/delete/",
        f"/standards/filings/{their_filing.pk}/review/",
        "/standards/area-types/no-such-type/revise/",
    ]:
        assert editor.post(url, {"row_version": 1}).status_code == 404, url
    draft.refresh_from_db()
    assert draft.is_draft


def test_window_staff_cannot_edit_standards(client_for, staff_user, world, draft):
    client = client_for(staff_user)
    clause = draft.clauses.first()
    rule = draft.item_rules.first()
    for url in [
        "/standards/area-types/new/",
        "/standards/area-types/counter/edit/",
        "/standards/import/",
        "/standards/items/new/",
        f"/standards/versions/{draft.pk}/settings/",
        f"/standards/versions/{draft.pk}/clauses/new/",
        f"/standards/clauses/{clause.pk}/edit/",
        f"/standards/versions/{draft.pk}/rules/new/",
        f"/standards/rules/{rule.pk}/edit/",
    ]:
        assert client.get(url).status_code == 403, url
    for url in [
        "/standards/area-types/counter/revise/",
        f"/standards/versions/{draft.pk}/publish/",
        f"/standards/versions/{draft.pk}/discard/",
        f"/standards/clauses/{clause.pk}/delete/",
        f"/standards/rules/{rule.pk}/delete/",
        f"/standards/filings/{world['filing'].pk}/review/",
    ]:
        assert client.post(url, {"row_version": 1, "decision": "approve"}).status_code == 403, url
    draft.refresh_from_db()
    assert draft.is_draft
    assert draft.clauses.filter(pk=clause.pk).exists()
    assert AuditEvent.objects.filter(action="access.denied", actor=staff_user).count() >= 15


def test_the_viewer_cannot_write(client_for, viewer, world, draft):
    client = client_for(viewer)
    assert (
        client.post(
            f"/standards/versions/{draft.pk}/publish/", {"row_version": draft.version}
        ).status_code
        == 403
    )
    assert client.get("/standards/filings/new/").status_code == 403


def test_writes_are_post_only(client_for, admin_user, draft):
    client = client_for(admin_user)
    assert client.get(f"/standards/versions/{draft.pk}/publish/").status_code == 405
    assert client.get("/standards/area-types/counter/revise/").status_code == 405


def test_a_staff_member_sees_only_filings_of_zones_they_own(client_for, world, center):
    stranger = UserFactory(center=center, roles=["staff"])
    client = client_for(stranger)
    assert (
        world["filing"].zone.code
        not in client.get("/standards/filings/?status=all").content.decode()
    )
    assert client.get(f"/standards/filings/{world['filing'].pk}/").status_code == 404
    owner = client_for(world["owner"])
    assert owner.get(f"/standards/filings/{world['filing'].pk}/").status_code == 200


def test_a_staff_member_without_a_zone_cannot_file(client_for, staff_user, world):
    assert client_for(staff_user).get("/standards/filings/new/").status_code == 403


def test_list_pages_keep_a_fixed_query_count(
    client_for, office_user, center, world, django_assert_max_num_queries
):
    client = client_for(office_user)
    urls = [
        "/standards/",
        "/standards/items/",
        "/standards/filings/?status=all",
        f"/standards/versions/{world['version'].pk}/",
        f"/z/{world['zone'].code}/",
    ]

    def grow(n):
        for i in range(n):
            area = AreaTypeFactory(center=center, code=f"area{i}-{n}", name=f"区域类型{i}-{n}")
            ZoneFactory(center=center, area_type=area)
            item = ItemFactory(center=center, code=f"it{i}-{n}", name=f"物品{i}-{n}")
            ItemFilingFactory(zone=world["zone"], item=item, status=ItemFiling.Status.APPROVED)

    grow(2)
    counts = {}
    for url in urls:
        with django_assert_max_num_queries(40) as small:
            assert client.get(url).status_code == 200
        counts[url] = len(small.captured_queries)
    grow(15)
    for url in urls:
        with django_assert_max_num_queries(counts[url]):
            assert client.get(url).status_code == 200


def test_the_zone_page_offers_a_red_tag_for_the_zone_to_staff_not_to_viewers(
    client_for, staff_user, viewer, world
):
    code = world["zone"].code
    page = client_for(staff_user).get(f"/z/{code}/").content.decode()
    assert f'href="/redtags/new/?zone={code}" data-testid="tag-item"' in page
    form = client_for(staff_user).get(f"/redtags/new/?zone={code}")
    assert form.status_code == 200
    assert form.context["form"].initial["zone"] == world["zone"]
    assert 'data-testid="tag-item"' not in client_for(viewer).get(f"/z/{code}/").content.decode()
