from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from onsite.core.forms import StyledForm


class DecideForm(forms.Form):
    version = forms.IntegerField(min_value=1)
    reason = forms.CharField(max_length=200, required=False)
    submission_key = forms.CharField(max_length=64, required=False)


class ReferenceForm(StyledForm):
    photo = forms.FileField(label=_("Reference photo"))
    submission_key = forms.CharField(widget=forms.HiddenInput, max_length=64, required=False)


class PeriodForm(forms.Form):
    days = forms.TypedChoiceField(
        label=_("Period"),
        coerce=int,
        choices=[(30, _("Last 30 days")), (90, _("Last 90 days")), (365, _("Last 365 days"))],
        required=False,
    )
