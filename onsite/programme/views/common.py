"""What the programme's pages share: how a page adapter calls an act and shows its refusal."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar, cast

from django import forms
from django.contrib import messages
from django.http import HttpResponse

from onsite.core.access import answers_refusals
from onsite.core.refusals import Conflict, Invalid, Refusal
from onsite.core.types import OnsiteRequest

T = TypeVar("T")
View = TypeVar("View", bound=Callable[..., HttpResponse])


def as_int(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() and len(value) < 10 else None


def attempt(
    request: OnsiteRequest,
    check: Callable[[], Any],
    do: Callable[[], T],
    *,
    form: forms.BaseForm | None = None,
    keep: tuple[type[Refusal], ...] = (),
) -> T | None:
    """Checks then does an act. A refusal of its state or input (409/422) is shown where the
    person acts (on the form, else as a message) and answers None; the response then carries
    its code in `Onsite-Refusal` (see `adapter`). A NotAllowed or NotVisible refusal goes on
    to the refusal page, and so do the refusals the page answers itself (`keep`)."""
    try:
        check()
        return do()
    except (Conflict, Invalid) as refusal:
        if isinstance(refusal, keep):
            raise
        request.programme_refusal = refusal  # type: ignore[attr-defined]
        if form is not None:
            form.add_error(None, str(refusal.message))
        else:
            messages.error(request, str(refusal.message))
        return None


def adapter(view: View) -> View:
    """A page of an act: a refusal raised in it becomes the refusal page (403/404, audited),
    and a refusal `attempt` showed travels in the `Onsite-Refusal` header like on the API."""
    answering = answers_refusals(view)

    @wraps(view)
    def wrapped(request: OnsiteRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = answering(request, *args, **kwargs)
        refusal = getattr(request, "programme_refusal", None)
        if refusal is not None and not response.has_header("Onsite-Refusal"):
            response["Onsite-Refusal"] = refusal.code
        return response

    return cast(View, wrapped)
