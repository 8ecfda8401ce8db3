import base64
import datetime
import shutil
import subprocess
from urllib.parse import urlsplit

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from onsite.core.tests.factories import UnitFactory, UserFactory
from onsite.engagement import services
from onsite.engagement.models import Attendance, PointEntry, Training, TrainingDocument
from onsite.engagement.queries import attendance_rate
from onsite.engagement.tests.factories import TrainingFactory
from onsite.notifications.models import Notification


@pytest.fixture
def unit(center):
    return UnitFactory(center=center, name="市场监管窗口")


@pytest.fixture
def training(center, unit):
    training = TrainingFactory(center=center, topic="前台执行标准培训")
    training.units.add(unit)
    return training


def test_office_plans_a_session_and_the_audience_is_told(
    client_for, office_user, center, unit, django_capture_on_commit_callbacks
):
    invited = UserFactory(center=center, unit=unit, roles=["staff"])
    outsider = UserFactory(center=center, roles=["staff"])
    start = timezone.localtime() + datetime.timedelta(days=2)
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(office_user).post("/engagement/training/new/", {
        "topic": "全员培训", "starts_at": start.strftime("%Y-%m-%dT%H:%M"),
        "ends_at": (start + datetime.timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"),
        "trainer_name": "标准化协会", "units": [unit.pk], "place": "三楼会议室",
    })  # fmt: skip
    training = Training.objects.get(topic="全员培训")
    assert response.status_code == 302
    assert Notification.objects.filter(user=invited, kind="engagement.training").exists()
    assert not Notification.objects.filter(user=outsider).exists()
    assert training.created_by == office_user


def test_a_session_needs_a_trainer_and_an_end_after_its_start(client_for, office_user):
    response = client_for(office_user).post("/engagement/training/new/", {
        "topic": "错误", "starts_at": "2026-05-01T10:00", "ends_at": "2026-05-01T09:00"})  # fmt: skip
    assert response.status_code == 200
    assert not Training.objects.exists()


def _qr_url(client, training):
    body = client.get(f"/engagement/training/{training.pk}/qr/").content.decode()
    data = body.split('src="data:image/png;base64,')[1].split('"')[0]
    zbarimg = shutil.which("zbarimg") or "/usr/bin/zbarimg"
    result = subprocess.run(  # noqa: S603 - our own QR image into a system tool
        [zbarimg, "--raw", "-q", "-"], input=base64.b64decode(data), capture_output=True, check=True
    )
    decoded = result.stdout.decode().strip()
    return decoded


def test_staff_sign_in_by_scanning_the_qr(client_for, office_user, staff_user, training):
    url = _qr_url(client_for(office_user), training)
    parts = urlsplit(url)
    assert parts.path == f"/engagement/training/{training.pk}/sign-in/"
    client = client_for(staff_user)
    confirm = client.get(f"{parts.path}?{parts.query}")
    assert confirm.status_code == 200
    token = parts.query.removeprefix("t=")
    response = client.post(parts.path, {"t": token})
    assert response.status_code == 302
    assert Attendance.objects.filter(training=training, user=staff_user, method="qr").exists()
    assert PointEntry.objects.get(user=staff_user).points == 1
    client.post(parts.path, {"t": token})
    assert Attendance.objects.filter(user=staff_user).count() == 1
    assert PointEntry.objects.filter(user=staff_user).count() == 1


def test_an_old_code_or_a_session_long_past_refuses_sign_in(
    client_for, staff_user, training, center
):
    old = services.sign_in_token(training, at=timezone.now() - datetime.timedelta(minutes=10))
    response = client_for(staff_user).post(
        f"/engagement/training/{training.pk}/sign-in/", {"t": old}
    )
    assert response.status_code == 409, "the code's state, as the API answers (issue 15)"
    assert response["Onsite-Refusal"] == "expired_code"
    assert not Attendance.objects.exists()
    past = TrainingFactory(center=center, starts_at=timezone.now() - datetime.timedelta(hours=5),
                           ends_at=timezone.now() - datetime.timedelta(hours=3))  # fmt: skip
    token = services.sign_in_token(past)
    assert (
        client_for(staff_user)
        .post(f"/engagement/training/{past.pk}/sign-in/", {"t": token})
        .status_code
        == 409
    )
    assert not Attendance.objects.exists()


def test_a_code_from_another_session_does_not_work(staff_user, training, center):
    other = TrainingFactory(center=center)
    with pytest.raises(services.EngagementError):
        services.sign_in(training, user=staff_user, token=services.sign_in_token(other))


def test_attendance_rate_counts_the_audience(center, unit, training, office_user):
    people = [UserFactory(center=center, unit=unit, roles=["staff"]) for _ in range(4)]
    guest = UserFactory(center=center, roles=["staff"])
    services.record_attendance(training, by=office_user, users=[people[0], people[1]])
    # A guest (not invited) signs in by the QR code; the organiser records only the invited.
    services.sign_in(training, user=guest, token=services.sign_in_token(training))
    rate = attendance_rate(training)
    assert (rate.audience, rate.attended, rate.others, rate.rate) == (4, 2, 1, 50.0)


def test_the_detail_page_shows_who_is_missing(
    client_for, leader, center, unit, training, office_user
):
    present = UserFactory(center=center, unit=unit, full_name="到场者", roles=["staff"])
    UserFactory(center=center, unit=unit, full_name="缺席者", roles=["staff"])
    services.record_attendance(training, by=office_user, users=[present])
    body = client_for(leader).get(f"/engagement/training/{training.pk}/").content.decode()
    absent = body.split('data-testid="absent"')[1].split("</p>")[0]
    attendees = body.split('data-testid="attendees"')[1].split("</ol>")[0]
    assert "缺席者" in absent
    assert "到场者" not in absent
    assert "到场者" in attendees


def test_manual_attendance_by_the_office(client_for, office_user, staff_user, training):
    training.units.add(staff_user.unit)  # the organiser records the invited (issue 21)
    client_for(office_user).post(
        f"/engagement/training/{training.pk}/attendance/", {"people": [staff_user.pk]}
    )
    assert Attendance.objects.get(user=staff_user).method == "manual"


def test_documents_are_checked_by_their_content(
    client_for, office_user, staff_user, training, other_admin
):
    client = client_for(office_user)
    pdf = SimpleUploadedFile(
        "讲义.pdf", b"%PDF-1.4\n%fake but starts right\n", content_type="application/pdf"
    )
    client.post(f"/engagement/training/{training.pk}/documents/", {"title": "讲义", "file": pdf})
    html = SimpleUploadedFile(
        "evil.pdf", b"<html><script>alert(1)</script>", content_type="application/pdf"
    )
    client.post(f"/engagement/training/{training.pk}/documents/", {"title": "坏文件", "file": html})
    exe = SimpleUploadedFile("x.exe", b"MZ\x90\x00", content_type="application/octet-stream")
    client.post(f"/engagement/training/{training.pk}/documents/", {"title": "程序", "file": exe})
    document = TrainingDocument.objects.get()
    assert document.title == "讲义"
    download = client_for(staff_user).get(
        f"/engagement/training/{training.pk}/documents/{document.pk}/"
    )
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith("attachment")
    assert download.content.startswith(b"%PDF")
    assert (
        client_for(other_admin)
        .get(f"/engagement/training/{training.pk}/documents/{document.pk}/")
        .status_code
        == 404
    )


def test_concurrent_edits_of_a_session_are_detected(client_for, office_user, training):
    client = client_for(office_user)
    data = {"topic": "新主题", "starts_at": timezone.localtime(training.starts_at).strftime("%Y-%m-%dT%H:%M"),
            "ends_at": timezone.localtime(training.ends_at).strftime("%Y-%m-%dT%H:%M"),
            "trainer_name": "专家", "version": training.version}  # fmt: skip
    assert client.post(f"/engagement/training/{training.pk}/edit/", data).status_code == 302
    data["topic"] = "另一个主题"
    stale = client.post(f"/engagement/training/{training.pk}/edit/", data)
    assert stale.status_code == 409, "a stale version is a conflict (issue 15)"
    assert stale["Onsite-Refusal"] == "stale"
    training.refresh_from_db()
    assert training.topic == "新主题"


# --- allowed and denied ----------------------------------------------------------------


def test_pages_for_everyone(client_for, staff_user, viewer, training):
    for user in (staff_user, viewer):
        client = client_for(user)
        assert client.get("/engagement/training/").status_code == 200
        assert client.get(f"/engagement/training/{training.pk}/").status_code == 200


def test_the_trainer_may_show_the_qr(client_for, center, training):
    trainer = UserFactory(center=center, roles=["staff"])
    training.trainer = trainer
    training.save()
    assert client_for(trainer).get(f"/engagement/training/{training.pk}/qr/").status_code == 200


def test_office_pages_denied_to_others(client_for, staff_user, viewer, training):
    for user in (staff_user, viewer):
        client = client_for(user)
        for url in ("/engagement/training/new/", f"/engagement/training/{training.pk}/edit/",
                    f"/engagement/training/{training.pk}/qr/"):  # fmt: skip
            assert client.get(url).status_code == 403, (user, url)
        for url in (
            f"/engagement/training/{training.pk}/attendance/",
            f"/engagement/training/{training.pk}/documents/",
        ):
            assert client.post(url).status_code == 403, (user, url)


def test_viewers_cannot_sign_in(client_for, viewer, training):
    token = services.sign_in_token(training)
    assert (
        client_for(viewer)
        .post(f"/engagement/training/{training.pk}/sign-in/", {"t": token})
        .status_code
        == 403
    )


def test_another_centers_session_is_404(client_for, other_admin, training):
    client = client_for(other_admin)
    for url in ("", "edit/", "qr/", "sign-in/"):
        assert client.get(f"/engagement/training/{training.pk}/{url}").status_code == 404, url
    for url in ("attendance/", "documents/"):
        assert client.post(f"/engagement/training/{training.pk}/{url}").status_code == 404, url


def test_posts_only(client_for, office_user, training):
    client = client_for(office_user)
    for url in ("attendance/", "documents/"):
        assert client.get(f"/engagement/training/{training.pk}/{url}").status_code == 405


def test_anonymous_visitors_are_sent_to_sign_in(client, training):
    for url in ("/engagement/training/", f"/engagement/training/{training.pk}/",
                f"/engagement/training/{training.pk}/sign-in/?t=x"):  # fmt: skip
        assert client.get(url).status_code == 302


def test_the_list_keeps_a_fixed_query_count(
    client_for, staff_user, center, django_assert_max_num_queries
):
    client = client_for(staff_user)
    TrainingFactory(center=center)
    with django_assert_max_num_queries(25) as small:
        client.get("/engagement/training/")
    for _ in range(12):
        training = TrainingFactory(center=center, trainer=UserFactory(center=center))
        Attendance.objects.create(center=center, training=training, user=staff_user)
    with django_assert_max_num_queries(len(small.captured_queries)):
        client.get("/engagement/training/")
