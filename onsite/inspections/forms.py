from __future__ import annotations

import uuid
from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from onsite.core.forms import StyledForm, StyledFormMixin
from onsite.inspections.models import Inspection, InspectionSettings


def new_key() -> str:
    return uuid.uuid4().hex


class StartForm(StyledForm):
    kind = forms.ChoiceField(label=_("Kind"), choices=Inspection.Kind.choices)
    submission_key = forms.CharField(widget=forms.HiddenInput, max_length=64)

    def __init__(self, *args: Any, kinds: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        kind = cast(forms.ChoiceField, self.fields["kind"])
        kind.choices = [c for c in Inspection.Kind.choices if c[0] in kinds]
        self.fields["submission_key"].initial = new_key()


class PhotoForm(forms.Form):
    photo = forms.FileField(label=_("Photo"))
    submission_key = forms.CharField(widget=forms.HiddenInput, max_length=64, required=False)


class ProposalForm(StyledForm):
    proposal = forms.CharField(
        label=_("What should change in the standard, and why"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=2000,
    )


class SettingsForm(StyledFormMixin, forms.ModelForm[InspectionSettings]):
    row_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = InspectionSettings
        fields = [
            "pass_mark",
            "green_from",
            "yellow_from",
            "repeat_window_days",
            "repeat_factor",
            "serious_days",
            "general_days",
            "remind_days",
            "photo_check",
        ]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["row_version"].initial = self.instance.version
        # A form posted before the reminder setting existed keeps the current value.
        self.fields["remind_days"].required = False

    def clean_remind_days(self) -> int:
        value = self.cleaned_data.get("remind_days")
        return self.instance.remind_days if value is None else int(value)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        green, yellow = data.get("green_from"), data.get("yellow_from")
        if green is not None and yellow is not None and yellow > green:
            self.add_error("yellow_from", _("Yellow must start below green."))
        return data
