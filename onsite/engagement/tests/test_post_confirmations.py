"""Board posts that ask their readers to confirm (已阅确认): who must confirm is computed
from the units' people now; the office sees who has and who has not; the task reminds the
rest on the working day before the date and once after it, never twice."""

import datetime

import pytest
from django.utils import timezone, translation

from onsite.audit.models import AuditEvent
from onsite.core.tests.factories import UserFactory
from onsite.engagement import services
from onsite.engagement.models import Post, PostReading, PostReminder
from onsite.engagement.tasks import remind_post_confirmations
from onsite.engagement.tests.factories import PostFactory
from onsite.engagement.tests.test_api import JSON, bearer
from onsite.notifications.models import Notification

MONDAY = datetime.date(2026, 12, 14)  # a plain week: Friday the 11th is the working day before


def zh(msgid):
    with translation.override("zh-hans"):
        return translation.gettext(msgid)


def soon(days=3):
    return timezone.localdate() + datetime.timedelta(days=days)


@pytest.fixture
def unit(staff_user):
    return staff_user.unit


@pytest.fixture
def notice(center, office_user, unit):
    post = services.create_post(
        center=center, by=office_user, title="关于开展整顿阶段检查的通知", body="<p>请各窗口做好准备</p>",
        confirm=services.Confirmation(due=soon(), units=[unit]),
    )  # fmt: skip
    Post.objects.filter(pk=post.pk).update(acknowledgement_due=MONDAY)
    post.refresh_from_db()
    return post


def test_office_posts_a_notice_to_confirm(
    client_for, office_user, staff_user, member, unit, django_capture_on_commit_callbacks
):
    data = {"title": "整顿阶段通知", "body": "请阅", "requires_acknowledgement": "on",
            "acknowledgement_units": [unit.pk], "acknowledgement_due": soon().isoformat(),
            "submission_key": "p-1"}  # fmt: skip
    client = client_for(office_user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/engagement/posts/new/", data)
    assert response.status_code == 302
    client.post("/engagement/posts/new/", data)
    post = Post.objects.get(title="整顿阶段通知")
    assert post.requires_acknowledgement
    assert post.acknowledgement_due == soon()
    assert list(post.acknowledgement_units.all()) == [unit]
    assert Notification.objects.filter(user=staff_user, kind="engagement.post_confirm").exists()
    assert not Notification.objects.filter(user=member, kind="engagement.post_confirm").exists()


def test_a_notice_needs_a_date_that_has_not_passed(client_for, office_user):
    client = client_for(office_user)
    no_date = client.post(
        "/engagement/posts/new/", {"title": "通知", "requires_acknowledgement": "on"}
    )
    assert no_date.status_code == 200
    assert zh("Give the date to confirm by.") in no_date.content.decode()
    past = client.post("/engagement/posts/new/", {
        "title": "通知", "requires_acknowledgement": "on", "acknowledgement_due": "2020-01-01"})  # fmt: skip
    assert zh("The date to confirm by has passed.") in past.content.decode()
    assert not Post.objects.exists()


def test_a_reader_confirms_once(client_for, staff_user, notice):
    client = client_for(staff_user)
    assert 'data-testid="asks-confirmation"' in client.get("/engagement/").content.decode()
    page = client.get(f"/engagement/posts/{notice.pk}/").content.decode()
    assert 'data-testid="confirm-button"' in page
    assert client.post(f"/engagement/posts/{notice.pk}/confirm/").status_code == 302
    assert client.post(f"/engagement/posts/{notice.pk}/confirm/").status_code == 302
    assert PostReading.objects.filter(post=notice, user=staff_user).count() == 1
    assert AuditEvent.objects.filter(action="engagement.post_confirmed").count() == 1
    again = client.get(f"/engagement/posts/{notice.pk}/").content.decode()
    assert 'data-testid="confirm-button"' not in again
    assert 'data-testid="confirmed"' in again


def test_someone_not_asked_may_not_confirm(client_for, member, notice):
    client = client_for(member)
    assert (
        'data-testid="confirm-button"'
        not in client.get(f"/engagement/posts/{notice.pk}/").content.decode()
    )
    assert client.post(f"/engagement/posts/{notice.pk}/confirm/").status_code == 403
    assert not PostReading.objects.exists()


def test_a_post_that_asks_nothing_is_a_conflict(client_for, staff_user, center):
    post = PostFactory(center=center)
    response = client_for(staff_user).post(f"/engagement/posts/{post.pk}/confirm/")
    assert response["Onsite-Refusal"] == "not_asked"
    assert not PostReading.objects.exists()


def test_another_centers_post_is_404(client_for, other_admin, notice):
    client = client_for(other_admin)
    assert client.post(f"/engagement/posts/{notice.pk}/confirm/").status_code == 404
    assert client.get(f"/engagement/posts/{notice.pk}/readers/").status_code == 404


def test_office_sees_who_has_and_has_not_confirmed(
    client_for, office_user, staff_user, center, unit, notice, django_assert_max_num_queries
):
    UserFactory(center=center, unit=unit, full_name=staff_user.full_name, username="namesake")
    late = UserFactory(center=center, unit=unit, roles=["staff"], username="joined-later")
    services.confirm_read(notice, user=staff_user)
    client = client_for(office_user)
    client.get(f"/engagement/posts/{notice.pk}/readers/")
    with django_assert_max_num_queries(14):
        response = client.get(f"/engagement/posts/{notice.pk}/readers/")
    status = response.context["status"]
    assert [u for u, _at in status.confirmed] == [staff_user]
    assert {u.username for u in status.pending} == {"namesake", "joined-later"}
    page = response.content.decode()
    assert f"({unit}, namesake)" in page, "people of one name are told apart by unit and login"
    assert late.username in page


def test_staff_may_not_see_who_has_confirmed(client_for, staff_user, notice):
    assert client_for(staff_user).get(f"/engagement/posts/{notice.pk}/readers/").status_code == 403


def test_reminders_go_the_working_day_before_and_once_after(center, staff_user, unit, notice):
    confirmed = UserFactory(center=center, unit=unit, roles=["staff"])
    services.confirm_read(notice, user=confirmed)
    thursday, friday, saturday = (datetime.date(2026, 12, d) for d in (10, 11, 12))
    assert services.remind_post_confirmations(center=center, day=thursday) == 0
    assert services.remind_post_confirmations(center=center, day=friday) == 1
    assert services.remind_post_confirmations(center=center, day=friday) == 0, "not twice"
    newcomer = UserFactory(center=center, unit=unit, roles=["staff"])
    assert services.remind_post_confirmations(center=center, day=saturday) == 1
    assert set(PostReminder.objects.filter(stage="due_soon").values_list("user", flat=True)) == {
        staff_user.pk, newcomer.pk}  # fmt: skip
    tuesday = datetime.date(2026, 12, 15)
    assert remind_post_confirmations.call(day=tuesday.isoformat()) == 2
    assert (
        remind_post_confirmations.call(day=(tuesday + datetime.timedelta(days=1)).isoformat()) == 0
    )
    assert not PostReminder.objects.filter(user=confirmed).exists()


def test_reminders_become_notifications(
    center, staff_user, notice, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.remind_post_confirmations(center=center, day=datetime.date(2026, 12, 16))
    note = Notification.objects.get(
        user=staff_user, kind="engagement.post_confirm", message__startswith="Overdue"
    )
    assert note.url == f"/engagement/posts/{notice.pk}/"


def test_api_post_confirm_and_readers(client, office_user, staff_user, member, other_admin, unit):
    payload = {"title": "API 通知", "confirm_by": soon().isoformat(), "confirm_units": [unit.pk]}
    created = client.post("/api/v1/engagement/posts", payload, HTTP_IDEMPOTENCY_KEY="n1",
                          **JSON, **bearer(office_user))  # fmt: skip
    assert created.status_code == 200
    post_id = created.json()["id"]
    confirm = client.post(f"/api/v1/engagement/posts/{post_id}/confirm", **bearer(staff_user))
    assert confirm.status_code == 200
    assert (
        client.post(f"/api/v1/engagement/posts/{post_id}/confirm", **bearer(member)).status_code
        == 403
    )
    assert (
        client.post(
            f"/api/v1/engagement/posts/{post_id}/confirm", **bearer(other_admin)
        ).status_code
        == 404
    )
    readers = client.get(
        f"/api/v1/engagement/posts/{post_id}/readers", **bearer(office_user)
    ).json()
    assert (readers["required"], readers["confirmed"], readers["pending"]) == (1, 1, 0)
    assert readers["confirmed_people"][0]["name"].endswith(f"({unit}, {staff_user.username})")
    assert (
        client.get(f"/api/v1/engagement/posts/{post_id}/readers", **bearer(staff_user)).status_code
        == 403
    )
    past = {"title": "过期", "confirm_by": "2020-01-01"}
    assert (
        client.post("/api/v1/engagement/posts", past, **JSON, **bearer(office_user)).status_code
        == 422
    )
