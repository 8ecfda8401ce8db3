from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any

from django import forms
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from onsite.audit.models import AuditEvent, Outcome
from onsite.core.forms import StyledForm


class EventFilterForm(StyledForm):
    """The auditor's query: a time range, an action prefix, an actor, an outcome."""

    date_from = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    action = forms.CharField(
        label=_("Action"),
        required=False,
        max_length=60,
        # The datalist (audit/event_list.html) offers every code with its label.
        widget=forms.TextInput(
            attrs={"placeholder": _("Type to pick an action"), "list": "audit-actions"}
        ),
    )
    actor = forms.CharField(label=_("Actor"), required=False, max_length=150)
    outcome = forms.ChoiceField(
        label=_("Outcome"),
        required=False,
        choices=[("", _("Any outcome")), *Outcome.choices],
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            raise forms.ValidationError(_("The start date is after the end date."))
        return data

    def apply(self, events: QuerySet[AuditEvent]) -> QuerySet[AuditEvent]:
        """Filters `events` by the valid fields (an invalid form filters nothing)."""
        if not self.is_valid():
            return events
        data = self.cleaned_data
        zone = timezone.get_current_timezone()
        if data.get("date_from"):
            events = events.filter(at__gte=datetime.combine(data["date_from"], time.min, zone))
        if data.get("date_to"):
            end = datetime.combine(data["date_to"], time.min, zone) + timedelta(days=1)
            events = events.filter(at__lt=end)
        if data.get("action"):
            events = events.filter(action__startswith=data["action"].strip())
        if data.get("actor"):
            actor = data["actor"].strip()
            events = events.filter(
                Q(actor_name__icontains=actor) | Q(actor__username__iexact=actor)
            )
        if data.get("outcome"):
            events = events.filter(outcome=data["outcome"])
        return events


class ExportForm(EventFilterForm):
    format = forms.ChoiceField(choices=[("csv", "CSV"), ("xlsx", "Excel")])
