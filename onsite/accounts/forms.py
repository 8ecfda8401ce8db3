from django import forms
from django.utils.translation import gettext_lazy as _


class ApiTokenForm(forms.Form):
    name = forms.CharField(
        label=_("Token name"),
        max_length=60,
        widget=forms.TextInput(attrs={"class": "form-control", "placeholder": _("Token name")}),
    )
