"""The two doors of a write, for the apps' parity tests: a signed-in page POST and the same act
through the API with a personal token, the audit rows an act left, and a door run and undone
so the other door starts from the same state."""

import json
from collections.abc import Callable
from typing import Any

from django.db import transaction
from django.test import Client

from onsite.accounts.models import ApiToken
from onsite.audit.models import AuditEvent


def post_page(user, url, data=None, **extra):
    """The page door: a POST by the signed-in `user` (`follow=True` and the like in `extra`)."""
    client = Client()
    client.force_login(user)
    return client.post(url, data or {}, **extra)


def call_api(user, method, url, payload=None):
    """The API door: `method` ("post", "patch", "put", "delete") with `user`'s token, the
    payload as JSON when there is one."""
    token = ApiToken.issue(user=user, name="parity")[1]
    kwargs: dict[str, Any] = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    if payload is not None:
        kwargs.update(data=json.dumps(payload), content_type="application/json")
    return getattr(Client(), method)(url, **kwargs)


def post_api(user, url, payload=None):
    return call_api(user, "post", url, payload)


def audit_rows(action, user=None):
    """How many audit rows of `action` there are (by `user`, when given)."""
    rows = AuditEvent.objects.filter(action=action)
    return (rows if user is None else rows.filter(actor=user)).count()


def denials():
    """How many refusals were audited (`access.denied`)."""
    return audit_rows("access.denied")


def through(door: Callable[[], Any], state: Callable[[], Any]) -> tuple[Any, list[str], Any]:
    """Runs one door and undoes it: its response, the audit actions it left (in order) and the
    `state()` it left, so the other door starts from the same data."""
    with transaction.atomic():
        before = AuditEvent.objects.order_by("-seq").values_list("seq", flat=True).first() or 0
        response = door()
        actions = list(
            AuditEvent.objects.filter(seq__gt=before)
            .order_by("seq")
            .values_list("action", flat=True)
        )
        after = state()
        transaction.set_rollback(True)
    return response, actions, after
