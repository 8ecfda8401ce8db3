"""Writes of inspections, shared by pages, the API and other apps (the programme's
acceptance rounds start acceptance inspections through `start_inspection`).

Never lose an inspector's work:
- `start_inspection` and `submit_inspection` are idempotent: a repeated submission key (a
  double tap, a retried request) returns the first result; submitting a submitted
  inspection returns it unchanged.
- `save_answers` carries the version the client saw; if someone else saved since, it raises
  `ConflictError` and writes nothing. A replay of a save that already went through (same
  submission key: the phone's offline queue resending) is accepted without a conflict."""

from __future__ import annotations

import datetime
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Count, F
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from onsite.accounts.models import User
from onsite.accounts.uploads import daily_quota
from onsite.audit.services import record_event
from onsite.core.concurrency import (
    ConflictError,
    claim_submission,
    existing_submission,
    save_versioned,
)
from onsite.core.images import clean_photo
from onsite.core.refusals import Conflict, Invalid
from onsite.equipment.actions import open_from_check
from onsite.inspections.checklist import build_checklist
from onsite.inspections.models import (
    Answer,
    AnswerPhoto,
    Finding,
    ImprovementProposal,
    Inspection,
    InspectionSettings,
    Severity,
)
from onsite.inspections.queries import equipment_of, people_of
from onsite.inspections.scoring import deduction_of, repeat_deduction, score_answers
from onsite.inspections.signals import inspection_submitted, photo_added
from onsite.org.models import Zone
from onsite.standards.queries import effective_standard
from onsite.standards.services import start_revision

START_SCOPE = "inspections.start"
SAVE_SCOPE = "inspections.save"
SUBMIT_SCOPE = "inspections.submit"
PHOTO_SCOPE = "inspections.photo"
MAX_PHOTOS_PER_CHECK = 6


@transaction.atomic
def start_inspection(
    *,
    zone: Zone,
    kind: str,
    inspector: User,
    on: datetime.date | None = None,
    submission_key: str = "",
    resume: bool = True,
    pillars: Collection[str] | None = None,
    request: HttpRequest | None = None,
) -> Inspection:
    """A draft inspection of `zone` with the checklist of its effective standard on `on`
    (today by default). With `resume`, the inspector's open draft of the same zone and kind
    is returned instead of a second one. `pillars` keeps only the checks of those pillars (a
    programme phase's acceptance sheet). Raises Conflict (`no_standard`) if the zone's area
    type has no published standard, or none of its checks is of `pillars` (`no_checks`).
    Permission is the caller's business (see `access`)."""
    if kind not in Inspection.Kind.values:
        raise Invalid(_("Unknown kind of inspection."))
    if submission_key:
        first = existing_submission(user=inspector, scope=START_SCOPE, key=submission_key)
        if first is not None:
            return Inspection.objects.get(pk=first)
    day = on or timezone.localdate()
    draft = None
    if resume:
        draft = (
            Inspection.objects.drafts()
            .filter(center_id=zone.center_id, zone=zone, kind=kind, inspector=inspector)
            .order_by("-pk")
            .first()
        )
    if draft is not None:
        if submission_key:
            claim_submission(
                center=zone.center,
                user=inspector,
                scope=START_SCOPE,
                key=submission_key,
                object_id=str(draft.pk),
            )
        return draft
    effective = effective_standard(zone, on=day)
    if effective.version is None:
        raise Conflict(
            _(
                "The area type of this zone has no published standard yet, so there is "
                "nothing to inspect against. Ask the programme office to publish one."
            ),
            code="no_standard",
        )
    specs = [
        spec for spec in build_checklist(effective) if pillars is None or spec.pillar in pillars
    ]
    if not specs:
        raise Conflict(
            _("The standard of this zone has no check of this phase, so there is nothing to rate."),
            code="no_checks",
        )
    inspection = Inspection.objects.create(
        center_id=zone.center_id,
        zone=zone,
        kind=kind,
        standard_version=effective.version,
        inspector=inspector,
        inspected_on=day,
    )
    if submission_key:
        claimed = claim_submission(
            center=zone.center,
            user=inspector,
            scope=START_SCOPE,
            key=submission_key,
            object_id=str(inspection.pk),
        )
        if claimed != str(inspection.pk):  # a concurrent twin won: keep only its draft
            twin = Inspection.objects.get(pk=claimed)  # no query is allowed after the next line
            transaction.set_rollback(True)
            return twin
    Answer.objects.bulk_create(
        Answer(
            center_id=zone.center_id,
            inspection=inspection,
            key=spec.key,
            source=spec.source,
            clause=spec.clause,
            pillar=spec.pillar,
            position=spec.position,
            text=spec.text,
            check_method=spec.check_method,
            weight=spec.weight,
            max_points=spec.max_points,
            photo_required=spec.photo_required,
            subject=spec.subject,
        )
        for spec in specs
    )
    record_event(
        request,
        action="inspections.started",
        obj=inspection,
        actor=inspector,
        center=zone.center,
        detail={"zone": zone.code, "kind": kind, "standard_version": effective.version.pk},
    )
    return inspection


@dataclass(frozen=True)
class AnswerInput:
    """One answer as a client sends it. `deduction` None keeps the default for a failure."""

    answer_id: int
    result: str  # "", "pass", "fail", "na"
    deduction: Decimal | str | None = None
    severity: str = Severity.GENERAL
    note: str = ""
    person: int | None = None  # a failed person check: the staff member it concerns
    equipment: int | None = None  # a failed equipment check: the equipment that fails


def _clean_person(item: AnswerInput, answer: Answer, people: set[int]) -> int | None:
    """The person a failed person check concerns: one of the zone's unit (`people`), or
    none yet (submitting asks for it)."""
    if not answer.is_about_a_person or item.result != Answer.Result.FAIL or not item.person:
        return None
    if item.person not in people:
        raise Invalid(
            _("“%(check)s”: choose a staff member of the zone's unit.")
            % {"check": answer.text[:40]}
        )
    return item.person


def _clean_equipment(item: AnswerInput, answer: Answer, equipment: set[int]) -> int | None:
    """The equipment a failed "equipment works" check names: one of the zone's in use."""
    if not answer.is_about_equipment or item.result != Answer.Result.FAIL or not item.equipment:
        return None
    if item.equipment not in equipment:
        raise Invalid(
            _("“%(check)s”: choose equipment of this zone.") % {"check": answer.text[:40]}
        )
    return item.equipment


def _clean_input(item: AnswerInput, answer: Answer) -> tuple[str, Decimal, str, str]:
    result = item.result or ""
    if result not in {"", *Answer.Result.values}:
        raise Invalid(_("Choose pass, fail or not applicable."))
    severity = item.severity or Severity.GENERAL
    if severity not in Severity.values:
        raise Invalid(_("Choose a severity."))
    deduction = Decimal(0)
    if result == Answer.Result.FAIL and item.deduction not in (None, ""):
        try:
            deduction = Decimal(str(item.deduction)).quantize(Decimal("0.1"))
        except InvalidOperation as exc:
            raise Invalid(_("The deduction must be a number.")) from exc
        if not deduction.is_finite() or deduction < 0 or deduction > answer.max_points:
            raise Invalid(
                _("The deduction for “%(check)s” must be between 0 and %(max)d points.")
                % {"check": answer.text[:40], "max": answer.max_points}
            )
    note = (item.note or "").strip()
    if len(note) > 2000:
        raise Invalid(_("A note can be at most 2000 characters."))
    return result, deduction, severity, note


@transaction.atomic
def save_answers(
    *,
    inspection: Inspection,
    by: User,
    expected_version: int,
    answers: Sequence[AnswerInput],
    note: str | None = None,
    submission_key: str = "",
    request: HttpRequest | None = None,
) -> Inspection:
    """Saves answers of a draft if nobody saved it since `expected_version` (else
    ConflictError, nothing written). Returns the inspection with its new version."""
    if submission_key and existing_submission(user=by, scope=SAVE_SCOPE, key=submission_key):
        inspection.refresh_from_db()
        return inspection
    if not inspection.is_draft:
        raise Conflict(_("This inspection was submitted; its answers can no longer change."))
    by_id = {a.pk: a for a in inspection.answers.all()}
    people: set[int] = set()
    if any(a.is_about_a_person for a in by_id.values()):
        people = set(people_of(inspection.zone).values_list("pk", flat=True))
    equipment: set[int] = set()
    if any(a.is_about_equipment for a in by_id.values()):
        equipment = set(equipment_of(inspection.zone).values_list("pk", flat=True))
    changed: list[Answer] = []
    for item in answers:
        answer = by_id.get(item.answer_id)
        if answer is None:
            raise Invalid(_("An answer does not belong to this inspection."))
        answer.result, answer.deduction, answer.severity, answer.note = _clean_input(item, answer)
        answer.person_id = _clean_person(item, answer, people)
        answer.equipment_id = _clean_equipment(item, answer, equipment)
        changed.append(answer)
    fields = []
    if note is not None:
        inspection.note = note.strip()[:4000]
        fields.append("note")
    save_versioned(inspection, expected_version=expected_version, fields=fields)
    now = timezone.now()
    for answer in changed:
        answer.updated_at = now
    Answer.objects.bulk_update(
        changed,
        ["result", "deduction", "severity", "note", "person", "equipment", "updated_at"],
        batch_size=200,
    )
    if submission_key:
        claim_submission(
            center=inspection.zone.center,
            user=by,
            scope=SAVE_SCOPE,
            key=submission_key,
            object_id=str(inspection.pk),
        )
    record_event(
        request,
        action="inspections.answers_saved",
        obj=inspection,
        actor=by,
        center=inspection.zone.center,
        detail={"answers": len(changed), "version": inspection.version},
    )
    return inspection


@transaction.atomic
def add_photo(
    *,
    answer: Answer,
    by: User,
    upload: UploadedFile[bytes],
    submission_key: str = "",
    request: HttpRequest | None = None,
) -> AnswerPhoto:
    """Adds a photo to a check of a draft. The photo is checked and re-encoded
    (`clean_photo`, within the person's daily quota); anything else raises Invalid with a message
    and stores nothing."""
    if submission_key:
        first = existing_submission(user=by, scope=PHOTO_SCOPE, key=submission_key)
        if first is not None:
            return AnswerPhoto.objects.get(pk=first)
    inspection = answer.inspection
    if not inspection.is_draft:
        raise Conflict(_("This inspection was submitted; photos can no longer be added."))
    if answer.photos.count() >= MAX_PHOTOS_PER_CHECK:
        raise Conflict(
            _("At most %(n)d photos per check.") % {"n": MAX_PHOTOS_PER_CHECK}, code="photo_limit"
        )
    try:
        photo = clean_photo(upload, quota=daily_quota(by))
    except ValidationError as exc:
        raise Invalid.from_validation(exc) from exc
    stored = AnswerPhoto.objects.create(
        center_id=answer.center_id,
        answer=answer,
        image=photo.image,
        thumbnail=photo.thumbnail,
        width=photo.width,
        height=photo.height,
        uploaded_by=by,
    )
    if submission_key:
        claimed = claim_submission(
            center=inspection.zone.center,
            user=by,
            scope=PHOTO_SCOPE,
            key=submission_key,
            object_id=str(stored.pk),
        )
        if claimed != str(stored.pk):
            twin = AnswerPhoto.objects.get(pk=claimed)  # no query is allowed after the next line
            transaction.set_rollback(True)
            return twin
    record_event(
        request,
        action="inspections.photo_added",
        obj=inspection,
        actor=by,
        center=inspection.zone.center,
        detail={"answer": answer.pk, "photo": stored.pk},
    )
    stored.answer = answer
    photo_added.send(sender=AnswerPhoto, photo=stored, by=by)
    return stored


@transaction.atomic
def remove_photo(*, photo: AnswerPhoto, by: User, request: HttpRequest | None = None) -> None:
    inspection = photo.answer.inspection
    if not inspection.is_draft:
        raise Conflict(_("This inspection was submitted; its photos are kept."))
    photo.image.delete(save=False)
    photo.thumbnail.delete(save=False)
    photo.delete()
    record_event(
        request,
        action="inspections.photo_removed",
        obj=inspection,
        actor=by,
        center=inspection.zone.center,
    )


class MissingPhotos(Conflict):
    """Submitting with failed checks that need a photo and have none: names every one of them
    at once, in full (`checks`: the answers, in checklist order)."""

    def __init__(self, checks: Sequence[Answer]) -> None:
        self.checks = list(checks)
        listed = "；".join(f"“{a.text.strip()}”" for a in self.checks)
        super().__init__(
            ngettext(
                "%(n)d failed check needs a photo before submitting: %(checks)s.",
                "%(n)d failed checks need a photo before submitting: %(checks)s.",
                len(self.checks),
            )
            % {"n": len(self.checks), "checks": listed},
            code="incomplete",
        )

    def as_json(self) -> dict[str, Any]:
        return {
            **super().as_json(),
            "checks": [{"key": a.key, "text": a.text} for a in self.checks],
        }


def needs_photo(answer: Answer, photos: int) -> bool:
    """A check whose standard requires a photo needs one when it fails: the photo is the
    evidence of the finding (the "before" a rectification's after-photo is compared with). A
    passed or not applicable check needs none, whatever its setting."""
    return answer.photo_required and answer.result == Answer.Result.FAIL and not photos


def _check_complete(
    answers: list[Answer],
    photo_counts: dict[int, int],
    *,
    has_equipment: bool = False,
    takes_findings: bool = True,
) -> None:
    missing = [a for a in answers if not a.result]
    if missing:
        raise Conflict(
            ngettext(
                "%(n)d check has no answer yet: “%(check)s”.",
                "%(n)d checks have no answer yet, starting with “%(check)s”.",
                len(missing),
            )
            % {"n": len(missing), "check": missing[0].text.strip()},
            code="incomplete",
        )
    # An acceptance sheet makes no finding, so nobody has one to fix: no person is asked.
    nobody = [a for a in answers if a.is_failed and a.is_about_a_person and not a.person_id]
    if nobody and takes_findings:
        raise Conflict(
            ngettext(
                "%(n)d failed check concerns a person: choose who for “%(check)s”.",
                "%(n)d failed checks concern a person: choose who, starting with “%(check)s”.",
                len(nobody),
            )
            % {"n": len(nobody), "check": nobody[0].text.strip()},
            code="incomplete",
        )
    unnamed = [a for a in answers if a.is_failed and a.is_about_equipment and not a.equipment_id]
    if unnamed and has_equipment:
        raise Conflict(
            _("A failed equipment check names no equipment: choose which for “%(check)s”.")
            % {"check": unnamed[0].text.strip()},
            code="incomplete",
        )
    no_photo = [a for a in answers if needs_photo(a, photo_counts.get(a.pk, 0))]
    if no_photo:
        raise MissingPhotos(no_photo)


def _earlier_findings(
    inspection: Inspection, zone: Zone, failed: list[Answer], settings: InspectionSettings
) -> dict[str, Finding]:
    """The latest earlier finding of each failed check on the zone within the repeat window."""
    earlier: dict[str, Finding] = {}
    if not failed:
        return earlier
    for finding in (
        Finding.objects.repeats_of(
            zone=zone,
            keys=[a.key for a in failed],
            on=inspection.inspected_on,
            window_days=settings.repeat_window_days,
        )
        .exclude(inspection=inspection)
        .order_by("found_on", "pk")
    ):
        earlier[finding.check_key] = finding  # the latest one wins
    return earlier


def _apply_deduction(
    answer: Answer, earlier: dict[str, Finding], settings: InspectionSettings
) -> None:
    """Sets what a submitted answer costs: a repeat's multiplied deduction, else its own."""
    if answer.is_failed and answer.key in earlier:
        answer.is_repeat = True
        answer.applied_deduction = repeat_deduction(answer, factor=settings.repeat_factor)
    else:
        answer.is_repeat = False
        answer.applied_deduction = deduction_of(answer)


def _record_finding(
    inspection: Inspection, answer: Answer, zone: Zone, earlier: dict[str, Finding]
) -> Finding:
    finding = Finding.objects.create(
        center_id=inspection.center_id,
        inspection=inspection,
        answer=answer,
        zone=zone,
        check_key=answer.key,
        pillar=answer.pillar,
        text=answer.note or answer.text,
        severity=answer.severity,
        deduction=answer.applied_deduction or Decimal(0),
        is_repeat=answer.is_repeat,
        repeat_of=earlier.get(answer.key) if answer.is_repeat else None,
        found_on=inspection.inspected_on,
        person_id=answer.person_id if answer.is_about_a_person else None,
    )
    finding.zone = zone
    return finding


def _open_faults(
    inspection: Inspection, failed: list[Answer], *, by: User, request: HttpRequest | None
) -> None:
    """Each failed "equipment works" check opens a fault of the equipment it names."""
    for answer in failed:
        if answer.is_about_equipment and answer.equipment is not None:
            open_from_check(
                equipment=answer.equipment,
                by=by,
                description=answer.note or answer.text,
                inspection_id=inspection.pk,
                request=request,
            )


@transaction.atomic
def submit_inspection(
    *,
    inspection: Inspection,
    by: User,
    expected_version: int | None = None,
    submission_key: str = "",
    request: HttpRequest | None = None,
) -> Inspection:
    """Scores a complete draft, marks repeat findings (deduction multiplied), records the
    findings (not for acceptance inspections, which a round aggregates) and tells the apps
    above (`inspection_submitted`: rectification opens one per finding). Submitting twice returns the submitted inspection unchanged."""
    if submission_key:
        first = existing_submission(user=by, scope=SUBMIT_SCOPE, key=submission_key)
        if first is not None:
            return Inspection.objects.get(pk=first)
    inspection.refresh_from_db()
    if inspection.is_submitted:
        return inspection
    if expected_version is not None and expected_version != inspection.version:
        raise ConflictError
    zone = Zone.objects.select_related("center", "owner").get(pk=inspection.zone_id)
    answers = list(inspection.answers.all())
    photo_counts = dict(
        AnswerPhoto.objects.filter(answer__inspection=inspection)
        .values("answer_id")
        .annotate(n=Count("pk"))
        .values_list("answer_id", "n")
    )
    _check_complete(
        answers,
        photo_counts,
        has_equipment=any(a.is_about_equipment and a.is_failed for a in answers)
        and equipment_of(zone).exists(),
        takes_findings=inspection.kind != Inspection.Kind.ACCEPTANCE,
    )
    settings = InspectionSettings.for_center(inspection.center_id)
    failed = [a for a in answers if a.is_failed]
    takes_findings = inspection.kind != Inspection.Kind.ACCEPTANCE
    earlier = _earlier_findings(inspection, zone, failed, settings) if takes_findings else {}
    for answer in answers:
        _apply_deduction(answer, earlier, settings)
    Answer.objects.bulk_update(answers, ["is_repeat", "applied_deduction"], batch_size=200)
    score = score_answers(answers, settings)
    updated = Inspection.objects.filter(
        pk=inspection.pk, status=Inspection.Status.DRAFT, version=inspection.version
    ).update(
        status=Inspection.Status.SUBMITTED,
        submitted_at=timezone.now(),
        score=score.percent,
        points_earned=score.earned,
        points_possible=score.possible,
        pillar_scores=score.pillars,
        band=score.band,
        pass_mark=settings.pass_mark,
        passed=score.passed,
        version=F("version") + 1,
    )
    if updated != 1:
        inspection.refresh_from_db()  # before the rollback mark: no query is allowed after it
        transaction.set_rollback(True)
        if inspection.is_submitted:
            return inspection
        raise ConflictError
    inspection.refresh_from_db()
    if submission_key:
        claim_submission(
            center=zone.center,
            user=by,
            scope=SUBMIT_SCOPE,
            key=submission_key,
            object_id=str(inspection.pk),
        )
    findings: list[Finding] = []
    if takes_findings:
        findings = [_record_finding(inspection, answer, zone, earlier) for answer in failed]
    _open_faults(inspection, failed, by=by, request=request)
    inspection_submitted.send(
        sender=Inspection,
        inspection=inspection,
        findings=findings,
        by=by,
        settings=settings,
        request=request,
    )
    record_event(
        request,
        action="inspections.submitted",
        obj=inspection,
        actor=by,
        center=zone.center,
        detail={
            "zone": zone.code,
            "score": str(inspection.score),
            "band": inspection.band,
            "findings": len(findings),
            "repeats": sum(f.is_repeat for f in findings),
        },
    )
    return inspection


def appended_note(note: str, addition: str) -> str:
    """`note` with `addition` on a line of its own (once), cut to what a note may hold."""
    addition = addition.strip()
    if not addition or addition in note:
        return note
    return "\n".join(part for part in (note.strip(), addition) if part)[:2000]


@transaction.atomic
def fail_submitted_answer(
    *, answer: Answer, by: User, note: str, request: HttpRequest | None = None
) -> Finding | None:
    """A check of a submitted inspection fails after the submit (a photo check's draft finding
    accepted once the phone's outbox had submitted the inspection). It fails as a manual fail
    does (the default deduction, general severity, `note` appended to the answer's note), the
    inspection is scored again with the settings' bands and the pass mark it was submitted
    with, and — except for acceptance inspections — its finding is recorded, repeat rules
    included, and `inspection_submitted` is sent with it, so rectification opens one. A check
    that already failed only gets the note; its finding is returned."""
    inspection = Inspection.objects.select_for_update().get(pk=answer.inspection_id)
    if not inspection.is_submitted:
        raise Conflict(_("This inspection is still a draft; change its answers on the checklist."))
    answer = Answer.objects.select_for_update().get(pk=answer.pk)
    answer.note = appended_note(answer.note, note)
    if answer.is_failed:
        answer.save(update_fields=["note", "updated_at"])
        return Finding.objects.filter(answer=answer).first()
    zone = Zone.objects.select_related("center", "owner").get(pk=inspection.zone_id)
    settings = InspectionSettings.for_center(inspection.center_id)
    takes_findings = inspection.kind != Inspection.Kind.ACCEPTANCE
    answer.result, answer.deduction, answer.severity = (
        Answer.Result.FAIL,
        Decimal(0),
        Severity.GENERAL,
    )
    answer.applied_deduction = None  # the pass applied nothing: a fail's default now
    earlier = _earlier_findings(inspection, zone, [answer], settings) if takes_findings else {}
    _apply_deduction(answer, earlier, settings)
    answer.save(
        update_fields=[
            "result", "deduction", "severity", "note", "is_repeat", "applied_deduction",
            "updated_at",
        ]
    )  # fmt: skip
    if inspection.pass_mark is not None:
        settings.pass_mark = inspection.pass_mark  # never saved: the submit's mark is kept
    score = score_answers(inspection.answers.all(), settings)
    Inspection.objects.filter(pk=inspection.pk).update(
        score=score.percent,
        points_earned=score.earned,
        points_possible=score.possible,
        pillar_scores=score.pillars,
        band=score.band,
        passed=score.passed,
        version=F("version") + 1,
    )
    inspection.refresh_from_db()
    findings = [_record_finding(inspection, answer, zone, earlier)] if takes_findings else []
    inspection_submitted.send(
        sender=Inspection,
        inspection=inspection,
        findings=findings,
        by=by,
        settings=settings,
        request=request,
    )
    record_event(
        request,
        action="inspections.finding_added",
        obj=inspection,
        actor=by,
        center=zone.center,
        detail={"answer": answer.pk, "score": str(inspection.score), "band": inspection.band},
    )
    return findings[0] if findings else None


@transaction.atomic
def propose_improvement(
    *,
    findings: Iterable[Finding],
    by: User,
    proposal: str,
    request: HttpRequest | None = None,
) -> ImprovementProposal:
    """提升: turns one finding, or the findings of a recurring failed check, into a revision
    proposal: opens (or joins) a draft of the area type's standard, linked back to it."""
    items = list(findings)
    if not items:
        raise Invalid(_("Choose at least one finding."))
    proposal = proposal.strip()
    if not proposal:
        raise Invalid(_("Say what should change in the standard and why."))
    first = items[0]
    zone = first.zone
    if any(
        f.check_key != first.check_key or f.zone.area_type_id != zone.area_type_id for f in items
    ):
        raise Invalid(_("The findings must be of the same check and area type."))
    record = ImprovementProposal.objects.create(
        center_id=first.center_id,
        area_type_id=zone.area_type_id,
        check_key=first.check_key,
        check_text=first.answer.text,
        proposal=proposal,
        created_by=by,
    )
    link = reverse("inspections:proposal-detail", args=[record.pk])
    draft = start_revision(
        area_type=zone.area_type,
        by=by,
        note=f"{first.answer.text[:80]}: {proposal}",
        source_url=link,
        request=request,
    )
    record.draft = draft
    record.save(update_fields=["draft"])
    Finding.objects.filter(pk__in=[f.pk for f in items]).update(proposal=record)
    record_event(
        request,
        action="inspections.improvement_proposed",
        obj=record,
        actor=by,
        center=zone.center,
        detail={"check": first.check_key, "findings": len(items), "draft": draft.pk},
    )
    return record


@transaction.atomic
def update_settings(
    *,
    settings: InspectionSettings,
    by: User,
    data: dict[str, Any],
    expected_version: int,
    request: HttpRequest | None = None,
) -> InspectionSettings:
    names = [
        "pass_mark",
        "green_from",
        "yellow_from",
        "repeat_window_days",
        "repeat_factor",
        "serious_days",
        "general_days",
        "remind_days",
        "photo_check",
    ]
    for name in names:
        setattr(settings, name, data[name])
    if settings.yellow_from > settings.green_from:
        raise Invalid(_("Yellow must start below green."))
    if settings.pk is None:
        settings.save()
    else:
        save_versioned(settings, expected_version=expected_version, fields=names)
    record_event(
        request,
        action="inspections.settings_changed",
        obj=settings,
        actor=by,
        detail={n: data[n] for n in names},
    )
    return settings
