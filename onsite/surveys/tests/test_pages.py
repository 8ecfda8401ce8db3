import datetime

import pytest
from django.utils import timezone, translation

from onsite.audit.models import AuditEvent
from onsite.core.concurrency import ConflictError
from onsite.core.tests.factories import GroupFactory, UnitFactory, UserFactory
from onsite.org.models import Membership
from onsite.surveys.models import Answer, Participation, Question, Response, Survey
from onsite.surveys.tests.factories import QuestionFactory, SurveyFactory, answer, standard_survey

TODAY = timezone.localdate


def zh(msgid, **params):
    with translation.override("zh-hans"):
        text = translation.gettext(msgid)
    return text % params if params else text


@pytest.fixture
def survey(center):
    return standard_survey(center)


@pytest.fixture
def theirs(other_center):
    return standard_survey(other_center)


# --- the builder --------------------------------------------------------------------------


def test_office_builds_and_publishes_a_survey(client_for, office_user, center):
    client = client_for(office_user)
    unit = UnitFactory(center=center)
    response = client.post("/surveys/new/", {
        "title": "现场管理现状及认同程度调查", "description": "请如实填写",
        "is_anonymous": "on", "opens_on": TODAY().isoformat(),
        "closes_on": (TODAY() + datetime.timedelta(days=5)).isoformat(), "units": [unit.pk],
    })  # fmt: skip
    survey = Survey.objects.get(title="现场管理现状及认同程度调查")
    assert response.status_code == 302
    assert survey.is_anonymous
    assert survey.is_draft
    assert list(survey.units.all()) == [unit]
    add = f"/surveys/{survey.pk}/questions/add/"
    client.post(add, {"text": "我认同标准化现场管理", "kind": "scale", "required": "on"})
    client.post(add, {"text": "台面状况", "kind": "single", "choices_text": "整洁\n一般\n杂乱"})
    client.post(add, {"text": "改进方面", "kind": "multiple", "choices_text": "物品\n资料"})
    client.post(add, {"text": "整理分钟数", "kind": "number"})
    client.post(add, {"text": "建议", "kind": "text"})
    questions = list(survey.questions.order_by("position"))
    assert [q.kind for q in questions] == ["scale", "single", "multiple", "number", "text"]
    assert questions[1].choices == ["整洁", "一般", "杂乱"]
    assert [q.code for q in questions] == ["q1", "q2", "q3", "q4", "q5"]

    client.post(f"/surveys/{survey.pk}/questions/{questions[4].pk}/move/", {"direction": "up"})
    assert list(survey.questions.order_by("position").values_list("code", flat=True)) == [
        "q1",
        "q2",
        "q3",
        "q5",
        "q4",
    ]
    client.post(f"/surveys/{survey.pk}/questions/{questions[3].pk}/edit/",
                {f"q{questions[3].pk}-text": "每天整理几分钟", f"q{questions[3].pk}-kind": "number"})  # fmt: skip
    assert Question.objects.get(pk=questions[3].pk).text == "每天整理几分钟"
    client.post(f"/surveys/{survey.pk}/questions/{questions[2].pk}/delete/")
    assert survey.questions.count() == 4

    client.post(f"/surveys/{survey.pk}/publish/", {"version": survey.version})
    survey.refresh_from_db()
    assert survey.status == Survey.Status.OPEN
    assert AuditEvent.objects.filter(action="survey.published", object_id=str(survey.pk)).exists()
    # Published: questions are frozen.
    client.post(add, {"text": "晚加的问题", "kind": "text"})
    assert not survey.questions.filter(text="晚加的问题").exists()


def test_a_choice_question_without_choices_is_refused_with_a_message(
    client_for, office_user, center
):
    survey = SurveyFactory(center=center, status=Survey.Status.DRAFT)
    response = client_for(office_user).post(
        f"/surveys/{survey.pk}/questions/add/",
        {"text": "台面状况", "kind": "single", "choices_text": "整洁"},
    )
    assert response.status_code == 400
    assert zh("Give at least two choices, one per line.") in response.content.decode()
    assert not survey.questions.exists()
    assert "台面状况" in response.content.decode(), "what was typed is kept"


def test_publishing_needs_a_question_and_the_current_version(client_for, office_user, center):
    survey = SurveyFactory(center=center, status=Survey.Status.DRAFT)
    client = client_for(office_user)
    client.post(f"/surveys/{survey.pk}/publish/", {"version": survey.version})
    survey.refresh_from_db()
    assert survey.is_draft
    QuestionFactory(survey=survey)
    response = client.post(
        f"/surveys/{survey.pk}/publish/", {"version": survey.version + 3}, follow=True
    )
    survey.refresh_from_db()
    assert survey.is_draft
    with translation.override("zh-hans"):
        message = str(ConflictError.message)
    assert message in response.content.decode()


def test_a_concurrent_edit_is_detected(client_for, office_user, survey):
    client = client_for(office_user)
    data = {"title": "新标题", "opens_on": survey.opens_on.isoformat(),
            "closes_on": survey.closes_on.isoformat(), "version": survey.version}  # fmt: skip
    assert client.post(f"/surveys/{survey.pk}/edit/", data).status_code == 302
    data["title"] = "另一个标题"
    response = client.post(f"/surveys/{survey.pk}/edit/", data)
    assert response.status_code == 409, "a stale version is a conflict (issue 15)"
    assert response["Onsite-Refusal"] == "stale"
    with translation.override("zh-hans"):
        assert str(ConflictError.message) in response.content.decode()
    survey.refresh_from_db()
    assert survey.title == "新标题"


def test_a_published_survey_keeps_its_anonymity(client_for, office_user, survey):
    client = client_for(office_user)
    data = {"title": survey.title, "opens_on": survey.opens_on.isoformat(), "is_anonymous": "on",
            "closes_on": survey.closes_on.isoformat(), "version": survey.version}  # fmt: skip
    client.post(f"/surveys/{survey.pk}/edit/", data)
    survey.refresh_from_db()
    assert survey.is_anonymous is False


def test_closing_dates_before_opening_are_refused(client_for, office_user):
    response = client_for(office_user).post("/surveys/new/", {
        "title": "日期错误", "opens_on": "2026-05-10", "closes_on": "2026-05-01"})  # fmt: skip
    assert response.status_code == 200
    assert not Survey.objects.filter(title="日期错误").exists()


def test_a_follow_up_copies_questions_and_audience(client_for, office_user, survey, center):
    group = GroupFactory(center=center)
    survey.groups.add(group)
    response = client_for(office_user).post(f"/surveys/{survey.pk}/follow-up/", {
        "title": "复查", "opens_on": "2026-06-01", "closes_on": "2026-06-10"})  # fmt: skip
    follow_up = Survey.objects.get(title="复查")
    assert response.status_code == 302
    assert follow_up.baseline == survey
    assert follow_up.is_draft
    assert list(follow_up.questions.values_list("code", flat=True)) == list(
        survey.questions.values_list("code", flat=True)
    )
    assert list(follow_up.groups.all()) == [group]


# --- answering ----------------------------------------------------------------------------


def test_staff_answer_once(client_for, staff_user, survey):
    client = client_for(staff_user)
    questions = {q.code: q for q in survey.questions.all()}
    form = {f"q{questions['scale'].pk}": "4", f"q{questions['single'].pk}": "1",
            f"q{questions['multiple'].pk}": ["0", "2"], f"q{questions['number'].pk}": "12.5",
            f"q{questions['text'].pk}": "多放绿植"}  # fmt: skip
    assert client.get(f"/surveys/{survey.pk}/answer/").status_code == 200
    response = client.post(f"/surveys/{survey.pk}/answer/", form)
    assert response.status_code == 302
    assert client.post(f"/surveys/{survey.pk}/answer/", form).status_code == 302
    assert Response.objects.filter(survey=survey).count() == 1
    values = {a.question.code: a.display for a in Answer.objects.select_related("question")}
    assert values == {"scale": "4", "single": "一般", "multiple": "物品摆放; 卫生",
                      "number": "12.5", "text": "多放绿植"}  # fmt: skip
    assert Response.objects.get().respondent == staff_user, "a named survey keeps the name"
    thanks = client.get(f"/surveys/{survey.pk}/thanks/")
    assert thanks.status_code == 200
    assert survey.title in thanks.content.decode()


def test_wrong_answers_get_a_message_and_nothing_is_stored(client_for, staff_user, survey):
    questions = {q.code: q for q in survey.questions.all()}
    response = client_for(staff_user).post(f"/surveys/{survey.pk}/answer/", {
        f"q{questions['scale'].pk}": "9", f"q{questions['single'].pk}": "1",
        f"q{questions['number'].pk}": "很多", f"q{questions['text'].pk}": "保留我写的字"})  # fmt: skip
    body = response.content.decode()
    assert response.status_code == 200
    assert zh("Please pick a value from 1 to 5.") in body
    assert zh("Please enter a number.") in body
    assert "保留我写的字" in body
    assert not Participation.objects.exists()
    assert not Response.objects.exists()


def test_a_required_question_must_be_answered(client_for, staff_user, survey):
    response = client_for(staff_user).post(f"/surveys/{survey.pk}/answer/", {})
    assert response.status_code == 200
    assert not Response.objects.exists()


def test_only_the_audience_may_answer(client_for, center):
    unit, other_unit = UnitFactory(center=center), UnitFactory(center=center)
    group = GroupFactory(center=center)
    insider = UserFactory(center=center, unit=unit, roles=["staff"])
    member = UserFactory(center=center, unit=other_unit, roles=["member"])
    Membership.objects.create(group=group, user=member, group_kind=group.kind)
    outsider = UserFactory(center=center, unit=other_unit, roles=["staff"])
    survey = standard_survey(center)
    survey.units.add(unit)
    survey.groups.add(group)
    assert client_for(insider).get(f"/surveys/{survey.pk}/answer/").status_code == 200
    assert client_for(member).get(f"/surveys/{survey.pk}/answer/").status_code == 200
    assert client_for(outsider).get(f"/surveys/{survey.pk}/answer/").status_code == 404
    listing = client_for(outsider).get("/surveys/").content.decode()
    assert survey.title not in listing


def test_a_closed_survey_takes_no_answers(client_for, staff_user, center):
    survey = standard_survey(center, closes_on=TODAY() - datetime.timedelta(days=1),
                             opens_on=TODAY() - datetime.timedelta(days=9))  # fmt: skip
    client = client_for(staff_user)
    page = client.get(f"/surveys/{survey.pk}/answer/").content.decode()
    assert 'data-testid="answer-form"' not in page
    client.post(f"/surveys/{survey.pk}/answer/", {f"q{survey.questions.first().pk}": "3"})
    assert not Response.objects.exists()


def test_the_list_shows_what_is_waiting_for_me(client_for, staff_user, survey, center):
    draft = SurveyFactory(center=center, status=Survey.Status.DRAFT, title="草稿问卷")
    client = client_for(staff_user)
    body = client.get("/surveys/").content.decode()
    assert survey.title in body
    assert draft.title not in body
    answer(survey, staff_user, scale=3, single=0)
    assert survey.title not in client.get("/surveys/").content.decode()


# --- allowed and denied -------------------------------------------------------------------

MANAGER_PAGES = [
    "/surveys/new/",
    "/surveys/{pk}/",
    "/surveys/{pk}/edit/",
    "/surveys/{pk}/follow-up/",
    "/surveys/{pk}/questions/{qpk}/edit/",
]
MANAGER_POSTS = [
    "/surveys/{pk}/questions/add/",
    "/surveys/{pk}/questions/{qpk}/delete/",
    "/surveys/{pk}/questions/{qpk}/move/",
    "/surveys/{pk}/publish/",
    "/surveys/{pk}/close/",
]
READER_PAGES = ["/surveys/{pk}/results/", "/surveys/{pk}/results.xlsx", "/surveys/{pk}/compare/"]


def _urls(urls, survey):
    question = survey.questions.first()
    return [url.format(pk=survey.pk, qpk=question.pk) for url in urls]


def test_manager_pages_allowed_for_the_office(client_for, office_user, survey):
    client = client_for(office_user)
    for url in _urls(MANAGER_PAGES, survey):
        assert client.get(url).status_code == 200, url


def test_manager_pages_denied_to_staff_and_viewers(client_for, staff_user, viewer, survey):
    for user in (staff_user, viewer):
        client = client_for(user)
        for url in _urls(MANAGER_PAGES, survey):
            assert client.get(url).status_code == 403, url
        for url in _urls(MANAGER_POSTS, survey):
            assert client.post(url).status_code == 403, url


def test_posts_only(client_for, office_user, survey):
    client = client_for(office_user)
    for url in _urls(MANAGER_POSTS, survey):
        assert client.get(url).status_code == 405, url


def test_reader_pages_allowed_for_leaders_and_viewers(client_for, leader, viewer, survey):
    for user in (leader, viewer):
        client = client_for(user)
        for url in _urls(READER_PAGES, survey):
            assert client.get(url).status_code == 200, url


def test_reader_pages_denied_to_staff(client_for, staff_user, survey):
    client = client_for(staff_user)
    for url in _urls(READER_PAGES, survey):
        assert client.get(url).status_code == 403, url


def test_another_centers_survey_is_404(client_for, office_user, theirs, staff_user):
    client = client_for(office_user)
    for url in _urls(MANAGER_PAGES[1:] + READER_PAGES, theirs):
        assert client.get(url).status_code == 404, url
    for url in _urls(MANAGER_POSTS, theirs):
        assert client.post(url).status_code == 404, url
    client = client_for(staff_user)
    assert client.get(f"/surveys/{theirs.pk}/answer/").status_code == 404
    assert client.get(f"/surveys/{theirs.pk}/thanks/").status_code == 404


def test_viewers_may_not_answer(client_for, viewer, survey):
    assert client_for(viewer).get(f"/surveys/{survey.pk}/answer/").status_code == 403


def test_the_thanks_page_needs_an_answer(client_for, staff_user, survey):
    client = client_for(staff_user)
    assert client.get(f"/surveys/{survey.pk}/thanks/").status_code == 404
    answer(survey, staff_user, scale=3, single=0)
    assert client.get(f"/surveys/{survey.pk}/thanks/").status_code == 200


def test_anonymous_visitors_are_sent_to_sign_in(client, survey):
    urls = ["/surveys/", f"/surveys/{survey.pk}/answer/", f"/surveys/{survey.pk}/thanks/"]
    urls += _urls(MANAGER_PAGES + READER_PAGES, survey)
    for url in urls:
        response = client.get(url)
        assert response.status_code == 302, url
        assert "/accounts/login/" in response["Location"], url


def test_list_and_results_keep_a_fixed_query_count(
    client_for, leader, center, django_assert_max_num_queries
):
    def grow(n):
        for _ in range(n):
            survey = standard_survey(center)
            for _ in range(5):
                unit = UnitFactory(center=center)
                answer(
                    survey,
                    UserFactory(center=center, unit=unit, roles=["staff"]),
                    scale=4,
                    single=1,
                )

    client = client_for(leader)
    grow(1)
    survey = Survey.objects.first()
    with django_assert_max_num_queries(40) as small:
        client.get("/surveys/")
        client.get(f"/surveys/{survey.pk}/results/")
    grow(6)
    for _ in range(8):
        unit = UnitFactory(center=center)
        answer(survey, UserFactory(center=center, unit=unit, roles=["staff"]), scale=2, single=2)
    with django_assert_max_num_queries(len(small.captured_queries)):
        client.get("/surveys/")
        client.get(f"/surveys/{survey.pk}/results/")


def test_publishing_tells_the_surveys_audience_in_the_bell_and_in_work_chat(
    client_for, office_user, center, settings, django_capture_on_commit_callbacks
):
    from onsite.notifications.models import Notification  # only this test reads the bell
    from onsite.notifications.tests import receivers  # the local DingTalk peer of those tests

    settings.SITE_URL = "https://onsite.example.gov.cn"
    unit = UnitFactory(center=center)
    invited = UserFactory(center=center, unit=unit, dingtalk_userid="ding-inv")
    outside = UserFactory(center=center, dingtalk_userid="ding-out")
    survey = SurveyFactory(center=center, status=Survey.Status.DRAFT, title="窗口满意度调查")
    survey.units.add(unit)
    QuestionFactory(survey=survey)
    with receivers.running("wecom") as wecom, receivers.running("dingtalk") as dingtalk:
        receivers.configure(center, wecom, dingtalk, wecom_enabled=False)
        with django_capture_on_commit_callbacks(execute=True):
            client_for(office_user).post(
                f"/surveys/{survey.pk}/publish/", {"version": survey.version}
            )
    told = Notification.objects.filter(kind="surveys.opened")
    assert [n.user for n in told] == [invited]
    assert outside not in [n.user for n in told]
    [notice] = dingtalk.of("/topapi/message/corpconversation/asyncsend_v2")
    assert notice["userid_list"] == "ding-inv"
    assert "窗口满意度调查" in notice["msg"]["markdown"]["text"]
    assert f"/surveys/{survey.pk}/answer/" in notice["msg"]["markdown"]["text"]
    [robot] = dingtalk.of("/robot/send")
    assert "1 人" in robot["text"]["content"]
    assert invited.full_name not in robot["text"]["content"]
