"""Rectification: assignment, due dates in Chinese working days, the open → submitted →
closed workflow with returns, photos, overdue escalation, notifications; pages allowed and
denied."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from onsite.core.refusals import Invalid
from onsite.core.tests.factories import GroupFactory, UserFactory
from onsite.inspections.models import InspectionSettings
from onsite.inspections.tests.conftest import image_upload, inspect
from onsite.notifications.models import Notification
from onsite.org.models import Coverage, Group, Membership
from onsite.rectification import services
from onsite.rectification.models import CalendarDay, CalendarYear, Rectification, Transition

pytestmark = pytest.mark.django_db
D = datetime.date


def detail_url(r):
    return reverse("rectification:rectification-detail", args=[r.pk])


def test_a_finding_is_assigned_to_the_zone_owner_who_is_told(
    zone, supervisor, owner, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        inspect(zone, supervisor, fail=("clause:C01",))
    rectification = Rectification.objects.get()
    assert rectification.assignee == owner
    assert rectification.is_open
    assert rectification.transitions.get().action == Transition.Action.ASSIGNED
    assert Notification.objects.filter(user=owner, kind="rectification.assigned").exists()


@pytest.mark.parametrize(
    ("severity", "due"),
    [
        ("fix_now", D(2025, 9, 30)),  # the same day
        ("serious", D(2025, 10, 10)),  # 1–8 Oct is National Day: 9 and 10 Oct
        ("general", D(2025, 10, 14)),  # 9, 10, Sat 11 (make-up day), 13, 14
    ],
)
def test_due_dates_count_chinese_working_days(zone, supervisor, severity, due):
    inspect(zone, supervisor, on=D(2025, 9, 30), severity=severity)
    rectification = Rectification.objects.get()
    assert rectification.due_on == due
    assert rectification.due_is_provisional is False


def test_a_due_date_in_a_year_the_package_does_not_know_is_provisional(zone, supervisor):
    inspect(zone, supervisor, on=D(2027, 3, 5), severity="serious")  # a Friday
    rectification = Rectification.objects.get()
    assert rectification.due_on == D(2027, 3, 9)
    assert rectification.due_is_provisional is True


def test_submit_return_and_verify(
    client_for, rectification, owner, supervisor, django_capture_on_commit_callbacks
):
    owner_client = client_for(owner)
    url = detail_url(rectification)
    assert owner_client.get(url).status_code == 200
    no_photo = owner_client.post(
        reverse("rectification:rectification-submit", args=[rectification.pk]),
        {"note": "已整改", "row_version": rectification.version, "submission_key": "s1"},
    )
    assert no_photo.status_code == 409  # the refusal's status on the page (issue 15: was 400)
    assert no_photo["Onsite-Refusal"] == "no_photo"
    assert "照片".encode() in no_photo.content or b"after-photo" in no_photo.content
    owner_client.post(
        reverse("rectification:photo-upload", args=[rectification.pk]), {"photo": image_upload()}
    )
    submit = {"note": "已整改", "row_version": rectification.version, "submission_key": "s2"}
    submit_url = reverse("rectification:rectification-submit", args=[rectification.pk])
    assert owner_client.post(submit_url, submit).status_code == 302
    assert owner_client.post(submit_url, submit).status_code == 302  # a double tap: no change
    rectification.refresh_from_db()
    assert rectification.is_submitted
    assert rectification.transitions.filter(action="submitted").count() == 1

    sup = client_for(supervisor)
    return_url = reverse("rectification:rectification-return", args=[rectification.pk])
    no_reason = sup.post(return_url, {"reason": "", "row_version": rectification.version})
    assert no_reason.status_code == 422
    with django_capture_on_commit_callbacks(execute=True):
        returned = sup.post(
            return_url,
            {"reason": "还有灰尘", "row_version": rectification.version, "submission_key": "r"},
        )
    assert returned.status_code == 302
    rectification.refresh_from_db()
    assert rectification.is_open
    assert rectification.times_returned == 1
    assert Notification.objects.filter(user=owner, kind="rectification.returned").exists()

    owner_client = client_for(owner)  # one test client: sign the owner in again
    owner_client.post(
        reverse("rectification:photo-upload", args=[rectification.pk]), {"photo": image_upload()}
    )
    resubmit = {"note": "再次整改", "row_version": rectification.version, "submission_key": "s3"}
    assert owner_client.post(submit_url, resubmit).status_code == 302
    rectification.refresh_from_db()
    verify_url = reverse("rectification:rectification-verify", args=[rectification.pk])
    sup = client_for(supervisor)
    with django_capture_on_commit_callbacks(execute=True):
        verified = sup.post(verify_url, {"row_version": rectification.version})
    assert verified.status_code == 302
    rectification.refresh_from_db()
    assert rectification.is_closed
    assert rectification.closed_by == supervisor
    assert list(rectification.transitions.values_list("action", flat=True)) == [
        "assigned", "submitted", "returned", "submitted", "verified",
    ]  # fmt: skip
    assert rectification.photos.filter(attempt=1).count() == 1
    assert rectification.photos.filter(attempt=2).count() == 1
    assert Notification.objects.filter(user=owner, kind="rectification.verified").exists()
    page = sup.get(detail_url(rectification))
    assert b'data-testid="before-after"' in page.content


def test_the_owner_cannot_verify_and_others_cannot_submit(client_for, center, rectification, owner):
    services.add_after_photo(rectification=rectification, by=owner, upload=image_upload())
    stranger = UserFactory(center=center, roles=["staff"])
    submit_url = reverse("rectification:rectification-submit", args=[rectification.pk])
    data = {"note": "x", "row_version": rectification.version}
    assert client_for(stranger).post(submit_url, data).status_code == 404  # not visible
    colleague = UserFactory(center=center, roles=["supervisor"])
    assert client_for(colleague).post(submit_url, data).status_code == 403
    services.submit_rectification(
        rectification=rectification, by=owner, note="done", expected_version=rectification.version
    )
    verify_url = reverse("rectification:rectification-verify", args=[rectification.pk])
    assert client_for(owner).post(verify_url, {"row_version": rectification.version}).status_code == 403  # fmt: skip
    rectification.refresh_from_db()
    assert rectification.is_submitted


def test_a_stale_verify_is_a_conflict(rectification, owner, supervisor):
    services.add_after_photo(rectification=rectification, by=owner, upload=image_upload())
    seen = rectification.version
    services.submit_rectification(
        rectification=rectification, by=owner, note="done", expected_version=seen
    )
    other = Rectification.objects.get(pk=rectification.pk)
    services.return_rectification(
        rectification=other, by=supervisor, reason="no", expected_version=other.version
    )
    stale = Rectification.objects.get(pk=rectification.pk)
    stale.status = Rectification.Status.SUBMITTED  # what the second verifier's page showed
    from onsite.core.concurrency import ConflictError

    with pytest.raises(ConflictError):
        services.verify_rectification(rectification=stale, by=supervisor, expected_version=seen + 1)
    assert Rectification.objects.get(pk=rectification.pk).is_open


def test_after_photos_refuse_non_images_and_save_nothing(client_for, rectification, owner):
    url = reverse("rectification:photo-upload", args=[rectification.pk])
    fake = SimpleUploadedFile("a.png", b"\x89PNG\r\n\x1a\n<script>", "image/png")
    page = client_for(owner).post(url, {"photo": fake}, follow=True)
    assert "损坏".encode() in page.content or b"damaged" in page.content
    assert rectification.photos.count() == 0
    with pytest.raises(Invalid):
        services.add_after_photo(
            rectification=rectification,
            by=owner,
            upload=SimpleUploadedFile("x.txt", b"hello", "text/plain"),
        )


def test_after_photos_are_served_only_to_those_who_see_it(
    client, client_for, center, rectification, owner, other_supervisor
):
    photo = services.add_after_photo(rectification=rectification, by=owner, upload=image_upload())
    url = reverse("rectification:photo", args=[photo.pk])
    response = client_for(owner).get(url)
    assert response.status_code == 200
    assert response["X-Content-Type-Options"] == "nosniff"
    assert client_for(UserFactory(center=center, roles=["staff"])).get(url).status_code == 404
    assert client_for(other_supervisor).get(url).status_code == 404
    client.logout()
    assert client.get(url).status_code == 302


def test_rectification_pages_denied(client, client_for, rectification, auditor, other_supervisor):
    for url in [detail_url(rectification), reverse("rectification:rectification-list")]:
        assert client_for(auditor).get(url).status_code == 403
    assert client_for(other_supervisor).get(detail_url(rectification)).status_code == 404
    client.logout()
    assert client.get(detail_url(rectification)).status_code == 302


def test_my_work_lists_open_rectifications_and_filings_first(client_for, rectification, owner):
    page = client_for(owner).get("/")
    assert page.status_code == 200
    body = page.content.decode()
    assert body.index('data-testid="my-rectifications"') < body.index("my-filings")
    assert detail_url(rectification) in body


# --- overdue ---------------------------------------------------------------------------------


def _leadership(center, zone):
    """Promotion group p → working group covering the zone's unit; an office group."""
    leader_user = UserFactory(center=center, roles=["group_leader"])
    office_user = UserFactory(center=center, roles=["office"])
    promotion = GroupFactory(center=center, kind=Group.Kind.PROMOTION, name="第一推行小组")
    working = GroupFactory(center=center, kind=Group.Kind.WORKING, parent=promotion)
    Coverage.objects.create(group=working, unit=zone.unit)
    Membership.objects.create(group=promotion, user=leader_user, role="leader",
                              group_kind=Group.Kind.PROMOTION)  # fmt: skip
    return leader_user, office_user


def test_overdue_is_escalated_once_to_the_promotion_leader_and_the_office(
    center, zone, supervisor, owner, django_capture_on_commit_callbacks
):
    leader_user, office_user = _leadership(center, zone)
    inspect(zone, supervisor, on=D(2025, 6, 2), severity="serious")  # due Wed 4 June
    rectification = Rectification.objects.get()
    assert not Rectification.objects.overdue(D(2025, 6, 4)).exists()
    assert list(Rectification.objects.overdue(D(2025, 6, 5))) == [rectification]
    with django_capture_on_commit_callbacks(execute=True):
        assert services.escalate_overdue(on=D(2025, 6, 5)) == 1
    assert services.escalate_overdue(on=D(2025, 6, 6)) == 0  # once
    told = set(
        Notification.objects.filter(kind="rectification.overdue").values_list("user", flat=True)
    )
    assert told == {leader_user.pk, office_user.pk, owner.pk}
    assert rectification.transitions.filter(action="escalated").count() == 1


def test_the_escalation_command_runs_inline_or_queued(zone, supervisor, capsys):
    inspect(zone, supervisor, on=D(2025, 6, 2), severity="fix_now")
    call_command("escalate_overdue")
    assert "Escalated 1" in capsys.readouterr().out
    assert Rectification.objects.exclude(escalated_at=None).count() == 1
    call_command("escalate_overdue", "--enqueue")  # the test settings run tasks at once
    assert "Queued" in capsys.readouterr().out


def test_a_submitted_rectification_is_not_overdue(rectification, owner):
    services.add_after_photo(rectification=rectification, by=owner, upload=image_upload())
    services.submit_rectification(
        rectification=rectification, by=owner, note="ok", expected_version=rectification.version
    )
    later = rectification.due_on + datetime.timedelta(days=10)
    assert not Rectification.objects.overdue(later).exists()
    assert services.escalate_overdue(on=later) == 0


# --- the calendar page -----------------------------------------------------------------------


def test_admins_enter_next_years_holidays_and_confirm_it(client_for, admin_user, staff_user):
    url = reverse("rectification:calendar")
    page = client_for(staff_user).get(url + "?year=2027")
    assert page.status_code == 200
    assert b'data-testid="unconfirmed"' in page.content
    assert client_for(staff_user).post(url, {"action": "confirm"}).status_code == 403
    admin = client_for(admin_user)
    assert admin.post(url + "?year=2027", {"day": "2027-02-08", "is_working_day": "0",
                                           "name": "春节"}).status_code == 302  # fmt: skip
    assert admin.post(url + "?year=2027", {"day": "2027-02-20", "is_working_day": "1",
                                           "name": "春节调休"}).status_code == 302  # fmt: skip
    assert CalendarDay.objects.get(day=D(2027, 2, 8)).is_working_day is False
    assert admin.post(url + "?year=2027", {"action": "confirm"}).status_code == 302
    year = CalendarYear.objects.get(year=2027)
    assert year.is_confirmed
    assert year.source == CalendarYear.Source.MANUAL
    from onsite.rectification.calendar import add_working_days

    # Fri 5 Feb 2027 + 2: Mon 8 Feb is the holiday entered, so 9 and 10 Feb.
    assert add_working_days(D(2027, 2, 5), 2).day == D(2027, 2, 10)
    assert add_working_days(D(2027, 2, 19), 1).day == D(2027, 2, 20)  # the make-up Saturday


def test_the_calendar_warns_while_the_coming_year_is_unconfirmed(client_for, admin_user):
    from onsite.rectification.calendar import coming_year_warning

    page = client_for(admin_user).get(reverse("rectification:calendar"))
    assert (b'data-testid="calendar-warning"' in page.content) == bool(coming_year_warning())
    CalendarYear.objects.update_or_create(
        year=datetime.date.today().year + 1, defaults={"source": "manual", "is_confirmed": True}
    )
    page = client_for(admin_user).get(reverse("rectification:calendar"))
    assert b'data-testid="calendar-warning"' not in page.content


def test_calendar_denied_to_auditors_and_anonymous(client, client_for, auditor):
    url = reverse("rectification:calendar")
    assert client_for(auditor).get(url).status_code == 403
    client.logout()
    assert client.get(url).status_code == 302


def reassign_url(r):
    return reverse("rectification:rectification-reassign", args=[r.pk])


def test_the_supervisor_hands_a_rectification_to_someone_else_who_is_told(
    client_for, center, rectification, owner, supervisor, django_capture_on_commit_callbacks
):
    newcomer = UserFactory(center=center, unit=owner.unit, roles=["staff"], full_name="新同事")
    client = client_for(supervisor)
    page = client.get(detail_url(rectification)).content.decode()
    assert 'data-testid="reassign"' in page
    assert "新同事" in page
    data = {"to": newcomer.pk, "reason": "原责任人轮岗", "row_version": rectification.version,
            "submission_key": "hand-1"}  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reassign_url(rectification), data)
        client.post(reassign_url(rectification), data)  # a double tap changes nothing more
    assert response.status_code == 302
    rectification.refresh_from_db()
    assert rectification.assignee == newcomer
    assert rectification.is_open, "the status and due date stay"
    assert Transition.objects.filter(rectification=rectification, action="reassigned").count() == 1
    assert Notification.objects.filter(user=newcomer, kind="rectification.assigned").exists()
    assert Notification.objects.filter(user=owner, kind="rectification.reassigned").exists()
    assert (
        client_for(newcomer)
        .get("/rectification/?mine=1")
        .content.decode()
        .count(detail_url(rectification))
        >= 1
    )


def test_reassigning_needs_a_reason_a_current_version_and_a_person_of_the_center(
    client_for, center, other_center, rectification, owner, supervisor
):
    colleague = UserFactory(center=center, roles=["staff"])
    stranger = UserFactory(center=other_center, roles=["staff"])
    client = client_for(supervisor)
    url = reassign_url(rectification)
    base = {"to": colleague.pk, "reason": "换人", "row_version": rectification.version}
    assert client.post(url, base | {"reason": " "}).status_code == 422
    assert client.post(url, base | {"to": stranger.pk}).status_code == 422
    stale = client.post(url, base | {"row_version": rectification.version - 1})
    assert stale.status_code == 409
    assert stale["Onsite-Refusal"] == "stale"
    assert "已有其他人保存" in stale.content.decode()
    rectification.refresh_from_db()
    assert rectification.assignee == owner


def test_only_the_supervision_section_office_and_admin_reassign(
    client_for, center, rectification, owner, leader, other_supervisor
):
    data = {"to": owner.pk, "reason": "x", "row_version": rectification.version}
    assert client_for(owner).post(reassign_url(rectification), data).status_code == 403
    assert client_for(leader).post(reassign_url(rectification), data).status_code == 403
    assert (
        'data-testid="reassign"'
        not in client_for(owner).get(detail_url(rectification)).content.decode()
    )
    assert client_for(other_supervisor).post(reassign_url(rectification), data).status_code == 404
    anonymous = Client()
    assert anonymous.post(reassign_url(rectification), data).status_code == 302  # sign in


def test_the_assignee_is_reminded_the_working_day_before_once_and_in_work_chat(
    center, zone, supervisor, owner, settings, django_capture_on_commit_callbacks
):
    from onsite.notifications.tests import receivers  # the local WeCom peer of those tests

    settings.SITE_URL = "https://onsite.example.gov.cn"
    owner.wecom_userid = "Owner1"
    owner.save()
    inspect(zone, supervisor, on=D(2025, 6, 2), severity="serious")  # due Wed 4 June
    InspectionSettings.objects.update_or_create(center=center, defaults={"remind_days": 1})
    with receivers.running("wecom") as wecom, receivers.running("dingtalk") as dingtalk:
        receivers.configure(center, wecom, dingtalk, dingtalk_enabled=False)
        with django_capture_on_commit_callbacks(execute=True):
            assert services.remind_due_soon(on=D(2025, 6, 2)) == 0  # due in two working days
            assert services.remind_due_soon(on=D(2025, 6, 3)) == 1
            assert services.remind_due_soon(on=D(2025, 6, 3)) == 0  # once
    note = Notification.objects.get(kind="rectification.due_soon")
    assert note.user == owner
    assert "2025-06-04" in note.text
    [notice] = wecom.of("/cgi-bin/message/send")
    assert notice["touser"] == "Owner1"
    assert "2025-06-04" in notice["textcard"]["description"]
    [robot] = wecom.of("/cgi-bin/webhook/send")
    assert owner.full_name not in robot["text"]["content"]
    assert zone.name not in robot["text"]["content"]


def test_a_closed_or_submitted_rectification_gets_no_reminder(rectification, owner):
    services.add_after_photo(rectification=rectification, by=owner, upload=image_upload())
    services.submit_rectification(
        rectification=rectification, by=owner, note="ok", expected_version=rectification.version
    )
    day_before = rectification.due_on - datetime.timedelta(days=1)
    assert services.remind_due_soon(on=day_before) == 0


def test_the_daily_command_also_reminds(zone, supervisor, capsys):
    inspect(zone, supervisor, on=D(2025, 6, 2), severity="serious")
    call_command("escalate_overdue")
    assert "Reminded the assignees of 0" in capsys.readouterr().out
