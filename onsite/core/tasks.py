"""Background work of the core, run by `manage.py db_worker` (django-tasks)."""

from __future__ import annotations

from django_tasks import task

from onsite.core import jobs


@task()
def run_file_job(*, job_id: int) -> str:
    """Makes one background file (a registered FileJob kind), recording its progress."""
    return jobs.run_file_job_now(job_id)
