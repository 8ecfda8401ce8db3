from __future__ import annotations

import uuid
from typing import Any

from django import forms
from django.contrib.auth.password_validation import validate_password
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.utils.translation import gettext_lazy as _

from onsite.accounts.models import Role, User
from onsite.core.forms import PersonChoiceField
from onsite.core.models import Center
from onsite.org.models import AreaType, Floor, Group, Membership, Unit, Zone
from onsite.org.services import ASSIGNABLE_ROLES


class BootstrapMixin:
    """Bootstrap classes on every widget, so templates only lay fields out."""

    fields: dict[str, forms.Field]

    def style(self) -> None:
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput | forms.CheckboxSelectMultiple):
                css = "form-check-input"
            elif isinstance(widget, forms.HiddenInput):
                continue
            elif isinstance(widget, forms.Select | forms.SelectMultiple):
                css = "form-select"
            else:
                css = "form-control"
            widget.attrs.setdefault("class", css)


class VersionedForm(BootstrapMixin, forms.Form):
    """Carries the version (or fingerprint) the user's edit is based on, and a key that
    makes a repeated create submit return the first result."""

    version = forms.CharField(widget=forms.HiddenInput, required=False)
    submission_key = forms.CharField(widget=forms.HiddenInput, required=False, max_length=64)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("submission_key", uuid.uuid4().hex)
        self.style()

    def expected_version(self) -> int:
        value = self.cleaned_data.get("version") or "0"
        return int(value) if value.isdigit() else 0


def _code_field(label: Any = None, **kwargs: Any) -> forms.SlugField:
    return forms.SlugField(
        label=label or _("Code"),
        max_length=32,
        help_text=_("Short and unique in the center; letters, digits, - and _."),
        **kwargs,
    )


class UnitForm(VersionedForm):
    code = _code_field()
    name = forms.CharField(label=_("Name"), max_length=100)
    kind = forms.ChoiceField(label=_("Kind"), choices=Unit.Kind.choices)
    department = forms.CharField(label=_("Department"), max_length=100, required=False)
    floor = forms.ModelChoiceField(label=_("Floor"), queryset=Floor.objects.none(), required=False)
    position = forms.IntegerField(label=_("Order"), min_value=0, max_value=32767, initial=0)

    def __init__(self, *args: Any, center: Center, unit: Unit | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.center, self.unit = center, unit
        self.fields["floor"].queryset = Floor.objects.filter(center=center)  # type: ignore[attr-defined]
        if unit is not None:
            self.fields["code"].disabled = True
            self.fields["code"].help_text = _("The code cannot change.")

    def clean_code(self) -> str:
        code: str = self.cleaned_data["code"]
        others = Unit.objects.filter(center=self.center, code=code)
        if self.unit is not None:
            others = others.exclude(pk=self.unit.pk)
        if others.exists():
            raise forms.ValidationError(_("A unit with this code already exists."))
        return code


def _role_choices() -> list[tuple[str, Any]]:
    return [(role, Role(role).label) for role in ASSIGNABLE_ROLES]


class StaffForm(VersionedForm):
    username = forms.CharField(
        label=_("Username"),
        max_length=150,
        validators=[UnicodeUsernameValidator()],
        help_text=_("Used to sign in and to match rows in the Excel import."),
    )
    full_name = forms.CharField(label=_("Full name"), max_length=50)
    unit = forms.ModelChoiceField(label=_("Unit"), queryset=Unit.objects.none(), required=False)
    title = forms.CharField(label=_("Job title"), max_length=50, required=False)
    phone = forms.CharField(label=_("Phone"), max_length=20, required=False)
    staff_number = forms.CharField(
        label=_("Staff number"), max_length=40, required=False,
        help_text=_("The person's staff number, when single sign-on matches people by it."),
    )  # fmt: skip
    wecom_userid = forms.CharField(
        label=_("WeCom user id"), max_length=64, required=False,
        help_text=_("The person's account (UserID) in WeCom, for work notices."),
    )  # fmt: skip
    dingtalk_userid = forms.CharField(
        label=_("DingTalk user id"), max_length=64, required=False,
        help_text=_("The person's userid in DingTalk, for work notices."),
    )  # fmt: skip
    roles = forms.MultipleChoiceField(
        label=_("Roles"), choices=_role_choices, widget=forms.CheckboxSelectMultiple, required=False
    )
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)
    password = forms.CharField(
        label=_("New password"),
        required=False,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_(
            "Leave empty to keep the current one. New staff without one cannot sign in yet."
        ),
    )

    def __init__(self, *args: Any, center: Center, person: User | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.person = person
        self.fields["unit"].queryset = Unit.objects.filter(center=center)  # type: ignore[attr-defined]
        if person is not None:
            self.fields["username"].disabled = True
            self.fields["username"].help_text = _("The username cannot change.")

    def clean_username(self) -> str:
        username: str = self.cleaned_data["username"]
        if self.person is None and User.objects.filter(username=username).exists():
            raise forms.ValidationError(_("This username is already taken."))
        return username

    def clean_staff_number(self) -> str:
        number: str = self.cleaned_data.get("staff_number", "").strip()
        others = User.objects.filter(staff_number=number)
        if self.person is not None:
            others = others.exclude(pk=self.person.pk)
        if number and others.exists():
            raise forms.ValidationError(_("This staff number belongs to another account."))
        return number

    def clean_password(self) -> str:
        password: str = self.cleaned_data.get("password", "")
        if password:
            probe = self.person or User(username=self.data.get("username", ""))
            validate_password(password, probe)
        return password


class PhotoForm(forms.Form):
    photo = forms.FileField(
        label=_("Photo"),
        widget=forms.ClearableFileInput(attrs={"class": "form-control", "accept": "image/*"}),
    )


class GroupForm(VersionedForm):
    code = _code_field()
    name = forms.CharField(label=_("Name"), max_length=100)
    kind = forms.ChoiceField(label=_("Kind"), choices=Group.Kind.choices)
    parent = forms.ModelChoiceField(
        label=_("Parent group"), queryset=Group.objects.none(), required=False
    )
    position = forms.IntegerField(label=_("Order"), min_value=0, max_value=32767, initial=0)
    units = forms.ModelMultipleChoiceField(
        label=_("Units covered"),
        queryset=Unit.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Working groups only. A unit covered by another group moves to this one."),
    )

    def __init__(self, *args: Any, center: Center, group: Group | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.center, self.group = center, group
        parents = Group.objects.filter(center=center).exclude(kind=Group.Kind.WORKING)
        if group is not None:
            parents = parents.exclude(pk=group.pk)
            for name in ("code", "kind"):
                self.fields[name].disabled = True
            self.fields["kind"].help_text = _("The kind of a group cannot change.")
            if not group.is_working:
                del self.fields["units"]
        self.fields["parent"].queryset = parents  # type: ignore[attr-defined]
        if "units" in self.fields:
            self.fields["units"].queryset = (  # type: ignore[attr-defined]
                Unit.objects.filter(center=center).select_related("coverage__group")
            )

    def clean_code(self) -> str:
        code: str = self.cleaned_data["code"]
        others = Group.objects.filter(center=self.center, code=code)
        if self.group is not None:
            others = others.exclude(pk=self.group.pk)
        if others.exists():
            raise forms.ValidationError(_("A group with this code already exists."))
        return code

    def clean_name(self) -> str:
        name: str = self.cleaned_data["name"]
        others = Group.objects.filter(center=self.center, name=name)
        if self.group is not None:
            others = others.exclude(pk=self.group.pk)
        if others.exists():
            raise forms.ValidationError(_("A group with this name already exists."))
        return name


class MemberForm(BootstrapMixin, forms.Form):
    user = PersonChoiceField(label=_("Person"), queryset=User.objects.none())
    role = forms.ChoiceField(
        label=_("Role in the group"), choices=Membership.Role.choices, initial="member"
    )

    def __init__(self, *args: Any, center: Center, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = (  # type: ignore[attr-defined]
            User.objects.filter(center=center, is_active=True)
            .select_related("unit")
            .order_by("unit__position", "unit__code", "username")
        )
        self.style()


class ZoneForm(VersionedForm):
    code = _code_field()
    name = forms.CharField(label=_("Name"), max_length=100)
    area_type = forms.ModelChoiceField(label=_("Area type"), queryset=AreaType.objects.none())
    unit = forms.ModelChoiceField(label=_("Unit"), queryset=Unit.objects.none(), required=False)
    owner = PersonChoiceField(label=_("Zone owner"), queryset=User.objects.none(), required=False)
    floor = forms.ModelChoiceField(label=_("Floor"), queryset=Floor.objects.none(), required=False)
    x = forms.IntegerField(label=_("x (dm)"), min_value=0, initial=0)
    y = forms.IntegerField(label=_("y (dm)"), min_value=0, initial=0)
    width = forms.IntegerField(label=_("Width (dm)"), min_value=1, initial=20)
    height = forms.IntegerField(label=_("Depth (dm)"), min_value=1, initial=10)
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)

    def __init__(self, *args: Any, center: Center, zone: Zone | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.center, self.zone = center, zone
        self.fields["area_type"].queryset = AreaType.objects.filter(center=center)  # type: ignore[attr-defined]
        self.fields["unit"].queryset = Unit.objects.filter(center=center)  # type: ignore[attr-defined]
        self.fields["floor"].queryset = Floor.objects.filter(center=center)  # type: ignore[attr-defined]
        owner = self.fields["owner"]
        owner.queryset = (  # type: ignore[attr-defined]
            User.objects.filter(center=center, is_active=True)
            .select_related("unit")
            .order_by("unit__position", "unit__code", "username")
        )
        if zone is not None:
            self.fields["code"].disabled = True
            self.fields["code"].help_text = _(
                "The code is printed on the zone's QR card; it cannot change."
            )

    def clean_code(self) -> str:
        code: str = self.cleaned_data["code"]
        others = Zone.objects.filter(center=self.center, code=code)
        if self.zone is not None:
            others = others.exclude(pk=self.zone.pk)
        if others.exists():
            raise forms.ValidationError(_("A zone with this code already exists."))
        return code

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        floor: Floor | None = data.get("floor")
        box = [data.get(name) for name in ("x", "y", "width", "height")]
        if floor is not None and None not in box:
            x, y, width, height = (int(value) for value in box)  # type: ignore[arg-type]
            if not floor.fits(x=x, y=y, width=width, height=height):
                raise forms.ValidationError(
                    _("The zone does not fit on %(floor)s (%(width)d × %(depth)d dm).")
                    % {"floor": floor.name, "width": floor.width, "depth": floor.height}
                )
        return data


class MoveForm(forms.Form):
    """One drag-and-drop (or keyboard) move on the floor plan."""

    floor = forms.IntegerField()
    x = forms.IntegerField(min_value=0)
    y = forms.IntegerField(min_value=0)
    version = forms.IntegerField(min_value=1)


class FloorForm(BootstrapMixin, forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = Floor
        fields = ["name", "level", "width", "height"]

    def __init__(self, *args: Any, center: Center, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.instance.center = center
        self.style()


class AreaTypeForm(BootstrapMixin, forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = AreaType
        fields = ["code", "name", "width_mm", "depth_mm", "position"]

    def __init__(self, *args: Any, center: Center, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.instance.center = center
        if self.instance.pk:
            self.fields["code"].disabled = True
        self.style()


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("Excel workbook (.xlsx)"),
        widget=forms.ClearableFileInput(
            attrs={
                "class": "form-control",
                "accept": ".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            }
        ),
    )
