from __future__ import annotations

import datetime
import uuid
from typing import Any, cast

from django import forms
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from onsite.core.forms import StyledForm
from onsite.org.models import Unit
from onsite.programme.models import PHASES, Card, ExitGate, Phase, Programme, Wave, WaveUnit
from onsite.programme.services import PLANNED_PHASES


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%d", **kwargs)


def date_field(label: Any, *, required: bool = True) -> forms.DateField:
    return forms.DateField(
        label=label,
        required=required,
        widget=DateInput(),
        error_messages={"invalid": _("Enter a date such as 2026-03-01.")},
    )


def new_key() -> str:
    return uuid.uuid4().hex


class VersionedForm(StyledForm):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)


class KeyedForm(StyledForm):
    submission_key = forms.CharField(widget=forms.HiddenInput, max_length=64, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("submission_key", new_key())


class ProgrammeForm(KeyedForm):
    name = forms.CharField(label=_("Name of the programme"), max_length=100)
    starts_on = date_field(_("Starts on"))
    ends_on = date_field(_("Ends on"), required=False)
    note = forms.CharField(
        label=_("Note"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("starts_on"), data.get("ends_on")
        if start and end and end < start:
            self.add_error("ends_on", _("The end must not be before the start."))
        return data


class ProgrammeEditForm(ProgrammeForm):
    status = forms.ChoiceField(label=_("Status"), choices=Programme.Status.choices)
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)


class WaveForm(StyledForm):
    name = forms.CharField(label=_("Name of the wave"), max_length=100)
    planned_start = date_field(_("Planned start"))
    planned_end = date_field(_("Planned end"))
    units = forms.ModelMultipleChoiceField(
        label=_("Units"),
        queryset=Unit.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)

    def __init__(self, *args: Any, center: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(
            forms.ModelMultipleChoiceField[Unit], self.fields["units"]
        ).queryset = Unit.objects.filter(center=center).order_by("kind", "position", "code")
        for phase in PLANNED_PHASES:
            label = Phase(phase).label
            self.fields[f"{phase}_start"] = date_field(label, required=False)
            self.fields[f"{phase}_end"] = date_field(label, required=False)
        # StyledForm styled the fields that existed; style the phase dates too.
        for name in self.fields:
            if name.endswith(("_start", "_end")):
                self.fields[name].widget.attrs.setdefault("class", "form-control")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("planned_start"), data.get("planned_end")
        if start and end and end < start:
            self.add_error("planned_end", _("The end must not be before the start."))
        for phase in PLANNED_PHASES:
            first, last = data.get(f"{phase}_start"), data.get(f"{phase}_end")
            if bool(first) != bool(last):
                self.add_error(f"{phase}_end", _("Give both dates of the phase, or neither."))
            elif first and last and last < first:
                self.add_error(f"{phase}_end", _("The end must not be before the start."))
        return data

    def phase_dates(self) -> dict[str, tuple[datetime.date, datetime.date]]:
        data = self.cleaned_data
        return {
            p: (data[f"{p}_start"], data[f"{p}_end"])
            for p in PLANNED_PHASES
            if data.get(f"{p}_start") and data.get(f"{p}_end")
        }

    def phase_rows(self) -> list[tuple[str, forms.BoundField, forms.BoundField]]:
        return [(str(Phase(p).label), self[f"{p}_start"], self[f"{p}_end"]) for p in PLANNED_PHASES]


class GateForm(StyledForm):
    score_required = forms.BooleanField(
        label=_("Average score at least the minimum"), required=False
    )
    min_score = forms.IntegerField(
        label=_("Minimum average score (%)"),
        required=False,
        min_value=0,
        max_value=100,
        help_text=_("Empty: the center's pass mark."),
    )
    score_weeks = forms.IntegerField(label=_("Over the last weeks"), min_value=1, max_value=26)
    no_overdue_required = forms.BooleanField(label=_("No overdue rectification"), required=False)
    acceptance_required = forms.BooleanField(
        label=_("Accepted in a peer acceptance round"), required=False
    )
    red_tags_required = forms.BooleanField(
        label=_("No red tag past its holding time"), required=False
    )
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)


class OverrideForm(VersionedForm):
    reason = forms.CharField(
        label=_("Reason for the override"),
        min_length=4,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={
            "required": _("Give the reason for the override."),
            "min_length": _("Give the reason for the override."),
        },
    )


class RoundForm(KeyedForm):
    phase = forms.ChoiceField(label=_("Phase"), choices=Phase.choices)
    units = forms.ModelMultipleChoiceField(
        label=_("Units to accept"),
        queryset=Unit.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one unit.")},
    )
    min_raters = forms.IntegerField(
        label=_("Raters per unit"), min_value=1, max_value=10, initial=2
    )
    seed = forms.IntegerField(
        label=_("Seed"),
        required=False,
        min_value=0,
        max_value=999_999,
        help_text=_("The same seed gives the same assignment. Empty: a new one."),
    )
    name = forms.CharField(
        label=_("Name of the round"),
        max_length=100,
        required=False,
        help_text=_("Empty: numbered by phase."),
    )
    due_on = date_field(_("Rate by"), required=False)

    def __init__(self, *args: Any, units: QuerySet[Unit], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelMultipleChoiceField[Unit], self.fields["units"]).queryset = units

    def clean_due_on(self) -> datetime.date | None:
        due = cast(datetime.date | None, self.cleaned_data.get("due_on"))
        if due is not None and due < timezone.localdate():
            raise forms.ValidationError(_("The date must not be in the past."))
        return due


class CloseForm(VersionedForm):
    confirm = forms.BooleanField(
        label=_("Close although some ratings are missing (they will not count)"),
        required=False,
    )


class CardForm(KeyedForm):
    unit = forms.ModelChoiceField(label=_("Unit"), queryset=Unit.objects.none())
    kind = forms.ChoiceField(label=_("Kind"), choices=Card.Kind.choices)
    reason = forms.CharField(
        label=_("Reason"),
        min_length=4,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={
            "required": _("Give the reason for the card."),
            "min_length": _("Give the reason for the card."),
        },
    )

    def __init__(self, *args: Any, center: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField[Unit], self.fields["unit"]).queryset = Unit.objects.filter(
            center=center
        ).order_by("kind", "position", "code")


class RevokeForm(StyledForm):
    reason = forms.CharField(
        label=_("Why revoke it"),
        min_length=4,
        max_length=2000,
        error_messages={
            "required": _("Give the reason for revoking the card."),
            "min_length": _("Give the reason for revoking the card."),
        },
    )


class InterviewForm(VersionedForm):
    held_on = date_field(_("Held on"))
    note = forms.CharField(
        label=_("What was agreed"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Write down what the interview agreed.")},
    )


class MonthForm(StyledForm):
    month = forms.DateField(
        label=_("Month"),
        input_formats=["%Y-%m"],
        widget=forms.DateInput(attrs={"type": "month", "class": "form-control-sm"}, format="%Y-%m"),
        error_messages={"invalid": _("Enter a month such as 2026-03.")},
    )


def phase_choices() -> list[tuple[str, str]]:
    return [(p, str(Phase(p).label)) for p in PHASES]


def programme_initial(programme: Programme) -> dict[str, Any]:
    names = ["name", "starts_on", "ends_on", "note", "status", "version"]
    return {name: getattr(programme, name) for name in names}


def wave_initial(wave: Wave) -> dict[str, Any]:
    initial: dict[str, Any] = {
        "name": wave.name,
        "planned_start": wave.planned_start,
        "planned_end": wave.planned_end,
        "units": list(WaveUnit.objects.filter(wave=wave).values_list("unit_id", flat=True)),
        "version": wave.version,
    }
    for plan in wave.plans.all():
        initial[f"{plan.phase}_start"] = plan.planned_start
        initial[f"{plan.phase}_end"] = plan.planned_end
    return initial


GATE_FIELDS = [
    "score_required",
    "min_score",
    "score_weeks",
    "no_overdue_required",
    "acceptance_required",
    "red_tags_required",
    "version",
]


def gate_forms(gates: dict[str, ExitGate], data: Any = None) -> dict[str, GateForm]:
    """A form per phase; only the phase posted (`data["phase"]`) is bound."""
    posted = data.get("phase") if data is not None else None
    return {
        phase: GateForm(
            data if phase == posted else None,
            prefix=phase,
            initial={name: getattr(gate, name) for name in GATE_FIELDS},
        )
        for phase, gate in gates.items()
    }
