"""An anonymous survey cannot be traced to a person: not through the database, not through
the pages, the export or the API; and results of groups under 5 are hidden (in anonymous
surveys only: a named survey shows who answered what anyway)."""

import io
import itertools

import openpyxl
import pytest
from django.db import connection
from django.utils import translation

from onsite.audit.models import AuditEvent
from onsite.core.models import SubmissionKey
from onsite.core.tests.factories import UnitFactory, UserFactory
from onsite.surveys.models import Answer, Participation, Response
from onsite.surveys.tests.factories import answer, standard_survey

SECRET_TEXT = "我是张三,我觉得窗口太乱"


@pytest.fixture
def people(center):
    unit = UnitFactory(center=center, name="市场监管窗口")
    return [
        UserFactory(
            center=center,
            unit=unit,
            username=f"anon-person-{i}",
            full_name=f"员工甲{i}",
            roles=["staff"],
        )
        for i in range(6)
    ]


@pytest.fixture
def anonymous_survey(center, people):
    survey = standard_survey(center, is_anonymous=True)
    for index, person in enumerate(people):
        answer(survey, person, scale=index % 5 + 1, single=index % 3,
               text=SECRET_TEXT if index == 0 else f"建议{index}")  # fmt: skip
    return survey


def _columns(model):
    with connection.cursor() as cursor:
        return {
            column.name: column.type_code
            for column in connection.introspection.get_table_description(
                cursor, model._meta.db_table
            )
        }


def test_the_answer_tables_have_no_column_that_leads_to_a_person(anonymous_survey):
    for model in (Response, Answer):
        fields = {f.column: f for f in model._meta.concrete_fields}
        for field in fields.values():
            assert field.get_internal_type() not in {"DateTimeField", "DateField", "TimeField"}, (
                f"{model.__name__}.{field.name} would let rows be matched by time"
            )
            if field.is_relation:
                assert field.related_model._meta.label in {
                    "core.Center",
                    "surveys.Survey",
                    "surveys.Response",
                    "surveys.Question",
                    "accounts.User",
                    "org.Unit",
                }
        assert set(fields) <= set(_columns(model))
    assert not any(
        f.is_relation and f.related_model is Participation for f in Response._meta.get_fields()
    )


def test_anonymous_rows_hold_no_person_and_no_order(anonymous_survey, people):
    responses = list(Response.objects.filter(survey=anonymous_survey))
    assert len(responses) == 6
    assert all(r.respondent_id is None and r.unit_id is None for r in responses)
    assert Participation.objects.filter(survey=anonymous_survey).count() == 6
    # Random keys: sequential ids could be zipped with the participation rows.
    ids = sorted(r.pk for r in responses)
    assert all(later - earlier > 1000 for earlier, later in itertools.pairwise(ids))
    answer_ids = sorted(
        Answer.objects.filter(response__survey=anonymous_survey).values_list("pk", flat=True)
    )
    assert all(later - earlier > 1000 for earlier, later in itertools.pairwise(answer_ids))


def test_no_other_table_records_the_link(anonymous_survey, people):
    response_ids = {str(pk) for pk in Response.objects.values_list("pk", flat=True)}
    assert not SubmissionKey.objects.filter(object_id__in=response_ids).exists()
    for event in AuditEvent.objects.filter(action="survey.answered"):
        assert event.object_type == "surveys.survey"
        assert not response_ids & set(map(str, event.detail.values()))
        assert event.object_id not in response_ids


def test_the_database_cannot_join_who_with_what(anonymous_survey, people):
    """Every way a row of Participation could be tied to a row of Response: a shared column,
    a shared value, an ordering. None exists."""
    participation_values = set()
    for row in Participation.objects.filter(survey=anonymous_survey).values():
        participation_values |= {
            v for k, v in row.items() if k not in {"survey_id", "center_id", "on"}
        }
    for row in Response.objects.filter(survey=anonymous_survey).values():
        shared = {
            v for k, v in row.items() if k not in {"survey_id", "center_id"}
        } & participation_values
        assert shared <= {None}, f"response shares {shared} with a participation row"


def test_the_results_page_names_nobody(client_for, leader, anonymous_survey, people):
    body = client_for(leader).get(f"/surveys/{anonymous_survey.pk}/results/").content.decode()
    assert SECRET_TEXT in body  # six answered, so the texts are shown
    for person in people:
        assert person.full_name not in body
        assert person.username not in body
    assert 'data-testid="by-unit"' not in body, "no breakdown by unit in an anonymous survey"


def test_the_export_names_nobody(client_for, leader, anonymous_survey, people):
    response = client_for(leader).get(f"/surveys/{anonymous_survey.pk}/results.xlsx")
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    cells = [str(c.value) for sheet in book for row in sheet.iter_rows() for c in row if c.value]
    assert SECRET_TEXT in cells
    for person in people:
        assert not any(person.full_name in value or person.username in value for value in cells)


def test_the_api_names_nobody(client_for, leader, anonymous_survey, people):
    body = client_for(leader).get(f"/api/v1/surveys/{anonymous_survey.pk}/results").content.decode()
    assert '"hidden": false' in body or '"hidden":false' in body
    for person in people:
        assert person.full_name not in body


def test_the_django_admin_is_not_a_way_around(client, center, anonymous_survey):
    superuser = UserFactory(center=center, username="root", is_staff=True, is_superuser=True)
    client.force_login(superuser)
    for model in ("response", "answer", "participation"):
        assert client.get(f"/django-admin/surveys/{model}/").status_code == 404


def test_results_of_fewer_than_five_are_hidden_in_an_anonymous_survey(
    client_for, leader, center, people
):
    survey = standard_survey(center, is_anonymous=True)
    for person in people[:4]:
        answer(survey, person, scale=5, single=0, text="只有四个人")
    client = client_for(leader)
    body = client.get(f"/surveys/{survey.pk}/results/").content.decode()
    assert 'data-testid="results-hidden"' in body
    assert "只有四个人" not in body
    assert "survey-charts" not in body
    api = client.get(f"/api/v1/surveys/{survey.pk}/results").json()
    assert api["hidden"] is True
    assert api["questions"] == []
    book = openpyxl.load_workbook(
        io.BytesIO(client.get(f"/surveys/{survey.pk}/results.xlsx").content)
    )
    cells = [str(c.value) for sheet in book for row in sheet.iter_rows() for c in row if c.value]
    assert "只有四个人" not in cells
    assert len(book.sheetnames) == 1

    answer(survey, people[4], scale=4, single=1, text="第五个人")
    body = client.get(f"/surveys/{survey.pk}/results/").content.decode()
    assert 'data-testid="results-hidden"' not in body
    assert "第五个人" in body


def test_a_named_survey_shows_and_exports_its_results_at_any_count(
    client_for, leader, center, people
):
    """Issue 21, point 4: the threshold protects anonymity, so it applies only to anonymous
    surveys; a named survey already shows who answered what."""
    survey = standard_survey(center, is_anonymous=False)
    answer(survey, people[0], scale=5, single=0, text="只有一个人")
    client = client_for(leader)
    body = client.get(f"/surveys/{survey.pk}/results/").content.decode()
    assert 'data-testid="results-hidden"' not in body
    assert "只有一个人" in body
    assert "survey-charts" in body
    by_unit = body.split('data-testid="by-unit"')[1].split("</table>")[0]
    assert '<td class="text-end">5.0</td>' in by_unit.split("市场监管窗口")[1].split("</tr>")[0]
    api = client.get(f"/api/v1/surveys/{survey.pk}/results").json()
    assert api["hidden"] is False
    assert api["questions"] != []
    book = openpyxl.load_workbook(
        io.BytesIO(client.get(f"/surveys/{survey.pk}/results.xlsx").content)
    )
    assert len(book.sheetnames) == 3
    cells = [str(c.value) for sheet in book for row in sheet.iter_rows() for c in row if c.value]
    assert "只有一个人" in cells
    assert "员工甲0" in cells


def test_small_units_are_shown_in_the_breakdown_of_a_named_survey(client_for, leader, center):
    big = UnitFactory(center=center, name="大窗口")
    small = UnitFactory(center=center, name="小窗口")
    survey = standard_survey(center)
    for _i in range(5):
        answer(survey, UserFactory(center=center, unit=big, roles=["staff"]), scale=5, single=0)
    for _i in range(2):
        answer(survey, UserFactory(center=center, unit=small, roles=["staff"]), scale=1, single=2)
    body = client_for(leader).get(f"/surveys/{survey.pk}/results/").content.decode()
    table = body.split('data-testid="by-unit"')[1].split("</table>")[0]
    big_row = table.split("大窗口")[1].split("</tr>")[0]
    small_row = table.split("小窗口")[1].split("</tr>")[0]
    assert '<td class="text-end">5.0</td>' in big_row
    assert '<td class="text-end">1.0</td>' in small_row
    with translation.override("zh-hans"):
        assert translation.gettext("Fewer than 5 responses: hidden") not in small_row
