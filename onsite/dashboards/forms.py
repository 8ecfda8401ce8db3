from __future__ import annotations

import datetime
import uuid
from typing import Any

from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils.translation import gettext_lazy as _

from onsite.core.forms import StyledForm
from onsite.core.models import Center
from onsite.core.months import month_end, this_month
from onsite.dashboards.models import COMPONENTS, ReportJob
from onsite.dashboards.queries import parse_month
from onsite.dashboards.ratings import DIMENSION_LENGTH, MAX_BYTES
from onsite.org.models import Unit

MONTH_INPUT = forms.TextInput(attrs={"type": "month"})


class WeightsForm(StyledForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for key, label in COMPONENTS:
            self.fields[key] = forms.IntegerField(
                label=label,
                min_value=0,
                max_value=100,
                validators=[MinValueValidator(0), MaxValueValidator(100)],
                widget=forms.NumberInput(attrs={"class": "form-control", "inputmode": "numeric"}),
            )
        self.order_fields([key for key, _label in COMPONENTS])

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        values = [data.get(key) for key, _label in COMPONENTS]
        if all(value is not None for value in values) and not any(values):
            raise forms.ValidationError(
                _("At least one part must count: give it a weight above 0.")
            )
        return data


class RatingImportForm(StyledForm):
    file = forms.FileField(
        label=_("Excel or CSV file"),
        help_text=_(
            "Columns: date, window (code or name), rating (1–5 or a level name); the national "
            "system's other columns (case number, service item, channel, staff member, reason, "
            "comment, default rating, valid …) are read when present. A case number already "
            "imported is skipped. One bad row and nothing is imported."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv,.txt"}),
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_BYTES:
            raise forms.ValidationError(
                _("The file is larger than 5 MB. Split it by month and import each.")
            )
        return upload


MAX_DIMENSIONS = 20


class DimensionsForm(StyledForm):
    valid_from = forms.DateField(
        label=_("Valid from"), widget=forms.DateInput(attrs={"type": "date"})
    )
    names = forms.CharField(
        label=_("Dimensions"),
        help_text=_("One per line, as the rating system names them (e.g. 服务态度)."),
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=2000,
    )

    def clean_names(self) -> list[str]:
        names: list[str] = []
        for line in self.cleaned_data["names"].splitlines():
            name = line.strip()
            if not name:
                continue
            if len(name) > DIMENSION_LENGTH:
                raise forms.ValidationError(
                    _("“%(name)s” is longer than 50 characters.") % {"name": name[:60]}
                )
            if name in names:
                raise forms.ValidationError(_("“%(name)s” is listed twice.") % {"name": name})
            names.append(name)
        if not names:
            raise forms.ValidationError(_("List at least one dimension."))
        if len(names) > MAX_DIMENSIONS:
            raise forms.ValidationError(_("At most 20 dimensions."))
        return names


def month_field(label: Any) -> forms.CharField:
    return forms.CharField(label=label, max_length=7, widget=MONTH_INPUT)


def clean_month(value: str) -> datetime.date:
    first = parse_month(value)
    if value and f"{first:%Y-%m}" != value.strip():
        raise forms.ValidationError(_("Pick a month up to this one."))
    return first


class ReportForm(StyledForm):
    """A monthly PDF report of the center or of one unit."""

    month = month_field(_("Month"))
    unit = forms.ModelChoiceField(
        label=_("Unit"),
        queryset=Unit.objects.none(),
        required=False,
        empty_label=_("The whole center"),
        to_field_name="code",
    )
    submission_key = forms.CharField(widget=forms.HiddenInput, required=False, max_length=64)

    def __init__(self, *args: Any, center: Center | None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = Unit.objects.filter(center=center).order_by(  # type: ignore[attr-defined]
            "kind", "position", "code"
        )
        self.fields["month"].initial = f"{this_month():%Y-%m}"
        self.fields["submission_key"].initial = uuid.uuid4().hex

    def clean_month(self) -> datetime.date:
        return clean_month(self.cleaned_data["month"])

    @property
    def kind(self) -> str:
        if self.cleaned_data.get("unit") is not None:
            return ReportJob.Kind.UNIT_REPORT
        return ReportJob.Kind.CENTER_REPORT


EXPORT_KINDS = [
    (ReportJob.Kind.INSPECTIONS.value, ReportJob.Kind.INSPECTIONS.label),
    (ReportJob.Kind.FINDINGS.value, ReportJob.Kind.FINDINGS.label),
    (ReportJob.Kind.RECTIFICATIONS.value, ReportJob.Kind.RECTIFICATIONS.label),
    (ReportJob.Kind.RANKING.value, ReportJob.Kind.RANKING.label),
    (ReportJob.Kind.RATINGS.value, ReportJob.Kind.RATINGS.label),
]
MAX_EXPORT_MONTHS = 36


class ExportForm(StyledForm):
    kind = forms.ChoiceField(label=_("What"), choices=EXPORT_KINDS)
    month_from = month_field(_("From month"))
    month_to = month_field(_("To month"))
    unit = forms.ModelChoiceField(
        label=_("Unit"),
        queryset=Unit.objects.none(),
        required=False,
        empty_label=_("All units"),
        to_field_name="code",
    )
    submission_key = forms.CharField(widget=forms.HiddenInput, required=False, max_length=64)

    def __init__(self, *args: Any, center: Center | None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = Unit.objects.filter(center=center).order_by(  # type: ignore[attr-defined]
            "kind", "position", "code"
        )
        current = f"{this_month():%Y-%m}"
        self.fields["month_from"].initial = current
        self.fields["month_to"].initial = current
        self.fields["submission_key"].initial = uuid.uuid4().hex

    def clean_month_from(self) -> datetime.date:
        return clean_month(self.cleaned_data["month_from"])

    def clean_month_to(self) -> datetime.date:
        return clean_month(self.cleaned_data["month_to"])

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        first, last = data.get("month_from"), data.get("month_to")
        if first and last:
            if last < first:
                self.add_error("month_to", _("The last month comes before the first."))
            elif (last.year - first.year) * 12 + last.month - first.month >= MAX_EXPORT_MONTHS:
                self.add_error("month_to", _("Export at most 36 months at a time."))
            else:
                data["last_day"] = month_end(last)
        return data
