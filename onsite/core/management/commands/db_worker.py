"""`manage.py db_worker`: django-tasks-db's worker, with a heartbeat so that the task of a
worker that died mid-task is run again (onsite/core/workers.py)."""

from __future__ import annotations

from typing import Any

from django_tasks_db.management.commands.db_worker import Command as WorkerCommand

from onsite.core.workers import Heartbeat, beat, requeue_orphans


class Command(WorkerCommand):
    help = WorkerCommand.help + " Beats in TaskWorker and runs again the tasks of dead workers."

    def handle(self, *args: Any, **options: Any) -> None:
        worker_id = options["worker_id"]
        beat(worker_id)
        requeue_orphans()
        heartbeat = Heartbeat(worker_id)
        heartbeat.start()
        try:
            super().handle(*args, **options)
        finally:
            heartbeat.stop()
