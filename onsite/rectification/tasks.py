from __future__ import annotations

from django_tasks import task

from onsite.rectification.services import escalate_overdue, remind_due_soon
from onsite.rectification.signals import send_daily_run


@task()
def escalate_overdue_rectifications() -> int:
    """Run by the db_worker (queued daily by `manage.py escalate_overdue --enqueue` from cron,
    or run inline by the same command without `--enqueue`). The same daily run sends the
    reminders before deadlines of every registered kind (`onsite.notifications.reminders`), and
    `daily_run` lets the apps above escalate their own overdue work (complaint cases)."""
    remind_due_soon()
    count = escalate_overdue()
    return count + send_daily_run()
