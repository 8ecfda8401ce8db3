"""Schemathesis fuzzes the org operations as an admin, so the write paths run too: no 5xx,
no answer outside the schema. (The suite-wide fuzz in onsite/core uses a staff token.)"""

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

from config.wsgi import application
from onsite.accounts.models import ApiToken


@pytest.fixture
def in_process_wsgi():
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def test_org_operations_honour_their_schema_for_an_admin(admin_user, org, in_process_wsgi):
    token = ApiToken.issue(user=admin_user, name="fuzz")[1]
    api = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)
    operations = [
        result.ok()
        for result in api.get_all_operations()
        if result.ok().path.startswith("/api/v1/org/")
    ]
    assert len(operations) >= 15
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(max_examples=12, deadline=None, suppress_health_check=list(HealthCheck))
        def check(case):
            # Rules a JSON schema cannot state (a referenced code must exist, a zone must fit
            # on its floor) answer 422 to schema-valid data by design.
            case.call_and_validate(
                headers={"Authorization": f"Bearer {token}"},
                excluded_checks=[positive_data_acceptance],
            )

        check()
