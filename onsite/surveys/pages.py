"""How a form page answers a domain refusal: the message on the form (or as a message), the
code in the `Onsite-Refusal` header, a conflict's status. Engagement's pages (a layer above)
use it too; it belongs in the kernel's access module (onsite.core.access) once the kernel
offers it."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from onsite.core.refusals import Conflict, Invalid, NotAllowed, NotVisible, Refusal

T = TypeVar("T")


def attempt(
    request: HttpRequest,
    act: Callable[[], T],
    *,
    form: forms.BaseForm | None = None,
    fields: Mapping[str, str] | None = None,
) -> tuple[T | None, Refusal | None]:
    """Runs a domain act for a page: (its result, None), or (None, the refusal) for a conflict
    or invalid input, shown on `form` (an error naming a model field goes to the form field
    `fields` maps it to, or to the field of the same name) or else as a message. NotAllowed and
    NotVisible pass on to `answers_refusals` (the 403/404 page)."""
    try:
        return act(), None
    except (NotAllowed, NotVisible):
        raise
    except Refusal as refusal:
        shown: Refusal = refusal
        error: Any = str(refusal.message)
    except ValidationError as invalid:
        shown, error = Invalid.from_validation(invalid), invalid
    if form is None:
        messages.error(request, str(shown.message))
    elif isinstance(error, ValidationError) and hasattr(error, "error_dict"):
        for name, errors in error.message_dict.items():
            field = (fields or {}).get(name, name)
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)
    return None, shown


def marked(response: HttpResponse, refusal: Refusal | None) -> HttpResponse:
    """The refusal's code in the `Onsite-Refusal` header (the page shows its message)."""
    if refusal is not None:
        response["Onsite-Refusal"] = refusal.code
    return response


def form_page(
    request: HttpRequest,
    template: str,
    context: dict[str, Any],
    refusal: Refusal | None = None,
    *,
    status: int = 200,
) -> HttpResponse:
    """A form page again; a conflict answers with its status (409) and code (invalid input
    keeps the page's own status: the form shows what to correct)."""
    if isinstance(refusal, Conflict):
        status = refusal.status
    return marked(render(request, template, context, status=status), refusal)
