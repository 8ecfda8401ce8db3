"""The center admin's work-chat settings page: who may open it, secrets that are never shown
back, a stale form refused, audited writes, the test button, and the link that reaches it."""

import pytest
from django.urls import reverse

from onsite.audit.models import AuditEvent
from onsite.notifications.models import WorkChatSettings
from onsite.notifications.tests import receivers as r
from onsite.notifications.tests.receivers import configure

URL = "/notifications/work-chat/"


def _form(wecom, dingtalk, **changes):
    data = {
        "row_version": "0",
        "wecom_enabled": "on",
        "wecom_base_url": wecom.url,
        "wecom_robot_url": wecom.robot_url,
        "wecom_corpid": r.CORPID,
        "wecom_corpsecret": r.CORPSECRET,
        "wecom_agentid": r.AGENTID,
        "dingtalk_enabled": "on",
        "dingtalk_base_url": dingtalk.url,
        "dingtalk_robot_url": dingtalk.robot_url,
        "dingtalk_robot_secret": r.DING_ROBOT_SECRET,
        "dingtalk_appkey": r.APPKEY,
        "dingtalk_appsecret": r.APPSECRET,
        "dingtalk_agent_id": r.DING_AGENT,
        "route_rectification_assigned": "both",
        "route_rectification_due_soon": "person",
        "route_rectification_overdue": "group",
        "route_rectification_returned": "person",
        "route_standards_filing_reviewed": "person",
        "route_standards_filing_due_soon": "person",
        "route_surveys_opened": "none",
        "route_engagement_acknowledge": "person",
        "route_programme_round_opened": "person",
        "route_complaints_opened": "person",
        "route_complaints_due_soon": "person",
        "route_complaints_overdue": "both",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def test_the_admin_saves_and_the_secrets_are_never_shown_back(
    client_for, admin_user, center, wecom, dingtalk
):
    client = client_for(admin_user)
    assert client.get(URL).status_code == 200
    response = client.post(URL, _form(wecom, dingtalk))
    assert response.status_code == 302
    config = WorkChatSettings.objects.get(center=center)
    assert config.dingtalk_robot_secret == r.DING_ROBOT_SECRET
    assert config.route("rectification.overdue") == "group"
    page = client.get(URL).content.decode()
    for secret in (r.CORPSECRET, r.APPSECRET, r.DING_ROBOT_SECRET, r.WECOM_ROBOT_KEY,
                   r.DING_ROBOT_TOKEN):  # fmt: skip
        assert secret not in page
    assert r.CORPID in page, "an identifier that is no secret is shown"
    event = AuditEvent.objects.filter(action="notifications.work_chat_changed").get()
    assert event.detail["changed"]["wecom_corpsecret"] == "(secret)"
    assert r.CORPSECRET not in str(event.detail)

    # Blank keeps the stored secret; the box removes one.
    client.post(URL, _form(wecom, dingtalk, row_version="1", wecom_corpsecret="",
                           dingtalk_robot_secret="", clear_dingtalk_robot_secret="on"))  # fmt: skip
    config.refresh_from_db()
    assert config.wecom_corpsecret == r.CORPSECRET
    assert config.dingtalk_robot_secret == ""
    assert config.version == 2


def test_a_stale_form_is_refused_and_saves_nothing(client_for, admin_user, center, wecom, dingtalk):
    client = client_for(admin_user)
    client.post(URL, _form(wecom, dingtalk))
    response = client.post(URL, _form(wecom, dingtalk, row_version="0", wecom_agentid="77"))
    assert response.status_code == 409
    assert (
        "Someone else saved this" in response.content.decode()
        or "其他人" in response.content.decode()
    )
    assert WorkChatSettings.objects.get(center=center).wecom_agentid == r.AGENTID
    client.post(URL, _form(wecom, dingtalk, row_version="1", wecom_agentid="78"))
    response = client.post(URL, _form(wecom, dingtalk, row_version="1", wecom_agentid="79"))
    assert response.status_code == 409
    assert WorkChatSettings.objects.get(center=center).wecom_agentid == "78"


def test_bad_input_is_refused_in_the_users_language(
    client_for, admin_user, center, wecom, dingtalk
):
    client = client_for(admin_user)
    response = client.post(URL, _form(wecom, dingtalk, wecom_corpsecret="", wecom_agentid="12a"))
    assert response.status_code == 422
    assert not WorkChatSettings.objects.exists()
    response = client.post(URL, _form(wecom, dingtalk, wecom_robot_url="ftp://x"))
    assert response.status_code == 422


@pytest.mark.parametrize(
    "persona", ["leader", "office_user", "supervisor", "staff_user", "auditor"]
)
def test_other_roles_may_not_open_or_post(persona, request, client_for, center, wecom, dingtalk):
    client = client_for(request.getfixturevalue(persona))
    assert client.get(URL).status_code == 403
    assert client.post(URL, _form(wecom, dingtalk)).status_code == 403
    assert client.post(URL + "test/").status_code == 403
    assert not WorkChatSettings.objects.exists()


def test_signing_in_is_needed(client, center):
    assert client.get(URL).status_code == 302


def test_another_centers_admin_sees_only_their_own_settings(
    client_for, admin_user, other_admin, center, wecom, dingtalk
):
    configure(center, wecom, dingtalk)
    page = client_for(other_admin).get(URL).content.decode()
    assert r.CORPID not in page
    assert wecom.url not in page
    client_for(other_admin).post(URL, _form(wecom, dingtalk, wecom_corpid="theirs"))
    assert WorkChatSettings.objects.get(center=center).wecom_corpid == r.CORPID


def test_the_test_button_reaches_each_robot_and_the_admin(
    client_for, admin_user, center, wecom, dingtalk
):
    admin_user.wecom_userid = "Admin1"
    admin_user.save()
    configure(center, wecom, dingtalk)
    response = client_for(admin_user).post(URL + "test/", follow=True)
    page = response.content.decode()
    assert [n["touser"] for n in wecom.of("/cgi-bin/message/send")] == ["Admin1"]
    assert len(wecom.of("/cgi-bin/webhook/send")) == 1
    assert len(dingtalk.of("/robot/send")) == 1
    assert not dingtalk.of("/topapi/message/corpconversation/asyncsend_v2")
    assert 'data-testid="work-chat-form"' in page
    assert AuditEvent.objects.filter(action="notifications.work_chat_tested").exists()


def test_testing_unsaved_settings_says_what_to_do(client_for, admin_user, center):
    response = client_for(admin_user).post(URL + "test/", follow=True)
    assert response.status_code == 200
    assert not AuditEvent.objects.filter(action="notifications.work_chat_tested").exists()


def test_the_admin_reaches_the_page_from_the_menu(client_for, admin_user, staff_user):
    assert f'href="{URL}"' in client_for(admin_user).get("/").content.decode()
    assert f'href="{URL}"' not in client_for(staff_user).get("/").content.decode()
    assert reverse("notifications:work-chat") == URL


def test_the_page_costs_the_same_few_queries_however_many_failures(
    client_for, admin_user, center, wecom, dingtalk, django_assert_max_num_queries
):
    from onsite.notifications.models import ChatDelivery  # only this test writes failures

    configure(center, wecom, dingtalk)
    ChatDelivery.objects.bulk_create(
        ChatDelivery(center=center, batch=f"00000000-0000-0000-0000-{n:012d}", channel="wecom",
                     target="group", kind="rectification.overdue", message="m",
                     status="failed", attempts=5, last_error="HTTP 500")
        for n in range(30)
    )  # fmt: skip
    client = client_for(admin_user)
    client.get(URL)
    with django_assert_max_num_queries(12):
        page = client.get(URL).content.decode()
    assert page.count("HTTP 500") == 20
