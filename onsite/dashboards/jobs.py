"""Running a report or export job in the task worker, with progress the page can poll.

Progress is written with single UPDATEs outside any long transaction (the worker runs the
task in autocommit), so each step is visible to the polling page at once. A failure is
stored as a message id with its parameters and shown in the reader's language."""

from __future__ import annotations

import datetime
import logging
from typing import Any

from django.core.files.base import ContentFile
from django.utils import timezone, translation
from django.utils.translation import gettext, gettext_noop

from onsite.dashboards import exports, reports
from onsite.dashboards.models import ReportJob
from onsite.dashboards.queries import month_end

logger = logging.getLogger(__name__)
KEEP_DAYS = 7
STAGES = {
    "": gettext_noop("Waiting for the task worker"),
    "starting": gettext_noop("Starting"),
    "collecting": gettext_noop("Collecting the figures"),
    "charts": gettext_noop("Drawing the charts"),
    "heatmap": gettext_noop("Drawing the heat map"),
    "photos": gettext_noop("Adding the photos"),
    "rendering": gettext_noop("Laying out the PDF"),
    "rows": gettext_noop("Writing the rows"),
    "saving": gettext_noop("Saving the file"),
    "done": gettext_noop("Ready"),
}
INTERNAL_ERROR = gettext_noop(
    "The file could not be made because of an internal error (%(error)s). Try again; if it "
    "fails again, tell the administrator."
)
GONE = gettext_noop("The unit of this report no longer exists.")


def stage_label(stage: str) -> str:
    return gettext(STAGES.get(stage, STAGES[""]))


def error_text(job: ReportJob) -> str:
    if not job.error:
        return ""
    try:
        return gettext(job.error) % (job.error_params or {})
    except (KeyError, TypeError, ValueError):
        return gettext(job.error)


def _update(job_id: int, **values: Any) -> None:
    ReportJob.objects.filter(pk=job_id).update(**values)


def run_job(job_id: int) -> str:
    job = (
        ReportJob.objects.select_related("center", "unit", "requested_by").filter(pk=job_id).first()
    )
    if job is None:
        return "missing"
    if job.status != ReportJob.Status.QUEUED:
        return str(job.status)  # a second delivery of the same task does nothing
    _update(
        job.pk,
        status=ReportJob.Status.RUNNING,
        started_at=timezone.now(),
        progress=2,
        stage="starting",
    )

    def progress(percent: int, stage: str) -> None:
        _update(job.pk, progress=max(2, min(99, percent)), stage=stage)

    try:
        with translation.override(job.language):
            content, filename, rows = build(job, progress)
        job.file.save(filename, ContentFile(content), save=False)
        _update(
            job.pk,
            file=job.file.name,
            filename=filename,
            rows=rows,
            status=ReportJob.Status.DONE,
            progress=100,
            stage="done",
            finished_at=timezone.now(),
        )
        return "done"
    except exports.ExportError as exc:
        _fail(job.pk, exc.message, exc.params)
    except Exception as exc:
        logger.exception("report job %s failed", job.pk)
        _fail(job.pk, INTERNAL_ERROR, {"error": type(exc).__name__})
    return "failed"


def _fail(job_id: int, message: str, params: dict[str, Any]) -> None:
    _update(
        job_id,
        status=ReportJob.Status.FAILED,
        stage="",
        error=message[:300],
        error_params=params,
        finished_at=timezone.now(),
    )


def build(job: ReportJob, progress: exports.Progress) -> tuple[bytes, str, int | None]:
    """The file's bytes, its name and (for exports) its number of rows."""
    center = job.center
    first, last = job.month_from, month_end(job.month_to)
    if job.kind == ReportJob.Kind.CENTER_REPORT:
        pdf = reports.center_report(center, first, by=job.requested_by, progress=progress)
        return pdf, f"{center.code}-report-{first:%Y%m}.pdf", None
    if job.kind == ReportJob.Kind.UNIT_REPORT:
        if job.unit is None:
            raise exports.ExportError(GONE)
        pdf = reports.unit_report(center, job.unit, first, by=job.requested_by, progress=progress)
        return pdf, f"{center.code}-{job.unit.code}-report-{first:%Y%m}.pdf", None
    export = exports.prepare(job.kind, center, first, last, job.unit)
    title = exports.title_for(export, center, first, last)
    content = exports.write_workbook(export, title=title, progress=progress)
    return content, exports.filename_for(job.kind, center, first, last), export.count


def prune_jobs(*, now: datetime.datetime | None = None) -> int:
    """Deletes jobs (and their files) older than KEEP_DAYS."""
    cutoff = (now or timezone.now()) - datetime.timedelta(days=KEEP_DAYS)
    old = list(ReportJob.objects.filter(requested_at__lt=cutoff))
    for job in old:
        if job.file:
            job.file.delete(save=False)
    ReportJob.objects.filter(pk__in=[job.pk for job in old]).delete()
    return len(old)
