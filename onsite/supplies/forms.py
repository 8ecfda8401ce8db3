from __future__ import annotations

import uuid
from typing import Any, cast

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from onsite.core.forms import StyledForm, StyledFormMixin
from onsite.org.models import Unit
from onsite.supplies.models import Requisition, Supply, SupplyReturn

QUANTITY_ERROR = _("Enter a quantity as a whole number of at least 1.")
COUNT_ERROR = _("Enter a whole number, 0 or more.")


def quantity_field(
    *, required: bool = True, allow_zero: bool = False, max_value: int = 1_000_000, **kwargs: Any
) -> forms.IntegerField:
    """A whole number ≥ 1 (or ≥ 0), with one clear message for anything else."""
    message = COUNT_ERROR if allow_zero else QUANTITY_ERROR
    return forms.IntegerField(
        required=required,
        min_value=0 if allow_zero else 1,
        max_value=max_value,
        error_messages={
            "invalid": message,
            "min_value": message,
            "max_value": _("That is more than the store could ever hold; check the number."),
            "required": message,
        },
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "step": 1}),
        **kwargs,
    )


class KeyedForm(StyledForm):
    """A form whose submit is safe to repeat: the key made when it was rendered comes back."""

    submission_key = forms.CharField(widget=forms.HiddenInput, required=False, max_length=64)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["submission_key"].initial = uuid.uuid4().hex


class SupplyForm(StyledFormMixin, forms.ModelForm[Supply]):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Supply
        fields = [
            "code",
            "name",
            "category",
            "measure",
            "unit_price",
            "min_level",
            "max_level",
            "is_active",
        ]
        help_texts = {
            "measure": _("How it is counted: ream, box, piece ..."),
            "min_level": _("Below this the store keepers are alerted."),
            "max_level": _("The store never receives more than this (0: no maximum)."),
        }

    def __init__(self, *args: Any, center: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.center = center
        if self.instance.pk:
            self.fields["code"].disabled = True
            self.fields["version"].initial = self.instance.version

    def clean_code(self) -> str:
        code: str = self.cleaned_data["code"]
        if not self.instance.pk and Supply.objects.filter(center=self.center, code=code).exists():
            raise forms.ValidationError(_("A supply with this code already exists."))
        return code

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        low, high = data.get("min_level"), data.get("max_level")
        if low is not None and high and low > high:
            self.add_error("min_level", _("The minimum level cannot be above the maximum level."))
        return data

    def validate_unique(self) -> None:
        """The center is not a form field; clean_code checks the code within the center."""


class ReceiveForm(KeyedForm):
    quantity = quantity_field(label=_("Quantity received"))
    note = forms.CharField(label=_("Note"), max_length=200, required=False)


def supply_choices(center: Any) -> QuerySet[Supply]:
    return Supply.objects.filter(center=center, is_active=True).order_by("category", "name")


class RequisitionForm(KeyedForm):
    unit = forms.ModelChoiceField(label=_("Unit"), queryset=Unit.objects.none())
    purpose = forms.CharField(label=_("Purpose"), max_length=200, required=False)

    def __init__(self, *args: Any, units: QuerySet[Unit], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = cast(forms.ModelChoiceField[Unit], self.fields["unit"])
        field.queryset = units
        if units.count() == 1:
            field.initial = units.first()


class LineForm(StyledForm):
    supply = forms.ModelChoiceField(
        label=_("Supply"), queryset=Supply.objects.none(), required=False
    )
    quantity = quantity_field(label=_("Quantity"), required=False)

    def __init__(self, *args: Any, center: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField[Supply], self.fields["supply"]).queryset = supply_choices(
            center
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("supply") and data.get("quantity") is None and "quantity" not in self.errors:
            self.add_error("quantity", QUANTITY_ERROR)
        if data.get("quantity") is not None and not data.get("supply"):
            self.add_error("supply", _("Choose the supply."))
        return data


class BaseLineFormSet(forms.BaseFormSet[LineForm]):
    def clean(self) -> None:
        super().clean()
        if any(self.errors):
            return
        chosen: list[Supply] = [
            form.cleaned_data["supply"]
            for form in self.forms
            if form.cleaned_data and form.cleaned_data.get("supply")
        ]
        if not chosen:
            raise forms.ValidationError(_("Add at least one supply to the requisition."))
        if len({supply.pk for supply in chosen}) != len(chosen):
            raise forms.ValidationError(_("Each supply once, please: put its quantities together."))


LineFormSet = forms.formset_factory(LineForm, formset=BaseLineFormSet, extra=4, max_num=20)


class VersionedForm(StyledForm):
    version = forms.IntegerField(widget=forms.HiddenInput)
    note = forms.CharField(
        label=_("Note"), max_length=200, required=False, widget=forms.TextInput()
    )


class ApproveForm(VersionedForm):
    """One field per line: how many to approve (the requested number unless changed)."""

    def __init__(self, *args: Any, requisition: Requisition, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["version"].initial = requisition.version
        self.line_fields = []
        for line in requisition.lines.all():
            name = f"line_{line.pk}"
            self.fields[name] = quantity_field(
                label=line.supply.name,
                allow_zero=True,
                initial=line.requested,
                max_value=line.requested,
            )
            self.fields[name].error_messages["max_value"] = _(
                "Approve at most the %(limit_value)s requested."
            )
            self.fields[name].widget.attrs["class"] = "form-control"
            self.line_fields.append(self[name])

    def approved(self) -> dict[int, int]:
        return {
            int(name.removeprefix("line_")): value
            for name, value in self.cleaned_data.items()
            if name.startswith("line_")
        }


class EndForm(VersionedForm):
    action = forms.ChoiceField(
        choices=[
            (Requisition.Status.REJECTED, pgettext_lazy("requisition", "Reject")),
            (Requisition.Status.CANCELLED, pgettext_lazy("requisition", "Cancel")),
            (Requisition.Status.CLOSED, pgettext_lazy("requisition", "Close")),
        ],
        widget=forms.HiddenInput,
    )


class IssueForm(KeyedForm):
    """One field per line still outstanding: how many the store hands out now."""

    def __init__(self, *args: Any, requisition: Requisition, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.line_fields = []
        for line in requisition.lines.all():
            if not line.outstanding:
                continue
            name = f"line_{line.pk}"
            self.fields[name] = quantity_field(
                label=line.supply.name,
                allow_zero=True,
                initial=min(line.outstanding, line.supply.on_hand),
                required=False,
            )
            self.fields[name].widget.attrs["class"] = "form-control"
            self.line_fields.append((self[name], line))

    def quantities(self) -> dict[int, int]:
        return {
            int(name.removeprefix("line_")): value or 0
            for name, value in self.cleaned_data.items()
            if name.startswith("line_")
        }


class ReturnForm(KeyedForm):
    supply = forms.ModelChoiceField(label=_("Supply"), queryset=Supply.objects.none())
    unit = forms.ModelChoiceField(label=_("Returned by unit"), queryset=Unit.objects.none())
    quantity = quantity_field(label=_("Quantity"))
    source = forms.ChoiceField(
        label=_("Source"), choices=SupplyReturn.Source.choices, initial=SupplyReturn.Source.UNUSED
    )
    note = forms.CharField(label=_("Note"), max_length=200, required=False)

    def __init__(self, *args: Any, center: Any, units: QuerySet[Unit], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(
            forms.ModelChoiceField[Supply], self.fields["supply"]
        ).queryset = Supply.objects.filter(center=center).order_by("category", "name")
        cast(forms.ModelChoiceField[Unit], self.fields["unit"]).queryset = units


class CountForm(KeyedForm):
    """A row per active supply: the number on the books when the page was opened, the
    number counted (blank: not counted this time) and, for any difference, why."""

    note = forms.CharField(label=_("Note"), max_length=200, required=False)

    def __init__(self, *args: Any, supplies: list[Supply], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.rows = []
        for supply in supplies:
            expected, counted, why = (
                f"expected_{supply.pk}",
                f"counted_{supply.pk}",
                f"explanation_{supply.pk}",
            )
            self.fields[expected] = forms.IntegerField(
                widget=forms.HiddenInput, initial=supply.on_hand, min_value=0
            )
            self.fields[counted] = quantity_field(
                label=supply.name, allow_zero=True, required=False
            )
            self.fields[counted].widget.attrs["class"] = "form-control"
            self.fields[why] = forms.CharField(
                label=_("Explanation"),
                max_length=200,
                required=False,
                widget=forms.TextInput(attrs={"class": "form-control"}),
            )
            self.rows.append((supply, self[expected], self[counted], self[why]))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        any_counted = False
        for _supply, expected, counted, why in self.rows:
            value = data.get(counted.name)
            if value is None:
                continue
            any_counted = True
            if value != data.get(expected.name) and not (data.get(why.name) or "").strip():
                self.add_error(why.name, _("Explain the difference from the books."))
        if not any_counted and not self.errors:
            raise forms.ValidationError(_("Count at least one supply."))
        return data

    def counted_rows(self) -> list[tuple[Supply, int, int, str]]:
        data = self.cleaned_data
        return [
            (supply, data[expected.name], data[counted.name], data.get(why.name) or "")
            for supply, expected, counted, why in self.rows
            if data.get(counted.name) is not None
        ]
