"""The one typed refusal. A domain's `check_*` function raises one of these; the page and the
API adapters answer it the same way (`onsite.core.access` for pages, `config/api.py` for the
API), so a refused act carries the same code and the same message in the user's language
through either door.

    NotAllowed   403  the person may not do this (recorded as `access.denied`)
    NotVisible   404  the object does not exist for this person (another center's, say)
    Conflict     409  the object moved on: a stale version, or a state the act does not fit
    Invalid      422  the input itself is wrong

`code` is stable and machine-readable (`wrong_state`, `stale`, `incomplete_sheets` …); the
message is for people."""

from __future__ import annotations

from typing import Any, ClassVar

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _


class Refusal(Exception):  # noqa: N818 - a refusal is an answer, not a program error
    status: ClassVar[int] = 400
    default_code: ClassVar[str] = "refused"
    message: Any = _("This cannot be done.")

    def __init__(self, message: Any = None, *, code: str | None = None) -> None:
        self.message = message if message is not None else type(self).message
        self.code = code or self.default_code
        super().__init__(str(self.message))

    def __str__(self) -> str:
        return str(self.message)

    @property
    def messages(self) -> list[str]:
        """As ValidationError.messages, so a form can show a refusal like a field error."""
        return [str(self.message)]

    def as_json(self) -> dict[str, str]:
        return {"code": self.code, "detail": str(self.message)}


class NotAllowed(Refusal):
    status = 403
    default_code = "not_allowed"
    message = _("You do not have permission to do this.")


class NotVisible(Refusal):
    status = 404
    default_code = "not_found"
    message = _("Not found.")


class Conflict(Refusal):
    status = 409
    default_code = "wrong_state"
    message = _("This cannot be done in its current state.")


class Invalid(Refusal):
    status = 422
    default_code = "invalid"
    message = _("The input is not valid.")

    @classmethod
    def from_validation(cls, error: ValidationError) -> Invalid:
        code = getattr(error, "code", None) or cls.default_code
        return cls(" ".join(error.messages), code=code)
