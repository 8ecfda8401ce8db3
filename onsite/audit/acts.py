"""The front door of the audit trail's writes (`actions.py` here names the audit action codes):
the auditor's export and chain verification, each with its own audit row. Archiving runs
from the command line (`manage.py archive_audit`). The auditor has pages only: the API serves
business data, and 三权分立 keeps the auditor out of it (`accounts.api.may_use_api`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from onsite.audit.models import AuditEvent, Outcome
from onsite.audit.services import export_csv, export_xlsx, record_event, verify_chain
from onsite.core.access import check_roles
from onsite.core.refusals import Invalid
from onsite.core.roles import Role

READERS: tuple[str, ...] = (Role.AUDITOR,)
"""The audit trail is the auditor's, and only the auditor's."""


def visible_events(request: HttpRequest) -> QuerySet[AuditEvent]:
    """The auditor's center, plus events that belong to no center (sign-in attempts with
    unknown usernames, archive runs): those concern every center's auditor."""
    center = getattr(request, "center", None)
    return AuditEvent.objects.filter(Q(center=center) | Q(center__isnull=True))


def check_read_trail(request: HttpRequest) -> None:
    check_roles(request, READERS)


@dataclass(frozen=True)
class ExportFile:
    content: bytes
    filename: str
    xlsx: bool


def do_export(request: HttpRequest, form: Any) -> ExportFile:
    """The filtered events as CSV or Excel (audited `audit.export`). Invalid (`too_many_rows`)
    past AUDIT_EXPORT_MAX_ROWS: narrow the dates."""
    limit = getattr(settings, "AUDIT_EXPORT_MAX_ROWS", 100_000)
    events = form.apply(visible_events(request)).select_related("center").order_by("seq")
    rows = list(events[: limit + 1])
    if len(rows) > limit:
        raise Invalid(
            _("More than %(limit)d events match; narrow the date range and export again.")
            % {"limit": limit},
            code="too_many_rows",
        )
    fmt = form.cleaned_data["format"]
    filters = {key: str(value) for key, value in form.cleaned_data.items() if value}
    record_event(request, action="audit.export", detail={"rows": len(rows), **filters})
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
    content = export_xlsx(rows) if fmt == "xlsx" else export_csv(rows)
    return ExportFile(content=content, filename=f"audit-{stamp}.{fmt}", xlsx=fmt == "xlsx")


def do_verify_chain(request: HttpRequest) -> tuple[int, AuditEvent | None]:
    """Walks the hash chain and records the check (a broken chain as a failure with where
    and why). Returns the rows checked and the first broken row, if any."""
    checked, bad, why = verify_chain()
    if bad is None:
        record_event(request, action="audit.verify", detail={"rows": checked})
    else:
        record_event(
            request,
            action="audit.verify",
            outcome=Outcome.FAILURE,
            detail={"rows": checked, "broken_at": bad.seq, "why": why},
        )
    return checked, bad
