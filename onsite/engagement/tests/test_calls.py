"""Calls for slogans and proposals (征集活动): opened by the office with a deadline, posted
on the board, the invited notified; entries until the deadline, a 409 after it."""

import datetime

import pytest
from django.utils import timezone, translation

from onsite.audit.models import AuditEvent
from onsite.core.tests.factories import UnitFactory, UserFactory
from onsite.engagement import services
from onsite.engagement.models import Post, Suggestion, SuggestionCall
from onsite.engagement.tests.test_api import JSON, bearer
from onsite.notifications.models import Notification


def zh(msgid):
    with translation.override("zh-hans"):
        return translation.gettext(msgid)


def later(**kwargs):
    return timezone.now() + datetime.timedelta(**kwargs)


@pytest.fixture
def call(center, office_user, staff_user):
    return services.open_call(
        center=center, by=office_user, kind="slogan", title="“人人参与5S”标语征集",
        body="<p>每人限三条</p>", deadline=later(days=7), units=[staff_user.unit],
    )  # fmt: skip


def _close(call):
    SuggestionCall.objects.filter(pk=call.pk).update(
        deadline=timezone.now() - datetime.timedelta(minutes=1)
    )
    call.refresh_from_db()


def test_office_opens_a_call_for_some_units(
    client_for, office_user, staff_user, member, center, django_capture_on_commit_callbacks
):
    deadline = later(days=5).strftime("%Y-%m-%dT%H:%M")
    data = {"kind": "proposal", "title": "窗口改善方案征集", "body": "欢迎建言",
            "deadline": deadline, "units": [staff_user.unit.pk], "submission_key": "c-1"}  # fmt: skip
    client = client_for(office_user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/engagement/calls/new/", data)
    assert response.status_code == 302
    client.post("/engagement/calls/new/", data)
    call = SuggestionCall.objects.get()
    assert SuggestionCall.objects.count() == 1, "a double submit opens one call"
    assert call.post is not None
    assert call.post.is_pinned
    assert Post.objects.filter(title="窗口改善方案征集").count() == 1
    assert Notification.objects.filter(user=staff_user, kind="engagement.call").exists()
    assert not Notification.objects.filter(user=member, kind="engagement.call").exists()
    assert AuditEvent.objects.filter(action="engagement.call_opened").count() == 1
    board_post = client_for(staff_user).get(f"/engagement/posts/{call.post.pk}/")
    assert f"/engagement/calls/{call.pk}/" in board_post.content.decode()


def test_a_deadline_in_the_past_is_refused(client_for, office_user):
    response = client_for(office_user).post("/engagement/calls/new/", {
        "kind": "slogan", "title": "标语", "deadline": "2020-01-01T10:00"})  # fmt: skip
    assert response.status_code == 200
    assert zh("The deadline must be in the future.") in response.content.decode()
    assert not SuggestionCall.objects.exists()


def test_staff_may_not_open_a_call(client_for, staff_user):
    assert client_for(staff_user).get("/engagement/calls/new/").status_code == 403
    response = client_for(staff_user).post("/engagement/calls/new/", {
        "kind": "slogan", "title": "标语", "deadline": later(days=1).strftime("%Y-%m-%dT%H:%M")})  # fmt: skip
    assert response.status_code == 403
    assert not SuggestionCall.objects.exists()


def test_invited_staff_submit_to_an_open_call(client_for, staff_user, call):
    client = client_for(staff_user)
    page = client.get(f"/engagement/suggestions/new/?call={call.pk}")
    assert page.status_code == 200
    assert call.title in page.content.decode()
    response = client.post(f"/engagement/suggestions/new/?call={call.pk}", {
        "kind": "slogan", "title": "整理整顿，从我做起", "submission_key": "e-1"})  # fmt: skip
    assert response.status_code == 302
    client.post(f"/engagement/suggestions/new/?call={call.pk}", {
        "kind": "slogan", "title": "整理整顿，从我做起", "submission_key": "e-1"})  # fmt: skip
    entry = Suggestion.objects.get()
    assert entry.call == call
    assert entry.kind == "slogan"


def test_the_entry_takes_the_calls_kind(client_for, staff_user, call):
    response = client_for(staff_user).post(
        f"/engagement/suggestions/new/?call={call.pk}", {"kind": "proposal", "title": "一条"}
    )
    assert response.status_code == 200, "the form offers only the call's kind"
    assert not Suggestion.objects.exists()


def test_a_closed_call_says_so_and_takes_nothing(client_for, staff_user, call):
    _close(call)
    client = client_for(staff_user)
    detail = client.get(f"/engagement/calls/{call.pk}/").content.decode()
    assert zh("This call has closed; it takes no more entries.") in detail
    assert "submit-to-call" not in detail
    page = client.get(f"/engagement/suggestions/new/?call={call.pk}")
    assert page.status_code == 409
    response = client.post(
        f"/engagement/suggestions/new/?call={call.pk}", {"kind": "slogan", "title": "迟到的标语"}
    )
    assert response.status_code == 409
    assert response["Onsite-Refusal"] == "call_closed"
    assert not Suggestion.objects.exists()


def test_an_uninvited_unit_may_not_submit(client_for, member, call):
    response = client_for(member).post(
        f"/engagement/suggestions/new/?call={call.pk}", {"kind": "slogan", "title": "标语"}
    )
    assert response.status_code == 403
    assert not Suggestion.objects.exists()


def test_another_centers_call_is_404(client_for, other_admin, call):
    client = client_for(other_admin)
    assert client.get(f"/engagement/calls/{call.pk}/").status_code == 404
    assert client.get(f"/engagement/suggestions/new/?call={call.pk}").status_code == 404


def test_the_office_sees_entries_per_call_and_reviews_them(
    client_for, office_user, leader, staff_user, center, call
):
    services.submit_suggestion(
        center=center, author=staff_user, kind="slogan", title="甲", call=call
    )
    other = UserFactory(center=center, unit=staff_user.unit, roles=["staff"])
    entry = services.submit_suggestion(
        center=center, author=other, kind="slogan", title="乙", call=call
    )
    services.submit_suggestion(center=center, author=other, kind="slogan", title="不在征集里")
    page = client_for(office_user).get(f"/engagement/calls/{call.pk}/").content.decode()
    assert "甲" in page
    assert "乙" in page
    assert "不在征集里" not in page
    # a participant sees their own entries only
    mine = client_for(staff_user).get(f"/engagement/calls/{call.pk}/").content.decode()
    assert "甲" in mine
    assert "乙" not in mine
    reviewed = client_for(leader).post(f"/engagement/suggestions/{entry.suggestion.pk}/review/", {
        "decision": "adopted", "reason": "朗朗上口", "version": 1})  # fmt: skip
    assert reviewed.status_code == 302
    assert Suggestion.objects.get(pk=entry.suggestion.pk).status == "adopted"
    detail = client_for(leader).get(f"/engagement/suggestions/{entry.suggestion.pk}/")
    assert f"/engagement/calls/{call.pk}/" in detail.content.decode(), "the entry leads to its call"


def test_call_list_counts_with_a_fixed_number_of_queries(
    client_for, office_user, center, django_assert_max_num_queries
):
    for n in range(4):
        units = [UnitFactory(center=center), UnitFactory(center=center)]
        call = services.open_call(center=center, by=office_user, kind="slogan", title=f"征集{n}",
                                  body="", deadline=later(days=3), units=units)  # fmt: skip
        for unit in units:
            author = UserFactory(center=center, unit=unit, roles=["staff"])
            services.submit_suggestion(center=center, author=author, kind="slogan",
                                       title=f"标语{n}{unit.pk}", call=call)  # fmt: skip
    client = client_for(office_user)
    client.get("/engagement/calls/")
    with django_assert_max_num_queries(12):
        response = client.get("/engagement/calls/")
    assert response.status_code == 200
    row = next(c for c in response.context["calls"] if c.title == "征集0")
    assert (row.entry_count, row.unit_count) == (2, 2)


def test_the_call_list_is_closed_to_no_one_in_the_center_and_to_outsiders(client, viewer, call):
    assert client.get("/engagement/calls/").status_code == 302  # anonymous: to the login
    client.force_login(viewer)
    assert client.get("/engagement/calls/").status_code == 200


def test_api_open_list_and_submit(client, office_user, staff_user, member, other_admin, call):
    payload = {"kind": "proposal", "title": "节能降耗方案征集", "deadline": later(days=2).isoformat(),
               "units": []}  # fmt: skip
    created = client.post("/api/v1/engagement/calls", payload, HTTP_IDEMPOTENCY_KEY="k1",
                          **JSON, **bearer(office_user))  # fmt: skip
    assert created.status_code == 200
    again = client.post("/api/v1/engagement/calls", payload, HTTP_IDEMPOTENCY_KEY="k1",
                        **JSON, **bearer(office_user))  # fmt: skip
    assert again.json()["id"] == created.json()["id"]
    assert client.post("/api/v1/engagement/calls", payload, **JSON,
                       **bearer(staff_user)).status_code == 403  # fmt: skip
    listed = client.get("/api/v1/engagement/calls", **bearer(member)).json()
    assert {c["title"] for c in listed} == {"节能降耗方案征集", call.title}
    assert (
        client.get(f"/api/v1/engagement/calls/{call.pk}", **bearer(other_admin)).status_code == 404
    )
    entry = client.post("/api/v1/engagement/suggestions", {"kind": "slogan", "title": "标语一",
                        "call": call.pk}, **JSON, **bearer(staff_user))  # fmt: skip
    assert entry.status_code == 200
    listed = client.get(f"/api/v1/engagement/suggestions?call={call.pk}", **bearer(office_user))
    assert [s["title"] for s in listed.json()] == ["标语一"]
    assert entry.json()["call"] == call.pk
    assert (
        client.get(f"/api/v1/engagement/calls/{call.pk}", **bearer(member)).json()["entries"] == 1
    )
    _close(call)
    late = client.post("/api/v1/engagement/suggestions", {"kind": "slogan", "title": "标语二",
                       "call": call.pk}, **JSON, **bearer(staff_user))  # fmt: skip
    assert late.status_code == 409
    assert late.json()["code"] == "call_closed"


def test_api_rejects_a_past_deadline_and_a_foreign_unit(client, office_user, other_center):
    past = {"kind": "slogan", "title": "标语", "deadline": "2020-01-01T00:00:00+08:00"}
    assert (
        client.post("/api/v1/engagement/calls", past, **JSON, **bearer(office_user)).status_code
        == 422
    )
    foreign = {"kind": "slogan", "title": "标语", "deadline": later(days=1).isoformat(),
               "units": [UnitFactory(center=other_center).pk]}  # fmt: skip
    assert (
        client.post("/api/v1/engagement/calls", foreign, **JSON, **bearer(office_user)).status_code
        == 404
    )
    assert not SuggestionCall.objects.exists()
