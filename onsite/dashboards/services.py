"""Writes of the dashboards app, shared by pages and API: importing citizen ratings, setting
the index weights, and asking for reports and exports. Each is atomic and audited."""

from __future__ import annotations

import datetime
import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone

from onsite.accounts.models import User
from onsite.audit.services import record_event
from onsite.core.concurrency import (
    ConflictError,
    claim_submission,
    existing_submission,
    save_versioned,
)
from onsite.core.models import Center
from onsite.dashboards import ratings as rating_files
from onsite.dashboards import tasks
from onsite.dashboards.models import (
    COMPONENT_KEYS,
    CitizenRating,
    IndexWeights,
    RatingImport,
    ReportJob,
)
from onsite.org.models import Unit

JOB_SCOPE = "dashboards.job"


@dataclass
class ImportResult:
    batch: RatingImport
    created: bool  # False: this very file (or batch) had been imported before


def _lookup(center: Center) -> rating_files.UnitLookup:
    return rating_files.UnitLookup(Unit.objects.filter(center=center))


def import_rating_file(
    *,
    center: Center,
    by: User,
    content: bytes,
    filename: str,
    request: HttpRequest | None = None,
) -> ImportResult:
    """Imports every row of the file or none (RatingImportError lists the bad rows)."""
    checksum = hashlib.sha256(content).hexdigest()
    earlier = RatingImport.objects.filter(center=center, checksum=checksum).first()
    if earlier is not None:
        return ImportResult(earlier, created=False)
    rows = rating_files.parse_file(content, filename, units=_lookup(center))
    return _save(
        center=center,
        by=by,
        rows=rows,
        checksum=checksum,
        source=RatingImport.Source.FILE,
        filename=filename[:200],
        request=request,
    )


def import_rating_rows(
    *,
    center: Center,
    by: User,
    rows: Iterable[dict[str, Any]],
    request: HttpRequest | None = None,
) -> ImportResult:
    """The API's batch: a list of {date, window, rating, dimension}; all or nothing."""
    listed = [
        (number, {key: row.get(key) for key in ("date", "window", "rating", "dimension")})
        for number, row in enumerate(rows, start=1)
    ]
    canonical = json.dumps([values for _n, values in listed], sort_keys=True, default=str)
    checksum = hashlib.sha256(f"{center.pk}:{canonical}".encode()).hexdigest()
    earlier = RatingImport.objects.filter(center=center, checksum=checksum).first()
    if earlier is not None:
        return ImportResult(earlier, created=False)
    if not listed:
        raise rating_files.empty_batch()
    good, errors = rating_files.check_rows(listed, units=_lookup(center))
    if errors:
        raise rating_files.RatingImportError(errors[: rating_files.MAX_ERRORS])
    return _save(
        center=center,
        by=by,
        rows=good,
        checksum=checksum,
        source=RatingImport.Source.API,
        filename="",
        request=request,
    )


def new_batch(
    *,
    center: Center,
    days: list[datetime.date],
    source: str,
    filename: str,
    checksum: str,
    by: User | None,
    imported_at: datetime.datetime | None = None,
) -> RatingImport:
    """The record of one import (unsaved): how many ratings, the days they span, who brought
    them. The one rule for it, used by the import, the demo and the data generator."""
    return RatingImport(
        center=center,
        source=source,
        filename=filename,
        checksum=checksum,
        rows=len(days),
        first_day=min(days, default=None),
        last_day=max(days, default=None),
        imported_by=by,
        imported_at=imported_at or timezone.now(),
    )


def _save(
    *,
    center: Center,
    by: User,
    rows: list[rating_files.RatingRow],
    checksum: str,
    source: str,
    filename: str,
    request: HttpRequest | None,
) -> ImportResult:
    try:
        with transaction.atomic():
            batch = new_batch(
                center=center,
                days=[row.rated_on for row in rows],
                source=source,
                filename=filename,
                checksum=checksum,
                by=by,
            )
            batch.save()
            CitizenRating.objects.bulk_create(
                (
                    CitizenRating(
                        center=center,
                        unit=row.unit,
                        rated_on=row.rated_on,
                        rating=row.rating,
                        dimension=row.dimension,
                        batch=batch,
                    )
                    for row in rows
                ),
                batch_size=2000,
            )
            record_event(
                request,
                action="dashboards.ratings_imported",
                obj=batch,
                actor=by,
                center=center,
                detail={
                    "rows": len(rows),
                    "from": batch.first_day.isoformat() if batch.first_day else "",
                    "to": batch.last_day.isoformat() if batch.last_day else "",
                    "source": source,
                },
            )
    except IntegrityError:
        # The same file, imported by a second click at the same moment: the first one won.
        earlier = RatingImport.objects.filter(center=center, checksum=checksum).first()
        if earlier is None:
            raise
        return ImportResult(earlier, created=False)
    _refresh_soon(center)
    return ImportResult(batch, created=True)


def _refresh_soon(center: Center) -> None:
    transaction.on_commit(lambda: tasks.refresh_rollups.enqueue(center_id=center.pk))


@transaction.atomic
def save_weights(
    *,
    center: Center,
    by: User,
    values: dict[str, int],
    expected_version: int | None,
    request: HttpRequest | None = None,
) -> IndexWeights:
    """Sets the center's index weights. Raises ConflictError if someone saved since the
    form was opened (nothing is written then)."""
    weights = IndexWeights.for_center(center)
    before = weights.as_dict()
    for key in COMPONENT_KEYS:
        setattr(weights, key, int(values[key]))
    weights.updated_by = by
    weights.updated_at = timezone.now()
    if weights.pk is None:
        if expected_version not in (None, 1):
            raise ConflictError
        # The defaults a form showed were "version 1"; the first saved row is version 2.
        weights.version = 2
        try:
            with transaction.atomic():
                weights.save()
        except IntegrityError as exc:
            raise ConflictError from exc
    else:
        save_versioned(
            weights,
            expected_version=expected_version if expected_version is not None else weights.version,
            fields=[*COMPONENT_KEYS, "updated_by", "updated_at"],
        )
    record_event(
        request,
        action="dashboards.weights_updated",
        obj=weights,
        actor=by,
        center=center,
        detail={"before": before, "after": weights.as_dict()},
    )
    return weights


@transaction.atomic
def queue_job(
    *,
    center: Center,
    by: User,
    kind: str,
    month_from: datetime.date,
    month_to: datetime.date,
    unit: Unit | None,
    language: str,
    submission_key: str = "",
    request: HttpRequest | None = None,
) -> ReportJob:
    """Records the job and hands it to the task worker (in the same transaction: the worker
    sees it only once it is committed). A repeated submission key returns the first job."""
    if submission_key:
        earlier = existing_submission(user=by, scope=JOB_SCOPE, key=submission_key)
        if earlier is not None:
            found = ReportJob.objects.filter(center=center, pk=earlier).first()
            if found is not None:
                return found
    job = ReportJob.objects.create(
        center=center,
        kind=kind,
        month_from=month_from,
        month_to=month_to,
        unit=unit,
        language=language,
        requested_by=by,
    )
    if submission_key:
        claim_submission(
            center=center, user=by, scope=JOB_SCOPE, key=submission_key, object_id=str(job.pk)
        )
    record_event(
        request,
        action="dashboards.job_requested",
        obj=job,
        actor=by,
        center=center,
        detail={
            "kind": kind,
            "from": f"{month_from:%Y-%m}",
            "to": f"{month_to:%Y-%m}",
            "unit": unit.code if unit else "",
        },
    )
    tasks.run_report_job.enqueue(job_id=job.pk)
    return job


def record_export(
    *,
    center: Center,
    by: User,
    kind: str,
    month_from: datetime.date,
    month_to: datetime.date,
    unit: Unit | None,
    rows: int,
    request: HttpRequest | None = None,
) -> None:
    """An export small enough to download at once still leaves an audit row."""
    record_event(
        request,
        action="dashboards.exported",
        actor=by,
        center=center,
        detail={
            "kind": kind,
            "from": f"{month_from:%Y-%m}",
            "to": f"{month_to:%Y-%m}",
            "unit": unit.code if unit else "",
            "rows": rows,
        },
    )
