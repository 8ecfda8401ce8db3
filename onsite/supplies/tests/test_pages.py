"""Every supplies page: allowed and denied, scoped to the center, fixed query counts."""

import pytest

from onsite.audit.models import AuditEvent
from onsite.core.tests.factories import UnitFactory, UserFactory
from onsite.supplies import actions
from onsite.supplies.models import Movement, Requisition, StockCount, Supply, SupplyReturn
from onsite.supplies.tests.factories import SupplyFactory


@pytest.fixture
def theirs(other_center):
    """Another center's store, requisition and count: never visible here."""
    unit = UnitFactory(center=other_center, code="y01")
    person = UserFactory(center=other_center, unit=unit, roles=["staff", "office"])
    supply = SupplyFactory(center=other_center, code="their-toner", name="别家硒鼓")
    requisition = actions.do_request(center=other_center, unit=unit, by=person, lines=[(supply, 1)])
    count = actions.do_count(
        center=other_center,
        by=person,
        rows=[actions.CountRow(supply=supply, expected=50, counted=50)],
    )
    return {"unit": unit, "supply": supply, "requisition": requisition, "count": count}


# --- the store ------------------------------------------------------------------------


def test_everyone_reads_the_stock_of_their_own_center_only(client_for, staff_user, toner, theirs):
    body = client_for(staff_user).get("/supplies/").content.decode()
    assert "硒鼓" in body
    assert "别家硒鼓" not in body


def test_anonymous_visitors_are_sent_to_sign_in(client, db):
    for url in [
        "/supplies/",
        "/supplies/new/",
        "/supplies/stock/toner/",
        "/supplies/requisitions/",
        "/supplies/requisitions/new/",
        "/supplies/requisitions/1/",
        "/supplies/returns/",
        "/supplies/counts/",
        "/supplies/consumption/",
        "/supplies/consumption/w01/",
    ]:
        assert client.get(url).status_code == 302, url
    assert client.post("/supplies/requisitions/1/issue/").status_code == 302


def test_only_the_store_adds_a_supply(client_for, staff_user, office_user, viewer, center):
    assert client_for(staff_user).get("/supplies/new/").status_code == 403
    assert AuditEvent.objects.filter(action="access.denied", actor=staff_user).exists()
    assert client_for(viewer).get("/supplies/new/").status_code == 403
    client = client_for(office_user)
    assert client.get("/supplies/new/").status_code == 200
    response = client.post(
        "/supplies/new/",
        {"code": "ink-pad", "name": "印泥", "category": "ink_pad", "measure": "盒",
         "unit_price": "15", "min_level": "10", "max_level": "5", "is_active": "on"},
    )  # fmt: skip
    assert "cannot be above" in response.content.decode() or "不能高于" in response.content.decode()
    response = client.post(
        "/supplies/new/",
        {"code": "ink-pad", "name": "印泥", "category": "ink_pad", "measure": "盒",
         "unit_price": "15", "min_level": "10", "max_level": "80", "is_active": "on"},
    )  # fmt: skip
    assert response.status_code == 302
    assert Supply.objects.get(center=center, code="ink-pad").on_hand == 0


def test_editing_a_supply_and_another_centers_is_404(
    client_for, office_user, staff_user, toner, theirs
):
    client = client_for(office_user)
    assert client.get("/supplies/stock/toner/edit/").status_code == 200
    assert client.get("/supplies/stock/their-toner/edit/").status_code == 404
    assert client.get("/supplies/stock/their-toner/").status_code == 404
    data = {"code": "toner", "name": "激光硒鼓", "category": "toner", "measure": "个",
            "unit_price": "380", "min_level": "3", "max_level": "40", "is_active": "on",
            "version": "1"}  # fmt: skip
    assert client.post("/supplies/stock/toner/edit/", data).status_code == 302
    stale = client.post("/supplies/stock/toner/edit/", {**data, "name": "旧页面"})
    assert stale.status_code == 200, "a stale form is shown again with the conflict"
    toner.refresh_from_db()
    assert toner.name == "激光硒鼓"
    assert client_for(staff_user).get("/supplies/stock/toner/edit/").status_code == 403


def test_the_ledger_page_and_receiving_a_delivery(client_for, office_user, staff_user, toner):
    staff_page = client_for(staff_user).get("/supplies/stock/toner/").content.decode()
    assert 'data-testid="receive-form"' not in staff_page
    assert (
        client_for(staff_user).post("/supplies/stock/toner/receive/", {"quantity": 5}).status_code
        == 403
    )
    client = client_for(office_user)
    page = client.get("/supplies/stock/toner/")
    assert 'data-testid="receive-form"' in page.content.decode()
    assert client.get("/supplies/stock/toner/receive/").status_code == 405
    client.post("/supplies/stock/toner/receive/", {"quantity": "5", "submission_key": "r1"})
    client.post("/supplies/stock/toner/receive/", {"quantity": "5", "submission_key": "r1"})
    toner.refresh_from_db()
    assert toner.on_hand == 15, "the repeated submit received once"
    response = client.post("/supplies/stock/toner/receive/", {"quantity": "-2"}, follow=True)
    assert (
        "至少为 1 的整数" in response.content.decode() or "at least 1" in response.content.decode()
    )
    assert Movement.objects.filter(supply=toner).count() == 1


# --- requisitions ---------------------------------------------------------------------


def test_staff_request_supplies_for_their_unit(client_for, staff_user, window, toner):
    client = client_for(staff_user)
    page = client.get("/supplies/requisitions/new/")
    assert page.status_code == 200
    data = {
        "unit": window.pk, "purpose": "打印", "submission_key": "k1",
        "form-TOTAL_FORMS": "4", "form-INITIAL_FORMS": "0",
        "form-MIN_NUM_FORMS": "0", "form-MAX_NUM_FORMS": "20",
        "form-0-supply": toner.pk, "form-0-quantity": "2",
    }  # fmt: skip
    response = client.post("/supplies/requisitions/new/", data)
    requisition = Requisition.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/supplies/requisitions/{requisition.pk}/"
    assert (requisition.unit, requisition.lines.get().requested) == (window, 2)
    client.post("/supplies/requisitions/new/", data)
    assert Requisition.objects.count() == 1, "a double submit creates one requisition"


@pytest.mark.parametrize("bad", ["0", "-1", "1.5", "abc", ""])
def test_a_quantity_that_is_not_a_positive_whole_number_is_refused_clearly(
    client_for, staff_user, window, toner, bad
):
    data = {
        "unit": window.pk, "form-TOTAL_FORMS": "1", "form-INITIAL_FORMS": "0",
        "form-MIN_NUM_FORMS": "0", "form-MAX_NUM_FORMS": "20",
        "form-0-supply": toner.pk, "form-0-quantity": bad,
    }  # fmt: skip
    response = client_for(staff_user).post("/supplies/requisitions/new/", data)
    assert response.status_code == 200
    assert "请输入至少为 1 的整数数量" in response.content.decode()
    assert not Requisition.objects.exists()


def test_a_person_cannot_request_for_another_unit(client_for, staff_user, other_window, toner):
    data = {
        "unit": other_window.pk, "form-TOTAL_FORMS": "1", "form-INITIAL_FORMS": "0",
        "form-MIN_NUM_FORMS": "0", "form-MAX_NUM_FORMS": "20",
        "form-0-supply": toner.pk, "form-0-quantity": "1",
    }  # fmt: skip
    response = client_for(staff_user).post("/supplies/requisitions/new/", data)
    assert response.status_code == 200
    assert not Requisition.objects.exists()


def test_auditors_and_viewers_do_not_request(client_for, auditor, viewer):
    assert client_for(auditor).get("/supplies/requisitions/new/").status_code == 403
    assert client_for(viewer).get("/supplies/requisitions/new/").status_code == 403


def test_staff_read_their_units_requisitions_only(
    client_for, staff_user, other_window, approved, toner, theirs, leader
):
    mine = approved(quantity=1)
    tobacco = approved(quantity=1, unit=other_window, by=other_window.staff.get())
    client = client_for(staff_user)
    listing = client.get("/supplies/requisitions/").content.decode()
    assert f"#{mine.pk}" in listing
    assert f"#{tobacco.pk}<" not in listing
    assert client.get(f"/supplies/requisitions/{mine.pk}/").status_code == 200
    assert client.get(f"/supplies/requisitions/{tobacco.pk}/").status_code == 404
    assert client.get(f"/supplies/requisitions/{theirs['requisition'].pk}/").status_code == 404
    leaders = client_for(leader)
    assert leaders.get(f"/supplies/requisitions/{tobacco.pk}/").status_code == 200
    assert leaders.get(f"/supplies/requisitions/{theirs['requisition'].pk}/").status_code == 404


def test_the_requisition_list_filters_with_htmx(client_for, office_user, approved):
    approved(quantity=1)
    client = client_for(office_user)
    partial = client.get("/supplies/requisitions/?status=approved", HTTP_HX_REQUEST="true")
    body = partial.content.decode()
    assert "<html" not in body
    assert 'data-testid="requisition-list"' in body
    empty = client.get("/supplies/requisitions/?status=issued", HTTP_HX_REQUEST="true")
    assert "#" not in empty.content.decode().split('data-testid="requisition-list"')[1][:200]


def test_approve_reject_issue_and_close_through_the_pages(
    client_for, center, staff_user, window, office_user, leader, toner
):
    requisition = actions.do_request(center=center, unit=window, by=staff_user, lines=[(toner, 4)])
    line = requisition.lines.get()
    url = f"/supplies/requisitions/{requisition.pk}/"
    assert client_for(staff_user).post(url + "approve/", {"version": 1}).status_code == 403
    assert client_for(leader).get(url).status_code == 200
    client_for(leader).post(url + "approve/", {"version": 1, f"line_{line.pk}": "4"})
    requisition.refresh_from_db()
    assert requisition.status == Requisition.Status.APPROVED
    assert client_for(leader).post(url + "issue/", {f"line_{line.pk}": "1"}).status_code == 403, (
        "leaders approve; only the store issues"
    )
    office = client_for(office_user)
    office.post(url + "issue/", {f"line_{line.pk}": "3", "submission_key": "i1"})
    requisition.refresh_from_db()
    toner.refresh_from_db()
    assert (requisition.status, toner.on_hand) == (Requisition.Status.PARTLY_ISSUED, 7)
    too_many = office.post(
        url + "issue/", {f"line_{line.pk}": "5", "submission_key": "i2"}, follow=True
    )
    assert "最多还能发放 1" in too_many.content.decode()
    office.post(url + "end/", {"version": requisition.version, "action": "closed"})
    requisition.refresh_from_db()
    assert requisition.status == Requisition.Status.CLOSED


def test_requesters_cancel_their_own_and_only_approvers_reject(
    client_for, center, staff_user, window, other_window, toner, leader
):
    mine = actions.do_request(center=center, unit=window, by=staff_user, lines=[(toner, 1)])
    url = f"/supplies/requisitions/{mine.pk}/end/"
    assert (
        client_for(staff_user)
        .post(url, {"version": 1, "action": "rejected", "note": "x"})
        .status_code
        == 403
    )
    client_for(staff_user).post(url, {"version": 1, "action": "cancelled"})
    mine.refresh_from_db()
    assert mine.status == Requisition.Status.CANCELLED
    second = actions.do_request(center=center, unit=window, by=staff_user, lines=[(toner, 1)])
    client_for(leader).post(
        f"/supplies/requisitions/{second.pk}/end/",
        {"version": 1, "action": "rejected", "note": "库存不足"},
    )
    second.refresh_from_db()
    assert second.status == Requisition.Status.REJECTED


# --- returns and counts ---------------------------------------------------------------


def test_returns_are_recorded_by_the_store(
    client_for, office_user, staff_user, window, paper, center
):
    assert client_for(staff_user).get("/supplies/returns/new/").status_code == 403
    client = client_for(office_user)
    assert client.get("/supplies/returns/new/").status_code == 200
    response = client.post(
        "/supplies/returns/new/",
        {"supply": paper.pk, "unit": window.pk, "quantity": "6", "source": "unused",
         "submission_key": "ret1"},
    )  # fmt: skip
    assert response.status_code == 302
    paper.refresh_from_db()
    assert paper.on_hand == 106
    refused = client.post(
        "/supplies/returns/new/",
        {"supply": paper.pk, "unit": window.pk, "quantity": "0", "source": "unused"},
    )
    assert refused.status_code == 200
    assert SupplyReturn.objects.count() == 1
    assert "A4复印纸" in client_for(staff_user).get("/supplies/returns/").content.decode()


def test_counting_the_store_through_the_page(
    client_for, office_user, staff_user, toner, paper, theirs
):
    assert client_for(staff_user).get("/supplies/counts/").status_code == 403
    assert client_for(staff_user).get("/supplies/counts/new/").status_code == 403
    client = client_for(office_user)
    page = client.get("/supplies/counts/new/")
    assert page.status_code == 200
    data = {
        f"expected_{toner.pk}": "10", f"counted_{toner.pk}": "9",
        f"expected_{paper.pk}": "100", f"counted_{paper.pk}": "",
        "submission_key": "c1",
    }  # fmt: skip
    unexplained = client.post("/supplies/counts/new/", data)
    assert unexplained.status_code == 200
    assert not StockCount.objects.filter(center=toner.center).exists()
    response = client.post("/supplies/counts/new/", {**data, f"explanation_{toner.pk}": "摔坏一个"})
    count = StockCount.objects.get(center=toner.center)
    assert response["Location"] == f"/supplies/counts/{count.pk}/"
    toner.refresh_from_db()
    paper.refresh_from_db()
    assert (toner.on_hand, paper.on_hand) == (9, 100)
    detail = client.get(f"/supplies/counts/{count.pk}/").content.decode()
    assert "摔坏一个" in detail
    assert client.get(f"/supplies/counts/{theirs['count'].pk}/").status_code == 404
    assert client.get("/supplies/counts/").status_code == 200


# --- consumption ----------------------------------------------------------------------


def test_the_consumption_report_is_for_managers(
    client_for, leader, staff_user, viewer, approved, office_user
):
    requisition = approved(quantity=2)
    actions.do_issue(
        requisition=requisition, by=office_user, quantities={requisition.lines.get().pk: 2}
    )
    page = client_for(leader).get("/supplies/consumption/?months=1")
    assert page.status_code == 200
    assert "760.00" in page.content.decode()
    assert client_for(viewer).get("/supplies/consumption/").status_code == 200
    assert client_for(staff_user).get("/supplies/consumption/").status_code == 403


def test_a_units_own_staff_read_its_consumption(
    client_for, staff_user, window, other_window, approved, office_user, other_center, leader
):
    requisition = approved(quantity=2)
    actions.do_issue(
        requisition=requisition, by=office_user, quantities={requisition.lines.get().pk: 2}
    )
    client = client_for(staff_user)
    page = client.get(f"/supplies/consumption/{window.code}/")
    assert page.status_code == 200
    assert "硒鼓" in page.content.decode()
    assert client.get(f"/supplies/consumption/{other_window.code}/").status_code == 403
    UnitFactory(center=other_center, code="y09")
    assert client_for(leader).get("/supplies/consumption/y09/").status_code == 404


def _history(center, office_user, units, toner):
    for unit in units:
        person = UserFactory(center=center, unit=unit, roles=["staff"])
        requisition = actions.do_request(center=center, unit=unit, by=person, lines=[(toner, 1)])
        actions.do_approve(requisition=requisition, by=office_user, expected_version=1)
        actions.do_issue(
            requisition=requisition, by=office_user, quantities={requisition.lines.get().pk: 1}
        )
        actions.do_return(center=center, supply=toner, quantity=1, unit=unit, by=office_user)


def test_list_pages_keep_a_fixed_query_count(
    client_for, office_user, center, toner, django_assert_max_num_queries
):
    Supply.objects.filter(pk=toner.pk).update(on_hand=0, max_level=0)
    toner.refresh_from_db()
    actions.do_receive(supply=toner, quantity=1000, by=office_user)
    client = client_for(office_user)
    urls = [
        "/supplies/",
        "/supplies/stock/toner/",
        "/supplies/requisitions/",
        "/supplies/returns/",
        "/supplies/counts/",
        "/supplies/consumption/",
    ]
    _history(center, office_user, [UnitFactory(center=center) for _n in range(2)], toner)
    SupplyFactory(center=center)
    with django_assert_max_num_queries(200) as small:
        for url in urls:
            assert client.get(url).status_code == 200
    _history(center, office_user, [UnitFactory(center=center) for _n in range(12)], toner)
    for _n in range(10):
        SupplyFactory(center=center)
    with django_assert_max_num_queries(len(small.captured_queries)):
        for url in urls:
            client.get(url)
