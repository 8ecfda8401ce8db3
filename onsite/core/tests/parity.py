"""The two doors of a write, for the apps' parity tests: a signed-in page POST and the same act
through the API with a personal token, and the audit rows an act left."""

from django.test import Client

from onsite.accounts.models import ApiToken
from onsite.audit.models import AuditEvent


def post_page(user, url, data):
    client = Client()
    client.force_login(user)
    return client.post(url, data)


def post_api(user, url, payload):
    token = ApiToken.issue(user=user, name="parity")[1]
    return Client().post(
        url, payload, content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {token}"
    )


def audit_rows(action, user):
    return AuditEvent.objects.filter(action=action, actor=user).count()
