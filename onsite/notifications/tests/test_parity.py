"""The notifications' writes through both doors. Marking all read has a page and an API
operation: the same outcome for the person (only their own notifications). Nobody is
refused by role: every signed-in person has a bell; the one refusal is not being signed in
(the page sends to sign-in, the API answers 401)."""

import pytest
from django.urls import reverse

from onsite.core.tests.parity import post_api, post_page
from onsite.notifications import actions
from onsite.notifications.models import Notification

WRITES = {
    "do_read_all": "both doors: POST /notifications/read-all/ and POST /api/v1/notifications/read",
    "do_open": "a page only: opening follows the notification's link in the browser; the API "
    "lists notifications and marks them read all at once",
    "do_update_chat": "a page only: the center admin's work-chat settings hold secrets, which "
    "no API token should read or write",
    "do_send_test": "a page only: the admin's test of those settings, answered on the page",
}


def _unread(user, center, n=2):
    Notification.objects.bulk_create(
        Notification(center=center, user=user, kind="test", message=f"note {i}") for i in range(n)
    )


def _page(user):
    return post_page(user, reverse("notifications:notification-read-all"))


def _api(user):
    return post_api(user, "/api/v1/notifications/read")


def test_every_write_is_named_with_its_doors():
    own = {
        n
        for n in dir(actions)
        if getattr(getattr(actions, n), "__module__", "") == actions.__name__
    }
    assert set(WRITES) == {name for name in own if name.startswith("do_")}


@pytest.mark.parametrize("door", [_page, _api])
def test_marking_all_read_is_the_same_through_both_doors(door, staff_user, leader, center):
    _unread(staff_user, center)
    _unread(leader, center)
    response = door(staff_user)
    assert response.status_code in {200, 302}
    assert not Notification.objects.filter(user=staff_user, read_at__isnull=True).exists()
    assert Notification.objects.filter(user=leader, read_at__isnull=True).count() == 2


def test_without_signing_in_neither_door_marks_anything(client, staff_user, center):
    _unread(staff_user, center)
    page = client.post(reverse("notifications:notification-read-all"))
    assert page.status_code == 302
    assert "/accounts/login/" in page["Location"]
    assert client.post("/api/v1/notifications/read").status_code == 401
    assert Notification.objects.filter(read_at__isnull=True).count() == 2
