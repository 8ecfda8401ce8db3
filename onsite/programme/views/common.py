"""What the programme's pages share."""

from __future__ import annotations


def as_int(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() and len(value) < 10 else None
