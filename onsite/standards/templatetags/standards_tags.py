"""Formatting of standards' fields in diffs (tags only format)."""

from __future__ import annotations

from django import template
from django.db import models
from django.utils.translation import gettext as _

register = template.Library()


@register.simple_tag
def field_label(obj: models.Model | None, name: str) -> str:
    if obj is None:
        return name
    return str(getattr(obj._meta.get_field(name), "verbose_name", name))


@register.simple_tag
def field_value(obj: models.Model | None, name: str) -> str:
    if obj is None:
        return "—"
    field = obj._meta.get_field(name)
    value = getattr(obj, name)
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    choices = getattr(field, "choices", None)
    if choices:
        return str(dict(choices).get(value, value))
    return str(value)
