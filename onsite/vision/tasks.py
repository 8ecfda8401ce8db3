"""The photo check's task, run by the task worker (`manage.py db_worker`) once the photo's
transaction committed: the inspection never waits for it.

Whatever the photo holds, the task writes only its own rows: a broken or hostile image (or
any error of the analysis) marks the analysis failed with a short message, never a stack trace
(that goes to the log), and never touches the inspection or its answers. Running it twice for
the same photo stores its drafts once."""

from __future__ import annotations

import logging

from django.db import transaction
from django.db.models.fields.files import FieldFile
from django.utils import timezone
from django.utils.translation import gettext_noop
from django_tasks import task

from onsite.inspections.models import Inspection, InspectionSettings
from onsite.vision.analyse import Result, UnreadableImageError, analyse
from onsite.vision.labels import MODEL_NAME
from onsite.vision.models import DraftFinding, PhotoAnalysis, ReferencePhoto
from onsite.vision.rules import reference_for, rules_for

logger = logging.getLogger(__name__)

MAX_BYTES = 25 * 1024 * 1024  # a stored photo is our re-encoding, far below this
UNREADABLE = gettext_noop("The photo could not be read for the photo check.")
FAILED = gettext_noop("The photo check could not finish.")
TURNED_OFF = gettext_noop("The photo check is turned off for this center.")


def _read(stored: FieldFile) -> bytes:
    with stored.open("rb") as handle:
        data: bytes = handle.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise UnreadableImageError("the stored file is too large")
    return data


def _finish(analysis: PhotoAnalysis, status: str, *, error: str = "") -> str:
    """Ends a queued analysis without drafts (only if it is still queued)."""
    PhotoAnalysis.objects.filter(pk=analysis.pk, status=PhotoAnalysis.Status.QUEUED).update(
        status=status, error=error, finished_at=timezone.now(), model_name=MODEL_NAME
    )
    return status


def _clamp(value: float) -> float:
    return min(1.0, max(0.0, float(value)))


@transaction.atomic
def _store(
    analysis: PhotoAnalysis, result: Result, reference: ReferencePhoto | None, edge_mm: int | None
) -> str:
    claimed = PhotoAnalysis.objects.filter(
        pk=analysis.pk, status=PhotoAnalysis.Status.QUEUED
    ).update(
        status=PhotoAnalysis.Status.DONE,
        reference=reference,
        alignment=result.alignment[:20],
        edge_mm=edge_mm,
        seconds=result.seconds,
        model_name=MODEL_NAME,
        finished_at=timezone.now(),
    )
    if claimed != 1:  # another run stored it first
        return "repeated"
    DraftFinding.objects.bulk_create(
        DraftFinding(
            center_id=analysis.center_id,
            analysis=analysis,
            answer_id=analysis.photo.answer_id,
            kind=draft.kind,
            item=draft.item,
            x=_clamp(draft.box.x),
            y=_clamp(draft.box.y),
            w=_clamp(draft.box.w),
            h=_clamp(draft.box.h),
            score=round(float(draft.score), 3),
            measured_mm=draft.measured_mm,
            count=getattr(draft, "count", None),
        )
        for draft in result.drafts
        if draft.kind in DraftFinding.Kind.values
    )
    return PhotoAnalysis.Status.DONE


def run_analysis(photo_id: int) -> str:
    """Analyses a queued photo and stores its drafts; answers what became of it."""
    analysis = (
        PhotoAnalysis.objects.select_related(
            "photo__answer__inspection__zone", "photo__answer__inspection__standard_version"
        )
        .filter(photo_id=photo_id)
        .first()
    )
    if analysis is None:
        return "gone"  # the photo was removed before its turn
    if analysis.status != PhotoAnalysis.Status.QUEUED:
        return str(analysis.status)
    inspection: Inspection = analysis.photo.answer.inspection
    if not InspectionSettings.for_center(inspection.center_id).photo_check:
        return _finish(analysis, PhotoAnalysis.Status.SKIPPED, error=TURNED_OFF)
    rules = rules_for(inspection)
    reference = reference_for(inspection)
    try:
        photo = _read(analysis.photo.image)
        compared = _read(reference.image) if reference is not None else None
        result = analyse(photo, rules, compared)
    except (UnreadableImageError, OSError) as exc:
        logger.warning("photo check: photo %s unreadable: %s", photo_id, exc)
        return _finish(analysis, PhotoAnalysis.Status.FAILED, error=UNREADABLE)
    except Exception:  # any failure of the analysis ends this analysis, nothing else
        logger.exception("photo check: photo %s failed", photo_id)
        return _finish(analysis, PhotoAnalysis.Status.FAILED, error=FAILED)
    return _store(analysis, result, reference, rules.edge_mm)


@task()
def analyse_photo(photo_id: int) -> str:
    return run_analysis(photo_id)
