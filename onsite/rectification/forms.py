from __future__ import annotations

import datetime
import uuid
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from onsite.accounts.models import User
from onsite.core.forms import StyledForm, person_label


def new_key() -> str:
    return uuid.uuid4().hex


class _Versioned(StyledForm):
    row_version = forms.IntegerField(widget=forms.HiddenInput)
    submission_key = forms.CharField(widget=forms.HiddenInput, max_length=64, required=False)

    def __init__(self, *args: Any, version: int = 0, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["row_version"].initial = version
        self.fields["submission_key"].initial = new_key()


class SubmitForm(_Versioned):
    note = forms.CharField(
        label=_("What was done"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000
    )


class ReturnForm(_Versioned):
    reason = forms.CharField(
        label=_("Why it is returned"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000
    )


class ReassignForm(_Versioned):
    to: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        label=_("Hand it to"), queryset=None, empty_label=None
    )
    reason = forms.CharField(
        label=_("Why"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000
    )

    def __init__(self, *args: Any, people: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["to"]
        assert isinstance(field, forms.ModelChoiceField)  # noqa: S101 - declared above
        field.queryset = User.objects.filter(pk__in=[p.pk for p in people])
        # The zone's unit first, as the service sorted them.
        field.choices = [(p.pk, person_label(p)) for p in people]  # namesakes told apart


class VerifyForm(_Versioned):
    note = forms.CharField(
        label=_("Note (optional)"),
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=2000,
        required=False,
    )


class PhotoForm(forms.Form):
    photo = forms.FileField(label=_("After-photo"))


class CalendarDayForm(StyledForm):
    day = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    is_working_day = forms.TypedChoiceField(
        label=_("This day is"),
        choices=[("0", _("a holiday (no work)")), ("1", _("a make-up working day (调休)"))],
        coerce=lambda v: v == "1",
    )
    name = forms.CharField(label=_("Name"), max_length=50, required=False)

    def clean_day(self) -> datetime.date:
        day: datetime.date = self.cleaned_data["day"]
        if not 2000 <= day.year <= 2100:
            raise forms.ValidationError(_("Choose a date between 2000 and 2100."))
        return day
