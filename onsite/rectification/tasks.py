from __future__ import annotations

from django_tasks import task

from onsite.rectification.services import escalate_overdue


@task()
def escalate_overdue_rectifications() -> int:
    """Run by the db_worker (queued daily by `manage.py escalate_overdue --enqueue` from cron,
    or run inline by the same command without `--enqueue`)."""
    return escalate_overdue()
