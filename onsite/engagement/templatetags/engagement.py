from __future__ import annotations

from django import template
from django.utils.translation import gettext

register = template.Library()


@register.filter
def msgid(value: str) -> str:
    """Translates a msgid stored as data (digest titles and labels) into the reader's language."""
    return gettext(value) if value else ""
