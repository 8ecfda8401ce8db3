"""Pages of visual management: the dashboard, the hall heat map, scorecards and ranking,
citizen ratings, reports and exports with their background jobs."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, cast

from django.conf import settings
from django.contrib import messages
from django.core.cache import cache
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from onsite.complaints.queries import Figures
from onsite.complaints.queries import figures as complaint_figures
from onsite.core import excel
from onsite.core import jobs as core_jobs
from onsite.core.access import answers_refusals, role_required
from onsite.core.concurrency import ConflictError
from onsite.core.images import serve_protected_file
from onsite.core.models import Center
from onsite.core.months import add_months, month_end, this_month
from onsite.core.replica import replica_reads
from onsite.core.types import OnsiteRequest
from onsite.dashboards import access, actions, exports, queries, rollups, services
from onsite.dashboards.forms import (
    DimensionsForm,
    ExportForm,
    RatingImportForm,
    ReportForm,
    WeightsForm,
)
from onsite.dashboards.models import (
    COMPONENTS,
    IndexWeights,
    Level,
    RatingDimensions,
    RatingImport,
    ReportJob,
)
from onsite.dashboards.ratings import RatingImportError, error_rows, template_workbook
from onsite.org.models import Unit

XLSX = excel.XLSX
RECENT_JOBS = 15


def _center(request: OnsiteRequest) -> Center:
    if request.center is None:
        raise Http404
    return request.center


def _level(request: OnsiteRequest) -> int | None:
    value = request.GET.get("floor", "")
    try:
        return int(value) if value else None
    except ValueError:
        return None


def _month_nav(month: Any) -> dict[str, Any]:
    current = this_month()
    later = add_months(month, 1)
    return {
        "month": month,
        "month_value": f"{month:%Y-%m}",
        "previous_month": f"{add_months(month, -1):%Y-%m}",
        "next_month": f"{later:%Y-%m}" if later <= current else "",
        "max_month": f"{current:%Y-%m}",
        "is_current": month == current,
    }


# --- dashboard and heat map --------------------------------------------------------------


def _cached_html(
    request: OnsiteRequest, parts: tuple[Any, ...], build: Callable[[], str]
) -> SafeString:
    """A rendered fragment of the dashboards, kept `DASHBOARD_CACHE_SECONDS` per center,
    language and `parts`. The figures are the same for every reader of a center (roles
    decide who opens the page, not what it shows), so one rendering serves them all; the
    dashboard's own figures come from roll-ups that are minutes old anyway, and the key
    carries the roll-ups' refresh time, so a refresh shows at once."""
    seconds = settings.DASHBOARD_CACHE_SECONDS
    if seconds <= 0:
        return mark_safe(build())  # our own templates rendered it
    key = ":".join(str(part) for part in ("dash", _center(request).pk, get_language(), *parts))
    html: str | None = cache.get(key)
    if html is None:
        html = build()
        cache.set(key, html, seconds)
    return mark_safe(html)  # our own templates rendered it


# Read-only pages (the roll-up request and the audit of a refusal commit on their own): no
# request-wide transaction, two round trips fewer on the most visited leadership pages.
@transaction.non_atomic_requests
@role_required(*access.READERS)
@replica_reads
def dashboard(request: OnsiteRequest) -> HttpResponse:
    center = _center(request)
    month = queries.parse_month(request.GET.get("month"))
    level = _level(request)
    nav = _month_nav(month)
    if request.htmx and request.GET.get("part") == "heatmap":
        # Another floor of the dashboard's map: the map alone.
        return HttpResponse(_heatmap_html(request, month, level, "dashboards:dashboard", nav))
    state, refreshing = rollups.state_for_page(center)
    refreshed = state.refreshed_at.timestamp() if state and state.refreshed_at else ""
    parts = ("board", f"{month:%Y-%m}", level, refreshed)
    context = {
        "body": _cached_html(request, parts, lambda: _board_html(request, month, level, nav)),
        "month": month,
        "state": state,
        "refreshing": refreshing or (state is not None and state.queued_at is not None),
        **nav,
    }
    return render(request, "dashboards/dashboard.html", context)


def _board_html(request: OnsiteRequest, month: Any, level: int | None, nav: dict[str, Any]) -> str:
    center = _center(request)
    board = queries.dashboard(center, month)
    context = {
        "board": board,
        "complaints": complaint_figures(center, month, month_end(month))[None],
        "heat": queries.heat_map(center, month=month, level=level),
        "charts": queries.chart_data(board),
        "heat_url": reverse("dashboards:dashboard"),
        **nav,
    }
    return render_to_string("dashboards/_dashboard_body.html", context, request=request)


def _heatmap_html(
    request: OnsiteRequest, month: Any, level: int | None, url_name: str, nav: dict[str, Any]
) -> SafeString:
    center = _center(request)
    show_picker = url_name == "dashboards:heatmap"

    def build() -> str:
        context = {
            "heat": queries.heat_map(center, month=month, level=level),
            "heat_url": reverse(url_name),
            "show_picker": show_picker,
            **nav,
        }
        return render_to_string("dashboards/_heatmap.html", context, request=request)

    return _cached_html(request, ("heat", url_name, f"{month:%Y-%m}", level), build)


@transaction.non_atomic_requests
@role_required(*access.READERS)
@replica_reads
def heatmap(request: OnsiteRequest) -> HttpResponse:
    month = queries.parse_month(request.GET.get("month"))
    nav = _month_nav(month)
    html = _heatmap_html(request, month, _level(request), "dashboards:heatmap", nav)
    if request.htmx:
        return HttpResponse(html)
    return render(request, "dashboards/heatmap.html", {"heat_html": html, **nav})


# --- scorecards and ranking ----------------------------------------------------------------


@role_required(*access.READERS)
@replica_reads
def scorecards(request: OnsiteRequest) -> HttpResponse:
    center = _center(request)
    month = queries.parse_month(request.GET.get("month"))
    board = queries.ranking(center, month)
    return render(
        request,
        "dashboards/scorecards.html",
        {
            "ranking": board,
            "components": [(key, str(label)) for key, label in COMPONENTS],
            "can_edit": access.may_edit(request.user),
            **_month_nav(month),
        },
    )


@role_required(*access.READERS)
@replica_reads
def scorecard(request: OnsiteRequest, code: str) -> HttpResponse:
    center = _center(request)
    unit = access.get_unit(center, code)
    month = queries.parse_month(request.GET.get("month"))
    card = queries.unit_card(center, unit, month)
    history = [{"month": month_, "totals": totals} for month_, totals in card.history]
    cases = complaint_figures(center, month, month_end(month), unit_ids=[unit.pk])
    context = {"card": card, "history": history, "chart": queries.unit_chart(card), "unit": unit}
    context["complaints"] = cases.get(unit.pk) or Figures(unit=unit)
    return render(request, "dashboards/scorecard.html", {**context, **_month_nav(month)})


@role_required(*access.EDITORS, write=True)
@answers_refusals
def weights_edit(request: OnsiteRequest) -> HttpResponse:
    center = actions.check_save_weights(request)
    weights = IndexWeights.for_center(center)
    initial = {**weights.as_dict(), "version": weights.version}
    form = WeightsForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            actions.do_save_weights(
                request,
                center=center,
                values=form.cleaned_data,
                version=form.cleaned_data.get("version"),
            )
        except ConflictError as exc:
            form.add_error(None, str(exc.message))
        else:
            messages.success(request, _("The weights are saved; the ranking uses them now."))
            return redirect("dashboards:scorecards")
    return render(request, "dashboards/weights.html", {"form": form, "weights": weights})


# --- citizen ratings ------------------------------------------------------------------------


def _ratings_context(request: OnsiteRequest, center: Center, month: Any) -> dict[str, Any]:
    totals = queries.month_totals_by_unit(center, month)
    units = list(Unit.objects.filter(center=center).order_by("kind", "position", "code"))
    rows = [
        (unit, totals[unit.pk]) for unit in units if unit.pk in totals and totals[unit.pk].ratings
    ]
    overall = queries.Totals()
    for _unit, unit_totals in rows:
        for level in range(1, 6):
            name = f"r{level}"
            setattr(overall, name, getattr(overall, name) + getattr(unit_totals, name))
    return {
        "rows": rows,
        "overall": overall,
        "levels": list(Level),
        "imports": list(
            RatingImport.objects.filter(center=center).select_related("imported_by")[:10]
        ),
        "can_import": access.may_edit(request.user),
        "not_counted": queries.not_counted(center, month),
        **_month_nav(month),
    }


@role_required(*access.READERS)
def ratings(request: OnsiteRequest) -> HttpResponse:
    center = _center(request)
    month = queries.parse_month(request.GET.get("month"))
    context = _ratings_context(request, center, month)
    context["form"] = RatingImportForm() if context["can_import"] else None
    return render(request, "dashboards/ratings.html", context)


@role_required(*access.EDITORS, write=True)
@require_POST
@answers_refusals
def ratings_import(request: OnsiteRequest) -> HttpResponse:
    center = actions.check_import_ratings(request)
    form = RatingImportForm(request.POST, request.FILES)
    errors: list[dict[str, Any]] = []
    if form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            result = actions.do_import_rating_file(
                request, center=center, content=upload.read(), filename=upload.name or "ratings"
            )
        except RatingImportError as exc:
            errors = error_rows(exc)
        else:
            _say_imported(request, result)
            month = result.batch.last_day or this_month()
            return redirect(f"{reverse('dashboards:ratings')}?month={month:%Y-%m}")
    context = _ratings_context(request, center, this_month())
    context.update({"form": form, "errors": errors})
    return render(request, "dashboards/ratings.html", context, status=400 if errors else 200)


def _import_notes(result: services.ImportResult) -> str:
    """What else an import did: cases of earlier imports skipped, 差评 cases opened."""
    notes = []
    if result.skipped:
        notes.append(
            _("%(count)s ratings of cases imported before were skipped.")
            % {"count": result.skipped}
        )
    if result.cases:
        notes.append(
            _("%(count)s bad ratings opened cases for their windows.") % {"count": result.cases}
        )
    return " ".join(notes)


def _say_imported(request: OnsiteRequest, result: services.ImportResult) -> None:
    batch = result.batch
    if result.created:
        text = _("%(count)s ratings imported (%(first)s – %(last)s).") % {
            "count": batch.rows,
            "first": batch.first_day,
            "last": batch.last_day,
        }
        messages.success(request, f"{text} {_import_notes(result)}".strip())
        return
    if result.skipped:
        messages.info(
            request, _("Every rating in this file was imported before; nothing was added.")
        )
        return
    when = timezone.localtime(batch.imported_at).strftime("%Y-%m-%d %H:%M")
    messages.info(
        request,
        _("This file was already imported on %(when)s; nothing was added.") % {"when": when},
    )


@role_required(*access.EDITORS, write=True)
@answers_refusals
def dimensions(request: OnsiteRequest) -> HttpResponse:
    """The center's rating dimensions: the versions so far, and a new one from a day on."""
    center = actions.check_import_ratings(request)
    versions = list(RatingDimensions.objects.filter(center=center).select_related("created_by"))
    current = versions[0] if versions else None
    initial = {
        "valid_from": timezone.localdate(),
        "names": "\n".join(current.names if current else []),
    }
    form = DimensionsForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            actions.do_save_dimensions(
                request, center=center, valid_from=data["valid_from"], names=data["names"]
            )
        except ConflictError as exc:
            form.add_error(None, str(exc.message))
        else:
            messages.success(request, _("The dimension list is saved."))
            return redirect("dashboards:dimensions")
    context = {"form": form, "versions": versions}
    return render(request, "dashboards/dimensions.html", context)


@role_required(*access.READERS)
def ratings_template(request: OnsiteRequest) -> HttpResponse:
    center = _center(request)
    example = (
        Unit.objects.filter(center=center, kind=Unit.Kind.WINDOW)
        .order_by("position", "code")
        .first()
    )
    content = template_workbook(example, timezone.localtime())
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = 'attachment; filename="citizen-ratings-template.xlsx"'
    return response


# --- reports, exports and jobs -------------------------------------------------------------


def _reports_context(request: OnsiteRequest, center: Center, **forms: Any) -> dict[str, Any]:
    recent = list(access.jobs_visible_to(request.user, center)[:RECENT_JOBS])
    return {
        "report_form": forms.get("report_form") or ReportForm(center=center),
        "export_form": forms.get("export_form") or ExportForm(center=center),
        "jobs": recent,
        "inline_rows": exports.inline_rows(),
    }


@role_required(*access.READERS)
@replica_reads
def reports(request: OnsiteRequest) -> HttpResponse:
    center = _center(request)
    return render(request, "dashboards/reports.html", _reports_context(request, center))


@role_required(*access.READERS)
@require_POST
@answers_refusals
def report_request(request: OnsiteRequest) -> HttpResponse:
    center = actions.check_read(request)
    form = ReportForm(request.POST, center=center)
    if not form.is_valid():
        context = _reports_context(request, center, report_form=form)
        return render(request, "dashboards/reports.html", context, status=400)
    month = form.cleaned_data["month"]
    asked = actions.check_request_job(
        request, kind=form.kind, month_from=month, unit=form.cleaned_data.get("unit")
    )
    key = form.cleaned_data.get("submission_key") or ""
    job = actions.do_request_job(request, asked, submission_key=key)
    return redirect("dashboards:job", pk=job.pk)


@role_required(*access.READERS)
@require_POST
@answers_refusals
def export_request(request: OnsiteRequest) -> HttpResponse:
    center = actions.check_read(request)
    form = ExportForm(request.POST, center=center)
    if not form.is_valid():
        context = _reports_context(request, center, export_form=form)
        return render(request, "dashboards/reports.html", context, status=400)
    data = form.cleaned_data
    asked = actions.check_request_job(
        request,
        kind=data["kind"],
        month_from=data["month_from"],
        month_to=data["month_to"],
        unit=data.get("unit"),
    )
    key = data.get("submission_key") or ""
    made = actions.do_export(request, asked, last_day=data["last_day"], submission_key=key)
    if made.job is not None:
        text = _("%(rows)s rows: the file is being made in the background.")
        messages.info(request, text % {"rows": made.rows})
        return redirect("dashboards:job", pk=made.job.pk)
    response = HttpResponse(made.content, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{made.filename}"'
    return response


def _job_context(job: ReportJob) -> dict[str, Any]:
    return core_jobs.progress_context(job)


@role_required(*access.READERS)
def job_detail(request: OnsiteRequest, pk: int) -> HttpResponse:
    job = access.get_job(request.user, _center(request), pk)
    context = _job_context(job)
    if request.htmx:
        return render(request, "dashboards/_job.html", context)
    return render(request, "dashboards/job.html", context)


@role_required(*access.READERS)
def job_download(request: OnsiteRequest, pk: int) -> HttpResponse:
    job = access.get_job(request.user, _center(request), pk)
    if job.status != ReportJob.Status.DONE or not job.file:
        raise Http404
    response = serve_protected_file(request, job.file, filename=job.filename, as_attachment=True)
    return cast(HttpResponse, response)  # a FileResponse; role_required's type wants HttpResponse
