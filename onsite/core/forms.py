from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext as _


class StyledFormMixin:
    """Gives every widget Bootstrap's classes, so templates render fields without per-field
    markup. Mix in before forms.Form / forms.ModelForm."""

    fields: dict[str, forms.Field]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(
                widget, forms.CheckboxInput | forms.RadioSelect | forms.CheckboxSelectMultiple
            ):
                css = "form-check-input"
            elif isinstance(widget, forms.Select | forms.SelectMultiple):
                css = "form-select"
            else:
                css = "form-control"
            existing = widget.attrs.get("class", "")
            if css not in existing.split():
                widget.attrs["class"] = f"{existing} {css}".strip()


class StyledForm(StyledFormMixin, forms.Form):
    pass


def person_label(person: Any) -> str:
    """How a person is told apart in a picker: "name (unit, username)". Two 王芳 of different
    units, or of one unit, differ by the unit or at least by the username, which is unique."""
    name = person.full_name or person.username
    unit = getattr(person, "unit", None)
    if unit is not None:
        return _("%(name)s (%(unit)s, %(username)s)") % {
            "name": name,
            "unit": unit.name,
            "username": person.username,
        }
    return _("%(name)s (%(username)s)") % {"name": name, "username": person.username}


class PersonLabelMixin:
    """A picker of people (users) labelled by `person_label`; the queryset gets the unit
    joined, so a list of 189 people stays one query."""

    def label_from_instance(self, obj: Any) -> str:
        return person_label(obj)

    def _set_queryset(self, queryset: Any) -> None:
        if queryset is not None:
            queryset = queryset.select_related("unit")
        super()._set_queryset(queryset)  # type: ignore[misc]

    queryset = property(
        forms.ModelChoiceField._get_queryset,  # type: ignore[attr-defined]
        _set_queryset,
    )


class PersonChoiceField(PersonLabelMixin, forms.ModelChoiceField):  # type: ignore[type-arg]
    """Picks one person: see `person_label`."""


class PersonMultipleChoiceField(PersonLabelMixin, forms.ModelMultipleChoiceField):  # type: ignore[type-arg]
    """Picks several people: see `person_label`."""
