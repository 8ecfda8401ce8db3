from __future__ import annotations

import uuid
from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.password_validation import password_validators_help_text_html
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from onsite.accounts.models import User
from onsite.accounts.services import GRANTABLE_ROLES, check_role_combination
from onsite.core.forms import StyledForm, StyledFormMixin
from onsite.core.models import Center


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


class AccountCreateForm(StyledForm):
    """The system admin's new account. Roles are not here: the security admin grants them."""

    username = forms.CharField(
        label=_("Username"),
        max_length=150,
        help_text=_("Used to sign in; letters, digits and @ . + - _ only. It cannot change."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "none"}),
    )
    full_name = forms.CharField(label=_("Full name"), max_length=50)
    unit: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        label=_("Unit"), queryset=None, required=False, empty_label=_("(none)")
    )
    phone = forms.CharField(
        label=_("Phone"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}),
    )
    submission_key = forms.CharField(widget=forms.HiddenInput, required=False, max_length=64)

    def __init__(self, *args: Any, center: Center, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        unit = self.fields["unit"]
        assert isinstance(unit, forms.ModelChoiceField)  # noqa: S101 - narrows for mypy
        unit.queryset = center.unit_set.all()  # org's units, without importing org
        if not self.is_bound:
            self.initial.setdefault("submission_key", uuid.uuid4().hex)


class PasswordsFilterForm(StyledForm):
    """Which accounts the bulk password page lists."""

    WAITING, EVERYONE = "waiting", "all"
    unit: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        label=_("Unit"),
        queryset=None,
        required=False,
        to_field_name="code",
        empty_label=_("All units of the center"),
        widget=forms.Select(attrs={"data-autosubmit": ""}),
    )
    show = forms.ChoiceField(
        label=_("Accounts listed"),
        required=False,
        choices=[
            (WAITING, _("Waiting for a first password")),
            (EVERYONE, _("Every enabled account")),
        ],
        widget=forms.Select(attrs={"data-autosubmit": ""}),
    )

    def __init__(self, *args: Any, center: Center, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        unit = self.fields["unit"]
        assert isinstance(unit, forms.ModelChoiceField)  # noqa: S101 - narrows for mypy
        unit.queryset = center.unit_set.all()  # org's units, without importing org


class PasswordsForm(StyledForm):
    """The people picked on the bulk password page; anyone outside `eligible` is refused.
    The confirmation step carries a submission key (made when it is shown)."""

    accounts = forms.ModelMultipleChoiceField(
        label=_("Selected people"),
        queryset=User.objects.none(),
        error_messages={
            "required": _("Select at least one person."),
            "invalid_choice": _("Some of the selected people cannot be given a password here."),
            "invalid_pk_value": _("Some of the selected people cannot be given a password here."),
        },
    )
    submission_key = forms.CharField(widget=forms.HiddenInput, required=False, max_length=64)

    def __init__(self, *args: Any, eligible: QuerySet[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        accounts = self.fields["accounts"]
        assert isinstance(accounts, forms.ModelMultipleChoiceField)  # noqa: S101
        accounts.queryset = eligible
