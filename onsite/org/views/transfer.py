from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from onsite.core.access import answers_refusals, role_required
from onsite.core.types import OnsiteRequest
from onsite.org import access, actions
from onsite.org.forms import ImportForm
from onsite.org.spreadsheets import build_workbook, import_workbook
from onsite.org.spreadsheets.shape import MAX_BYTES, ImportResult

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _report(request: OnsiteRequest, result: ImportResult) -> None:
    """Says what a saved import did, on this page and (the counts) on the next."""
    if result.changed:
        messages.success(
            request,
            _("Imported: %(created)d added, %(updated)d updated, %(unchanged)d unchanged.")
            % {
                "created": sum(c.created for c in result.counts),
                "updated": sum(c.updated for c in result.counts),
                "unchanged": sum(c.unchanged for c in result.counts),
            },
        )
    else:
        messages.info(request, _("Nothing to change: the center already matches the file."))
    request.session["org_import_counts"] = [
        [c.label, c.created, c.updated, c.unchanged] for c in result.counts
    ]


@role_required(*access.ORG_EDITORS, write=True)
@answers_refusals
def import_page(request: OnsiteRequest) -> HttpResponse:
    """Upload a workbook: checked whole, then saved whole, or nothing is saved."""
    center = actions.check_edit_org(request)
    form = ImportForm(request.POST or None, request.FILES or None)
    result = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data["file"].read(MAX_BYTES + 1)
        save = "check" not in request.POST
        result = import_workbook(request, center=center, data=data, save=save)
        if not result.errors and result.saved:
            _report(request, result)
            return redirect("org:import")
    last = request.session.pop("org_import_counts", None) if request.method == "GET" else None
    status = 400 if result is not None and result.errors else 200
    context = {"form": form, "result": result, "last": last}
    return render(request, "org/import.html", context, status=status)


def _xlsx(data: bytes, name: str) -> HttpResponse:
    response = HttpResponse(data, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@role_required(*access.ORG_EDITORS, write=True)
def import_template(request: OnsiteRequest) -> HttpResponse:
    return _xlsx(
        build_workbook(actions.check_edit_org(request), with_data=False), "onsite-org-template.xlsx"
    )


@role_required(*access.ORG_EDITORS, write=True)
def export_workbook(request: OnsiteRequest) -> HttpResponse:
    center = actions.check_edit_org(request)
    stamp = timezone.localdate().strftime("%Y%m%d")
    return _xlsx(build_workbook(center, with_data=True), f"onsite-org-{center.code}-{stamp}.xlsx")
