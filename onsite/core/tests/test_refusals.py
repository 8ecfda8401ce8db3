"""The one refusal: a page and the API answer the same typed refusal with the same status,
code and message, and a refused act leaves one `access.denied` row whichever door it came by."""

import json

import pytest
from django.core.exceptions import ValidationError
from django.test import RequestFactory
from django.utils import translation

from config.api import invalid, refused
from onsite.audit.models import AuditEvent
from onsite.core.access import refusal_response
from onsite.core.concurrency import ConflictError
from onsite.core.refusals import Conflict, Invalid, NotAllowed, NotVisible

CASES = [
    (NotAllowed(), 403, "not_allowed"),
    (NotVisible(), 404, "not_found"),
    (Conflict(code="incomplete_sheets"), 409, "incomplete_sheets"),
    (ConflictError(), 409, "stale"),
    (Invalid("Too long."), 422, "invalid"),
]


def _request(user, center):
    request = RequestFactory().post("/somewhere/")
    request.user = user
    request.center = center
    request.session = {}
    return request


@pytest.mark.django_db
@pytest.mark.parametrize(("refusal", "status", "code"), CASES)
def test_page_and_api_answer_a_refusal_alike(refusal, status, code, staff_user, center):
    page = refusal_response(_request(staff_user, center), refusal)
    api = refused(_request(staff_user, center), refusal)
    assert page.status_code == api.status_code == status
    assert page["Onsite-Refusal"] == code
    body = json.loads(api.content)
    assert body["code"] == code
    assert body["detail"] == str(refusal.message)


@pytest.mark.django_db
def test_only_a_refused_permission_is_audited_once(staff_user, center):
    refusal = NotAllowed()
    request = _request(staff_user, center)
    refusal_response(request, refusal)
    refused(request, refusal)  # the same refusal answered twice is still one row
    refusal_response(_request(staff_user, center), Conflict())
    rows = AuditEvent.objects.filter(action="access.denied")
    assert rows.count() == 1
    assert rows.get().detail["code"] == "not_allowed"
    assert rows.get().actor == staff_user


@pytest.mark.django_db
def test_the_message_is_in_the_users_language(staff_user, center):
    with translation.override("zh-hans"):
        body = json.loads(refused(_request(staff_user, center), NotAllowed()).content)
    assert body["detail"] == "您没有权限执行此操作。"


@pytest.mark.django_db
def test_a_services_validation_error_is_invalid_input(staff_user, center):
    error = ValidationError("The due date is in the past.", code="past_due")
    response = invalid(_request(staff_user, center), error)
    assert response.status_code == 422
    assert json.loads(response.content) == {
        "code": "past_due",
        "detail": "The due date is in the past.",
    }
