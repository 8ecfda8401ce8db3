"""Never lose a user's work: optimistic versions for concurrent edits, keys for double submits.

`select_for_update` does nothing on SQLite, so an edit carries the version it was based on and
the UPDATE only applies while that version is still current (works on both databases)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from django.db import models, transaction
from django.db.models import F
from django.utils.translation import gettext_lazy as _

from onsite.core.models import SubmissionKey
from onsite.core.refusals import Conflict


class ConflictError(Conflict):
    """Someone else saved this object since the user opened it (409, code `stale`)."""

    default_code = "stale"
    message = _(
        "Someone else saved this in the meantime. Your changes were not saved; "
        "reload the page to see the latest version, then make your change again."
    )


def save_versioned(obj: models.Model, *, expected_version: int, fields: list[str]) -> None:
    """Writes `fields` of `obj` only if its row still has `expected_version`, and bumps the
    version. Raises ConflictError otherwise; nothing is written then."""
    model = type(obj)
    values: dict[str, Any] = {name: getattr(obj, name) for name in fields}
    updated = model._default_manager.filter(pk=obj.pk, version=expected_version).update(
        version=F("version") + 1, **values
    )
    if updated != 1:
        raise ConflictError
    obj.version = expected_version + 1  # type: ignore[attr-defined]


def claim_submission(*, center: Any, user: Any, scope: str, key: str, object_id: str) -> str:
    """Records that (user, scope, key) produced object_id. Call it inside the transaction that
    creates the object. If the key was already used, returns the first object's id and the
    caller must roll back its own work (raise, or use `existing_submission` before creating)."""
    record, _created = SubmissionKey.objects.get_or_create(
        user=user, scope=scope, key=key[:64], defaults={"center": center, "object_id": object_id}
    )
    return record.object_id


def existing_submission(*, user: Any, scope: str, key: str) -> str | None:
    """The object id a previous submit with this key created, if any."""
    return (
        SubmissionKey.objects.filter(user=user, scope=scope, key=key[:64])
        .values_list("object_id", flat=True)
        .first()
    )


_M = TypeVar("_M", bound=models.Model)


class _RepeatedSubmitError(Exception):
    def __init__(self, object_id: str) -> None:
        super().__init__(object_id)
        self.object_id = object_id


def run_once(
    *,
    center: Any,
    by: Any,
    scope: str,
    key: str,
    model: type[_M],
    create: Callable[[], _M],
) -> _M:
    """Runs `create` in a transaction unless `key` was used before for `scope`; a repeated
    submit (double click, retried request) gets the first result and changes nothing."""
    if key:
        first = existing_submission(user=by, scope=scope, key=key)
        if first is not None:
            return model._default_manager.get(pk=first)
    try:
        with transaction.atomic():
            obj = create()
            if key:
                first = claim_submission(
                    center=center, user=by, scope=scope, key=key, object_id=str(obj.pk)
                )
                if first != str(obj.pk):
                    raise _RepeatedSubmitError(
                        first
                    )  # roll back this copy, answer with the first one
            return obj
    except _RepeatedSubmitError as repeat:
        return model._default_manager.get(pk=repeat.object_id)
