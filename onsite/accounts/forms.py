from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.password_validation import password_validators_help_text_html
from django.utils.translation import gettext_lazy as _

from onsite.accounts.services import GRANTABLE_ROLES, check_role_combination
from onsite.core.forms import StyledForm, StyledFormMixin


class LoginForm(StyledFormMixin, AuthenticationForm):
    pass


class ApiTokenForm(StyledForm):
    name = forms.CharField(
        label=_("Token name"),
        max_length=60,
        widget=forms.TextInput(attrs={"placeholder": _("Token name")}),
    )


class PasswordChangeForm(StyledForm):
    old_password = forms.CharField(
        label=_("Current password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    new_password1 = forms.CharField(
        label=_("New password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    new_password2 = forms.CharField(
        label=_("New password again"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The policy, in the reader's language, as a list under the field.
        self.fields["new_password1"].help_text = password_validators_help_text_html()

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        first, second = data.get("new_password1"), data.get("new_password2")
        if first and second and first != second:
            self.add_error("new_password2", _("The two new passwords differ."))
        return data


class CodeForm(StyledForm):
    code = forms.CharField(
        label=_("6-digit code from your authenticator app"),
        max_length=10,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
    )


class UserSearchForm(StyledForm):
    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=150,
        widget=forms.TextInput(attrs={"placeholder": _("Username or name")}),
    )


class RolesForm(StyledForm):
    roles = forms.MultipleChoiceField(
        label=_("Roles"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    based_on = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["roles"]
        assert isinstance(field, forms.MultipleChoiceField)  # noqa: S101 - narrows for mypy
        field.choices = [(role.value, role.label) for role in GRANTABLE_ROLES]

    def clean_roles(self) -> list[str]:
        roles: list[str] = self.cleaned_data["roles"]
        check_role_combination(roles)
        return roles
