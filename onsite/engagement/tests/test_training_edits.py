"""Issue 21, point 8: an edit of a session's time or place tells the invited again (their old
unread notice superseded); people pickers tell people apart and list only the invited."""

import datetime

import pytest
from django.utils import timezone

from onsite.core.forms import person_label
from onsite.core.refusals import Invalid
from onsite.core.tests.factories import UnitFactory, UserFactory
from onsite.engagement import services
from onsite.engagement.models import Attendance, Training
from onsite.engagement.tests.factories import TrainingFactory
from onsite.notifications.models import Notification

pytestmark = pytest.mark.django_db
FORMAT = "%Y-%m-%dT%H:%M"


@pytest.fixture
def unit(center):
    return UnitFactory(center=center, name="市场监管窗口")


@pytest.fixture
def session(center, unit, client_for, office_user, django_capture_on_commit_callbacks):
    """A session tomorrow at 09:30 for `unit`, planned through the page (so invitations went)."""
    day = timezone.localdate() + datetime.timedelta(days=1)
    start = timezone.make_aware(datetime.datetime.combine(day, datetime.time(9, 30)))
    with django_capture_on_commit_callbacks(execute=True):
        client_for(office_user).post("/engagement/training/new/", {
            "topic": "前台执行标准培训", "starts_at": start.strftime(FORMAT),
            "ends_at": (start + datetime.timedelta(hours=1)).strftime(FORMAT),
            "trainer_name": "标准化协会", "units": [unit.pk], "place": "三楼会议室",
        })  # fmt: skip
    return Training.objects.get(topic="前台执行标准培训")


def edit(client, training, **changes):
    local = timezone.localtime
    data = {"topic": training.topic, "starts_at": local(training.starts_at).strftime(FORMAT),
            "ends_at": local(training.ends_at).strftime(FORMAT), "place": training.place,
            "trainer_name": training.trainer_name, "units": [u.pk for u in training.units.all()],
            "version": training.version, **changes}  # fmt: skip
    return client.post(f"/engagement/training/{training.pk}/edit/", data)


def test_moving_a_session_tells_the_invited_the_new_time_and_place(
    client_for, office_user, center, unit, session, django_capture_on_commit_callbacks
):
    invited = UserFactory(center=center, unit=unit, roles=["staff"])
    outsider = UserFactory(center=center, roles=["staff"])
    day = timezone.localtime(session.starts_at).date()
    with django_capture_on_commit_callbacks(execute=True):
        response = edit(
            client_for(office_user), session,
            starts_at=f"{day:%Y-%m-%d}T12:00", ends_at=f"{day:%Y-%m-%d}T13:30", place="一楼大厅",
        )  # fmt: skip
    assert response.status_code == 302
    # `invited` joined the unit after the plan: told now, with the new values only.
    notices = Notification.objects.filter(user=invited, kind="engagement.training")
    assert notices.count() == 1
    text = notices.get().text
    assert f"{day:%Y-%m-%d} 12:00" in text
    assert "13:30" in text
    assert "一楼大厅" in text
    assert not Notification.objects.filter(user=outsider).exists()


def test_the_old_unread_notice_is_superseded_by_the_new_one(
    client_for, office_user, center, unit, django_capture_on_commit_callbacks
):
    invited = UserFactory(center=center, unit=unit, roles=["staff"])
    day = timezone.localdate() + datetime.timedelta(days=1)
    start = timezone.make_aware(datetime.datetime.combine(day, datetime.time(9, 30)))
    client = client_for(office_user)
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/engagement/training/new/", {
            "topic": "整顿培训", "starts_at": start.strftime(FORMAT),
            "ends_at": (start + datetime.timedelta(hours=1)).strftime(FORMAT),
            "trainer_name": "专家", "units": [unit.pk], "place": "三楼会议室",
        })  # fmt: skip
    training = Training.objects.get(topic="整顿培训")
    first = Notification.objects.get(user=invited)
    assert "09:30" in first.text
    with django_capture_on_commit_callbacks(execute=True):
        edit(client, training, starts_at=f"{day:%Y-%m-%d}T12:00",
             ends_at=f"{day:%Y-%m-%d}T13:00")  # fmt: skip
    unread = Notification.objects.filter(user=invited, read_at__isnull=True)
    assert unread.count() == 1
    assert f"{day:%Y-%m-%d} 12:00" in unread.get().text
    assert "09:30" in unread.get().text  # "(was … 09:30, 三楼会议室)"
    first.refresh_from_db()
    assert first.read_at is not None  # kept, but no longer waiting
    # A topic-only edit tells nobody again.
    training.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        edit(client, training, topic="整顿培训（第二期）")
    assert Notification.objects.filter(user=invited).count() == 2


def test_people_pickers_tell_namesakes_apart(
    client_for, office_user, admin_user, center, unit, session
):
    other = UnitFactory(center=center, name="税务窗口")
    one = UserFactory(center=center, unit=unit, full_name="王芳", username="wangfang1",
                      roles=["staff"])  # fmt: skip
    two = UserFactory(center=center, unit=other, full_name="王芳", username="wangfang2",
                      roles=["staff"])  # fmt: skip
    assert person_label(one) != person_label(two)
    client = client_for(office_user)
    form = client.get(f"/engagement/training/{session.pk}/edit/").content.decode()
    assert "王芳 (市场监管窗口, wangfang1)" in form or "王芳（市场监管窗口，wangfang1）" in form
    assert "王芳 (税务窗口, wangfang2)" in form or "王芳（税务窗口，wangfang2）" in form
    # The zone owner picker (org's page) says the same.
    zone_form = client_for(admin_user).get("/org/zones/new/")
    assert zone_form.status_code == 200
    owners = zone_form.content.decode().split('name="owner"')[1].split("</select>")[0]
    assert "王芳 (税务窗口, wangfang2)" in owners or "王芳（税务窗口，wangfang2）" in owners


def test_the_attendee_picker_lists_only_the_invited(client_for, office_user, center, unit, session):
    invited = UserFactory(center=center, unit=unit, full_name="受邀人", username="invitee",
                          roles=["staff"])  # fmt: skip
    outsider = UserFactory(center=center, unit=UnitFactory(center=center, name="别的窗口"),
                           full_name="未受邀", username="outsider", roles=["staff"])  # fmt: skip
    client = client_for(office_user)
    page = client.get(f"/engagement/training/{session.pk}/").content.decode()
    picker = page.split('name="people"')[1].split("</select>")[0]
    assert "invitee" in picker
    assert "outsider" not in picker
    # Posting someone not invited anyway is refused, and nobody is marked present.
    refused = client.post(
        f"/engagement/training/{session.pk}/attendance/", {"people": [outsider.pk, invited.pk]}
    )
    assert refused.status_code == 302
    assert not Attendance.objects.exists()
    client.post(f"/engagement/training/{session.pk}/attendance/", {"people": [invited.pk]})
    assert Attendance.objects.get().user == invited


def test_the_service_refuses_to_mark_the_uninvited_present(center, unit, office_user):
    training = TrainingFactory(center=center)
    training.units.add(unit)
    outsider = UserFactory(center=center, roles=["staff"])
    with pytest.raises(Invalid):
        services.record_attendance(training, by=office_user, users=[outsider])
    assert not Attendance.objects.exists()
