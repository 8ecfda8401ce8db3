"""Running a background job that makes a file, with progress the page can poll.

Progress is written with single UPDATEs outside any long transaction (the worker runs the
task in autocommit), so each step is visible to the polling page at once. A failure is
stored as a message id with its parameters and shown in the reader's language. The file is
made in the language of the person who asked.

The dashboards' reports and exports (`ReportJob`) and the apps' `FileJob` kinds share this
runner; an app registers a `FileJob` kind with `register` from its AppConfig.ready."""

from __future__ import annotations

import datetime
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import models
from django.utils import timezone, translation
from django.utils.translation import gettext, gettext_noop

from onsite.core import replica, tasks
from onsite.core.models import BackgroundJob, Center, FileJob

logger = logging.getLogger(__name__)
KEEP_DAYS = 7
QUEUED_TOO_LONG = 120  # seconds before the page says the worker may not be running
# Called with a percentage and a stage key of STAGES.
Progress = Callable[[int, str], None]
STAGES = {
    "": gettext_noop("Waiting for the task worker"),
    "starting": gettext_noop("Starting"),
    "collecting": gettext_noop("Collecting the figures"),
    "charts": gettext_noop("Drawing the charts"),
    "heatmap": gettext_noop("Drawing the heat map"),
    "photos": gettext_noop("Adding the photos"),
    "codes": gettext_noop("Drawing the QR codes"),
    "rendering": gettext_noop("Laying out the PDF"),
    "rows": gettext_noop("Writing the rows"),
    "saving": gettext_noop("Saving the file"),
    "done": gettext_noop("Ready"),
}
INTERNAL_ERROR = gettext_noop(
    "The file could not be made because of an internal error (%(error)s). Try again; if it "
    "fails again, tell the administrator."
)


class JobError(Exception):
    """A reason the file cannot be made that the person who asked should read."""

    def __init__(self, message: str, params: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.params = params or {}


@dataclass(frozen=True)
class Built:
    content: bytes
    filename: str
    # More fields of the job to set when it is done (e.g. the number of rows of an export).
    extra: dict[str, Any] | None = None


def stage_label(stage: str) -> str:
    return gettext(STAGES.get(stage, STAGES[""]))


def error_text(job: BackgroundJob) -> str:
    if not job.error:
        return ""
    try:
        return gettext(job.error) % (job.error_params or {})
    except (KeyError, TypeError, ValueError):
        return gettext(job.error)


def progress_context(job: BackgroundJob) -> dict[str, Any]:
    """What the progress partial (core/_job.html) shows of a job."""
    waited = job.waited().total_seconds()
    queued = job.status == BackgroundJob.Status.QUEUED
    return {
        "job": job,
        "stage": stage_label("" if queued else job.stage),
        "error": error_text(job),
        "worker_missing": queued and waited > QUEUED_TOO_LONG,
    }


def run_job(job: BackgroundJob, build: Callable[[Progress], Built]) -> str:
    """Runs `build` for a queued job and records its progress, file or failure."""
    model: type[models.Model] = type(job)
    rows = model._default_manager.filter(pk=job.pk)

    if job.status not in {BackgroundJob.Status.QUEUED, BackgroundJob.Status.RUNNING}:
        return str(job.status)  # a finished job is not made again
    # A job found running was left so by a worker that died mid-task: its task is run again
    # only once that worker stopped beating (onsite/core/workers.py), so start it over.
    rows.update(
        status=BackgroundJob.Status.RUNNING, started_at=timezone.now(), progress=2, stage="starting"
    )

    def progress(percent: int, stage: str) -> None:
        rows.update(progress=max(2, min(99, percent)), stage=stage)

    try:
        with translation.override(job.language):
            if replica.may_read_replica_for_job(job.requested_at):
                built = replica.on_replica(
                    lambda: build(progress), doing=f"{model.__name__} {job.pk}"
                )
            else:
                built = build(progress)
        file = job.file  # type: ignore[attr-defined]
        file.save(built.filename, ContentFile(built.content), save=False)
        rows.update(
            file=file.name,
            filename=built.filename,
            status=BackgroundJob.Status.DONE,
            progress=100,
            stage="done",
            finished_at=timezone.now(),
            **(built.extra or {}),
        )
        return "done"
    except JobError as exc:
        _fail(rows, exc.message, exc.params)
    except Exception as exc:
        logger.exception("%s %s failed", model.__name__, job.pk)
        _fail(rows, INTERNAL_ERROR, {"error": type(exc).__name__})
    return "failed"


def _fail(rows: models.QuerySet[Any], message: str, params: dict[str, Any]) -> None:
    rows.update(
        status=BackgroundJob.Status.FAILED,
        stage="",
        error=message[:300],
        error_params=params,
        finished_at=timezone.now(),
    )


def prune(model: type[BackgroundJob], *, now: datetime.datetime | None = None) -> int:
    """Deletes jobs (and their files) older than KEEP_DAYS."""
    cutoff = (now or timezone.now()) - datetime.timedelta(days=KEEP_DAYS)
    manager = model._default_manager
    old = list(manager.filter(requested_at__lt=cutoff))
    for job in old:
        if job.file:  # type: ignore[attr-defined]
            job.file.delete(save=False)  # type: ignore[attr-defined]
    manager.filter(pk__in=[job.pk for job in old]).delete()
    return len(old)


# --- kinds of FileJob -----------------------------------------------------------------------


@dataclass(frozen=True)
class JobKind:
    """One kind of background file: its title, who may ask for it and download it (roles of
    the same center), how it is built, and the page to go back to."""

    title: Any
    roles: tuple[str, ...]
    build: Callable[[FileJob, Progress], Built]
    back: Callable[[FileJob], str] | None = None


KINDS: dict[str, JobKind] = {}


def register(kind: str, spec: JobKind) -> None:
    KINDS[kind] = spec


def kind_of(job: FileJob) -> JobKind | None:
    return KINDS.get(job.kind)


def queue_file_job(
    *, center: Center, by: Any, kind: str, params: dict[str, Any], language: str = ""
) -> FileJob:
    """Records the job and hands it to the task worker (after commit, the worker sees it). The
    file is made in `language`, by default the one active now (the asker's)."""
    job = FileJob.objects.create(
        center=center,
        kind=kind,
        params=params,
        language=language or translation.get_language() or settings.LANGUAGE_CODE,
        requested_by=by,
    )
    tasks.run_file_job.enqueue(job_id=job.pk)
    return job


def run_file_job_now(job_id: int) -> str:
    job = FileJob.objects.select_related("center", "requested_by").filter(pk=job_id).first()
    if job is None:
        return "missing"
    spec = kind_of(job)
    if spec is None:
        _fail(FileJob.objects.filter(pk=job.pk), INTERNAL_ERROR, {"error": job.kind})
        return "failed"
    return run_job(job, lambda progress: spec.build(job, progress))
