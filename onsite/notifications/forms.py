from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from onsite.core.forms import StyledFormMixin
from onsite.notifications.models import (
    CHAT_FIELDS,
    CHAT_KINDS,
    SECRET_FIELDS,
    WorkChatSettings,
    route_field,
)


class WorkChatForm(StyledFormMixin, forms.ModelForm[WorkChatSettings]):
    """The secrets are write-only: never rendered back; empty keeps the stored value, the
    `clear_<name>` box removes it."""

    row_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = WorkChatSettings
        fields = list(CHAT_FIELDS)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # 0 for settings never saved: a form opened before someone's first save is stale.
        self.fields["row_version"].initial = self.instance.version if self.instance.pk else 0
        for name in SECRET_FIELDS:
            field = self.fields[name]
            field.required = False
            field.widget = forms.PasswordInput(
                render_value=False, attrs={"autocomplete": "off", "class": "form-control"}
            )
            stored = bool(getattr(self.instance, name))
            field.help_text = (
                _("A value is stored; leave blank to keep it.")
                if stored
                else _("Nothing stored yet.")
            )
            self.fields[f"clear_{name}"] = forms.BooleanField(
                label=_("Remove the stored value"), required=False,
                widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
            )  # fmt: skip
        for kind, label in CHAT_KINDS.items():
            self.fields[route_field(kind)].label = str(label)

    def clean_wecom_robot_url(self) -> str:
        return self._secret("wecom_robot_url")

    def clean_dingtalk_robot_url(self) -> str:
        return self._secret("dingtalk_robot_url")

    def _secret(self, name: str) -> str:
        value: str = self.cleaned_data.get(name) or ""
        if value and not value.startswith(("https://", "http://")):
            raise forms.ValidationError(_("Enter a web address starting with https://."))
        return value

    def _post_clean(self) -> None:
        # The model instance is written by the action, with the write-only rules; the form
        # only validates the fields.
        pass

    def route_fields(self) -> list[forms.BoundField]:
        return [self[route_field(kind)] for kind in CHAT_KINDS]

    def secret_clear(self, name: str) -> forms.BoundField:
        return self[f"clear_{name}"]
