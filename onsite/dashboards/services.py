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
from onsite.complaints.services import open_complaint
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
    RatingDimensions,
    RatingImport,
    ReportJob,
)
from onsite.org.models import Unit

JOB_SCOPE = "dashboards.job"


@dataclass
class ImportResult:
    batch: RatingImport
    created: bool  # False: this very file (or batch), or every rating in it, came before
    skipped: int = 0  # ratings whose case (办件编号, dimension) an earlier import brought
    cases: int = 0  # 差评 cases the import opened (onsite.complaints)


def _lookups(center: Center) -> rating_files.Lookups:
    return rating_files.Lookups(
        units=rating_files.UnitLookup(Unit.objects.filter(center=center)),
        staff=rating_files.StaffLookup(
            User.objects.filter(center=center).only("pk", "username", "full_name")
        ),
        dimensions=rating_files.DimensionLookup(RatingDimensions.objects.filter(center=center)),
    )


CASE_CHUNK = 2000


def _new_only(
    center: Center, rows: list[rating_files.RatingRow]
) -> tuple[list[rating_files.RatingRow], RatingImport | None]:
    """The rows whose case (办件编号 and dimension) no earlier import brought, nor an earlier
    row of this one; and the import of a case already here (None if none was). Rows without a
    case number are all new: only the file's checksum guards them."""
    numbers = sorted({row.case_number for row in rows if row.case_number})
    seen: dict[tuple[str, str], int] = {}
    for start in range(0, len(numbers), CASE_CHUNK):
        for number, dimension, batch_id in CitizenRating.objects.filter(
            center=center, case_number__in=numbers[start : start + CASE_CHUNK]
        ).values_list("case_number", "dimension", "batch_id"):
            seen[(number, dimension)] = batch_id
    earlier = next(iter(seen.values()), None)
    fresh = []
    for row in rows:
        key = (row.case_number, row.dimension)
        if row.case_number and key in seen:
            continue
        if row.case_number:
            seen[key] = 0
        fresh.append(row)
    return fresh, RatingImport.objects.filter(pk=earlier).first() if earlier else None


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
    rows = rating_files.parse_file(content, filename, lookups=_lookups(center))
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
    """The API's batch: a list of {date, window, rating, dimension, case, …} (the keys of
    rating_files.COLUMNS); all or nothing."""
    listed = [
        (number, {key: row.get(key) for key in rating_files.KEYS if row.get(key) is not None})
        for number, row in enumerate(rows, start=1)
    ]
    canonical = json.dumps([values for _n, values in listed], sort_keys=True, default=str)
    checksum = hashlib.sha256(f"{center.pk}:{canonical}".encode()).hexdigest()
    earlier = RatingImport.objects.filter(center=center, checksum=checksum).first()
    if earlier is not None:
        return ImportResult(earlier, created=False)
    if not listed:
        raise rating_files.empty_batch()
    good, errors = rating_files.check_rows(listed, lookups=_lookups(center))
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
    total = len(rows)
    rows, earlier = _new_only(center, rows)
    if not rows and earlier is not None:
        return ImportResult(earlier, created=False, skipped=total)
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
            # A case a concurrent import brought a moment ago is skipped by the constraint.
            CitizenRating.objects.bulk_create(
                (_rating(center, batch, row) for row in rows),
                batch_size=2000,
                ignore_conflicts=True,
            )
            if (saved := batch.ratings.count()) != batch.rows:
                RatingImport.objects.filter(pk=batch.pk).update(rows=saved)
                batch.rows = saved
            cases = open_cases(batch, by=by)
            record_event(
                request,
                action="dashboards.ratings_imported",
                obj=batch,
                actor=by,
                center=center,
                detail={
                    "rows": batch.rows,
                    "from": batch.first_day.isoformat() if batch.first_day else "",
                    "to": batch.last_day.isoformat() if batch.last_day else "",
                    "source": source,
                    "skipped": total - batch.rows,
                },
            )
    except IntegrityError:
        # The same file, imported by a second click at the same moment: the first one won.
        earlier = RatingImport.objects.filter(center=center, checksum=checksum).first()
        if earlier is None:
            raise
        return ImportResult(earlier, created=False)
    _refresh_soon(center)
    return ImportResult(batch, created=True, skipped=total - batch.rows, cases=cases)


def open_cases(batch: RatingImport, *, by: User | None, since: datetime.date | None = None) -> int:
    """Every 差评 the import brought (rated on or after `since`, if given) opens its case for
    the window (default and invalid ratings never do); a rating with no time counts from the
    start of its day."""
    opened = 0
    bad = batch.ratings.bad().filter(rated_on__gte=since) if since else batch.ratings.bad()
    for rating in bad.select_related("unit", "staff").order_by("pk"):
        rated_at = rating.rated_at or timezone.make_aware(
            datetime.datetime.combine(rating.rated_on, datetime.time())
        )
        _case, created = open_complaint(
            center=batch.center,
            rating_id=rating.pk,
            unit=rating.unit,
            rated_at=rated_at,
            level=rating.rating,
            case_number=rating.case_number,
            item_code=rating.item_code,
            item_name=rating.item_name,
            staff=rating.staff,
            reason=rating.reason,
            comment=rating.comment,
            actor=by,
        )
        opened += created
    return opened


def _rating(center: Center, batch: RatingImport, row: rating_files.RatingRow) -> CitizenRating:
    return CitizenRating(
        center=center,
        unit=row.unit,
        rated_on=row.rated_on,
        rated_at=row.rated_at,
        rating=row.rating,
        dimension=row.dimension,
        case_number=row.case_number,
        item_code=row.item_code,
        item_name=row.item_name,
        department=row.department,
        channel=row.channel,
        staff=row.staff,
        staff_name=row.staff_name,
        reason_code=row.reason_code,
        reason=row.reason,
        comment=row.comment,
        is_default=row.is_default,
        is_valid=row.is_valid,
        batch=batch,
    )


def save_dimensions(
    *,
    center: Center,
    by: User,
    valid_from: datetime.date,
    names: list[str],
    request: HttpRequest | None = None,
) -> RatingDimensions:
    """A new version of the center's dimension list, in force from `valid_from`. Older
    versions are never changed. The same list sent twice (a double click) is one version."""
    latest = RatingDimensions.objects.filter(center=center).order_by("-version").first()
    if latest is not None and (latest.valid_from, latest.names) == (valid_from, names):
        return latest
    try:
        with transaction.atomic():
            saved = RatingDimensions.objects.create(
                center=center,
                version=(latest.version if latest else 0) + 1,
                valid_from=valid_from,
                names=names,
                created_by=by,
            )
            record_event(
                request,
                action="dashboards.dimensions_saved",
                obj=saved,
                actor=by,
                center=center,
                detail={"version": saved.version, "from": valid_from.isoformat(), "names": names},
            )
    except IntegrityError as exc:
        raise ConflictError from exc  # someone saved a version at the same moment
    return saved


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
