"""Work-chat messages sent to local peers shaped like WeCom and DingTalk (receivers.py):
each kind reaches both services' work notice and group robot, a failure is retried without a
duplicate, a channel that keeps failing ends failed while the bell keeps its notification,
and a group robot never hears a person's name."""

import datetime

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils.translation import gettext_noop

from onsite.core.tests.factories import UserFactory
from onsite.notifications import tasks, workchat
from onsite.notifications.models import (
    CHAT_KINDS,
    ChatDelivery,
    Notification,
    Route,
    WorkChatSettings,
)
from onsite.notifications.services import notify
from onsite.notifications.tests import receivers as r
from onsite.notifications.tests.receivers import configure


@pytest.fixture
def person(center):
    return UserFactory(
        center=center, username="wang.fang", full_name="王芳", phone="13800138000",
        wecom_userid="WangFang", dingtalk_userid="ding-0042",
    )  # fmt: skip


@pytest.fixture
def second(center):
    return UserFactory(
        center=center, username="li.lei", full_name="李雷", phone="13900139000",
        wecom_userid="LiLei", dingtalk_userid="ding-0043",
    )  # fmt: skip


def _notify(center, users, kind, capture, message=None, params=None):
    with capture(execute=True):
        notify(
            center=center,
            users=users,
            kind=kind,
            message=message
            or gettext_noop("Your rectification on %(zone)s was returned: %(reason)s"),
            params=params if params is not None else {"zone": "东区大厅", "reason": "桌面杂物"},
            url="/rectification/7/",
        )


def _personal(user):
    return [user.full_name, user.username, user.phone, user.wecom_userid, user.dingtalk_userid]


def _assert_no_personal_data(text, people, zone="东区大厅"):
    for user in people:
        for value in _personal(user):
            assert value not in text, f"{value!r} reached a group robot"
    assert zone not in text


@pytest.mark.parametrize("kind", list(CHAT_KINDS))
def test_each_kind_reaches_both_services_as_notice_and_robot_summary(
    kind, center, person, second, wecom, dingtalk, site_url, django_capture_on_commit_callbacks
):
    configure(center, wecom, dingtalk)
    _notify(center, [person, second], kind, django_capture_on_commit_callbacks)

    assert Notification.objects.filter(kind=kind).count() == 2
    assert not wecom.refused
    assert not dingtalk.refused
    [notice] = wecom.of("/cgi-bin/message/send")
    assert notice["touser"] == "WangFang|LiLei"
    assert notice["msgtype"] == "textcard"
    assert notice["textcard"]["description"] == "您在 东区大厅 的整改被退回：桌面杂物"
    assert notice["textcard"]["url"] == "https://onsite.example.gov.cn/rectification/7/"
    [ding] = dingtalk.of("/topapi/message/corpconversation/asyncsend_v2")
    assert ding["userid_list"] == "ding-0042,ding-0043"
    assert "您在 东区大厅 的整改被退回：桌面杂物" in ding["msg"]["markdown"]["text"]
    assert "https://onsite.example.gov.cn/rectification/7/" in ding["msg"]["markdown"]["text"]

    [wecom_robot] = wecom.of("/cgi-bin/webhook/send")
    [ding_robot] = dingtalk.of("/robot/send")  # its signature was checked by the receiver
    for robot in (wecom_robot, ding_robot):
        text = robot["text"]["content"]
        assert "2 人" in text
        assert "https://onsite.example.gov.cn/" in text
        assert "/rectification/7/" not in text
        _assert_no_personal_data(text, [person, second])
    assert set(ChatDelivery.objects.values_list("status", flat=True)) == {"sent"}
    assert ChatDelivery.objects.count() == 4


def test_a_kind_routed_nowhere_and_kinds_outside_the_list_stay_in_the_bell(
    center, person, wecom, dingtalk, django_capture_on_commit_callbacks
):
    configure(center, wecom, dingtalk, route=Route.NONE)
    _notify(center, [person], "rectification.returned", django_capture_on_commit_callbacks)
    _notify(center, [person], "supplies.issued", django_capture_on_commit_callbacks)
    assert Notification.objects.count() == 2
    assert not wecom.accepted
    assert not dingtalk.accepted
    assert not ChatDelivery.objects.exists()


def test_only_the_chosen_target_is_used_and_people_without_an_id_are_skipped(
    center, person, wecom, dingtalk, django_capture_on_commit_callbacks
):
    unmapped = UserFactory(center=center, username="nomap")
    configure(center, wecom, dingtalk, route=Route.PERSON, dingtalk_enabled=False)
    _notify(
        center, [person, unmapped], "rectification.returned", django_capture_on_commit_callbacks
    )
    assert [n["touser"] for n in wecom.of("/cgi-bin/message/send")] == ["WangFang"]
    assert not wecom.of("/cgi-bin/webhook/send")
    assert not dingtalk.accepted


def test_without_a_site_address_the_notice_is_plain_text(
    center, person, wecom, dingtalk, settings, django_capture_on_commit_callbacks
):
    settings.SITE_URL = ""
    configure(center, wecom, dingtalk, route=Route.PERSON)
    _notify(center, [person], "rectification.returned", django_capture_on_commit_callbacks)
    [notice] = wecom.of("/cgi-bin/message/send")
    assert notice["msgtype"] == "text"
    assert "桌面杂物" in notice["text"]["content"]


@pytest.mark.parametrize("mode", ["500", "errcode"])
def test_a_failure_is_retried_and_the_receiver_gets_exactly_one_message(
    mode, center, person, wecom, dingtalk, django_capture_on_commit_callbacks
):
    configure(center, wecom, dingtalk)
    wecom.fail_next = [mode, mode]  # the notice and the robot fail once each
    dingtalk.fail_next = [mode]
    _notify(center, [person], "rectification.returned", django_capture_on_commit_callbacks)

    assert len(wecom.of("/cgi-bin/message/send")) == 1
    assert len(wecom.of("/cgi-bin/webhook/send")) == 1
    assert len(dingtalk.accepted) == 2
    deliveries = ChatDelivery.objects.all()
    assert {d.status for d in deliveries} == {"sent"}
    assert sum(d.attempts for d in deliveries) == 4 + 3  # four sent, after three failures
    # The same task run again (a worker redelivering it) sends nothing twice.
    for delivery in deliveries:
        assert tasks.send_chat_message.call(delivery_id=delivery.pk) == "sent"
    assert len(wecom.accepted) == 2
    assert len(dingtalk.accepted) == 2


def test_a_retry_waits_with_a_growing_delay(center, person, wecom, dingtalk, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    from django_tasks import default_task_backend  # the backend the settings above just chose

    configure(center, wecom, dingtalk, route=Route.GROUP, dingtalk_enabled=False)
    wecom.fail_next = ["500", "500"]
    tasks.deliver_notifications.call(
        center_id=center.pk, user_ids=[person.pk], kind="rectification.returned",
        message="m", params={}, url="/", batch="",
    )  # fmt: skip
    [queued] = default_task_backend.results
    delivery = ChatDelivery.objects.get()
    assert queued.kwargs == {"delivery_id": delivery.pk}

    before = datetime.datetime.now(datetime.UTC)
    assert tasks.send_chat_message.call(delivery_id=delivery.pk) == "retrying"
    retry = default_task_backend.results[-1]
    assert retry.task.run_after - before >= datetime.timedelta(seconds=59)
    assert tasks.send_chat_message.call(delivery_id=delivery.pk) == "retrying"
    second_wait = default_task_backend.results[-1].task.run_after - before
    assert second_wait >= datetime.timedelta(minutes=3, seconds=59)
    assert tasks.send_chat_message.call(delivery_id=delivery.pk) == "sent"
    assert tasks.send_chat_message.call(delivery_id=delivery.pk) == "sent"
    assert len(wecom.of("/cgi-bin/webhook/send")) == 1
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.last_error) == ("sent", 3, "")


def test_a_channel_that_keeps_failing_ends_failed_and_the_bell_keeps_the_notification(
    center, person, admin_user, wecom, dingtalk, client_for, django_capture_on_commit_callbacks
):
    configure(center, wecom, dingtalk, route=Route.PERSON, dingtalk_enabled=False)
    wecom.fail_always = True
    _notify(center, [person], "rectification.returned", django_capture_on_commit_callbacks)

    assert Notification.objects.filter(user=person, kind="rectification.returned").exists()
    delivery = ChatDelivery.objects.get()
    assert delivery.status == "failed"
    assert delivery.attempts == tasks.MAX_ATTEMPTS
    assert delivery.last_error == "HTTP 500"
    assert not wecom.accepted
    page = client_for(admin_user).get(reverse("notifications:work-chat")).content.decode()
    assert "HTTP 500" in page
    assert "整改退回" in page


def test_chat_that_cannot_even_be_planned_never_costs_the_in_app_row(
    center, person, wecom, dingtalk, django_capture_on_commit_callbacks
):
    configure(center, wecom, dingtalk)
    WorkChatSettings.objects.update(route_rectification_returned="bogus")
    _notify(center, [person], "rectification.returned", django_capture_on_commit_callbacks)
    assert Notification.objects.filter(user=person).exists()
    assert not wecom.accepted


def test_the_access_token_is_fetched_once_and_reused(
    center, person, wecom, dingtalk, django_capture_on_commit_callbacks
):
    configure(center, wecom, dingtalk, route=Route.PERSON)
    _notify(center, [person], "rectification.returned", django_capture_on_commit_callbacks)
    _notify(center, [person], "rectification.overdue", django_capture_on_commit_callbacks)
    assert len(wecom.of("/cgi-bin/message/send")) == 2
    assert (wecom.tokens_issued, dingtalk.tokens_issued) == (1, 1)


def test_a_token_the_service_no_longer_takes_is_fetched_again(
    center, person, wecom, dingtalk, django_capture_on_commit_callbacks
):
    configure(center, wecom, dingtalk, route=Route.PERSON, dingtalk_enabled=False)
    key = workchat._token_key("wecom", wecom.url, r.CORPID, r.CORPSECRET)
    cache.set(key, "expired-token", 3600)
    _notify(center, [person], "rectification.returned", django_capture_on_commit_callbacks)
    assert wecom.refused[0] == ("/cgi-bin/message/send", "bad access token")
    assert len(wecom.of("/cgi-bin/message/send")) == 1
    assert ChatDelivery.objects.get().attempts == 2


def test_the_dingtalk_signature_follows_the_documented_formula():
    url = workchat.dingtalk_signed(
        "https://oapi.dingtalk.com/robot/send?access_token=t", "SECxyz", now_ms=1700000000000
    )
    expected = r.dingtalk_sign("1700000000000", "SECxyz")
    from urllib.parse import quote_plus  # a test-only check of the url-encoding

    assert url.endswith(f"&timestamp=1700000000000&sign={quote_plus(expected)}")


def test_a_long_reason_is_clipped_to_what_wecom_takes(
    center, person, wecom, dingtalk, site_url, django_capture_on_commit_callbacks
):
    configure(center, wecom, dingtalk, route=Route.PERSON, dingtalk_enabled=False)
    _notify(center, [person], "rectification.returned", django_capture_on_commit_callbacks,
            params={"zone": "东区大厅", "reason": "杂" * 400})  # fmt: skip
    [notice] = wecom.of("/cgi-bin/message/send")
    assert len(notice["textcard"]["description"].encode()) <= 512


def test_waiting_messages_a_stopped_worker_lost_are_queued_again(
    center, person, wecom, dingtalk, settings
):
    from django.core.management import call_command  # only this test runs the command

    configure(center, wecom, dingtalk, route=Route.GROUP, dingtalk_enabled=False)
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    tasks.deliver_notifications.call(
        center_id=center.pk, user_ids=[person.pk], kind="rectification.returned",
        message="m", params={}, url="/", batch="",
    )  # fmt: skip
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    call_command("requeue_work_chat", "--minutes", "0")
    call_command("requeue_work_chat", "--minutes", "0")
    assert len(wecom.of("/cgi-bin/webhook/send")) == 1
    assert ChatDelivery.objects.get().status == "sent"
