"""The dashboards' JSON API: allowed and denied for every operation, imports all or nothing,
and a fuzz of the schema with a reader's and an editor's token."""

import datetime

import pytest
import schemathesis
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

from config.wsgi import application
from onsite.accounts.models import ApiToken
from onsite.dashboards import rollups
from onsite.dashboards.models import CitizenRating, RatingImport, ReportJob
from onsite.dashboards.tests.factories import record_inspection, record_ratings

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate
GETS = [
    "/api/v1/dashboards/figures",
    "/api/v1/dashboards/heatmap",
    "/api/v1/dashboards/ranking",
    "/api/v1/dashboards/scorecards/w01",
    "/api/v1/dashboards/ratings",
]


def bearer(user):
    return {"HTTP_AUTHORIZATION": f"Bearer {ApiToken.issue(user=user, name='t')[1]}"}


@pytest.fixture
def data(center, the_hall):
    record_inspection(the_hall.zones[0], on=TODAY(), score=91, inspector=the_hall.inspector)
    record_inspection(the_hall.zones[2], on=TODAY(), score=55, inspector=the_hall.inspector)
    record_ratings(center, the_hall.units[0], on=TODAY(), ratings=[5, 4, 1])
    rollups.refresh(center)
    return the_hall


@pytest.mark.parametrize("url", GETS)
def test_readers_get_the_figures(client, leader, data, url):
    response = client.get(url, **bearer(leader))
    assert response.status_code == 200, response.content


@pytest.mark.parametrize("url", GETS)
def test_other_roles_are_refused_and_anonymous_is_unauthorised(client, staff_user, data, url):
    assert client.get(url, **bearer(staff_user)).status_code == 403
    assert client.get(url).status_code == 401


def test_the_figures_and_heat_map_say_what_the_pages_say(client, leader, data):
    auth = bearer(leader)
    figures = client.get("/api/v1/dashboards/figures", **auth).json()
    assert figures["this_month"]["inspections"] == 2
    assert figures["this_month"]["ratings_by_level"] == {"1": 1, "2": 0, "3": 0, "4": 1, "5": 1}
    assert [row["unit"] for row in figures["ranking"]][:2] == ["w01", "w02"]
    heat = client.get("/api/v1/dashboards/heatmap?floor=1", **auth).json()
    bands = {zone["code"]: zone["band"] for zone in heat["zones"]}
    assert (bands["w01-1"], bands["w02-1"], bands["w03-1"]) == ("green", "red", "")
    ranking = client.get("/api/v1/dashboards/ranking", **auth).json()
    assert ranking["not_ranked"] == ["w03"]
    assert ranking["not_ranked_because"] == {"w03": "no_inspection"}
    card = client.get("/api/v1/dashboards/scorecards/w01", **auth).json()
    assert (card["rank"], card["ranked_units"], card["totals"]["ratings"]) == (1, 2, 3)
    ratings = client.get("/api/v1/dashboards/ratings", **auth).json()
    assert ratings["units"][0]["unit"] == "w01"
    assert ratings["levels"]["3"] == "基本满意"


def test_another_centers_unit_and_job_are_not_found(client, leader, other_admin, data, other_hall):
    assert client.get("/api/v1/dashboards/scorecards/y01", **bearer(leader)).status_code == 404
    job = ReportJob.objects.create(
        center=other_hall.units[0].center, kind="inspections", month_from=TODAY().replace(day=1),
        month_to=TODAY().replace(day=1), requested_by=other_admin,
    )  # fmt: skip
    assert client.get(f"/api/v1/dashboards/jobs/{job.pk}", **bearer(leader)).status_code == 404


def rows(*items):
    return {
        "ratings": [
            dict(zip(["date", "window", "rating", "dimension"], item, strict=True))
            for item in items
        ]
    }


def test_the_office_imports_ratings_once(client, office_user, center, the_hall):
    payload = rows((f"{TODAY()}", "w01", 5, "服务态度"), (f"{TODAY()}", "窗口2", "不满意", ""))
    auth = bearer(office_user)
    first = client.post(
        "/api/v1/dashboards/ratings", payload, content_type="application/json", **auth
    )
    assert first.status_code == 200
    assert first.json()["created"] is True
    assert first.json()["cases"] == 1, "the 不满意 opened its 差评 case"
    assert CitizenRating.objects.count() == 2
    again = client.post(
        "/api/v1/dashboards/ratings", payload, content_type="application/json", **auth
    )
    assert again.json() == {**first.json(), "created": False, "cases": 0}
    assert CitizenRating.objects.count() == 2


def test_a_bad_batch_imports_nothing_and_lists_the_rows(client, office_user, center, the_hall):
    future = f"{TODAY() + datetime.timedelta(days=2)}"
    payload = rows(
        (f"{TODAY()}", "w01", 5, ""), (future, "w01", 5, ""), (f"{TODAY()}", "w77", "9", "")
    )
    response = client.post("/api/v1/dashboards/ratings", payload, content_type="application/json",
                           **bearer(office_user))  # fmt: skip
    assert response.status_code == 422  # invalid input (issue 15's contract; was 400)
    body = response.json()
    assert body["code"] == "invalid_rows"
    assert [(e["row"], e["value"]) for e in body["errors"]] == [(2, future), (3, "w77"), (3, "9")]
    assert not RatingImport.objects.exists()
    empty = client.post("/api/v1/dashboards/ratings", {"ratings": []}, content_type="application/json",
                        **bearer(office_user))  # fmt: skip
    assert empty.status_code == 422  # the schema wants at least one row


@pytest.mark.parametrize("persona", ["leader", "viewer", "staff_user"])
def test_only_editors_import_over_the_api(client, request, persona, the_hall):
    user = request.getfixturevalue(persona)
    response = client.post("/api/v1/dashboards/ratings", rows((f"{TODAY()}", "w01", 5, "")),
                           content_type="application/json", **bearer(user))  # fmt: skip
    assert response.status_code == 403
    assert not CitizenRating.objects.exists()


def test_a_job_over_the_api(client, leader, center, data):
    auth = bearer(leader)
    payload = {"kind": "ranking", "month_from": f"{TODAY():%Y-%m}"}
    made = client.post("/api/v1/dashboards/jobs", payload, content_type="application/json",
                       HTTP_IDEMPOTENCY_KEY="abc", **auth)  # fmt: skip
    assert made.status_code == 200
    job = made.json()
    assert (job["status"], job["progress"]) == ("done", 100)
    assert job["download_url"] == f"/dashboards/jobs/{job['id']}/download/"
    again = client.post("/api/v1/dashboards/jobs", payload, content_type="application/json",
                        HTTP_IDEMPOTENCY_KEY="abc", **auth)  # fmt: skip
    assert again.json()["id"] == job["id"]
    assert client.get(f"/api/v1/dashboards/jobs/{job['id']}", **auth).json()["status"] == "done"
    unit_report = {"kind": "unit_report", "month_from": f"{TODAY():%Y-%m}"}
    response = client.post(
        "/api/v1/dashboards/jobs", unit_report, content_type="application/json", **auth
    )
    assert (response.status_code, response.json()["code"]) == (422, "unit_required")


def test_jobs_over_the_api_are_refused_to_other_roles(client, staff_user, center):
    payload = {"kind": "ranking", "month_from": f"{TODAY():%Y-%m}"}
    assert client.post("/api/v1/dashboards/jobs", payload, content_type="application/json",
                       **bearer(staff_user)).status_code == 403  # fmt: skip
    assert (
        client.post("/api/v1/dashboards/jobs", payload, content_type="application/json").status_code
        == 401
    )
    assert client.get("/api/v1/dashboards/jobs/1").status_code == 401


@pytest.fixture
def in_process_wsgi():
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def test_every_dashboards_endpoint_honours_its_schema(office_user, data, in_process_wsgi):
    """The suite-wide fuzz signs in as window staff, who is refused here at once; this one
    signs in as the office, so every operation runs for real."""
    token = ApiToken.issue(user=office_user, name="fuzz")[1]
    api = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)
    operations = [
        result.ok()
        for result in api.get_all_operations()
        if result.ok().path.startswith("/api/v1/dashboards/")
    ]
    assert len(operations) == 8
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(max_examples=12, deadline=None, suppress_health_check=list(HealthCheck))
        def check(case):
            # Rules a JSON schema cannot state (a window must exist, a date must not be in
            # the future) answer 400 to schema-valid data by design.
            case.call_and_validate(
                headers={"Authorization": f"Bearer {token}"},
                excluded_checks=[positive_data_acceptance],
            )

        check()
