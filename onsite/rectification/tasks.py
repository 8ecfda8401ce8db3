from __future__ import annotations

from django_tasks import task

from onsite.rectification.services import escalate_overdue, remind_due_soon


@task()
def escalate_overdue_rectifications() -> int:
    """Run by the db_worker (queued daily by `manage.py escalate_overdue --enqueue` from cron,
    or run inline by the same command without `--enqueue`). The same daily run sends the
    reminders before deadlines of every registered kind (`onsite.notifications.reminders`)."""
    remind_due_soon()
    return escalate_overdue()
