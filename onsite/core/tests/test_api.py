import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings

from config.wsgi import application
from onsite.accounts.models import ApiToken
from onsite.core.tests.factories import UnitFactory, ZoneFactory


@pytest.fixture
def token(staff_user):
    return ApiToken.issue(user=staff_user, name="test")[1]


def test_schema_and_docs_are_served(client, db):
    schema = client.get("/api/v1/openapi.json").json()
    assert schema["info"]["title"] == "Onsite API"
    assert "/api/v1/org/units" in schema["paths"]
    assert client.get("/api/v1/docs").status_code == 200


def test_me_with_a_token(client, token, staff_user):
    response = client.get("/api/v1/accounts/me", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 200
    assert response.json()["username"] == staff_user.username
    assert response.json()["center"]["code"] == "xx"


def test_me_with_the_browser_session(client_for, leader):
    assert client_for(leader).get("/api/v1/accounts/me").json()["roles"] == ["leader"]


@pytest.mark.parametrize("header", [None, "Bearer ons_wrong", "Token abc"])
def test_api_refuses_missing_or_bad_credentials(client, db, header):
    kwargs = {"HTTP_AUTHORIZATION": header} if header else {}
    assert client.get("/api/v1/accounts/me", **kwargs).status_code == 401


def test_a_revoked_token_stops_working(client, staff_user):
    record, raw = ApiToken.issue(user=staff_user, name="old")
    record.revoke()
    assert client.get("/api/v1/accounts/me", HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 401


def test_api_lists_only_the_callers_center(client, token, center, other_center):
    UnitFactory(center=center, code="w01")
    UnitFactory(center=other_center, code="w02")
    ZoneFactory(center=other_center, code="y1")
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    codes = [unit["code"] for unit in client.get("/api/v1/org/units", **auth).json()]
    assert "w01" in codes
    assert "w02" not in codes
    assert client.get("/api/v1/org/units/w02", **auth).status_code == 404
    assert client.get("/api/v1/org/zones/y1", **auth).status_code == 404


@pytest.fixture
def in_process_wsgi():
    """Like Django's test client: WSGI calls must not close the test's connection."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def test_every_endpoint_honours_its_schema(db, token, center, in_process_wsgi):
    """Schemathesis fuzzes every operation of the schema in-process: any 5xx or any response
    that breaks the schema fails. New endpoints are covered without touching this test."""
    UnitFactory(center=center, code="w01")
    ZoneFactory(center=center, code="w01-c")
    api = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)
    operations = [result.ok() for result in api.get_all_operations()]
    assert len(operations) >= 5

    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck))
        def check(case):
            case.call_and_validate(headers={"Authorization": f"Bearer {token}"})

        check()


def test_api_docs_load_nothing_from_other_origins(client, db):
    body = client.get("/api/v1/docs").content.decode()
    assert "/static/ninja/swagger-ui-bundle.js" in body
    assert "http://" not in body
    assert "https://" not in body
