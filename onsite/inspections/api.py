"""JSON API of inspections: start, read, save answers (with the version the client saw),
upload photos, submit; findings. Adapters over the same checks and actions as the pages
(`onsite.inspections.actions`); a refusal propagates to config/api.py, which answers it
(403 not allowed, 404 not visible, 409 stale or wrong state, 422 invalid).

Writes accept an `Idempotency-Key` header: a retried request (a phone's offline queue, a
double tap) with the same key gets the first result and changes nothing again."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any, Literal

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from ninja import Field, File, Router, Schema
from ninja.files import UploadedFile

from onsite.core.access import check_roles
from onsite.core.api import documented, idempotency_key
from onsite.core.models import get_for_center
from onsite.core.refusals import Invalid
from onsite.core.types import OnsiteRequest
from onsite.inspections import access, actions, queries
from onsite.inspections.models import (
    Answer,
    AnswerPhoto,
    Finding,
    Inspection,
    InspectionSettings,
)
from onsite.inspections.scoring import score_answers
from onsite.inspections.services import AnswerInput
from onsite.org.models import Zone

router = Router(tags=["inspections"])

ResultName = Literal["", "pass", "fail", "na"]
SeverityName = Literal["fix_now", "serious", "general"]
StartKind = Literal["self_check", "supervision"]
MAX_ROWS = 200
MAX_OFFSET = 1_000_000
# Optional in the schema so an upload without a photo is refused after the access checks
# (404/403 first, then 422 with a message), not by request validation before them.
OPTIONAL_PHOTO: Any = File(None)  # type: ignore[type-arg]


# --- schemas ---------------------------------------------------------------------------------


class InspectionPhotoOut(Schema):
    id: int
    url: str
    thumb_url: str


class InspectionAnswerOut(Schema):
    id: int
    key: str
    source: str
    pillar: str
    text: str
    check_method: str
    weight: int
    max_points: int
    photo_required: bool
    subject: str = Field(..., description="zone, person (a staff member on post) or equipment")
    person: int | None = Field(None, description="A failed person check: who it concerns")
    equipment: int | None = Field(None, description="A failed equipment check: which equipment")
    result: str
    deduction: Decimal
    severity: str
    note: str
    is_repeat: bool
    applied_deduction: Decimal | None
    photos: list[InspectionPhotoOut]


class InspectionOut(Schema):
    id: int
    zone: str
    kind: str
    status: str
    inspected_on: datetime.date
    inspector: str
    standard_version: int
    score: Decimal | None
    band: str
    passed: bool | None
    pillar_scores: dict[str, float]
    row_version: int


class InspectionDetailOut(InspectionOut):
    note: str
    answers: list[InspectionAnswerOut]


class InspectionStartIn(Schema):
    zone: str = Field(..., description="The zone's code", pattern=r"^[^\x00]*$")  # no NUL
    kind: StartKind


class InspectionAnswerIn(Schema):
    id: int
    result: ResultName = ""
    deduction: float | None = None
    severity: SeverityName = "general"
    note: str = ""
    person: int | None = Field(
        None, description="A failed person check: the staff member it concerns (see /people)"
    )
    equipment: int | None = Field(
        None, description="A failed equipment check: the zone's equipment that fails"
    )


class InspectionPersonOut(Schema):
    id: int
    name: str
    username: str
    unit: str


class InspectionSaveIn(Schema):
    version: int
    note: str | None = None
    answers: list[InspectionAnswerIn]


class InspectionDraftOut(Schema):
    id: int
    row_version: int
    score: Decimal | None
    band: str
    answered: int
    total: int


class InspectionSubmitIn(Schema):
    version: int | None = None


class InspectionFindingOut(Schema):
    id: int
    inspection: int
    zone: str
    check_key: str
    pillar: str
    text: str
    severity: str
    deduction: Decimal
    is_repeat: bool
    repeat_of: int | None
    found_on: datetime.date
    person: str | None = Field(None, description="A person check's finding: their username")
    rectification: int | None
    rectification_status: str | None


# --- helpers ---------------------------------------------------------------------------------


def _read(request: OnsiteRequest) -> None:
    check_roles(request, access.READERS)


def _photo_out(p: AnswerPhoto) -> InspectionPhotoOut:
    url = reverse("inspections:photo", args=[p.pk])
    return InspectionPhotoOut(id=p.pk, url=url, thumb_url=f"{url}?size=thumb")


def _inspection_out(i: Inspection) -> InspectionOut:
    return InspectionOut(
        id=i.pk,
        zone=i.zone.code,
        kind=i.kind,
        status=i.status,
        inspected_on=i.inspected_on,
        inspector=i.inspector.display_name,
        standard_version=i.standard_version_id,
        score=i.score,
        band=i.band,
        passed=i.passed,
        pillar_scores=i.pillar_scores or {},
        row_version=i.version,
    )


def _answer_out(a: Answer) -> InspectionAnswerOut:
    return InspectionAnswerOut(
        id=a.pk,
        key=a.key,
        source=a.source,
        pillar=a.pillar,
        text=a.text,
        check_method=a.check_method,
        weight=a.weight,
        max_points=a.max_points,
        photo_required=a.photo_required,
        subject=a.subject,
        person=a.person_id,
        equipment=a.equipment_id,
        result=a.result,
        deduction=a.deduction,
        severity=a.severity,
        note=a.note,
        is_repeat=a.is_repeat,
        applied_deduction=a.applied_deduction,
        photos=[_photo_out(p) for p in a.photos.all()],
    )


def _detail_out(i: Inspection) -> InspectionDetailOut:
    answers = queries.checklist_answers(i)
    return InspectionDetailOut(
        **_inspection_out(i).dict(), note=i.note, answers=[_answer_out(a) for a in answers]
    )


def _draft_out(i: Inspection) -> InspectionDraftOut:
    score = score_answers(i.answers.all(), InspectionSettings.for_center(i.center_id))
    return InspectionDraftOut(
        id=i.pk,
        row_version=i.version,
        score=score.percent,
        band=score.band,
        answered=score.answered,
        total=score.total,
    )


# --- findings --------------------------------------------------------------------------------


def _finding_out(f: Finding) -> InspectionFindingOut:
    rect = getattr(f, "rectification", None)
    return InspectionFindingOut(
        id=f.pk,
        inspection=f.inspection_id,
        zone=f.zone.code,
        check_key=f.check_key,
        pillar=f.pillar,
        text=f.text,
        severity=f.severity,
        deduction=f.deduction,
        is_repeat=f.is_repeat,
        repeat_of=f.repeat_of_id,
        found_on=f.found_on,
        person=f.person.username if f.person else None,
        rectification=rect.pk if rect else None,
        rectification_status=rect.status if rect else None,
    )


@router.get(
    "/findings", response=documented(list[InspectionFindingOut]), summary="Findings I may see"
)
def list_findings(
    request: OnsiteRequest, zone: str = "", repeat: bool = False, offset: int = 0
) -> list[InspectionFindingOut]:
    _read(request)
    rows = access.visible_findings(request.user, request.center).select_related(
        "zone", "rectification", "person"
    )
    rows = queries.filter_findings(rows, {"zone": zone, "repeat": "1" if repeat else ""})
    start = min(max(offset, 0), MAX_OFFSET)
    return [_finding_out(f) for f in rows.order_by("-found_on", "-pk")[start : start + MAX_ROWS]]


@router.get(
    "/findings/{finding_id}", response=documented(InspectionFindingOut), summary="One finding"
)
def finding_detail(request: OnsiteRequest, finding_id: int) -> InspectionFindingOut:
    _read(request)
    return _finding_out(access.get_finding(request.user, request.center, finding_id))


# --- inspections -----------------------------------------------------------------------------


@router.get("/", response=documented(list[InspectionOut]), summary="Inspections I may see")
def list_inspections(
    request: OnsiteRequest,
    zone: str = "",
    kind: str = "",
    status: str = "",
    offset: int = 0,
) -> list[InspectionOut]:
    _read(request)
    rows = access.visible_inspections(request.user, request.center).select_related(
        "zone", "inspector"
    )
    if zone:
        rows = queries.of_zone_code(rows, zone)
    if kind:
        rows = rows.filter(kind=kind[:12])
    if status:
        rows = rows.filter(status=status[:10])
    start = min(max(offset, 0), MAX_OFFSET)
    return [
        _inspection_out(i) for i in rows.order_by("-inspected_on", "-pk")[start : start + MAX_ROWS]
    ]


@router.post("/", response=documented(InspectionDetailOut), summary="Start an inspection")
def start(request: OnsiteRequest, payload: InspectionStartIn) -> InspectionDetailOut:
    check_roles(request, access.WRITERS, write=True)
    zone = get_for_center(Zone.objects.all(), request.center, code=payload.zone[:32])
    actions.check_start(request.user, zone, payload.kind)
    inspection = actions.do_start(
        zone=zone,
        kind=payload.kind,
        inspector=request.user,
        submission_key=idempotency_key(request),
        request=request,
    )
    return _detail_out(access.get_inspection(request.user, request.center, inspection.pk))


@router.get(
    "/{inspection_id}/people",
    response=documented(list[InspectionPersonOut]),
    summary="Who a person check of this inspection may concern",
    url_name="inspection_people",
)
def people(request: OnsiteRequest, inspection_id: int) -> list[InspectionPersonOut]:
    """The active staff of the zone's unit: the choices of `person` when a person check
    fails."""
    _read(request)
    inspection = access.get_inspection(request.user, request.center, inspection_id)
    return [
        InspectionPersonOut(
            id=u.pk, name=u.display_name, username=u.username, unit=str(u.unit or "")
        )
        for u in queries.people_of(inspection.zone)
    ]


@router.get(
    "/{inspection_id}",
    response=documented(InspectionDetailOut),
    summary="One inspection",
    url_name="inspection_detail",
)
def detail(request: OnsiteRequest, inspection_id: int) -> InspectionDetailOut:
    _read(request)
    return _detail_out(access.get_inspection(request.user, request.center, inspection_id))


@router.post(
    "/{inspection_id}/answers",
    response=documented(InspectionDraftOut),
    summary="Save answers of a draft",
    url_name="inspection_save_answers",
)
def save_answers(
    request: OnsiteRequest, inspection_id: int, payload: InspectionSaveIn
) -> InspectionDraftOut:
    """`version` is the row_version the client last saw; if someone saved since, the answer is
    409 and nothing is written."""
    check_roles(request, access.WRITERS, write=True)
    inspection = access.get_inspection(request.user, request.center, inspection_id)
    actions.check_edit(request.user, inspection)
    answers = [
        AnswerInput(a.id, a.result, None if a.deduction is None else str(a.deduction),
                    a.severity, a.note, a.person, a.equipment)
        for a in payload.answers
    ]  # fmt: skip
    inspection = actions.do_save_answers(
        inspection=inspection,
        by=request.user,
        expected_version=payload.version,
        answers=answers,
        note=payload.note,
        submission_key=idempotency_key(request),
        request=request,
    )
    return _draft_out(inspection)


@router.post(
    "/answers/{answer_id}/photos",
    response=documented(InspectionPhotoOut),
    summary="Add a photo to a check",
    url_name="inspection_upload_photo",
)
def upload_photo(
    request: OnsiteRequest, answer_id: int, photo: UploadedFile | None = OPTIONAL_PHOTO
) -> InspectionPhotoOut:
    check_roles(request, access.WRITERS, write=True)
    answer = access.get_answer(request.user, request.center, answer_id)
    actions.check_add_photo(request.user, answer)
    if photo is None:  # optional in the schema so access is checked first: 404 before 422
        raise Invalid(_("Choose a photo to upload."))
    stored = actions.do_add_photo(
        answer=answer,
        by=request.user,
        upload=photo,
        submission_key=idempotency_key(request),
        request=request,
    )
    return _photo_out(stored)


@router.post(
    "/{inspection_id}/submit",
    response=documented(InspectionOut),
    summary="Submit an inspection (idempotent)",
    url_name="inspection_submit",
)
def submit(
    request: OnsiteRequest, inspection_id: int, payload: InspectionSubmitIn
) -> InspectionOut:
    check_roles(request, access.WRITERS, write=True)
    inspection = access.get_inspection(request.user, request.center, inspection_id)
    actions.check_submit(request.user, inspection)
    if inspection.is_draft:
        actions.do_submit(
            inspection=inspection,
            by=request.user,
            expected_version=payload.version,
            submission_key=idempotency_key(request),
            request=request,
        )
    return _inspection_out(access.get_inspection(request.user, request.center, inspection.pk))
