"""The one rank function: competition ranking ("1, 2, 2, 4"), highest value first."""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from decimal import Decimal
from typing import TypeVar

Key = TypeVar("Key", bound=Hashable)


def competition_ranks(values: Mapping[Key, Decimal | float | int]) -> dict[Key, int]:
    """Equal values share a rank and the next rank skips as many places."""
    ordered = sorted(values.values(), reverse=True)
    first_place: dict[Decimal | float | int, int] = {}
    for position, value in enumerate(ordered, start=1):
        first_place.setdefault(value, position)
    return {key: first_place[value] for key, value in values.items()}
