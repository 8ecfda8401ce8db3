"""The front door of every write of the dashboards app, shared by the pages and the API: a
`check_*` raising one typed refusal (`onsite.core.refusals`) and a `do_*` that writes with its
audit row (the writes themselves stay in `services`)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from onsite.accounts.models import User
from onsite.core.access import check_roles
from onsite.core.models import Center
from onsite.core.refusals import Invalid
from onsite.dashboards import access, exports, services
from onsite.dashboards.models import COMPONENT_KEYS, IndexWeights, RatingDimensions, ReportJob
from onsite.org.models import Unit

REPORTS = ("center_report", "unit_report")


def _me(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)  # noqa: S101 - check_roles let only a signed-in user in
    return user


def check_read(request: HttpRequest) -> Center:
    """The readers of the dashboards (both doors)."""
    center: Center = check_roles(request, access.READERS)
    return center


# --- citizen ratings ---------------------------------------------------------------------------


def check_import_ratings(request: HttpRequest) -> Center:
    """The admin and the programme office import ratings; never a cross-center viewer."""
    center: Center = check_roles(request, access.EDITORS, write=True)
    return center


def do_import_rating_file(
    request: HttpRequest, *, center: Center, content: bytes, filename: str
) -> services.ImportResult:
    """All or nothing: RatingImportError lists every bad row."""
    return services.import_rating_file(
        center=center, by=_me(request), content=content, filename=filename, request=request
    )


def do_import_rating_rows(
    request: HttpRequest, *, center: Center, rows: list[dict[str, Any]]
) -> services.ImportResult:
    return services.import_rating_rows(center=center, by=_me(request), rows=rows, request=request)


def do_save_dimensions(
    request: HttpRequest, *, center: Center, valid_from: datetime.date, names: list[str]
) -> RatingDimensions:
    """A new version of the dimension list (the importers' own: check_import_ratings)."""
    return services.save_dimensions(
        center=center, by=_me(request), valid_from=valid_from, names=names, request=request
    )


# --- index weights -----------------------------------------------------------------------------


def check_save_weights(request: HttpRequest) -> Center:
    center: Center = check_roles(request, access.EDITORS, write=True)
    return center


def do_save_weights(
    request: HttpRequest, *, center: Center, values: dict[str, int], version: int | None
) -> IndexWeights:
    """Raises ConflictError (`stale`) when someone saved since the form was opened."""
    return services.save_weights(
        center=center,
        by=_me(request),
        values={key: values[key] for key in COMPONENT_KEYS},
        expected_version=version,
        request=request,
    )


# --- reports and exports -----------------------------------------------------------------------


@dataclass(frozen=True)
class JobRequest:
    center: Center
    kind: str
    month_from: datetime.date
    month_to: datetime.date
    unit: Unit | None


def check_request_job(
    request: HttpRequest,
    *,
    kind: str,
    month_from: datetime.date,
    month_to: datetime.date | None = None,
    unit: Unit | None = None,
) -> JobRequest:
    """Readers ask for reports and exports. A report covers one month; a unit report needs
    its unit; the months may not run backwards (Invalid)."""
    center = check_read(request)
    last = month_to or month_from
    if last < month_from:
        raise Invalid(_("The last month comes before the first."), code="months_reversed")
    if kind == "unit_report" and unit is None:
        raise Invalid(_("Choose the unit of the report."), code="unit_required")
    if kind in REPORTS:
        last = month_from
    return JobRequest(center, kind, month_from, last, unit)


def do_request_job(
    request: HttpRequest, asked: JobRequest, *, submission_key: str = ""
) -> ReportJob:
    """Queues the job for the worker (a repeated submission key answers the first job)."""
    return services.queue_job(
        center=asked.center,
        by=_me(request),
        kind=asked.kind,
        month_from=asked.month_from,
        month_to=asked.month_to,
        unit=asked.unit,
        language=get_language() or "zh-hans",
        submission_key=submission_key,
        request=request,
    )


@dataclass(frozen=True)
class Exported:
    """A workbook made at once, or (`job`) the job that will make a big one."""

    rows: int
    job: ReportJob | None = None
    content: bytes = b""
    filename: str = ""


def do_export(
    request: HttpRequest, asked: JobRequest, *, last_day: datetime.date, submission_key: str = ""
) -> Exported:
    """A small export at once (audited `dashboards.exported`); a big one becomes a job."""
    center, kind = asked.center, asked.kind
    export = exports.prepare(kind, center, asked.month_from, last_day, asked.unit)
    if export.count > exports.inline_rows():
        job = do_request_job(request, asked, submission_key=submission_key)
        return Exported(rows=export.count, job=job)
    title = exports.title_for(export, center, asked.month_from, last_day)
    content = exports.write_workbook(export, title=title)
    services.record_export(
        center=center,
        by=_me(request),
        kind=kind,
        month_from=asked.month_from,
        month_to=last_day,
        unit=asked.unit,
        rows=export.count,
        request=request,
    )
    filename = exports.filename_for(kind, center, asked.month_from, last_day)
    return Exported(rows=export.count, content=content, filename=filename)
