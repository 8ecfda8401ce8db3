from __future__ import annotations

import datetime
import uuid
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from onsite.core.forms import StyledFormMixin
from onsite.core.models import Center
from onsite.org.models import AreaType, Zone
from onsite.standards.models import (
    VISION_KINDS,
    Clause,
    Item,
    ItemFiling,
    ItemRule,
    StandardVersion,
)
from onsite.standards.services import parse_aliases


def _choice_field(form: forms.BaseForm, name: str) -> forms.ModelChoiceField[Any]:
    field = form.fields[name]
    if not isinstance(field, forms.ModelChoiceField):
        raise TypeError(name)
    return field


class VersionedFormMixin(forms.Form):
    """Carries the row version the user started from, for save_versioned."""

    row_version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class VersionSettingsForm(StyledFormMixin, VersionedFormMixin, forms.ModelForm[StandardVersion]):
    class Meta:
        model = StandardVersion
        fields = ["width_mm", "depth_mm", "default_edge_distance_mm", "note"]
        widgets = {"note": forms.Textarea(attrs={"rows": 3})}


class ClauseForm(StyledFormMixin, VersionedFormMixin, forms.ModelForm[Clause]):
    class Meta:
        model = Clause
        fields = ["code", "pillar", "position", "text", "check_method", "weight", "max_points",
                  "photo_required", "subject"]  # fmt: skip
        widgets = {
            "text": forms.Textarea(attrs={"rows": 3}),
            "check_method": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk is None:
            self.fields["row_version"].required = False
        # Older clients and forms send no subject: the clause checks the zone, as before.
        self.fields["subject"].required = False

    def clean_subject(self) -> str:
        return str(self.cleaned_data.get("subject") or Clause.Subject.ZONE)


class ItemRuleForm(StyledFormMixin, VersionedFormMixin, forms.ModelForm[ItemRule]):
    class Meta:
        model = ItemRule
        fields = ["item", "kind", "max_quantity", "container", "slot_x_mm", "slot_y_mm",
                  "slot_w_mm", "slot_h_mm", "min_edge_distance_mm", "marking", "marking_colour",
                  "note", "position"]  # fmt: skip

    def __init__(self, *args: Any, version: StandardVersion, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.version = version
        _choice_field(self, "item").queryset = Item.objects.filter(
            center_id=version.center_id, is_active=True
        )
        if self.instance.pk is None:
            self.fields["row_version"].required = False
        self.fields["min_edge_distance_mm"].help_text = _(
            "Empty: the version's default (%(mm)s mm). The default is configurable in the "
            "version's settings."
        ) % {"mm": version.default_edge_distance_mm}

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        slot = [data.get(n) for n in ("slot_x_mm", "slot_y_mm", "slot_w_mm", "slot_h_mm")]
        if any(v is not None for v in slot) and any(v is None for v in slot):
            raise ValidationError(_("Give all four slot values (x, y, width, depth) or none."))
        if all(v is not None for v in slot):
            x, y, w, h = (int(v) for v in slot)  # type: ignore[arg-type]
            if x + w > self.version.width_mm or y + h > self.version.depth_mm:
                raise ValidationError(
                    _("The slot does not fit on the plan (%(w)s × %(d)s mm).")
                    % {"w": self.version.width_mm, "d": self.version.depth_mm}
                )
        return data


class ItemForm(StyledFormMixin, forms.ModelForm[Item]):
    aliases_text = forms.CharField(
        label=_("Aliases"),
        required=False,
        help_text=_("Other names, separated by commas."),
        max_length=500,
    )

    class Meta:
        model = Item
        fields = ["code", "name", "vision_kind", "is_active"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["aliases_text"].initial = ", ".join(self.instance.aliases)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        data["aliases"] = parse_aliases(data.get("aliases_text", ""))
        return data

    def validate_unique(self) -> None:
        # The center is not a form field; the service reports duplicates.
        pass


class AreaTypeForm(StyledFormMixin, forms.ModelForm[AreaType]):
    class Meta:
        model = AreaType
        fields = ["code", "name", "width_mm", "depth_mm", "position"]

    def validate_unique(self) -> None:
        pass


class FilingForm(StyledFormMixin, forms.Form):
    """Zone and item are chosen by code, the values the API takes (ItemFilingIn): a filing
    kept offline goes from the phone's outbox to the API as this form names it."""

    zone = forms.ModelChoiceField(
        label=_("Zone"),
        queryset=Zone.objects.none(),
        to_field_name="code",
        widget=forms.Select(attrs={"data-outbox-names": ""}),
    )
    item = forms.ModelChoiceField(
        label=_("Item"),
        queryset=Item.objects.none(),
        to_field_name="code",
        required=False,
        empty_label=_("Not in the catalogue: type its name below"),
        widget=forms.Select(attrs={"data-outbox-clear": ""}),
    )
    item_name = forms.CharField(
        label=_("Item not in the catalogue"),
        max_length=50,
        required=False,
        help_text=_("Only if the list lacks the item: its name, e.g. a personal medicine box."),
        widget=forms.TextInput(attrs={"data-outbox-clear": ""}),
    )
    item_description = forms.CharField(
        label=_("Description of the item"),
        max_length=300,
        required=False,
        widget=forms.TextInput(attrs={"data-outbox-clear": ""}),
    )
    quantity = forms.IntegerField(label=_("Quantity"), min_value=1, max_value=99, initial=1)
    reason = forms.CharField(
        label=_("Reason"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3, "data-outbox-clear": ""}),
    )
    valid_from = forms.DateField(
        label=_("Valid from"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    valid_to = forms.DateField(
        label=_("Valid until"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    submission_key = forms.CharField(widget=forms.HiddenInput, max_length=64)

    def __init__(self, *args: Any, zones: Any, center: Center, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _choice_field(self, "zone").queryset = zones
        _choice_field(self, "item").queryset = Item.objects.filter(center=center, is_active=True)
        today = timezone.localdate()
        self.fields["valid_from"].initial = today
        self.fields["valid_to"].initial = today + datetime.timedelta(days=90)
        self.fields["submission_key"].initial = uuid.uuid4().hex

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("valid_from"), data.get("valid_to")
        if start and end and end < start:
            self.add_error("valid_to", _("The end date must not be before the start date."))
        if end and end < timezone.localdate():
            self.add_error(
                "valid_to",
                _("The end date is in the past: a filing must still be valid today or later."),
            )
        name = (data.get("item_name") or "").strip()
        if data.get("item") is None and not name and "item" not in self.errors:
            self.add_error(
                "item",
                _("Choose an item from the catalogue, or type the name of the item it lacks."),
            )
        if data.get("item") is not None and name:
            self.add_error(
                "item_name",
                _("Choose an item from the catalogue or type the name of one it lacks, not both."),
            )
        return data


ADD_TO_CATALOGUE = "approve_catalogue"


class ReviewForm(StyledFormMixin, VersionedFormMixin):
    """Approve, reject, or (for an item the catalogue lacks) approve and add the item to the
    catalogue under a code the office gives it."""

    decision = forms.ChoiceField(label=_("Decision"), widget=forms.RadioSelect)
    comment = forms.CharField(
        label=_("Comment"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    item_code = forms.SlugField(
        label=_("Code of the new catalogue item"),
        max_length=32,
        required=False,
        help_text=_("Letters, digits, - or _, e.g. medicine-box."),
    )
    item_name = forms.CharField(
        label=_("Name in the catalogue"),
        max_length=50,
        required=False,
        help_text=_("Empty: the name it was filed under."),
    )
    vision_kind = forms.ChoiceField(
        label=Item._meta.get_field("vision_kind").verbose_name,
        choices=[("", "—"), *VISION_KINDS],
        required=False,
    )

    def __init__(self, *args: Any, filing: ItemFiling | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.off_catalogue = filing is not None and filing.is_off_catalogue
        decision = self.fields["decision"]
        if isinstance(decision, forms.ChoiceField):
            decision.choices = [
                ("approve", _("Approve")),
                *([(ADD_TO_CATALOGUE, _("Approve and add the item to the catalogue"))]
                  if self.off_catalogue else []),
                ("reject", _("Reject")),
            ]  # fmt: skip
        if not self.off_catalogue:
            for name in ("item_code", "item_name", "vision_kind"):
                del self.fields[name]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("decision") == "reject" and not data.get("comment", "").strip():
            self.add_error("comment", _("Say why the filing is rejected."))
        if data.get("decision") == ADD_TO_CATALOGUE and not data.get("item_code"):
            self.add_error("item_code", _("Give the new catalogue item a code."))
        return data

    def catalogue(self) -> dict[str, Any] | None:
        """The catalogue entry to add, if that is the decision."""
        data = self.cleaned_data
        if data.get("decision") != ADD_TO_CATALOGUE:
            return None
        return {
            "code": data["item_code"],
            "name": data.get("item_name", ""),
            "vision_kind": data.get("vision_kind", ""),
        }


class ImportForm(StyledFormMixin, forms.Form):
    area_type = forms.ModelChoiceField(
        label=_("Area type"),
        queryset=AreaType.objects.none(),
        required=False,
        empty_label=_("As in the workbook"),
        help_text=_("Choose one only to import a workbook of one standard into another area type."),
    )
    file = forms.FileField(
        label=_("Excel file (.xlsx)"),
        widget=forms.ClearableFileInput(
            attrs={
                "accept": ".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            }
        ),
    )

    def __init__(self, *args: Any, center: Center, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _choice_field(self, "area_type").queryset = AreaType.objects.filter(center=center)

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > 5 * 1024 * 1024:
            raise ValidationError(_("The file is larger than 5 MB."))
        return upload
