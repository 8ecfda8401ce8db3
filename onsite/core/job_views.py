"""The progress page and the download of a background file (FileJob)."""

from __future__ import annotations

from collections.abc import Callable
from typing import cast

from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from onsite.core import jobs
from onsite.core.access import refuse, role_required
from onsite.core.images import serve_protected_file
from onsite.core.models import FileJob, get_for_center
from onsite.core.roles import Role
from onsite.core.types import OnsiteRequest


def background_file(
    request: OnsiteRequest,
    *,
    title: str,
    count: int,
    queue: Callable[[], FileJob],
    back_url: str = "",
) -> HttpResponse:
    """A file too big to make at once: a GET offers it (nothing is made by a GET), the POST
    queues it and goes to its progress page."""
    if request.method != "POST":
        return render(
            request,
            "core/job_request.html",
            {"title": title, "count": count, "back_url": back_url},
        )
    job = queue()
    return redirect("core:job", pk=job.pk)


# Every role may open a job page (`role_required` never admits the auditor); the job's kind
# then decides who may see it.
EVERY_ROLE = frozenset(Role.values)


def _job(request: OnsiteRequest, pk: int) -> tuple[FileJob | None, jobs.JobKind | None]:
    """Another center's job is a 404; a role that may not make this kind of file is refused."""
    job = get_for_center(FileJob.objects.select_related("requested_by"), request.center, pk=pk)
    spec = jobs.kind_of(job)
    if spec is None or not request.user.has_role(*spec.roles):
        return None, None
    return job, spec


@role_required(*EVERY_ROLE)
def job_detail(request: OnsiteRequest, pk: int) -> HttpResponse:
    job, spec = _job(request, pk)
    if job is None or spec is None:
        return refuse(request)
    context = jobs.progress_context(job)
    context.update(
        poll_url=reverse("core:job", args=[job.pk]),
        download_url=reverse("core:job-download", args=[job.pk]),
        title=spec.title,
        back_url=spec.back(job) if spec.back else "",
    )
    if request.htmx:
        return render(request, "core/_job.html", context)
    return render(request, "core/job.html", context)


@role_required(*EVERY_ROLE)
def job_download(request: OnsiteRequest, pk: int) -> HttpResponse:
    job, _spec = _job(request, pk)
    if job is None:
        return refuse(request)
    if job.status != FileJob.Status.DONE or not job.file:
        raise Http404
    response = serve_protected_file(request, job.file, filename=job.filename, as_attachment=True)
    return cast(HttpResponse, response)  # a FileResponse; role_required's type wants HttpResponse
