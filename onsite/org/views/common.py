from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.http import Http404

from onsite.core.concurrency import ConflictError, existing_submission
from onsite.core.models import Center
from onsite.core.types import OnsiteRequest


def repeat_of(request: OnsiteRequest, scope: str) -> str | None:
    """The id of what this form's first submit created, if this is a repeat of it."""
    key = request.POST.get("submission_key", "")
    if request.method != "POST" or not key:
        return None
    return existing_submission(user=request.user, scope=scope, key=key)


def show_error(form: forms.BaseForm, exc: ValidationError | ConflictError) -> None:
    """A rule or a concurrent edit refused the save: say why above the form, which keeps
    everything the user typed."""
    if isinstance(exc, ConflictError):
        form.add_error(None, str(exc.message))
    else:
        for message in exc.messages:
            form.add_error(None, message)


def center_of(request: OnsiteRequest) -> Center:
    """The request's center; role_required has already refused requests without one."""
    if request.center is None:
        raise Http404
    return request.center
