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

from onsite.core import excel
from onsite.core import jobs as core_jobs
from onsite.core.access import role_required
from onsite.core.concurrency import ConflictError
from onsite.core.images import serve_protected_file
from onsite.core.models import Center
from onsite.core.months import add_months, this_month
from onsite.core.types import OnsiteRequest
from onsite.dashboards import access, exports, queries, rollups, services
from onsite.dashboards.forms import ExportForm, RatingImportForm, ReportForm, WeightsForm
from onsite.dashboards.models import (
    COMPONENTS,
    IndexWeights,
    Level,
    RatingImport,
    ReportJob,
    RollupState,
)
from onsite.dashboards.ratings import RatingImportError, column_label
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
def dashboard(request: OnsiteRequest) -> HttpResponse:
    center = _center(request)
    month = queries.parse_month(request.GET.get("month"))
    level = _level(request)
    nav = _month_nav(month)
    if request.htmx and request.GET.get("part") == "heatmap":
        # Another floor of the dashboard's map: the map alone.
        return HttpResponse(_heatmap_html(request, month, level, "dashboards:dashboard", nav))
    state = RollupState.objects.filter(center=center).first()
    refreshing = rollups.request_refresh(center, state)
    if refreshing:
        state = RollupState.objects.filter(center=center).first()
    refreshed = state.refreshed_at.timestamp() if state and state.refreshed_at else ""

    def build() -> str:
        board = queries.dashboard(center, month)
        context = {
            "board": board,
            "heat": queries.heat_map(center, month=month, level=level),
            "charts": queries.chart_data(board),
            "heat_url": reverse("dashboards:dashboard"),
            **nav,
        }
        return render_to_string("dashboards/_dashboard_body.html", context, request=request)

    context = {
        "body": _cached_html(request, ("board", f"{month:%Y-%m}", level, refreshed), build),
        "month": month,
        "state": state,
        "refreshing": refreshing or (state is not None and state.queued_at is not None),
        **nav,
    }
    return render(request, "dashboards/dashboard.html", context)


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
def heatmap(request: OnsiteRequest) -> HttpResponse:
    month = queries.parse_month(request.GET.get("month"))
    nav = _month_nav(month)
    html = _heatmap_html(request, month, _level(request), "dashboards:heatmap", nav)
    if request.htmx:
        return HttpResponse(html)
    return render(request, "dashboards/heatmap.html", {"heat_html": html, **nav})


# --- scorecards and ranking ----------------------------------------------------------------


@role_required(*access.READERS)
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
def scorecard(request: OnsiteRequest, code: str) -> HttpResponse:
    center = _center(request)
    unit = access.get_unit(center, code)
    month = queries.parse_month(request.GET.get("month"))
    card = queries.unit_card(center, unit, month)
    history = [
        {
            "month": month_,
            "totals": totals,
        }
        for month_, totals in card.history
    ]
    chart = {
        "months": [f"{m:%Y-%m}" for m, _t in card.history],
        "series": [
            {"name": _("Supervision score"), "values": [t.audit_score for _m, t in card.history]},
            {
                "name": _("Rectification on time"),
                "values": [t.on_time_rate for _m, t in card.history],
            },
            {
                "name": _("Citizen rating (0–100)"),
                "values": [t.rating_index for _m, t in card.history],
            },
        ],
    }
    return render(
        request,
        "dashboards/scorecard.html",
        {"card": card, "history": history, "chart": chart, "unit": unit, **_month_nav(month)},
    )


@role_required(*access.EDITORS, write=True)
def weights_edit(request: OnsiteRequest) -> HttpResponse:
    center = _center(request)
    weights = IndexWeights.for_center(center)
    initial = {**weights.as_dict(), "version": weights.version}
    form = WeightsForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.save_weights(
                center=center,
                by=request.user,
                values={key: form.cleaned_data[key] for key, _label in COMPONENTS},
                expected_version=form.cleaned_data.get("version"),
                request=request,
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
def ratings_import(request: OnsiteRequest) -> HttpResponse:
    center = _center(request)
    form = RatingImportForm(request.POST, request.FILES)
    errors: list[Any] = []
    if form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            result = services.import_rating_file(
                center=center,
                by=request.user,
                content=upload.read(),
                filename=upload.name or "ratings",
                request=request,
            )
        except RatingImportError as exc:
            errors = [
                {
                    "row": error.row,
                    "column": column_label(error.column),
                    "value": error.value,
                    "message": error.message,
                }
                for error in exc.errors
            ]
        else:
            if result.created:
                messages.success(
                    request,
                    _("%(count)s ratings imported (%(first)s – %(last)s).")
                    % {
                        "count": result.batch.rows,
                        "first": result.batch.first_day,
                        "last": result.batch.last_day,
                    },
                )
            else:
                messages.info(
                    request,
                    _("This file was already imported on %(when)s; nothing was added.")
                    % {
                        "when": timezone.localtime(result.batch.imported_at).strftime(
                            "%Y-%m-%d %H:%M"
                        )
                    },
                )
            month = result.batch.last_day or this_month()
            return redirect(f"{reverse('dashboards:ratings')}?month={month:%Y-%m}")
    context = _ratings_context(request, center, this_month())
    context.update({"form": form, "errors": errors})
    return render(request, "dashboards/ratings.html", context, status=400 if errors else 200)


@role_required(*access.READERS)
def ratings_template(request: OnsiteRequest) -> HttpResponse:
    center = _center(request)
    example = (
        Unit.objects.filter(center=center, kind=Unit.Kind.WINDOW)
        .order_by("position", "code")
        .first()
    )
    book = excel.new_workbook()
    excel.write_sheet(
        book,
        title=_("Ratings"),
        header=[_("Date"), _("Window"), _("Rating"), _("Dimension")],
        rows=[
            [timezone.localdate(), example.code if example else "w01", 5, _("Service attitude")],
            [timezone.localdate(), example.name if example else "", str(Level.SATISFIED.label), ""],
        ],
    )
    excel.write_sheet(
        book,
        title=_("Levels"),
        header=[_("Rating"), _("Level")],
        rows=[[level.value, str(level.label)] for level in Level],
    )
    response = HttpResponse(excel.workbook_bytes(book), content_type=XLSX)
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
def reports(request: OnsiteRequest) -> HttpResponse:
    center = _center(request)
    return render(request, "dashboards/reports.html", _reports_context(request, center))


@role_required(*access.READERS)
@require_POST
def report_request(request: OnsiteRequest) -> HttpResponse:
    center = _center(request)
    form = ReportForm(request.POST, center=center)
    if not form.is_valid():
        return render(
            request,
            "dashboards/reports.html",
            _reports_context(request, center, report_form=form),
            status=400,
        )
    month = form.cleaned_data["month"]
    job = services.queue_job(
        center=center,
        by=request.user,
        kind=form.kind,
        month_from=month,
        month_to=month,
        unit=form.cleaned_data.get("unit"),
        language=get_language() or "zh-hans",
        submission_key=form.cleaned_data.get("submission_key") or "",
        request=request,
    )
    return redirect("dashboards:job", pk=job.pk)


@role_required(*access.READERS)
@require_POST
def export_request(request: OnsiteRequest) -> HttpResponse:
    center = _center(request)
    form = ExportForm(request.POST, center=center)
    if not form.is_valid():
        return render(
            request,
            "dashboards/reports.html",
            _reports_context(request, center, export_form=form),
            status=400,
        )
    kind = form.cleaned_data["kind"]
    first, last = form.cleaned_data["month_from"], form.cleaned_data["last_day"]
    unit = form.cleaned_data.get("unit")
    export = exports.prepare(kind, center, first, last, unit)
    if export.count > exports.inline_rows():
        job = services.queue_job(
            center=center,
            by=request.user,
            kind=kind,
            month_from=first,
            month_to=form.cleaned_data["month_to"],
            unit=unit,
            language=get_language() or "zh-hans",
            submission_key=form.cleaned_data.get("submission_key") or "",
            request=request,
        )
        messages.info(
            request,
            _("%(rows)s rows: the file is being made in the background.") % {"rows": export.count},
        )
        return redirect("dashboards:job", pk=job.pk)
    content = exports.write_workbook(export, title=exports.title_for(export, center, first, last))
    services.record_export(
        center=center,
        by=request.user,
        kind=kind,
        month_from=first,
        month_to=last,
        unit=unit,
        rows=export.count,
        request=request,
    )
    response = HttpResponse(content, content_type=XLSX)
    filename = exports.filename_for(kind, center, first, last)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
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
