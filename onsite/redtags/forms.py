from __future__ import annotations

from decimal import Decimal
from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from onsite.core.forms import StyledForm
from onsite.org.models import Unit, Zone
from onsite.redtags.models import Disposition, Phase, Reason, RedTag, RedTagPolicy
from onsite.standards.models import Item
from onsite.supplies.forms import KeyedForm, quantity_field
from onsite.supplies.models import Supply


def _scoped(field: forms.Field, queryset: Any) -> None:
    cast(forms.ModelChoiceField[Any], field).queryset = queryset


CLEARED = {"data-outbox-clear": ""}
"""A field a phone empties after keeping a tag offline, for the next one in the zone."""


class RedTagForm(KeyedForm):
    """Zone, item and supply are chosen by code, the values the API takes (TagIn): a tag
    kept offline goes from the phone's outbox to the API as this form names it."""

    zone = forms.ModelChoiceField(
        label=_("Zone"),
        queryset=Zone.objects.none(),
        to_field_name="code",
        widget=forms.Select(attrs={"data-outbox-names": ""}),
    )
    item = forms.ModelChoiceField(
        label=_("Item from the catalogue"),
        queryset=Item.objects.none(),
        required=False,
        to_field_name="code",
        widget=forms.Select(attrs=CLEARED),
    )
    item_name = forms.CharField(
        label=_("Or its name"),
        max_length=100,
        required=False,
        help_text=_("Type the item if it is not in the catalogue."),
        widget=forms.TextInput(attrs=CLEARED),
    )
    quantity = quantity_field(label=_("Quantity"), initial=1)
    reason = forms.ChoiceField(label=_("Why it is not needed"), choices=Reason.choices)
    proposal = forms.ChoiceField(
        label=_("What should happen to it"),
        choices=Disposition.choices,
        initial=Disposition.RETURN_TO_STORE,
    )
    supply = forms.ModelChoiceField(
        label=_("Store supply"),
        queryset=Supply.objects.none(),
        required=False,
        to_field_name="code",
        help_text=_("If it is a supply of the store, returning it adds to the stock."),
    )
    footprint = forms.DecimalField(
        label=_("Space it takes (m²)"),
        min_value=Decimal("0"),
        max_value=Decimal("9999.99"),
        decimal_places=2,
        required=False,
        initial=Decimal("0"),
    )
    phase = forms.ChoiceField(label=_("Phase"), choices=Phase.choices, initial=Phase.SORT)
    note = forms.CharField(
        label=_("Note"),
        max_length=300,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2, **CLEARED}),
    )
    photo = forms.FileField(
        label=_("Photo"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "image/*", "capture": "environment"}),
    )

    def __init__(self, *args: Any, center: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _scoped(
            self.fields["zone"],
            Zone.objects.filter(center=center, is_active=True).order_by("code"),
        )
        _scoped(self.fields["item"], Item.objects.filter(center=center, is_active=True))
        _scoped(
            self.fields["supply"],
            Supply.objects.filter(center=center, is_active=True).order_by("category", "name"),
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("item") and not (data.get("item_name") or "").strip():
            self.add_error(
                "item_name", _("Say what the item is: pick it from the catalogue or type its name.")
            )
        return data


class DecisionForm(StyledForm):
    decision = forms.ChoiceField(
        label=pgettext_lazy("red tag", "Decision"), choices=Disposition.choices
    )
    supply = forms.ModelChoiceField(
        label=_("Store supply (for a return to the store)"),
        queryset=Supply.objects.none(),
        required=False,
    )
    transfer_to = forms.ModelChoiceField(
        label=_("Receiving unit (for a transfer)"),
        queryset=Unit.objects.none(),
        required=False,
    )
    note = forms.CharField(label=_("Note"), max_length=300, required=False)
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, tag: RedTag, **kwargs: Any) -> None:
        kwargs.setdefault(
            "initial",
            {"decision": tag.proposal, "supply": tag.supply_id, "version": tag.version},
        )
        super().__init__(*args, **kwargs)
        _scoped(
            self.fields["supply"],
            Supply.objects.filter(center_id=tag.center_id).order_by("category", "name"),
        )
        # Another center's unit is not a choice (the action refuses it too); nor the tag's own.
        _scoped(
            self.fields["transfer_to"],
            Unit.objects.filter(center_id=tag.center_id).exclude(id__in=[tag.unit_id or 0]),
        )


class BulkDecisionForm(StyledForm):
    tags = forms.ModelMultipleChoiceField(
        queryset=RedTag.objects.none(), widget=forms.MultipleHiddenInput
    )
    decision = forms.ChoiceField(
        label=_("Decision for the ticked tags"), choices=Disposition.choices
    )
    transfer_to = forms.ModelChoiceField(
        label=_("Receiving unit (for a transfer)"),
        queryset=Unit.objects.none(),
        required=False,
    )
    note = forms.CharField(label=_("Note"), max_length=300, required=False)

    def __init__(self, *args: Any, center: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _scoped(self.fields["tags"], RedTag.objects.filter(center=center).held())
        _scoped(self.fields["transfer_to"], Unit.objects.filter(center=center))
        self.fields["tags"].error_messages["required"] = _("Tick at least one tag.")


class TransferRefusalForm(StyledForm):
    reason = forms.CharField(label=_("Why the unit refuses the item"), max_length=300)


class WithdrawForm(StyledForm):
    note = forms.CharField(label=_("Why"), max_length=300, required=False)


class PolicyForm(StyledForm):
    holding_days = forms.IntegerField(
        label=RedTagPolicy._meta.get_field("holding_days").verbose_name,
        min_value=1,
        max_value=365,
        help_text=_("Tags already hung keep the date printed on them."),
        error_messages={
            "invalid": _("The holding time is 1 to 365 days."),
            "min_value": _("The holding time is 1 to 365 days."),
            "max_value": _("The holding time is 1 to 365 days."),
        },
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
