import io

import openpyxl
import pytest

from onsite.accounts.models import ApiToken
from onsite.core.tests.factories import UserFactory
from onsite.surveys.models import Participation, Response, Survey
from onsite.surveys.queries import compare_surveys, survey_results
from onsite.surveys.services import create_follow_up
from onsite.surveys.tests.factories import answer, standard_survey


@pytest.fixture
def staff(center):
    return [UserFactory(center=center, roles=["staff"]) for _ in range(10)]


@pytest.fixture
def baseline_and_follow_up(center, staff, office_user):
    baseline = standard_survey(center, title="基线调查")
    # Baseline: 2 of 10 agree (4 or 5).
    for index, person in enumerate(staff):
        answer(baseline, person, scale=5 if index < 2 else 2, single=2 if index < 6 else 0)
    follow_up = create_follow_up(baseline, by=office_user, opens_on=baseline.opens_on,
                                 closes_on=baseline.closes_on, title="复查调查")  # fmt: skip
    follow_up.status = Survey.Status.OPEN
    follow_up.save()
    # Follow-up: 7 of 10 agree.
    for index, person in enumerate(staff):
        answer(follow_up, person, scale=4 if index < 7 else 3, single=0 if index < 8 else 2)
    return baseline, follow_up


def test_results_count_and_share(center, staff):
    survey = standard_survey(center)
    for index, person in enumerate(staff[:5]):
        answer(survey, person, scale=index + 1, single=0, multiple=[0, 1] if index < 2 else [2],
               number=str(10 * (index + 1)))  # fmt: skip
    results = survey_results(survey)
    by_code = {r.question.code: r for r in results.questions}
    assert results.responses == 5
    assert by_code["scale"].mean == 3.0
    assert by_code["scale"].agreement == 40.0
    assert [c.count for c in by_code["scale"].choices] == [1, 1, 1, 1, 1]
    assert [c.count for c in by_code["single"].choices] == [5, 0, 0]
    assert [c.count for c in by_code["multiple"].choices] == [2, 2, 3]
    assert by_code["number"].mean == 30.0
    assert str(by_code["number"].median) == "30.00"


def test_the_comparison_shows_the_change_in_agreement(baseline_and_follow_up):
    baseline, follow_up = baseline_and_follow_up
    comparison = compare_surveys(baseline, follow_up)
    rows = {row.code: row for row in comparison.rows}
    assert rows["scale"].agreement_before == 20.0
    assert rows["scale"].agreement_after == 70.0
    assert rows["scale"].agreement_change == 50.0
    single = {c.label: c for c in rows["single"].choices}
    assert single["整洁"].before == 40.0
    assert single["整洁"].after == 80.0
    assert single["整洁"].change == 40.0


def test_the_compare_page(client_for, leader, baseline_and_follow_up):
    _baseline, follow_up = baseline_and_follow_up
    body = client_for(leader).get(f"/surveys/{follow_up.pk}/compare/").content.decode()
    assert 'data-testid="change-scale"' in body
    assert "+50.0" in body.split('data-testid="change-scale"')[1][:40]
    assert 'id="compare-chart"' in body


def test_the_comparison_is_hidden_when_one_side_is_small(
    client_for, leader, center, staff, office_user
):
    baseline = standard_survey(center, is_anonymous=True)
    for person in staff[:3]:
        answer(baseline, person, scale=5, single=0)
    other = standard_survey(center, is_anonymous=True)
    for person in staff:
        answer(other, person, scale=1, single=0)
    body = (
        client_for(leader).get(f"/surveys/{other.pk}/compare/?with={baseline.pk}").content.decode()
    )
    assert 'data-testid="results-hidden"' in body
    assert 'data-testid="change-scale"' not in body


def test_compare_with_another_centers_survey_is_404(
    client_for, leader, baseline_and_follow_up, other_center
):
    theirs = standard_survey(other_center)
    _baseline, follow_up = baseline_and_follow_up
    assert (
        client_for(leader).get(f"/surveys/{follow_up.pk}/compare/?with={theirs.pk}").status_code
        == 404
    )


@pytest.mark.parametrize("danger", ['=HYPERLINK("http://x")', "+1+1", "-2+3", "@SUM(A1)", "\t=1"])
def test_the_export_writes_formulas_as_text(client_for, leader, center, staff, danger):
    survey = standard_survey(center)
    for person in staff[:5]:
        answer(survey, person, scale=3, single=0, text=danger)
    content = client_for(leader).get(f"/surveys/{survey.pk}/results.xlsx").content
    book = openpyxl.load_workbook(io.BytesIO(content))
    cells = [
        c
        for sheet in book
        for row in sheet.iter_rows()
        for c in row
        if c.value == danger.strip() or c.value == danger
    ]
    assert cells, "the answer is in the export"
    assert all(cell.data_type == "s" for cell in cells)


def test_the_export_of_a_named_survey_lists_people(client_for, leader, center, staff):
    survey = standard_survey(center)
    for person in staff[:5]:
        answer(survey, person, scale=3, single=0)
    book = openpyxl.load_workbook(
        io.BytesIO(client_for(leader).get(f"/surveys/{survey.pk}/results.xlsx").content)
    )
    names = {row[0].value for row in book.worksheets[-1].iter_rows(min_row=2)}
    assert names == {p.full_name for p in staff[:5]}


# --- API ---------------------------------------------------------------------------------


def _bearer(user):
    return {"HTTP_AUTHORIZATION": f"Bearer {ApiToken.issue(user=user, name='t')[1]}"}


def test_staff_answer_through_the_api_once(client, staff_user, center):
    survey = standard_survey(center, is_anonymous=True)
    auth = _bearer(staff_user)
    listed = client.get("/api/v1/surveys/", **auth).json()
    assert [s["id"] for s in listed] == [survey.pk]
    detail = client.get(f"/api/v1/surveys/{survey.pk}", **auth).json()
    ids = {q["code"]: q["id"] for q in detail["questions"]}
    payload = {"answers": [{"question_id": ids["scale"], "value": 5},
                           {"question_id": ids["single"], "value": 1},
                           {"question_id": ids["multiple"], "value": [0, 2]},
                           {"question_id": ids["number"], "value": 7.5},
                           {"question_id": ids["text"], "value": "好"}]}  # fmt: skip
    first = client.post(
        f"/api/v1/surveys/{survey.pk}/answers", payload, content_type="application/json", **auth
    )
    assert first.status_code == 200
    assert first.json()["recorded"] is True
    again = client.post(
        f"/api/v1/surveys/{survey.pk}/answers", payload, content_type="application/json", **auth
    )
    assert again.status_code == 200
    assert again.json()["recorded"] is False
    assert Response.objects.count() == 1
    assert Participation.objects.count() == 1
    assert Response.objects.get().respondent is None
    assert client.get(f"/api/v1/surveys/{survey.pk}", **auth).json()["answered"] is True


def test_api_refuses_bad_answers(client, staff_user, center):
    survey = standard_survey(center)
    auth = _bearer(staff_user)
    ids = {q.code: q.pk for q in survey.questions.all()}
    response = client.post(f"/api/v1/surveys/{survey.pk}/answers",
                           {"answers": [{"question_id": ids["scale"], "value": 8}]},
                           content_type="application/json", **auth)  # fmt: skip
    assert response.status_code == 422, "an answer that does not fit is invalid input (issue 15)"
    assert response.json()["code"] == "invalid"
    assert not Response.objects.exists()
    unknown = client.post(f"/api/v1/surveys/{survey.pk}/answers",
                          {"answers": [{"question_id": 10**9, "value": 3}]},
                          content_type="application/json", **auth)  # fmt: skip
    assert unknown.status_code == 409
    assert unknown.json()["code"] == "unknown_questions"


def test_api_denials(client, staff_user, other_admin, viewer, center, other_center):
    survey = standard_survey(center)
    theirs = standard_survey(other_center)
    staff = _bearer(staff_user)
    assert client.get(f"/api/v1/surveys/{survey.pk}/results", **staff).status_code == 403
    assert client.get(f"/api/v1/surveys/{theirs.pk}", **staff).status_code == 404
    assert client.post(f"/api/v1/surveys/{theirs.pk}/answers", {"answers": []},
                       content_type="application/json", **staff).status_code == 404  # fmt: skip
    other = _bearer(other_admin)
    assert client.get(f"/api/v1/surveys/{survey.pk}/results", **other).status_code == 404
    assert client.get("/api/v1/surveys/").status_code == 401
    assert client.post(f"/api/v1/surveys/{survey.pk}/answers", {"answers": []},
                       content_type="application/json").status_code == 401  # fmt: skip
    seen = _bearer(viewer)
    assert client.post(f"/api/v1/surveys/{survey.pk}/answers", {"answers": []},
                       content_type="application/json", **seen).status_code == 403  # fmt: skip


def test_api_results_for_readers(client, leader, center, staff):
    survey = standard_survey(center)
    for person in staff[:5]:
        answer(survey, person, scale=4, single=0)
    body = client.get(f"/api/v1/surveys/{survey.pk}/results", **_bearer(leader)).json()
    scale = next(q for q in body["questions"] if q["code"] == "scale")
    assert body["responses"] == 5
    assert scale["agreement"] == 100.0


def test_drafts_are_not_shown_to_staff_in_the_api(client, staff_user, center):
    draft = standard_survey(center, status=Survey.Status.DRAFT)
    auth = _bearer(staff_user)
    assert client.get("/api/v1/surveys/", **auth).json() == []
    assert client.get(f"/api/v1/surveys/{draft.pk}", **auth).status_code == 404
    assert client_for_page(client, staff_user, f"/surveys/{draft.pk}/answer/") == 404


def client_for_page(client, user, url):
    client.force_login(user)
    try:
        return client.get(url).status_code
    finally:
        client.logout()


def test_leaders_see_drafts_on_the_pages_and_in_the_api_alike(client, leader, viewer, center):
    """Issue 15: the API followed its own rule (drafts hidden from leaders) where the pages
    showed them; one visibility function (surveys.access.visible_surveys) serves both now."""
    draft = standard_survey(center, status=Survey.Status.DRAFT, title="草稿问卷")
    for user in (leader, viewer):
        auth = _bearer(user)
        assert draft.pk in [s["id"] for s in client.get("/api/v1/surveys/", **auth).json()]
        detail = client.get(f"/api/v1/surveys/{draft.pk}", **auth)
        assert detail.status_code == 200
        assert detail.json()["status"] == "draft"
        assert client.get(f"/api/v1/surveys/{draft.pk}/results", **auth).status_code == 200
        assert client_for_page(client, user, f"/surveys/{draft.pk}/results/") == 200
        client.force_login(user)
        assert "草稿问卷" in client.get("/surveys/").content.decode()
        client.logout()


@pytest.mark.parametrize(("language", "header"), [("en", "Question"), ("zh-hans", "题目")])
def test_the_export_is_ready_to_read_in_the_readers_language(
    client_for, leader, center, staff, language, header
):
    from onsite.core.tests.excel_checks import assert_table_sheet

    survey = standard_survey(center)
    for person in staff[:5]:
        answer(survey, person, scale=3, single=0)
    client = client_for(leader)
    client.cookies["django_language"] = language
    book = openpyxl.load_workbook(
        io.BytesIO(client.get(f"/surveys/{survey.pk}/results.xlsx").content)
    )
    for sheet in book.worksheets:
        assert_table_sheet(sheet)
    assert book.worksheets[1]["A1"].value == header
