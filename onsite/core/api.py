"""What every API router shares: the error bodies and the codes each operation documents."""

from typing import Annotated, Any

from django.http import HttpRequest
from ninja import Field, Schema
from ninja.responses import codes_4xx
from pydantic import StringConstraints

IDEMPOTENCY_HEADER = "Idempotency-Key"
KEY_LENGTH = 64  # what a SubmissionKey stores

IdempotencyKey = Annotated[str, StringConstraints(max_length=KEY_LENGTH, pattern=r"^[\x21-\x7e]*$")]
"""An Idempotency-Key declared as a header parameter, so the schema shows it: a longer key or
one with spaces or non-ASCII characters is a 422."""


def idempotency_key(request: HttpRequest) -> str:
    """The client's Idempotency-Key header, read where the operation does not declare it: a
    repeated write gets the first one's object (cut to what a SubmissionKey stores)."""
    return request.headers.get(IDEMPOTENCY_HEADER, "")[:KEY_LENGTH]


class RefusedCheckOut(Schema):
    key: str = Field(..., description="The check's key, as in the inspection's answers")
    text: str = Field(..., description="The check's requirement, in full")


class ErrorOut(Schema):
    """A refusal, as config/api.py answers it: its code and a message in the caller's language.
    Ninja's own answers (401 without a valid token, 404 of an unknown path) carry no code."""

    code: str = Field(
        "",
        description="What was refused: not_allowed, not_found, wrong_state, stale, invalid or "
        "a finer code of the app (empty on Ninja's own 401 and 404)",
    )
    detail: str
    checks: list[RefusedCheckOut] | None = Field(
        None,
        description="Submitting an inspection (code incomplete): every failed check that still "
        "needs a photo, all at once and in full (absent on other refusals)",
    )


class InvalidOut(Schema):
    """The 422 Ninja answers when a parameter or the JSON body does not validate: `detail`
    lists the fields at fault (an action's `Invalid` refusal is an ErrorOut instead)."""

    detail: list[dict[str, Any]]


def documented(ok: object) -> dict[object, object]:
    """`response=` for an operation: its success schema plus the 4xx errors it can answer,
    422 included (Ninja's `codes_4xx` leaves 422 out)."""
    return {200: ok, 422: InvalidOut | ErrorOut, codes_4xx: ErrorOut}
