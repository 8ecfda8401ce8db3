"""Schemathesis over the programme's operations only (the suite-wide test stops at the first
failing operation of any app): no 5xx, no response outside the schema, as a window-staff
token and as the office. A schema-valid request the rules refuse (an end before the start, a
round nobody can rate) is a 409 or 422 with its code and reason, as everywhere in the API, so
the check that every schema-valid request succeeds is left out for the office."""

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import positive_data_acceptance

from config.wsgi import application
from onsite.accounts.models import ApiToken


@pytest.fixture
def in_process_wsgi():
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.mark.parametrize("persona", ["staff_user", "office_user"])
def test_programme_endpoints_honour_their_schema(
    request, world, open_round, in_process_wsgi, persona
):
    token = ApiToken.issue(user=request.getfixturevalue(persona), name="fuzz")[1]
    excluded = [positive_data_acceptance] if persona == "office_user" else []
    api = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)
    operations = [
        result.ok()
        for result in api.get_all_operations()
        if result.ok().path.startswith("/api/v1/programme/")
    ]
    assert len(operations) >= 20

    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(max_examples=8, deadline=None, suppress_health_check=list(HealthCheck))
        def check(case):
            case.call_and_validate(
                headers={"Authorization": f"Bearer {token}"}, excluded_checks=excluded
            )

        check()
