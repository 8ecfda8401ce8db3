"""What every API router shares: the error body and the codes each operation documents."""

from ninja import Schema
from ninja.responses import codes_4xx


class ErrorOut(Schema):
    detail: str


def documented(ok: object) -> dict[object, object]:
    """`response=` for an operation: its success schema plus the 4xx errors it can answer."""
    return {200: ok, codes_4xx: ErrorOut}
