from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from onsite.audit import acts
from onsite.audit.actions import ACTIONS
from onsite.audit.forms import EventFilterForm, ExportForm
from onsite.core.access import role_required
from onsite.core.paging import page_of
from onsite.core.refusals import Invalid
from onsite.core.types import OnsiteRequest

PAGE_SIZE = 50
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@role_required(*acts.READERS)
def event_list(request: OnsiteRequest) -> HttpResponse:
    form = EventFilterForm(request.GET or None)
    events = form.apply(acts.visible_events(request)).select_related("center").order_by("-seq")
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


@role_required(*acts.READERS)
@require_POST
def event_export(request: OnsiteRequest) -> HttpResponse:
    form = ExportForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("The export could not be made: check the filters."))
        return redirect("audit:event-list")
    try:
        made = acts.do_export(request, form)
    except Invalid as refusal:
        messages.error(request, str(refusal.message))
        return redirect("audit:event-list")
    content_type = XLSX if made.xlsx else "text/csv; charset=utf-8"
    response = HttpResponse(made.content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{made.filename}"'
    response["Cache-Control"] = "private, no-store"
    return response


@role_required(*acts.READERS)
@require_POST
def chain_verify(request: OnsiteRequest) -> HttpResponse:
    checked, bad = acts.do_verify_chain(request)
    if bad is None:
        messages.success(
            request, _("The audit chain is intact: %(rows)d rows checked.") % {"rows": checked}
        )
    else:
        messages.error(
            request,
            _("The audit chain is broken at row %(seq)d. Report this to the security admin.")
            % {"seq": bad.seq},
        )
    return redirect("audit:event-list")
