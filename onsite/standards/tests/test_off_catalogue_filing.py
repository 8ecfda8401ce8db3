"""Filing an item the catalogue lacks (issue 21, point 9): filed by name, reviewed (approved as
is, approved and added to the catalogue, or rejected), read everywhere filings are read; and
an end date in the past refused by the page and the API alike."""

import datetime
import uuid

import pytest
from django.utils import timezone

from onsite.accounts.models import ApiToken
from onsite.audit.models import AuditEvent
from onsite.core.tests.factories import UserFactory, ZoneFactory
from onsite.inspections.checklist import build_checklist
from onsite.standards.models import Item, ItemFiling
from onsite.standards.queries import effective_standard
from onsite.standards.tests.factories import ItemFactory

pytestmark = pytest.mark.django_db
API = "/api/v1/standards"


def auth(user):
    return {"HTTP_AUTHORIZATION": f"Bearer {ApiToken.issue(user=user, name='t')[1]}"}


@pytest.fixture
def setting(center, published, office_user):
    area, _version = published
    owner = UserFactory(center=center, username="owner1", roles=["staff"])
    zone = ZoneFactory(center=center, code="w01-c", area_type=area, owner=owner)
    ItemFactory(center=center, code="plant", name="绿植", aliases=["盆栽"])
    return {"zone": zone, "owner": owner, "office": office_user}


def _data(**extra):
    today = timezone.localdate()
    return {
        "zone": "w01-c",
        "item": "",
        "item_name": "个人药盒",
        "item_description": "白色小药盒",
        "quantity": 1,
        "reason": "每日服药",
        "valid_from": today.isoformat(),
        "valid_to": (today + datetime.timedelta(days=30)).isoformat(),
        "submission_key": uuid.uuid4().hex,
    } | extra


def _approve(client, filing, **extra):
    return client.post(
        f"/standards/filings/{filing.pk}/review/",
        {"decision": "approve", "comment": "", "row_version": filing.version} | extra,
    )


def test_an_item_not_in_the_catalogue_is_filed_by_name_and_read_everywhere(client_for, setting):
    owner = client_for(setting["owner"])
    key = uuid.uuid4().hex
    response = owner.post("/standards/filings/new/", _data(submission_key=key))
    owner.post("/standards/filings/new/", _data(submission_key=key))  # a double submit
    filing = ItemFiling.objects.get()
    assert response["Location"] == f"/standards/filings/{filing.pk}/"
    assert (filing.item, filing.item_label, filing.item_description) == (
        None,
        "个人药盒",
        "白色小药盒",
    )
    assert AuditEvent.objects.filter(action="standards.filing_requested").count() == 1

    office = client_for(setting["office"])
    listed = office.get("/standards/filings/?status=requested&sort=item").content.decode()
    assert "个人药盒" in listed
    assert 'data-testid="off-catalogue"' in listed
    detail = office.get(f"/standards/filings/{filing.pk}/").content.decode()
    assert "白色小药盒" in detail
    assert 'data-testid="catalogue-fields"' in detail
    assert "个人药盒" in office.get("/").content.decode()  # the office's to-do

    _approve(office, filing)
    filing.refresh_from_db()
    assert (filing.status, filing.item) == ("approved", None)
    effective = effective_standard(setting["zone"])
    assert [f.item_label for f in effective.filings] == ["个人药盒"]
    checklist = build_checklist(effective)
    assert any("个人药盒 (+1)" in spec.text for spec in checklist)
    assert "个人药盒" in office.get("/z/w01-c/").content.decode()
    row = office.get(f"{API}/filings/{filing.pk}", **auth(setting["office"])).json()
    assert (row["item"], row["item_name"], row["off_catalogue"]) == ("", "个人药盒", True)


def test_the_office_approves_and_adds_the_item_to_the_catalogue(client_for, setting):
    client_for(setting["owner"]).post("/standards/filings/new/", _data())
    filing = ItemFiling.objects.get()
    office = client_for(setting["office"])
    response = _approve(
        office, filing, decision="approve_catalogue", item_code="medicine-box", item_name=""
    )
    assert response.status_code == 302
    filing.refresh_from_db()
    item = Item.objects.get(code="medicine-box")
    assert (filing.status, filing.item, item.name, item.center) == (
        "approved", item, "个人药盒", setting["zone"].center,
    )  # fmt: skip
    assert effective_standard(setting["zone"]).verdict(item).allowed
    assert AuditEvent.objects.filter(action="standards.item_added").exists()
    page = office.get(f"/standards/filings/{filing.pk}/").content.decode()
    assert "medicine-box" in page


def test_adding_needs_a_code_and_a_taken_code_adds_nothing(client_for, setting):
    client_for(setting["owner"]).post("/standards/filings/new/", _data())
    filing = ItemFiling.objects.get()
    office = client_for(setting["office"])
    assert _approve(office, filing, decision="approve_catalogue").status_code == 400
    _approve(office, filing, decision="approve_catalogue", item_code="plant")
    filing.refresh_from_db()
    assert (filing.status, filing.item) == ("requested", None)  # all or nothing


def test_a_name_the_catalogue_knows_is_refused_with_its_code(client_for, setting):
    response = client_for(setting["owner"]).post("/standards/filings/new/", _data(item_name="盆栽"))
    assert ItemFiling.objects.count() == 0
    assert "plant" in response.content.decode()


def test_a_filing_names_one_item(client_for, setting):
    owner = client_for(setting["owner"])
    assert owner.post("/standards/filings/new/", _data(item_name="")).status_code == 200
    assert owner.post("/standards/filings/new/", _data(item="plant")).status_code == 200
    assert ItemFiling.objects.count() == 0


def test_the_api_files_reviews_and_adds_to_the_catalogue(client, setting):
    body = _data()
    body.pop("submission_key")
    made = client.post(
        f"{API}/filings", body, content_type="application/json", **auth(setting["owner"])
    )
    assert made.status_code == 200, made.content
    row = made.json()
    assert (row["item"], row["item_name"], row["off_catalogue"]) == ("", "个人药盒", True)
    decided = client.post(
        f"{API}/filings/{row['id']}/review",
        {
            "decision": "approve_catalogue",
            "item_code": "pill-box",
            "row_version": row["row_version"],
        },
        content_type="application/json",
        **auth(setting["office"]),
    )
    assert decided.status_code == 200, decided.content
    assert (decided.json()["item"], decided.json()["off_catalogue"]) == ("pill-box", False)


def test_the_api_refuses_adding_for_a_catalogue_item_and_for_the_filer(client, setting):
    body = _data(item="plant", item_name="", item_description="")
    body.pop("submission_key")
    row = client.post(
        f"{API}/filings", body, content_type="application/json", **auth(setting["owner"])
    ).json()
    review = {"decision": "approve_catalogue", "item_code": "x1", "row_version": row["row_version"]}
    by_filer = client.post(
        f"{API}/filings/{row['id']}/review", review, content_type="application/json",
        **auth(setting["owner"]),
    )  # fmt: skip
    assert by_filer.status_code == 403
    by_office = client.post(
        f"{API}/filings/{row['id']}/review", review, content_type="application/json",
        **auth(setting["office"]),
    )  # fmt: skip
    assert by_office.status_code == 422
    assert not Item.objects.filter(code="x1").exists()


def test_the_api_refuses_an_end_date_in_the_past(client, setting):
    past = (timezone.localdate() - datetime.timedelta(days=1)).isoformat()
    body = _data(valid_from=past, valid_to=past)
    body.pop("submission_key")
    response = client.post(
        f"{API}/filings", body, content_type="application/json", **auth(setting["owner"])
    )
    assert response.status_code == 422
    assert "past" in response.content.decode() or "过去" in response.content.decode()
    assert ItemFiling.objects.count() == 0


def test_another_centers_zone_is_not_visible_to_the_api(client, setting, other_admin):
    ZoneFactory(center=other_admin.center, code="their-zone")
    body = _data(zone="their-zone")
    body.pop("submission_key")
    response = client.post(
        f"{API}/filings", body, content_type="application/json", **auth(setting["owner"])
    )
    assert response.status_code == 404
