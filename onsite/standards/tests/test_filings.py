"""Item filings (报备): owner files → office approves/rejects → expiry."""

import datetime
import uuid

import pytest
from django.utils import timezone

from onsite.core.tests.factories import UserFactory, ZoneFactory
from onsite.notifications.models import Notification
from onsite.standards.models import FilingTransition, ItemFiling
from onsite.standards.queries import effective_standard
from onsite.standards.tests.factories import ItemFactory, ItemFilingFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def setting(center, published, office_user):
    area, _version = published
    owner = UserFactory(center=center, username="owner1", roles=["staff"])
    zone = ZoneFactory(center=center, code="w01-c", area_type=area, owner=owner)
    plant = ItemFactory(center=center, code="plant", name="绿植")
    return {"zone": zone, "owner": owner, "plant": plant, "office": office_user}


def _file(client, setting, **extra):
    today = timezone.localdate()
    data = {
        "zone": setting["zone"].code,
        "item": setting["plant"].code,
        "quantity": 1,
        "reason": "美化环境",
        "valid_from": today.isoformat(),
        "valid_to": (today + datetime.timedelta(days=30)).isoformat(),
        "submission_key": uuid.uuid4().hex,
    }
    return client.post("/standards/filings/new/", data | extra)


def test_owner_files_office_approves_and_the_zone_allows_it_until_the_end_date(
    client_for, setting, django_capture_on_commit_callbacks
):
    owner = client_for(setting["owner"])
    with django_capture_on_commit_callbacks(execute=True):
        response = _file(owner, setting)
    filing = ItemFiling.objects.get()
    assert response["Location"] == f"/standards/filings/{filing.pk}/"
    assert filing.status == "requested"
    form = owner.get("/standards/filings/new/?zone=w01-c").content.decode()
    assert 'value="w01-c" selected' in form  # codes, as the API takes them
    assert 'data-outbox-url="/api/v1/standards/filings"' in form
    assert Notification.objects.filter(user=setting["office"]).exists()
    assert not effective_standard(setting["zone"]).verdict(setting["plant"]).allowed

    office = client_for(setting["office"])
    with django_capture_on_commit_callbacks(execute=True):
        office.post(
            f"/standards/filings/{filing.pk}/review/",
            {"decision": "approve", "comment": "", "row_version": filing.version},
        )
    filing.refresh_from_db()
    assert filing.status == "approved"
    assert filing.reviewed_by == setting["office"]
    assert Notification.objects.filter(user=setting["owner"]).exists()
    assert [t.to_status for t in FilingTransition.objects.filter(filing=filing)] == [
        "requested",
        "approved",
    ]
    zone = setting["zone"]
    assert effective_standard(zone).verdict(setting["plant"]).allowed
    page = office.get(f"/z/{zone.code}/").content.decode()
    assert "绿植" in page
    after = effective_standard(zone, on=filing.valid_to + datetime.timedelta(days=1))
    assert not after.verdict(setting["plant"]).allowed
    assert filing.is_expired(on=filing.valid_to + datetime.timedelta(days=1))


def test_a_double_submit_makes_one_filing(client_for, setting):
    client = client_for(setting["owner"])
    key = uuid.uuid4().hex
    first = _file(client, setting, submission_key=key)
    second = _file(client, setting, submission_key=key)
    assert ItemFiling.objects.count() == 1
    assert first["Location"] == second["Location"]


def test_a_racing_twin_of_a_filing_answers_with_the_first(client_for, setting, monkeypatch):
    """Both twins passed the "already filed?" check: the second finds the key claimed and
    answers with the first filing, keeping nothing of its own."""
    from onsite.standards import services

    client = client_for(setting["owner"])
    key = uuid.uuid4().hex
    first = _file(client, setting, submission_key=key)
    monkeypatch.setattr(services, "existing_submission", lambda **_kwargs: None)
    second = _file(client, setting, submission_key=key)
    assert ItemFiling.objects.count() == 1
    assert first["Location"] == second["Location"]


def test_a_non_owner_cannot_file_for_a_zone(client_for, setting, center):
    other = UserFactory(center=center, roles=["staff"])
    ZoneFactory(center=center, owner=other, area_type=setting["zone"].area_type)
    response = _file(client_for(other), setting)
    assert response.status_code == 200  # the zone is not among their choices
    assert ItemFiling.objects.count() == 0


def test_bad_dates_are_refused_with_a_message(client_for, setting):
    today = timezone.localdate()
    response = _file(
        client_for(setting["owner"]),
        setting,
        valid_to=(today - datetime.timedelta(days=3)).isoformat(),
    )
    assert response.status_code == 200
    assert ItemFiling.objects.count() == 0
    assert "invalid-feedback" in response.content.decode()


def test_a_rejection_needs_a_comment(client_for, setting):
    filing = ItemFilingFactory(zone=setting["zone"], item=setting["plant"])
    office = client_for(setting["office"])
    response = office.post(
        f"/standards/filings/{filing.pk}/review/",
        {"decision": "reject", "comment": "", "row_version": filing.version},
    )
    assert response.status_code == 400
    filing.refresh_from_db()
    assert filing.status == "requested"
    office.post(
        f"/standards/filings/{filing.pk}/review/",
        {"decision": "reject", "comment": "前台不宜", "row_version": filing.version},
    )
    filing.refresh_from_db()
    assert filing.status == "rejected"
    assert filing.review_comment == "前台不宜"


def test_a_decided_filing_cannot_be_decided_again(client_for, setting, admin_user):
    filing = ItemFilingFactory(zone=setting["zone"], item=setting["plant"])
    office = client_for(setting["office"])
    office.post(
        f"/standards/filings/{filing.pk}/review/",
        {"decision": "approve", "comment": "", "row_version": filing.version},
    )
    admin = client_for(admin_user)
    admin.post(
        f"/standards/filings/{filing.pk}/review/",
        {"decision": "reject", "comment": "no", "row_version": filing.version},
    )
    filing.refresh_from_db()
    assert filing.status == "approved"


def test_the_owner_withdraws_and_others_cannot(client_for, setting, center):
    filing = ItemFilingFactory(zone=setting["zone"], item=setting["plant"])
    stranger = client_for(UserFactory(center=center, roles=["supervisor"]))
    assert (
        stranger.post(
            f"/standards/filings/{filing.pk}/withdraw/", {"row_version": filing.version}
        ).status_code
        == 403
    )
    client_for(setting["owner"]).post(
        f"/standards/filings/{filing.pk}/withdraw/", {"row_version": filing.version}
    )
    filing.refresh_from_db()
    assert filing.status == "withdrawn"


def test_filing_tabs_and_the_htmx_partial(client_for, setting):
    today = timezone.localdate()
    ItemFilingFactory(
        zone=setting["zone"],
        item=setting["plant"],
        status="approved",
        valid_from=today - datetime.timedelta(days=20),
        valid_to=today - datetime.timedelta(days=1),
    )
    client = client_for(setting["office"])
    assert "绿植" in client.get("/standards/filings/?status=expired").content.decode()
    assert "绿植" not in client.get("/standards/filings/?status=active").content.decode()
    partial = client.get(
        "/standards/filings/?status=expired", HTTP_HX_REQUEST="true"
    ).content.decode()
    assert "<html" not in partial
    assert 'id="filing-table"' in partial
