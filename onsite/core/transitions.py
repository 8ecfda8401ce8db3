"""The one shape of a status history. Six workflows (filings, rectifications, suggestions, red
tags, phases, requisitions) keep a row per move; each table derives from `TransitionRecord`
and names its subject, the status field's choices (`STATUS`) and, where it differs, its own
`by` or `note` field. The allowed moves of a workflow are a `Moves` table checked by
`Moves.check`, which raises the same typed refusal in every app."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, ClassVar

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from onsite.core.refusals import Conflict


class TransitionRecord(models.Model):
    """One move of a workflow: from which status to which, by whom, when, and why."""

    STATUS: ClassVar[type[models.TextChoices] | None] = None

    from_status = models.CharField(max_length=16, blank=True)
    to_status = models.CharField(max_length=16)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now)
    note = models.TextField(blank=True)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{self.from_status or '∅'} → {self.to_status}"

    def _label(self, value: str) -> str:
        if not value:
            return "∅"
        if self.STATUS is not None and value in self.STATUS.values:
            return str(self.STATUS(value).label)
        return value

    @property
    def from_label(self) -> str:
        return self._label(self.from_status)

    @property
    def to_label(self) -> str:
        return self._label(self.to_status)


class Moves:
    """A workflow's allowed moves: status → the statuses it may move to."""

    def __init__(self, table: Mapping[str, Iterable[str]]) -> None:
        self.table = {source: frozenset(targets) for source, targets in table.items()}

    def allows(self, source: str, target: str) -> bool:
        return target in self.table.get(source, frozenset())

    def check(self, source: str, target: str, message: Any = None) -> None:
        """Raises Conflict (409, `wrong_state`) unless `source` may move to `target`."""
        if not self.allows(source, target):
            raise Conflict(message or _("This cannot be done in its current state."))
