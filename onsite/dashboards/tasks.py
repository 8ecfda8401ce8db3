"""Background work of the dashboards, run by `manage.py db_worker` (django-tasks)."""

from __future__ import annotations

from django_tasks import task

from onsite.core.models import Center
from onsite.dashboards import jobs, rollups


@task()
def refresh_rollups(*, center_id: int | None = None, full: bool = False) -> int:
    """Brings the daily roll-ups of one center (or of every center) up to date."""
    centers = Center.objects.all() if center_id is None else Center.objects.filter(pk=center_id)
    return sum(rollups.refresh(center, full=full) for center in centers)


@task()
def run_report_job(*, job_id: int) -> str:
    """Makes one report or export, recording its progress as it goes."""
    return jobs.run_job(job_id)


@task()
def prune_report_jobs() -> int:
    return jobs.prune_jobs()
