from __future__ import annotations

import datetime
import secrets
from typing import TYPE_CHECKING, Any, TypeVar

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist
from django.core.validators import MaxValueValidator
from django.db import models
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

if TYPE_CHECKING:
    from onsite.accounts.models import User


class Center(models.Model):
    """A service center (行政服务中心): the tenant key carried by every row."""

    code = models.SlugField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=100)
    region = models.CharField(_("region"), max_length=100, blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("service center")
        verbose_name_plural = _("service centers")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


_M = TypeVar("_M", bound=models.Model)


class CenterQuerySet(models.QuerySet[_M]):
    def for_center(self, center: Center | int) -> CenterQuerySet[_M]:
        return self.filter(center=center)


class CenterScoped(models.Model):
    """Abstract base of every tenant row: the center is never optional."""

    center = models.ForeignKey(Center, on_delete=models.CASCADE, verbose_name=_("service center"))

    class Meta:
        abstract = True


def get_for_center(queryset: models.QuerySet[_M], center: Center | None, /, **lookup: Any) -> _M:
    """The one door to a tenant object: anything outside the center is a 404, never a 403,
    so a user cannot even learn that another center's object exists."""
    if center is None:
        raise Http404
    try:
        return queryset.get(center=center, **lookup)
    except ObjectDoesNotExist as exc:
        raise Http404 from exc


def visible_centers(user: User) -> models.QuerySet[Center]:
    if not user.is_authenticated:
        return Center.objects.none()
    if user.is_cross_center_viewer:
        return user.viewable_centers.all()
    if user.center_id is None:
        return Center.objects.none()
    return Center.objects.filter(pk=user.center_id)


class SubmissionKey(models.Model):
    """A client-made key (a UUID in the form or the Idempotency-Key header) that makes a submit
    safe to repeat: the first one creates the object, every repeat gets the same object."""

    center = models.ForeignKey(Center, on_delete=models.CASCADE)
    user = models.ForeignKey("accounts.User", on_delete=models.CASCADE)
    key = models.CharField(max_length=64)
    scope = models.CharField(max_length=60)
    object_id = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "scope", "key"], name="submission_key_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.scope}:{self.key}"


# --- background jobs that make a file --------------------------------------------------------


class BackgroundJob(CenterScoped):
    """A file made by the task worker for one person, with progress the page polls (the
    monthly report, a big export, the QR cards of every zone). `onsite.core.jobs.run_job`
    runs one; each kind of job says how its file is built."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", pgettext_lazy("job", "Running")
        DONE = "done", _("Ready")
        FAILED = "failed", _("Failed")

    status = models.CharField(
        _("status"), max_length=8, choices=Status.choices, default=Status.QUEUED
    )
    # The language of the person who asked: the file's words are in it.
    language = models.CharField(max_length=10, default="zh-hans")
    progress = models.PositiveSmallIntegerField(
        _("progress (%)"), default=0, validators=[MaxValueValidator(100)]
    )
    stage = models.CharField(max_length=20, blank=True)
    # Why it failed, for the person who asked (a msgid with its params, shown translated).
    error = models.CharField(_("why it failed"), max_length=300, blank=True)
    error_params = models.JSONField(default=dict, blank=True)
    filename = models.CharField(max_length=200, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("requested by"),
    )
    requested_at = models.DateTimeField(_("requested at"), default=timezone.now)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        abstract = True

    @property
    def is_finished(self) -> bool:
        return self.status in {self.Status.DONE, self.Status.FAILED}

    def waited(self, now: datetime.datetime | None = None) -> datetime.timedelta:
        return (now or timezone.now()) - self.requested_at


def file_job_path(instance: FileJob, filename: str) -> str:
    stamp = timezone.now()
    return f"jobs/{instance.center_id}/{stamp:%Y/%m}/{secrets.token_hex(8)}-{filename}"


class FileJob(BackgroundJob):
    """A background file of a kind registered by an app (`onsite.core.jobs.register`), e.g.
    the QR cards of many zones; `params` says what to put in it."""

    kind = models.CharField(_("kind"), max_length=40)
    params = models.JSONField(default=dict, blank=True)
    file = models.FileField(upload_to=file_job_path, blank=True)

    class Meta:
        verbose_name = _("background file")
        verbose_name_plural = _("background files")
        ordering = ["center", "-requested_at", "-pk"]
        indexes = [models.Index(fields=["center", "requested_by", "-requested_at"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(progress__lte=100), name="file_job_progress_at_most_100"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.requested_at:%Y-%m-%d %H:%M}"


class TaskWorker(models.Model):
    """A task worker process (`manage.py db_worker`), beating every few seconds while it
    lives, so a task whose worker stopped beating can be run again (onsite/core/workers.py)."""

    worker_id = models.CharField(max_length=64, primary_key=True)
    host = models.CharField(max_length=255)
    pid = models.PositiveIntegerField()
    started_at = models.DateTimeField(default=timezone.now)
    beat_at = models.DateTimeField(default=timezone.now, db_index=True)

    def __str__(self) -> str:
        return f"{self.worker_id} ({self.host}:{self.pid})"
