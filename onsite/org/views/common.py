from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from django import forms
from django.core.exceptions import ValidationError

from onsite.core.concurrency import existing_submission
from onsite.core.refusals import Conflict, Invalid, Refusal
from onsite.core.types import OnsiteRequest

T = TypeVar("T")


def repeat_of(request: OnsiteRequest, scope: str) -> str | None:
    """The id of what this form's first submit created, if this is a repeat of it."""
    key = request.POST.get("submission_key", "")
    if request.method != "POST" or not key:
        return None
    return existing_submission(user=request.user, scope=scope, key=key)


def show_error(form: forms.BaseForm, exc: ValidationError | Refusal) -> None:
    """A rule or a concurrent edit refused the save: say why above the form, which keeps
    everything the user typed."""
    for message in exc.messages:
        form.add_error(None, message)


def saved(
    request: OnsiteRequest, form: forms.BaseForm, write: Callable[[dict[str, Any]], T]
) -> T | None:
    """Runs the action `write` with a posted form's valid data and returns what it wrote; a
    refusal of the input or of the stored state (Invalid, Conflict) is shown above the form
    instead, and None returned. A refusal of the person passes on to the refusal page."""
    if request.method != "POST" or not form.is_valid():
        return None
    try:
        return write(form.cleaned_data)
    except (Invalid, Conflict) as refusal:
        show_error(form, refusal)
        return None
