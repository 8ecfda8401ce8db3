"""Schemathesis over the red-tag and supplies operations only, as a store keeper (who gets past
the role checks to the services): no 5xx and no answer outside the schema, whatever the input.
The suite-wide fuzz in onsite/core covers every app as window staff."""

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

from config.wsgi import application
from onsite.accounts.models import ApiToken
from onsite.core.tests.factories import ZoneFactory
from onsite.redtags import actions as redtag_actions


@pytest.fixture
def in_process_wsgi():
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def test_red_tag_and_supplies_endpoints_honour_their_schema(
    db, center, office_user, staff_user, toner, approved, in_process_wsgi
):
    zone = ZoneFactory(center=center, code="w01-c", unit=staff_user.unit)
    redtag_actions.do_tag(
        center=center, zone=zone, by=staff_user,
        data={"item_name": "旧物", "quantity": 1, "reason": "other", "proposal": "discard"},
    )  # fmt: skip
    approved(quantity=2)
    token = ApiToken.issue(user=office_user, name="fuzz")[1]
    api = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)
    operations = [
        result.ok()
        for result in api.get_all_operations()
        if result.ok().path.startswith(("/api/v1/redtags", "/api/v1/supplies"))
    ]
    assert len(operations) >= 20

    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(max_examples=10, deadline=None, suppress_health_check=list(HealthCheck))
        def check(case):
            # Rules a JSON schema cannot state (a minimum above the maximum, an approval above
            # what was asked) answer 422 to schema-valid data by design (issue 15: invalid
            # input is 422, no longer 409).
            case.call_and_validate(
                headers={"Authorization": f"Bearer {token}"},
                excluded_checks=[positive_data_acceptance],
            )

        check()
