"""Equipment: a fault is reported by the zone's unit, logged and closed by the office, with its
history; a failed "equipment works" check opens one. Allowed and denied for every page and
endpoint; another center's equipment is a 404."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from onsite.accounts.models import ApiToken
from onsite.audit.models import AuditEvent
from onsite.core.tests.factories import UnitFactory, UserFactory, ZoneFactory
from onsite.equipment.models import Equipment, FaultReport, FaultTransition, RepairEntry
from onsite.inspections import services
from onsite.inspections.services import AnswerInput
from onsite.inspections.tests.factories import published_standard
from onsite.notifications.models import Notification
from onsite.standards.models import Clause
from onsite.standards.tests.factories import ClauseFactory

pytestmark = pytest.mark.django_db
API = "/api/v1/equipment"


def auth(user, key=None):
    headers = {"HTTP_AUTHORIZATION": f"Bearer {ApiToken.issue(user=user, name='t')[1]}"}
    if key:
        headers["HTTP_IDEMPOTENCY_KEY"] = key
    return headers


def image_upload(name="fault.png"):
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (20, 120, 200)).save(buffer, format="PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


@pytest.fixture
def unit(center):
    return UnitFactory(center=center, code="w01")


@pytest.fixture
def clerk(center, unit):
    return UserFactory(center=center, username="clerk1", roles=["staff"], unit=unit)


@pytest.fixture
def outsider(center):
    """Window staff of another unit: reads the register, reports nothing of this zone."""
    return UserFactory(
        center=center, username="outsider", roles=["staff"], unit=UnitFactory(center=center)
    )


@pytest.fixture
def zone(center, unit):
    return ZoneFactory(center=center, unit=unit, code="w01-counter")


@pytest.fixture
def device(zone):
    return Equipment.objects.create(
        center=zone.center, zone=zone, kind=Equipment.Kind.RATING_DEVICE, asset_number="PJ-001"
    )


@pytest.fixture
def foreign_device(other_center):
    zone = ZoneFactory(center=other_center)
    return Equipment.objects.create(center=other_center, zone=zone, kind="printer")


def test_a_fault_opens_is_repaired_and_closes_with_its_log(
    client_for, clerk, office_user, device, django_capture_on_commit_callbacks
):
    page = client_for(clerk).get(reverse("equipment:fault-report", args=[device.pk]))
    assert page.status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        sent = client_for(clerk).post(
            reverse("equipment:fault-report", args=[device.pk]),
            {"description": "评价器触摸无反应", "photo": image_upload(), "key": "k1"},
        )
    fault = FaultReport.objects.get()
    assert sent.status_code == 302
    assert sent["Location"] == reverse("equipment:fault-detail", args=[fault.pk])
    assert (fault.status, fault.reported_by, fault.zone) == ("open", clerk, device.zone)
    assert fault.photo  # re-encoded like every upload
    assert fault.thumbnail
    assert Notification.objects.filter(user=office_user, kind="equipment.fault_reported").exists()
    again = client_for(clerk).post(
        reverse("equipment:fault-report", args=[device.pk]),
        {"description": "评价器触摸无反应", "key": "k1"},
    )  # a double tap: the same fault, nothing added
    assert again.status_code == 302
    assert FaultReport.objects.count() == 1
    assert not RepairEntry.objects.exists()

    office = client_for(office_user)
    logged = office.post(
        reverse("equipment:fault-log", args=[fault.pk]),
        {"what": "联系厂家，更换触摸屏排线", "version": fault.version},
    )
    assert logged.status_code == 302
    fault.refresh_from_db()
    assert fault.status == "repairing"
    stale = office.post(
        reverse("equipment:fault-close", args=[fault.pk]), {"note": "x", "version": 1}
    )
    assert stale.status_code == 302
    assert stale["Onsite-Refusal"] == "stale"
    with django_capture_on_commit_callbacks(execute=True):
        closed = office.post(
            reverse("equipment:fault-close", args=[fault.pk]),
            {"note": "已修复，测试评价正常", "version": fault.version},
        )
    assert closed.status_code == 302
    fault.refresh_from_db()
    assert (fault.status, fault.closed_by) == ("closed", office_user)
    assert list(fault.entries.values_list("what", flat=True)) == [
        "联系厂家，更换触摸屏排线",
        "已修复，测试评价正常",
    ]
    assert list(FaultTransition.objects.values_list("from_status", "to_status")) == [
        ("", "open"),
        ("open", "repairing"),
        ("repairing", "closed"),
    ]
    assert Notification.objects.filter(user=clerk, kind="equipment.fault_closed").exists()
    assert AuditEvent.objects.filter(action="equipment.fault_closed").exists()
    detail = client_for(clerk).get(reverse("equipment:fault-detail", args=[fault.pk]))
    body = detail.content.decode()
    assert "更换触摸屏排线" in body
    assert "已修复" in body
    assert 'data-testid="close-fault"' not in body  # closed, and not the office anyway
    again = client_for(office_user).post(
        reverse("equipment:fault-log", args=[fault.pk]), {"what": "x", "version": fault.version}
    )
    assert again["Onsite-Refusal"] == "wrong_state"
    # A new fault of the same device may open once the last one is closed.
    client_for(clerk).post(
        reverse("equipment:fault-report", args=[device.pk]), {"description": "又坏了"}
    )
    assert FaultReport.objects.filter(status="open").count() == 1


def test_a_second_report_of_an_open_fault_joins_it(client_for, clerk, device):
    for text in ("黑屏", "还是黑屏"):
        client_for(clerk).post(
            reverse("equipment:fault-report", args=[device.pk]), {"description": text}
        )
    fault = FaultReport.objects.get()
    assert fault.description == "黑屏"
    assert list(fault.entries.values_list("what", flat=True)) == ["还是黑屏"]


def test_a_photo_that_is_not_one_is_refused(client_for, clerk, device):
    bad = SimpleUploadedFile("x.jpg", b"not an image", content_type="image/jpeg")
    response = client_for(clerk).post(
        reverse("equipment:fault-report", args=[device.pk]), {"description": "坏了", "photo": bad}
    )
    assert response.status_code == 422
    assert not FaultReport.objects.exists()
    empty = client_for(clerk).post(
        reverse("equipment:fault-report", args=[device.pk]), {"description": "  "}
    )
    assert empty.status_code == 422


def test_pages_allowed_and_denied(
    client_for, client, clerk, outsider, office_user, auditor, device, foreign_device
):
    fault = FaultReport.objects.create(
        center=device.center,
        equipment=device,
        zone=device.zone,
        description="坏",
        reported_by=clerk,
    )
    reads = [
        reverse("equipment:equipment-list"),
        reverse("equipment:equipment-detail", args=[device.pk]),
        reverse("equipment:fault-list"),
        reverse("equipment:fault-detail", args=[fault.pk]),
    ]
    for url in reads:
        assert client_for(outsider).get(url).status_code == 200
        assert client_for(auditor).get(url).status_code == 403
    client.logout()
    assert client.get(reads[0]).status_code == 302  # to sign in
    # Reporting: the zone's unit yes, another unit's staff no.
    assert (
        client_for(outsider).get(reverse("equipment:fault-report", args=[device.pk])).status_code
        == 403
    )
    assert (
        client_for(clerk).get(reverse("equipment:fault-report", args=[device.pk])).status_code
        == 200
    )
    # The repair log and closing: the office only.
    for name, data in (("fault-log", {"what": "x"}), ("fault-close", {"note": "x"})):
        url = reverse(f"equipment:{name}", args=[fault.pk])
        assert client_for(clerk).post(url, {**data, "version": 1}).status_code == 403
        assert (
            client_for(office_user).post(url, {**data, "version": fault.version}).status_code == 302
        )
        fault.refresh_from_db()
    # Registering: the office only.
    add = reverse("equipment:equipment-add")
    form = {"zone": device.zone.code, "kind": "printer", "asset_number": "DY-1"}
    assert client_for(clerk).post(add, form).status_code == 403
    assert client_for(office_user).post(add, form).status_code == 302
    assert Equipment.objects.filter(asset_number="DY-1").exists()
    duplicate = client_for(office_user).post(add, form)
    assert duplicate["Onsite-Refusal"] == "asset_number"
    # Photos: none stored is a 404; another center's anything is a 404.
    assert (
        client_for(clerk)
        .get(reverse("equipment:fault-photo", args=[fault.pk, "photo"]))
        .status_code
        == 404
    )
    foreign_fault = FaultReport.objects.create(
        center=foreign_device.center, equipment=foreign_device, zone=foreign_device.zone,
        description="x", reported_by=UserFactory(center=foreign_device.center),
    )  # fmt: skip
    for url in (
        reverse("equipment:equipment-detail", args=[foreign_device.pk]),
        reverse("equipment:fault-report", args=[foreign_device.pk]),
        reverse("equipment:fault-detail", args=[foreign_fault.pk]),
        reverse("equipment:fault-photo", args=[foreign_fault.pk, "thumb"]),
    ):
        assert client_for(office_user).get(url).status_code == 404
    for name in ("fault-log", "fault-close"):
        url = reverse(f"equipment:{name}", args=[foreign_fault.pk])
        assert (
            client_for(office_user).post(url, {"what": "x", "note": "x", "version": 1}).status_code
            == 404
        )


def test_the_menu_offers_equipment_to_the_roles_allowed(client_for, clerk, auditor):
    url = reverse("equipment:equipment-list")
    assert url in client_for(clerk).get(reverse("site:home")).content.decode()
    assert url not in client_for(auditor).get(reverse("audit:event-list")).content.decode()


def test_the_api_allowed_and_denied(client, clerk, outsider, office_user, device, foreign_device):
    assert client.get(f"{API}/").status_code == 401
    listed = client.get(f"{API}/", **auth(outsider))
    assert [e["id"] for e in listed.json()] == [device.pk]
    added = client.post(
        f"{API}/", {"zone": device.zone.code, "kind": "doc_camera", "asset_number": "GP-1"},
        content_type="application/json", **auth(office_user),
    )  # fmt: skip
    assert added.status_code == 200
    assert client.post(
        f"{API}/", {"zone": device.zone.code, "kind": "pc"}, content_type="application/json",
        **auth(clerk),
    ).status_code == 403  # fmt: skip
    report = f"{API}/{device.pk}/faults"
    body = {"description": "叫号无声音"}
    assert (
        client.post(report, body, content_type="application/json", **auth(outsider)).status_code
        == 403
    )
    assert (
        client.post(
            f"{API}/{foreign_device.pk}/faults",
            body,
            content_type="application/json",
            **auth(clerk),
        ).status_code
        == 404
    )
    first = client.post(report, body, content_type="application/json", **auth(clerk, "a1"))
    replay = client.post(report, body, content_type="application/json", **auth(clerk, "a1"))
    assert first.status_code == replay.status_code == 200
    assert first.json()["id"] == replay.json()["id"]
    fault = first.json()
    log = f"{API}/faults/{fault['id']}/log"
    assert client.post(
        log, {"what": "换电源", "version": fault["row_version"]}, content_type="application/json",
        **auth(clerk),
    ).status_code == 403  # fmt: skip
    logged = client.post(
        log, {"what": "换电源", "version": fault["row_version"]}, content_type="application/json",
        **auth(office_user),
    )  # fmt: skip
    assert logged.json()["status"] == "repairing"
    stale = client.post(
        f"{API}/faults/{fault['id']}/close", {"note": "好了", "version": fault["row_version"]},
        content_type="application/json", **auth(office_user),
    )  # fmt: skip
    assert stale.status_code == 409
    closed = client.post(
        f"{API}/faults/{fault['id']}/close", {"note": "好了", "version": logged.json()["row_version"]},
        content_type="application/json", **auth(office_user),
    )  # fmt: skip
    assert closed.status_code == 200
    detail = closed.json()
    assert detail["status"] == "closed"
    assert [e["what"] for e in detail["log"]] == ["换电源", "好了"]
    assert [t["to_status"] for t in detail["history"]] == ["open", "repairing", "closed"]
    assert client.get(f"{API}/faults", **auth(clerk)).json() == []
    assert len(client.get(f"{API}/faults?closed=true", **auth(clerk)).json()) == 1
    assert client.get(f"{API}/faults/{fault['id']}", **auth(clerk)).status_code == 200
    other = UserFactory(center=foreign_device.center, roles=["admin"])
    assert client.get(f"{API}/faults/{fault['id']}", **auth(other)).status_code == 404


def test_a_failed_equipment_check_opens_a_fault(center, supervisor, unit, device):
    version = published_standard(center, clauses=1, with_items=False)
    ClauseFactory(
        standard_version=version, code="SB-1", text="评价器正常使用", position=5,
        subject=Clause.Subject.EQUIPMENT,
    )  # fmt: skip
    device.zone.area_type = version.standard.area_type
    device.zone.save()
    inspection = services.start_inspection(
        zone=device.zone, kind="supervision", inspector=supervisor
    )
    check = inspection.answers.get(key="clause:SB-1")
    assert check.subject == "equipment"

    def save(equipment):
        return services.save_answers(
            inspection=inspection, by=supervisor, expected_version=inspection.version,
            answers=[
                AnswerInput(a.pk, "fail" if a.pk == check.pk else "pass", note="评价器黑屏"
                            if a.pk == check.pk else "", equipment=equipment)
                for a in inspection.answers.all()
            ],
        )  # fmt: skip

    inspection = save(None)
    with pytest.raises(Exception) as refused:  # noqa: PT011 (a Conflict: names no equipment)
        services.submit_inspection(inspection=inspection, by=supervisor)
    assert refused.value.code == "incomplete"
    inspection = save(device.pk)
    services.submit_inspection(inspection=inspection, by=supervisor)
    fault = FaultReport.objects.get()
    assert (fault.equipment, fault.inspection_id, fault.description) == (
        device,
        inspection.pk,
        "评价器黑屏",
    )


def test_the_lists_keep_a_fixed_number_of_queries(
    client_for, office_user, clerk, zone, django_assert_max_num_queries
):
    def add(n):
        for i in range(n):
            equipment = Equipment.objects.create(
                center=zone.center, zone=zone, kind="pc", asset_number=f"PC-{zone.pk}-{i}-{n}"
            )
            FaultReport.objects.create(
                center=zone.center, equipment=equipment, zone=zone, description="坏",
                reported_by=clerk,
            )  # fmt: skip

    client = client_for(office_user)
    add(2)
    client.get(reverse("equipment:equipment-list"))  # warm the session and menus
    counts = {}
    for name in ("equipment:equipment-list", "equipment:fault-list"):
        with django_assert_max_num_queries(30) as captured:
            assert client.get(reverse(name)).status_code == 200
        counts[name] = len(captured)
    add(8)
    for name in ("equipment:equipment-list", "equipment:fault-list"):
        with django_assert_max_num_queries(counts[name]):
            assert client.get(reverse(name)).status_code == 200


def test_the_office_retires_equipment_once_its_fault_is_closed(
    client_for, clerk, office_user, device, foreign_device
):
    url = reverse("equipment:equipment-in-use", args=[device.pk])
    assert client_for(clerk).post(url, {"in_use": "0", "version": 1}).status_code == 403
    foreign = reverse("equipment:equipment-in-use", args=[foreign_device.pk])
    assert client_for(office_user).post(foreign, {"in_use": "0", "version": 1}).status_code == 404
    client_for(clerk).post(
        reverse("equipment:fault-report", args=[device.pk]), {"description": "坏"}
    )
    refused = client_for(office_user).post(url, {"in_use": "0", "version": 1})
    assert refused["Onsite-Refusal"] == "wrong_state"
    fault = FaultReport.objects.get()
    client_for(office_user).post(
        reverse("equipment:fault-close", args=[fault.pk]),
        {"note": "修好", "version": fault.version},
    )
    assert client_for(office_user).post(url, {"in_use": "0", "version": 1}).status_code == 302
    device.refresh_from_db()
    assert not device.is_active
    report = client_for(clerk).get(reverse("equipment:fault-report", args=[device.pk]))
    assert report["Onsite-Refusal"] == "wrong_state"  # no reports of retired equipment
    stale = client_for(office_user).post(url, {"in_use": "1", "version": 1})
    assert stale["Onsite-Refusal"] == "stale"
    assert "Onsite-Refusal" not in client_for(office_user).post(url, {"in_use": "1", "version": 2})
    device.refresh_from_db()
    assert device.is_active


def test_retiring_through_the_api(client, clerk, office_user, device, foreign_device):
    url = f"{API}/{device.pk}/in-use"
    body = {"in_use": False, "version": device.version}
    assert client.post(url, body, content_type="application/json", **auth(clerk)).status_code == 403
    assert (
        client.post(
            f"{API}/{foreign_device.pk}/in-use", body, content_type="application/json",
            **auth(office_user),
        ).status_code
        == 404
    )  # fmt: skip
    done = client.post(url, body, content_type="application/json", **auth(office_user))
    assert done.status_code == 200
    assert done.json()["is_active"] is False
    stale = client.post(url, body, content_type="application/json", **auth(office_user))
    assert stale.status_code == 409
