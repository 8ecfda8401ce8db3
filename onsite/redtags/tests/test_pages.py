"""Every red-tag page: allowed and denied, scoped to the center, fixed query counts."""

from datetime import timedelta

import pytest
from django.utils import timezone

from onsite.audit.models import AuditEvent
from onsite.core.tests.factories import UserFactory, ZoneFactory
from onsite.redtags import actions
from onsite.redtags.models import RedTag, RedTagPolicy
from onsite.redtags.tests.conftest import png_bytes


def hang(zone, by, **data):
    values = {"item_name": "旧文件夹", "quantity": 1, "reason": "not_used", "proposal": "discard"}
    values.update(data)
    return actions.do_tag(center=zone.center, zone=zone, by=by, data=values)


@pytest.fixture
def theirs(other_center, other_admin):
    zone = ZoneFactory(center=other_center, code="y01-c")
    return hang(zone, other_admin, item_name="别家的旧台历")


def test_anonymous_visitors_are_sent_to_sign_in(client, db):
    for url in ["/redtags/", "/redtags/new/", "/redtags/1/", "/redtags/print.pdf",
                "/redtags/figures/", "/redtags/settings/", "/redtags/1/photo/thumb.jpg"]:  # fmt: skip
        assert client.get(url).status_code == 302, url
    assert client.post("/redtags/decide/").status_code == 302


def test_staff_tag_an_item_in_a_zone_with_a_photo(client_for, staff_user, zone, pens):
    client = client_for(staff_user)
    page = client.get("/redtags/new/?zone=w01-c")
    assert page.status_code == 200
    html = page.content.decode()
    assert f'value="{zone.code}" selected' in html  # codes, as the API takes them
    assert 'data-outbox-url="/api/v1/redtags/tags"' in html
    assert 'data-outbox-photo-url="/api/v1/redtags/tags/{id}/photo"' in html
    response = client.post(
        "/redtags/new/",
        {"zone": zone.code, "item_name": "多余签字笔", "quantity": "12", "reason": "excess",
         "proposal": "return_to_store", "supply": pens.code, "footprint": "0.05", "phase": "sort",
         "submission_key": "t1", "photo": _upload()},
    )  # fmt: skip
    tag = RedTag.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/redtags/{tag.pk}/"
    assert (tag.item_name, tag.quantity, tag.supply, tag.tagged_by) == (
        "多余签字笔",
        12,
        pens,
        staff_user,
    )
    assert tag.photo
    again = client.post(
        "/redtags/new/",
        {"zone": zone.code, "item_name": "多余签字笔", "quantity": "12", "reason": "excess",
         "proposal": "return_to_store", "phase": "sort", "submission_key": "t1"},
    )  # fmt: skip
    assert again["Location"] == f"/redtags/{tag.pk}/", "a double submit hangs one tag"
    assert RedTag.objects.count() == 1


def _upload(content=None):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("photo.png", content or png_bytes(), content_type="image/png")


def test_a_bad_photo_or_quantity_is_refused_with_a_clear_message(client_for, staff_user, zone):
    client = client_for(staff_user)
    base = {"zone": zone.code, "item_name": "旧椅子", "reason": "broken", "proposal": "discard",
            "phase": "sort"}  # fmt: skip
    response = client.post("/redtags/new/", {**base, "quantity": "0"})
    assert "请输入至少为 1 的整数数量" in response.content.decode()
    response = client.post(
        "/redtags/new/", {**base, "quantity": "1", "photo": _upload(b"GIF89a not a photo")}
    )
    assert response.status_code == 200
    assert "此文件不是照片" in response.content.decode()
    assert not RedTag.objects.exists()


def test_viewers_only_read_and_the_auditor_keeps_to_the_audit_trail(
    client_for, auditor, viewer, zone, staff_user
):
    tag = hang(zone, staff_user)
    client = client_for(viewer)
    assert client.get("/redtags/new/").status_code == 403
    assert client.get("/redtags/").status_code == 200
    assert client.get(f"/redtags/{tag.pk}/").status_code == 200
    assert client.post(f"/redtags/{tag.pk}/withdraw/").status_code == 403
    client = client_for(auditor)
    for url in ["/redtags/", f"/redtags/{tag.pk}/", "/redtags/new/", "/redtags/figures/"]:
        assert client.get(url).status_code == 403, url


def test_the_holding_list_is_scoped_and_flags_overdue_tags(client_for, staff_user, zone, theirs):
    late = hang(zone, staff_user, item_name="过期宣传册")
    RedTag.objects.filter(pk=late.pk).update(hold_until=timezone.localdate() - timedelta(days=2))
    hang(zone, staff_user, item_name="坏订书机")
    client = client_for(staff_user)
    body = client.get("/redtags/").content.decode()
    assert "过期宣传册" in body
    assert "坏订书机" in body
    assert "别家的旧台历" not in body
    assert body.count('data-testid="overdue"') == 1
    overdue = client.get("/redtags/?show=overdue", HTTP_HX_REQUEST="true").content.decode()
    assert "<html" not in overdue
    assert "过期宣传册" in overdue
    assert "坏订书机" not in overdue
    assert client.get(f"/redtags/{theirs.pk}/").status_code == 404


def test_only_the_office_decides(client_for, staff_user, office_user, leader, zone, pens):
    tag = hang(zone, staff_user, supply=pens, quantity=5)
    url = f"/redtags/{tag.pk}/decide/"
    assert (
        'data-testid="decision-form"'
        not in client_for(staff_user).get(f"/redtags/{tag.pk}/").content.decode()
    )
    assert (
        client_for(staff_user).post(url, {"decision": "discard", "version": 1}).status_code == 403
    )
    assert AuditEvent.objects.filter(action="access.denied", actor=staff_user).exists()
    client = client_for(office_user)
    assert 'data-testid="decision-form"' in client.get(f"/redtags/{tag.pk}/").content.decode()
    assert client.get(url).status_code == 405
    response = client.post(
        url, {"decision": "return_to_store", "supply": pens.pk, "version": 1}, follow=True
    )
    assert "入库 5 支" in response.content.decode()
    pens.refresh_from_db()
    assert pens.on_hand == 105
    again = client_for(leader).post(url, {"decision": "discard", "version": 2}, follow=True)
    assert "未做任何更改" in again.content.decode()


def test_bulk_decisions_from_the_holding_list(client_for, office_user, staff_user, zone, theirs):
    tags = [hang(zone, staff_user, item_name=f"旧物{n}") for n in range(3)]
    client = client_for(staff_user)
    assert (
        client.post("/redtags/decide/", {"tags": [tags[0].pk], "decision": "discard"}).status_code
        == 403
    )
    client = client_for(office_user)
    listing = client.get("/redtags/").content.decode()
    assert 'data-testid="bulk-form"' in listing
    response = client.post(
        "/redtags/decide/",
        {"tags": [tags[0].pk, tags[1].pk], "decision": "discard", "back": "show=held"},
    )
    assert response["Location"] == "/redtags/?show=held"
    assert set(RedTag.objects.filter(center=zone.center).values_list("status", flat=True)) == {
        "decided",
        "held",
    }
    refused = client.post(
        "/redtags/decide/", {"tags": [theirs.pk], "decision": "discard"}, follow=True
    )
    assert refused.status_code == 200
    theirs.refresh_from_db()
    assert theirs.status == "held", "another center's tag is not in the choices"


def test_the_tagger_or_the_office_withdraws(client_for, staff_user, zone, center):
    tag = hang(zone, staff_user)
    someone = UserFactory(center=center, username="colleague", roles=["staff"])
    assert client_for(someone).post(f"/redtags/{tag.pk}/withdraw/").status_code == 403
    client_for(staff_user).post(f"/redtags/{tag.pk}/withdraw/", {"note": "贴错了"})
    tag.refresh_from_db()
    assert tag.status == "withdrawn"


def test_photos_are_served_after_the_access_check(client_for, staff_user, zone, other_admin, photo):
    tag = actions.do_tag(
        center=zone.center, zone=zone, by=staff_user, photo=photo,
        data={"item_name": "旧椅子", "quantity": 1, "reason": "broken", "proposal": "discard"},
    )  # fmt: skip
    response = client_for(staff_user).get(f"/redtags/{tag.pk}/photo/thumb.jpg")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert response.content.startswith(b"\xff\xd8\xff")
    assert client_for(staff_user).get(f"/redtags/{tag.pk}/photo/other.jpg").status_code == 404
    assert client_for(other_admin).get(f"/redtags/{tag.pk}/photo/photo.jpg").status_code == 404


def test_figures_per_unit_and_phase(client_for, leader, staff_user, office_user, zone, pens):
    kept = hang(zone, staff_user, quantity=2, footprint="0.50")
    gone = hang(zone, staff_user, quantity=3, supply=pens, footprint="0.25")
    actions.do_decide(tag=kept, by=office_user, decision="keep_filed")
    actions.do_decide(tag=gone, by=office_user, decision="return_to_store")
    hang(zone, staff_user, quantity=4)
    page = client_for(leader).get("/redtags/figures/?phase=sort")
    assert page.status_code == 200
    row = page.content.decode().split(f'data-unit="{zone.unit.code}"')[1].split("</tr>")[0]
    cells = [cell.split(">")[-1] for cell in row.split("</td>")[2:-1]]
    # tags, items, decided, overdue, removed, returned, space freed
    assert cells == ["3", "9", "2", "0", "3", "3", "0.25"]


def test_the_holding_time_setting(client_for, office_user, staff_user, center):
    assert client_for(staff_user).get("/redtags/settings/").status_code == 403
    client = client_for(office_user)
    assert client.get("/redtags/settings/").status_code == 200
    assert client.post("/redtags/settings/", {"holding_days": "0"}).status_code == 200
    client.post("/redtags/settings/", {"holding_days": "21", "version": "1"})
    assert RedTagPolicy.for_center(center).holding_days == 21


def test_list_pages_keep_a_fixed_query_count(
    client_for, office_user, staff_user, center, django_assert_max_num_queries
):
    def fill(count):
        for n in range(count):
            zone = ZoneFactory(center=center)
            hang(zone, staff_user, item_name=f"物品{n}", quantity=n + 1, footprint="0.10")

    client = client_for(office_user)
    urls = ["/redtags/", "/redtags/?show=all", "/redtags/figures/"]
    fill(2)
    with django_assert_max_num_queries(100) as small:
        for url in urls:
            assert client.get(url).status_code == 200
    fill(15)
    with django_assert_max_num_queries(len(small.captured_queries)):
        for url in urls:
            client.get(url)
