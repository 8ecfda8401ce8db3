from __future__ import annotations

from typing import Any

from django import forms


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
