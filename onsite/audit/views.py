from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.db.models import Q, QuerySet
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from onsite.audit.actions import ACTIONS
from onsite.audit.forms import EventFilterForm, ExportForm
from onsite.audit.models import AuditEvent, Outcome
from onsite.audit.services import export_csv, export_xlsx, record_event, verify_chain
from onsite.core.access import role_required
from onsite.core.paging import page_of
from onsite.core.roles import Role
from onsite.core.types import OnsiteRequest

PAGE_SIZE = 50
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def visible_events(request: OnsiteRequest) -> QuerySet[AuditEvent]:
    """The auditor's center, plus events that belong to no center (sign-in attempts with
    unknown usernames, archive runs): those concern every center's auditor."""
    return AuditEvent.objects.filter(Q(center=request.center) | Q(center__isnull=True))


@role_required(Role.AUDITOR)
def event_list(request: OnsiteRequest) -> HttpResponse:
    form = EventFilterForm(request.GET or None)
    events = form.apply(visible_events(request)).select_related("center").order_by("-seq")
    page = page_of(events, request, PAGE_SIZE)
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "audit/event_list.html",
        {
            "page": page,
            "form": form,
            "query": query.urlencode(),
            "actions": sorted((code, str(label)) for code, label in ACTIONS.items()),
        },
    )


@role_required(Role.AUDITOR)
@require_POST
def event_export(request: OnsiteRequest) -> HttpResponse:
    form = ExportForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("The export could not be made: check the filters."))
        return redirect("audit:event-list")
    limit = getattr(settings, "AUDIT_EXPORT_MAX_ROWS", 100_000)
    events = form.apply(visible_events(request)).select_related("center").order_by("seq")
    rows = list(events[: limit + 1])
    if len(rows) > limit:
        messages.error(
            request,
            _("More than %(limit)d events match; narrow the date range and export again.")
            % {"limit": limit},
        )
        return redirect("audit:event-list")
    fmt = form.cleaned_data["format"]
    filters = {key: str(value) for key, value in form.cleaned_data.items() if value}
    record_event(request, action="audit.export", detail={"rows": len(rows), **filters})
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
    if fmt == "xlsx":
        response = HttpResponse(export_xlsx(rows), content_type=XLSX)
    else:
        response = HttpResponse(export_csv(rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="audit-{stamp}.{fmt}"'
    response["Cache-Control"] = "private, no-store"
    return response


@role_required(Role.AUDITOR)
@require_POST
def chain_verify(request: OnsiteRequest) -> HttpResponse:
    checked, bad, why = verify_chain()
    if bad is None:
        record_event(request, action="audit.verify", detail={"rows": checked})
        messages.success(
            request, _("The audit chain is intact: %(rows)d rows checked.") % {"rows": checked}
        )
    else:
        record_event(
            request,
            action="audit.verify",
            outcome=Outcome.FAILURE,
            detail={"rows": checked, "broken_at": bad.seq, "why": why},
        )
        messages.error(
            request,
            _("The audit chain is broken at row %(seq)d. Report this to the security admin.")
            % {"seq": bad.seq},
        )
    return redirect("audit:event-list")
