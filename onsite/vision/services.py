"""Writes of the photo check: queue a photo's analysis, accept or dismiss a draft finding, take
a zone's reference photo. Each with its audit row in the same transaction.

An accepted draft changes the inspection only through the inspections services: while the
inspection is a draft, its check fails with the draft's words added to the note (the inspector
can still change it; it becomes a finding at submit, the normal way); once submitted, the check
fails as a manual fail would and its finding is recorded with the code submit uses
(`fail_submitted_answer`), so the score, repeat rules and rectification follow."""

from __future__ import annotations

import logging

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from onsite.accounts.models import User
from onsite.accounts.uploads import daily_quota
from onsite.audit.services import record_event
from onsite.core.concurrency import claim_submission, existing_submission, save_versioned
from onsite.core.images import clean_photo
from onsite.core.refusals import Conflict, Invalid
from onsite.inspections.models import Answer, AnswerPhoto, Inspection, InspectionSettings
from onsite.inspections.services import (
    AnswerInput,
    appended_note,
    fail_submitted_answer,
    save_answers,
)
from onsite.org.models import Zone
from onsite.vision import analyse, markers
from onsite.vision.models import DraftFinding, PhotoAnalysis, ReferencePhoto
from onsite.vision.rules import has_something_to_check
from onsite.vision.tasks import analyse_photo

logger = logging.getLogger(__name__)

DECIDE_SCOPE = "vision.decide"
REFERENCE_SCOPE = "vision.reference"
ALREADY_DECIDED = gettext_lazy("This suggestion was already confirmed or dismissed.")


def queue_analysis(photo: AnswerPhoto) -> PhotoAnalysis | None:
    """Queues the photo check of a stored photo (after the commit) when the center has it on
    and there is something to check against: the standard names items or the zone has a
    reference photo. Acceptance inspections are left alone (blind scoring, no findings)."""
    inspection = photo.answer.inspection
    if inspection.kind == Inspection.Kind.ACCEPTANCE:
        return None
    if not InspectionSettings.for_center(photo.center_id).photo_check:
        return None
    if not has_something_to_check(inspection):
        return None
    analysis, created = PhotoAnalysis.objects.get_or_create(
        photo=photo, defaults={"center_id": photo.center_id}
    )
    if created:
        photo_id = photo.pk
        transaction.on_commit(lambda: analyse_photo.enqueue(photo_id=photo_id))
    return analysis


def on_photo_added(sender: object, *, photo: AnswerPhoto, **kwargs: object) -> None:
    """The receiver of inspections' `photo_added`."""
    queue_analysis(photo)


def _decided(draft: DraftFinding, *, by: User, status: str, expected_version: int) -> None:
    if not draft.is_proposed:
        raise Conflict(ALREADY_DECIDED, code="decided")
    draft.status = status
    draft.decided_by = by
    draft.decided_at = timezone.now()
    save_versioned(
        draft,
        expected_version=expected_version,
        fields=["status", "decided_by", "decided_at", "reason"],
    )


def _replayed(draft: DraftFinding, *, by: User, key: str) -> bool:
    if key and existing_submission(user=by, scope=DECIDE_SCOPE, key=key) == str(draft.pk):
        draft.refresh_from_db()
        return True
    return False


def _claim(draft: DraftFinding, *, by: User, key: str, center: object) -> None:
    if key:
        claim_submission(
            center=center, user=by, scope=DECIDE_SCOPE, key=key, object_id=str(draft.pk)
        )


@transaction.atomic
def accept_draft(
    *,
    draft: DraftFinding,
    by: User,
    expected_version: int,
    submission_key: str = "",
    request: HttpRequest | None = None,
) -> DraftFinding:
    """确认: the draft's check fails (see the module's docstring). Raises ConflictError if
    someone decided it since `expected_version`, Conflict if it was already decided."""
    if _replayed(draft, by=by, key=submission_key):
        return draft
    _decided(draft, by=by, status=DraftFinding.Status.ACCEPTED, expected_version=expected_version)
    inspection = Inspection.objects.select_related("zone__center").get(
        pk=draft.answer.inspection_id
    )
    answer = Answer.objects.get(pk=draft.answer_id)
    words = _("Photo check: %(what)s") % {"what": draft.describe()}
    if inspection.is_draft:
        failed_before = answer.is_failed
        save_answers(
            inspection=inspection,
            by=by,
            expected_version=inspection.version,
            answers=[
                AnswerInput(
                    answer.pk,
                    Answer.Result.FAIL,
                    deduction=str(answer.deduction) if failed_before and answer.deduction else None,
                    severity=answer.severity if failed_before else "general",
                    note=appended_note(answer.note, words),
                )
            ],
            request=request,
        )
    else:
        draft.finding = fail_submitted_answer(answer=answer, by=by, note=words, request=request)
        draft.save(update_fields=["finding"])
    _claim(draft, by=by, key=submission_key, center=inspection.zone.center)
    record_event(
        request,
        action="vision.draft_accepted",
        obj=inspection,
        actor=by,
        center=inspection.zone.center,
        detail={
            "draft": draft.pk,
            "answer": answer.pk,
            "kind": draft.kind,
            "item": draft.item,
            "finding": draft.finding_id,
        },
    )
    return draft


@transaction.atomic
def dismiss_draft(
    *,
    draft: DraftFinding,
    by: User,
    expected_version: int,
    reason: str = "",
    submission_key: str = "",
    request: HttpRequest | None = None,
) -> DraftFinding:
    """忽略: the draft is kept as dismissed (for the office's rates); nothing else changes."""
    if _replayed(draft, by=by, key=submission_key):
        return draft
    draft.reason = reason.strip()[:200]
    _decided(draft, by=by, status=DraftFinding.Status.DISMISSED, expected_version=expected_version)
    inspection = draft.answer.inspection
    _claim(draft, by=by, key=submission_key, center=inspection.zone.center)
    record_event(
        request,
        action="vision.draft_dismissed",
        obj=inspection,
        actor=by,
        center=inspection.zone.center,
        detail={"draft": draft.pk, "kind": draft.kind, "item": draft.item, "reason": draft.reason},
    )
    return draft


def _has_markers(data: bytes) -> bool:
    try:
        return bool(markers.find_markers(analyse.decode(data)))
    except Exception:  # a reference without readable markers is still a reference
        logger.exception("photo check: markers of a reference photo could not be read")
        return False


@transaction.atomic
def add_reference_photo(
    *,
    zone: Zone,
    by: User,
    upload: UploadedFile[bytes],
    submission_key: str = "",
    request: HttpRequest | None = None,
) -> ReferencePhoto:
    """A new reference photo of the zone (checked and re-encoded like every photo); it
    replaces the zone's earlier ones, which stay as history. The printed position markers are
    looked for once, here."""
    if submission_key:
        first = existing_submission(user=by, scope=REFERENCE_SCOPE, key=submission_key)
        if first is not None:
            return ReferencePhoto.objects.get(pk=first)
    try:
        photo = clean_photo(upload, quota=daily_quota(by))
    except ValidationError as exc:
        raise Invalid.from_validation(exc) from exc
    data = photo.image.read()
    photo.image.seek(0)
    ReferencePhoto.objects.filter(center_id=zone.center_id, zone=zone, is_active=True).update(
        is_active=False
    )
    reference = ReferencePhoto.objects.create(
        center_id=zone.center_id,
        zone=zone,
        image=photo.image,
        thumbnail=photo.thumbnail,
        width=photo.width,
        height=photo.height,
        has_markers=_has_markers(data),
        taken_by=by,
    )
    if submission_key:
        claimed = claim_submission(
            center=zone.center,
            user=by,
            scope=REFERENCE_SCOPE,
            key=submission_key,
            object_id=str(reference.pk),
        )
        if claimed != str(reference.pk):
            twin = ReferencePhoto.objects.get(pk=claimed)  # no query is allowed after the next line
            transaction.set_rollback(True)
            return twin
    record_event(
        request,
        action="vision.reference_added",
        obj=reference,
        actor=by,
        center=zone.center,
        detail={"zone": zone.code, "has_markers": reference.has_markers},
    )
    return reference
