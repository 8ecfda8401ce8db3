"""Task workers on several machines (docs/deployment.md, section 5).

What django-tasks-db guarantees: a worker claims a task inside an exclusive transaction with
SELECT … FOR UPDATE SKIP LOCKED and marks it RUNNING before it commits, so two workers never
run the same task. What it does not: a worker killed mid-task (power cut, OOM, kill -9) leaves
its task RUNNING for ever.

What Onsite adds: every worker (our `db_worker`) beats in `TaskWorker` every
TASK_WORKER_BEAT_SECONDS; a RUNNING task whose last worker has not beaten for
TASK_WORKER_DEAD_SECONDS goes back to READY and is run again by whichever worker takes it
next (its `worker_ids` keep the history). A task that killed MAX_CLAIMS workers is marked
failed instead of killing more. Tasks are therefore run at least once: each of ours tolerates
a repeat (they check what is already done before doing it)."""

from __future__ import annotations

import logging
import os
import socket
import threading
from datetime import datetime, timedelta

from django.conf import settings
from django.db import close_old_connections, connection
from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from onsite.core.models import TaskWorker

logger = logging.getLogger(__name__)
MAX_CLAIMS = 3


def beat(worker_id: str) -> None:
    TaskWorker.objects.update_or_create(
        worker_id=worker_id,
        defaults={"host": socket.gethostname()[:255], "pid": os.getpid(),
                  "beat_at": timezone.now()},
    )  # fmt: skip


def requeue_orphans(*, now: datetime | None = None) -> int:
    """Puts the tasks of workers that stopped beating back in the queue; returns how many."""
    now = now or timezone.now()
    dead_before = now - timedelta(seconds=settings.TASK_WORKER_DEAD_SECONDS)
    alive = set(
        TaskWorker.objects.filter(beat_at__gte=dead_before).values_list("worker_id", flat=True)
    )
    moved = 0
    running = DBTaskResult.objects.filter(
        status=TaskResultStatus.RUNNING, started_at__lt=dead_before
    ).only("id", "worker_ids", "started_at")
    for result in running:
        if result.worker_ids and result.worker_ids[-1] in alive:
            continue
        again = len(result.worker_ids) < MAX_CLAIMS
        changed = DBTaskResult.objects.filter(
            pk=result.pk, status=TaskResultStatus.RUNNING, started_at=result.started_at
        ).update(
            status=TaskResultStatus.READY if again else TaskResultStatus.FAILED,
            started_at=None if again else result.started_at,
            finished_at=None if again else now,
        )
        if changed:
            moved += 1
            logger.warning(
                "task %s: its worker %s stopped; %s", result.pk, result.worker_ids[-1:],
                "queued again" if again else f"failed after {MAX_CLAIMS} workers",
            )  # fmt: skip
    TaskWorker.objects.filter(beat_at__lt=now - timedelta(days=1)).delete()
    return moved


class Heartbeat(threading.Thread):
    """Beats for this worker and looks for orphans, beside the worker's own loop."""

    def __init__(self, worker_id: str) -> None:
        super().__init__(name="onsite-task-worker-heartbeat", daemon=True)
        self.worker_id = worker_id
        self.stopped = threading.Event()

    def run(self) -> None:
        while not self.stopped.is_set():
            try:
                close_old_connections()
                beat(self.worker_id)
                requeue_orphans()
            except Exception:  # the database may be away a moment: try again next beat
                logger.exception("task worker heartbeat failed")
            finally:
                connection.close()
            self.stopped.wait(settings.TASK_WORKER_BEAT_SECONDS)

    def stop(self) -> None:
        self.stopped.set()
