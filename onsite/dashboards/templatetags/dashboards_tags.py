from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.filter
def dash(value: Any) -> Any:
    """A figure, or "—" when there is none (0 is a figure: `default` would hide it)."""
    return "—" if value is None or value == "" else value
