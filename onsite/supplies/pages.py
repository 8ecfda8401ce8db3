"""How a page answers a refusal met once its form was read (the red-tag pages share it).

A role refusal is the audited 403 page (`onsite.core.access`); a refusal of the object's state
or of the input is told above the page the person returns to, and its code travels in the
`Onsite-Refusal` header, the same code the API answers with."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.forms import BaseForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from onsite.core.access import refusal_response
from onsite.core.refusals import Invalid, NotAllowed, NotVisible, Refusal

REFUSAL_HEADER = "Onsite-Refusal"


def marked(response: HttpResponse, refusal: Refusal) -> HttpResponse:
    response[REFUSAL_HEADER] = refusal.code
    return response


def refused(request: HttpRequest, refusal: Refusal, back: HttpResponse) -> HttpResponse:
    """The message above the page `back` leads to (a role refusal: the 403 page)."""
    if isinstance(refusal, NotAllowed | NotVisible):
        return refusal_response(request, refusal)
    messages.error(request, str(refusal.message))
    return marked(back, refusal)


def refused_form(
    request: HttpRequest,
    template: str,
    context: dict[str, Any],
    refusal: Refusal,
    field: str | None = None,
) -> HttpResponse:
    """The form shown again with the refusal in it, where the person typed."""
    context["form"].add_error(field, str(refusal.message))
    return marked(render(request, template, context), refusal)


def invalid_form(request: HttpRequest, form: BaseForm, back: HttpResponse) -> HttpResponse:
    """A form sent back to a page that shows no form: each error above that page."""
    for name, errors in form.errors.items():
        label = form.fields[name].label if name in form.fields else ""
        for error in errors:
            messages.error(request, f"{label}: {error}" if label else str(error))
    return marked(back, Invalid())


def passes(check: Callable[..., Any], *args: Any, **kwargs: Any) -> bool:
    """Whether an action's check lets the person act now: a page offers the form then."""
    try:
        check(*args, **kwargs)
    except Refusal:
        return False
    return True
