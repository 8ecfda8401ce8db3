import uuid

from django.utils.translation import gettext_noop

from onsite.notifications.models import Notification
from onsite.notifications.services import notify
from onsite.notifications.tasks import deliver_notifications


def test_a_notification_reaches_the_bell_after_commit(
    client_for, staff_user, center, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        notify(
            center=center,
            users=[staff_user],
            kind="test",
            message=gettext_noop("Not found"),
            url="/org/zones/",
        )
    client = client_for(staff_user)
    body = client.get("/").content.decode()
    assert 'data-testid="unread-count">1<' in body
    listing = client.get("/notifications/").content.decode()
    assert "未找到" in listing, "rendered in the reader's language"
    note = Notification.objects.get()
    response = client.post(f"/notifications/{note.pk}/open/")
    assert response["Location"] == "/org/zones/"
    note.refresh_from_db()
    assert note.read_at is not None


def test_nobody_opens_another_persons_notification(
    client_for, staff_user, leader, center, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        notify(center=center, users=[leader], kind="test", message="theirs-secret")
    note = Notification.objects.get()
    client_for(staff_user).post(f"/notifications/{note.pk}/open/")
    note.refresh_from_db()
    assert note.read_at is None
    assert "theirs-secret" not in client_for(staff_user).get("/notifications/").content.decode()


def test_notification_pages_need_sign_in(client, db):
    assert client.get("/notifications/").status_code == 302
    assert client.post("/notifications/read-all/").status_code == 302


def test_api_lists_only_my_notifications(
    client, staff_user, leader, center, django_capture_on_commit_callbacks
):
    from onsite.accounts.models import ApiToken

    with django_capture_on_commit_callbacks(execute=True):
        notify(center=center, users=[staff_user], kind="mine", message="mine")
        notify(center=center, users=[leader], kind="theirs", message="theirs")
    raw = ApiToken.issue(user=staff_user, name="t")[1]
    rows = client.get("/api/v1/notifications/", HTTP_AUTHORIZATION=f"Bearer {raw}").json()
    assert [row["kind"] for row in rows] == ["mine"]
    assert client.get("/api/v1/notifications/").status_code == 401


def test_a_delivery_run_again_notifies_nobody_twice(staff_user, leader, center):
    """A task worker that died after writing the rows leaves the task to run again
    (onsite/core/workers.py): the batch's rows are there once."""
    batch = str(uuid.uuid4())
    for _run in range(2):
        deliver_notifications.call(
            center_id=center.pk, user_ids=[staff_user.pk, leader.pk], kind="test",
            message="again", params={}, url="", batch=batch,
        )  # fmt: skip
    assert Notification.objects.filter(batch=batch).count() == 2
    deliver_notifications.call(center_id=center.pk, user_ids=[leader.pk], kind="test",
                               message="another", params={}, url="", batch=str(uuid.uuid4()))  # fmt: skip
    assert Notification.objects.filter(user=leader).count() == 2
