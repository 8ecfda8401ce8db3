"""Task workers on several machines, with real worker processes (`manage.py db_worker`) on
the test database: two never run the same task, and a worker killed mid-task leaves its task
to be run again, not lost (onsite/core/workers.py)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
from django.db import connections
from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from onsite.core.models import TaskWorker
from onsite.core.tests.worker_tasks import note, slow_the_first_time
from onsite.core.workers import MAX_CLAIMS, requeue_orphans

pytestmark = pytest.mark.django_db(transaction=True)
ROOT = Path(__file__).resolve().parents[3]
PATIENCE = 90  # seconds to wait for a worker on two busy cores; never a measure of speed


def database_url() -> str:
    config = connections["default"].settings_dict
    if config["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{Path(config['NAME']).resolve()}"
    user = config["USER"] or "postgres"
    return f"postgres://{user}@{config['HOST'] or '127.0.0.1'}:{config['PORT'] or 5432}/{config['NAME']}"


@pytest.fixture
def queue(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


@pytest.fixture
def start_worker():
    started = []
    env = {**os.environ, "DATABASE_URL": database_url(),
           "TASKS_BACKEND": "django_tasks_db.DatabaseBackend",
           "TASK_WORKER_BEAT_SECONDS": "0.3", "TASK_WORKER_DEAD_SECONDS": "2"}  # fmt: skip

    def start(worker_id, *extra):
        process = subprocess.Popen(  # noqa: S603 - our own manage.py, fixed arguments
            [sys.executable, "manage.py", "db_worker", "--interval", "0.1",
             "--no-startup-delay", "--worker-id", worker_id, *extra],
            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        )  # fmt: skip
        started.append(process)
        return process

    yield start
    for process in started:
        if process.poll() is None:
            process.kill()
        process.wait()


def wait_for(condition, what):
    deadline = time.monotonic() + PATIENCE
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.2)
    pytest.fail(f"still waiting for {what}")


def test_a_task_whose_worker_was_killed_is_run_again(queue, start_worker, tmp_path):
    marker = tmp_path / "trace"
    result = slow_the_first_time.enqueue(marker=str(marker))
    first = start_worker("worker-a")
    wait_for(lambda: marker.exists() and marker.read_text() == "run\n", "the first run")
    first.send_signal(signal.SIGKILL)  # mid-task, as a power cut would
    first.wait()
    row = DBTaskResult.objects.get(pk=result.id)
    assert row.status == TaskResultStatus.RUNNING, "django-tasks-db alone would leave it so"

    start_worker("worker-b")
    wait_for(lambda: DBTaskResult.objects.get(pk=result.id).status == TaskResultStatus.SUCCESSFUL,
             "the task to be run again")  # fmt: skip
    row = DBTaskResult.objects.get(pk=result.id)
    assert row.worker_ids == ["worker-a", "worker-b"]
    assert marker.read_text() == "run\nrun\n", "run twice: once killed, once to the end"
    assert TaskWorker.objects.filter(worker_id="worker-b").exists()


def test_two_workers_never_run_the_same_task(queue, start_worker, tmp_path):
    marker = tmp_path / "trace"
    results = [note.enqueue(marker=str(marker), number=n) for n in range(40)]
    workers = [start_worker("worker-c", "--batch"), start_worker("worker-d", "--batch")]
    for worker in workers:
        assert worker.wait(timeout=PATIENCE) == 0, worker.stderr.read().decode()[-2000:]
    numbers = sorted(int(line) for line in marker.read_text().split())
    assert numbers == list(range(40)), "each task ran exactly once"
    done = DBTaskResult.objects.filter(pk__in=[r.id for r in results])
    assert set(done.values_list("status", flat=True)) == {TaskResultStatus.SUCCESSFUL}


def test_a_task_that_keeps_killing_its_workers_is_failed_not_retried_for_ever(queue):
    result = note.enqueue(marker="/dev/null", number=0)
    long_ago = timezone.now() - timedelta(hours=1)
    DBTaskResult.objects.filter(pk=result.id).update(
        status=TaskResultStatus.RUNNING, started_at=long_ago,
        worker_ids=[f"gone-{n}" for n in range(MAX_CLAIMS)],
    )  # fmt: skip
    TaskWorker.objects.create(worker_id="alive", host="h", pid=1)
    assert requeue_orphans() == 1
    assert DBTaskResult.objects.get(pk=result.id).status == TaskResultStatus.FAILED


def test_the_task_of_a_worker_that_still_beats_is_left_alone(queue):
    result = note.enqueue(marker="/dev/null", number=0)
    DBTaskResult.objects.filter(pk=result.id).update(
        status=TaskResultStatus.RUNNING, started_at=timezone.now() - timedelta(hours=1),
        worker_ids=["busy"],
    )  # fmt: skip
    TaskWorker.objects.create(worker_id="busy", host="h", pid=1)  # beating now
    assert requeue_orphans() == 0
    assert DBTaskResult.objects.get(pk=result.id).status == TaskResultStatus.RUNNING
