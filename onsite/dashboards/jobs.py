"""What a report or export job makes; `onsite.core.jobs` runs it with progress the page can
poll (shared with every background file)."""

from __future__ import annotations

import datetime

from django.utils.translation import gettext_noop

from onsite.core import jobs as core_jobs
from onsite.core.models import FileJob
from onsite.core.months import month_end
from onsite.dashboards import exports, reports
from onsite.dashboards.models import ReportJob

GONE = gettext_noop("The unit of this report no longer exists.")
# The runner, stages and failure texts are shared with every background file (onsite.core.jobs).
stage_label = core_jobs.stage_label
error_text = core_jobs.error_text


def run_job(job_id: int) -> str:
    job = (
        ReportJob.objects.select_related("center", "unit", "requested_by").filter(pk=job_id).first()
    )
    if job is None:
        return "missing"
    return core_jobs.run_job(job, lambda progress: build(job, progress))


def build(job: ReportJob, progress: core_jobs.Progress) -> core_jobs.Built:
    """The file's bytes, its name and (for exports) its number of rows."""
    center = job.center
    first, last = job.month_from, month_end(job.month_to)
    if job.kind == ReportJob.Kind.CENTER_REPORT:
        pdf = reports.center_report(center, first, by=job.requested_by, progress=progress)
        return core_jobs.Built(pdf, f"{center.code}-report-{first:%Y%m}.pdf")
    if job.kind == ReportJob.Kind.UNIT_REPORT:
        if job.unit is None:
            raise exports.ExportError(GONE)
        pdf = reports.unit_report(center, job.unit, first, by=job.requested_by, progress=progress)
        return core_jobs.Built(pdf, f"{center.code}-{job.unit.code}-report-{first:%Y%m}.pdf")
    export = exports.prepare(job.kind, center, first, last, job.unit)
    title = exports.title_for(export, center, first, last)
    content = exports.write_workbook(export, title=title, progress=progress)
    return core_jobs.Built(
        content, exports.filename_for(job.kind, center, first, last), {"rows": export.count}
    )


def prune_jobs(*, now: datetime.datetime | None = None) -> int:
    """Deletes report jobs and other background files (with their files) older than a week;
    run nightly with the roll-ups."""
    return core_jobs.prune(ReportJob, now=now) + core_jobs.prune(FileJob, now=now)
