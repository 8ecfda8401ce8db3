from __future__ import annotations

import uuid
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from onsite.complaints.models import Complaint
from onsite.core.forms import StyledForm


class _Versioned(StyledForm):
    row_version = forms.IntegerField(widget=forms.HiddenInput)
    submission_key = forms.CharField(widget=forms.HiddenInput, max_length=64, required=False)

    def __init__(self, *args: Any, version: int = 0, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["row_version"].initial = version
        self.fields["submission_key"].initial = uuid.uuid4().hex


def _text(label: Any, *, rows: int = 3, required: bool = True) -> forms.CharField:
    return forms.CharField(
        label=label,
        widget=forms.Textarea(attrs={"rows": rows}),
        max_length=2000,
        required=required,
    )


class VerifyForm(_Versioned):
    findings = _text(_("What the verification found"))


class SubmitForm(_Versioned):
    outcome = forms.ChoiceField(
        label=pgettext_lazy("complaint", "Outcome"),
        choices=Complaint.Outcome.choices,
        widget=forms.RadioSelect,
    )
    action = _text(_("What was fixed, the explanation, or the ground of the appeal"))


class ReviewForm(_Versioned):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[("approve", _("Approve")), ("return", _("Return to the window"))],
        widget=forms.RadioSelect,
    )
    note = _text(_("Note (required to return)"), rows=2, required=False)


class RevisitForm(_Versioned):
    satisfied = forms.ChoiceField(
        label=_("The citizen"), choices=Complaint.Satisfied.choices, widget=forms.RadioSelect
    )
    note = _text(_("What the citizen said"), rows=2, required=False)


class CloseForm(_Versioned):
    note = _text(_("Note (optional)"), rows=2, required=False)


class SettingsForm(StyledForm):
    row_version = forms.IntegerField(widget=forms.HiddenInput)
    due_days = forms.IntegerField(
        label=_("Working days to close a case"), min_value=1, max_value=60
    )
