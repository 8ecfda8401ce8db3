"""Every survey write goes through one front door (onsite.surveys.actions). Answering has a
page and an API operation: both leave the same answers and the same audit row, refuse a
cross-center viewer alike (403 `not_allowed`, one `access.denied` row each) and answer a
closed survey with the same code. The builder's writes have no API operation (listed below
with why); their pages refuse alike and carry the code of a state conflict."""

import datetime

import pytest
from django.utils import timezone

from onsite.core.tests.parity import audit_rows, denials, post_api, post_page
from onsite.surveys.models import Answer, Participation, Survey
from onsite.surveys.tests.factories import SurveyFactory, standard_survey

TODAY = timezone.localdate


def _answers(survey):
    """The page's form fields and the API's payload for the same answers."""
    ids = {q.code: q.pk for q in survey.questions.all()}
    values = {"scale": 4, "single": 1, "multiple": [0, 2], "number": "7.5", "text": "多放绿植"}
    form = {
        f"q{ids[code]}": [str(v) for v in value] if isinstance(value, list) else str(value)
        for code, value in values.items()
    }
    payload = {
        "answers": [{"question_id": ids[code], "value": value} for code, value in values.items()]
    }
    return form, payload


def _state(survey):
    return sorted(
        (a.question.code, a.display)
        for a in Answer.objects.filter(response__survey=survey).select_related("question")
    ), Participation.objects.filter(survey=survey).count()


def test_answering_through_either_door_leaves_the_same_answers(center, staff_user):
    outcomes = []
    for door in ("page", "api"):
        survey = standard_survey(center)
        form, payload = _answers(survey)
        rows = audit_rows("survey.answered")
        if door == "page":
            response = post_page(staff_user, f"/surveys/{survey.pk}/answer/", form)
            assert response.status_code == 302
        else:
            response = post_api(staff_user, f"/api/v1/surveys/{survey.pk}/answers", payload)
            assert response.json()["recorded"] is True
        assert audit_rows("survey.answered") == rows + 1
        outcomes.append(_state(survey))
    assert outcomes[0] == outcomes[1]
    assert outcomes[0][1] == 1


def test_answering_is_refused_alike_through_either_door(center, viewer):
    survey = standard_survey(center)
    form, payload = _answers(survey)
    before = denials()
    page = post_page(viewer, f"/surveys/{survey.pk}/answer/", form)
    assert page.status_code == 403
    assert page["Onsite-Refusal"] == "not_allowed"
    assert denials() == before + 1
    api = post_api(viewer, f"/api/v1/surveys/{survey.pk}/answers", payload)
    assert api.status_code == 403
    assert api.json()["code"] == "not_allowed"
    assert denials() == before + 2
    assert _state(survey) == ([], 0)


def test_a_closed_survey_answers_the_same_code_through_either_door(center, staff_user):
    survey = standard_survey(center, opens_on=TODAY() - datetime.timedelta(days=9),
                             closes_on=TODAY() - datetime.timedelta(days=1))  # fmt: skip
    form, payload = _answers(survey)
    page = post_page(staff_user, f"/surveys/{survey.pk}/answer/", form)
    assert page.status_code == 409
    assert page["Onsite-Refusal"] == "survey_closed"
    api = post_api(staff_user, f"/api/v1/surveys/{survey.pk}/answers", payload)
    assert api.status_code == 409
    assert api.json()["code"] == "survey_closed"
    assert _state(survey) == ([], 0)


# The builder is the office's desk work: the API offers no operation for these writes (a phone
# answers surveys; it does not build them).
PAGE_ONLY = {
    "create a survey": "/surveys/new/",
    "edit a survey": "/surveys/{survey}/edit/",
    "add a question": "/surveys/{survey}/questions/add/",
    "edit a question": "/surveys/{survey}/questions/{question}/edit/",
    "delete a question": "/surveys/{survey}/questions/{question}/delete/",
    "move a question": "/surveys/{survey}/questions/{question}/move/",
    "publish a survey": "/surveys/{survey}/publish/",
    "close a survey": "/surveys/{survey}/close/",
    "create a follow-up": "/surveys/{survey}/follow-up/",
}
# Reads, not writes: the results page and the Excel export (readers only, no audit row).


@pytest.mark.parametrize("name", PAGE_ONLY)
def test_builder_writes_refuse_alike(name, center, staff_user):
    survey = standard_survey(center)
    url = PAGE_ONLY[name].format(survey=survey.pk, question=survey.questions.first().pk)
    before = denials()
    response = post_page(staff_user, url)
    assert response.status_code == 403
    assert response["Onsite-Refusal"] == "not_allowed"
    assert denials() == before + 1


@pytest.mark.parametrize(
    ("name", "status", "url", "data", "code"),
    [
        ("publish without questions", Survey.Status.DRAFT, "/surveys/{pk}/publish/", {}, "no_questions"),
        ("add a question once published", Survey.Status.OPEN, "/surveys/{pk}/questions/add/",
         {"text": "晚加的问题", "kind": "text"}, "wrong_state"),
        ("close a draft", Survey.Status.DRAFT, "/surveys/{pk}/close/", {}, "wrong_state"),
        ("publish an older version", Survey.Status.DRAFT, "/surveys/{pk}/publish/",
         {"version": 99}, "stale"),
    ],
)  # fmt: skip
def test_builder_conflicts_carry_their_code(name, status, url, data, code, center, office_user):
    survey = SurveyFactory(center=center, status=status)
    data = {"version": survey.version} | data
    response = post_page(office_user, url.format(pk=survey.pk), data)
    assert response["Onsite-Refusal"] == code
    survey.refresh_from_db()
    assert survey.status == status
