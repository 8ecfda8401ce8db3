from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from onsite.core.forms import StyledForm, StyledFormMixin


class LoginForm(StyledFormMixin, AuthenticationForm):
    pass


class ApiTokenForm(StyledForm):
    name = forms.CharField(
        label=_("Token name"),
        max_length=60,
        widget=forms.TextInput(attrs={"placeholder": _("Token name")}),
    )
