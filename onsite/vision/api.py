"""JSON API of the photo check: an inspection's suggestions, confirm / dismiss (what the phone's
outbox sends), and a zone's reference photo. Adapters over the same checks and actions as the
pages; a refusal is answered by config/api.py. Writes accept an `Idempotency-Key` header."""

from __future__ import annotations

import datetime
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from ninja import File, Router, Schema
from ninja.files import UploadedFile

from onsite.core.access import check_roles
from onsite.core.api import documented, idempotency_key
from onsite.core.models import get_for_center
from onsite.core.refusals import Invalid
from onsite.core.types import OnsiteRequest
from onsite.inspections import access as inspections_access
from onsite.org.models import Zone
from onsite.vision import access, actions
from onsite.vision.models import DraftFinding, PhotoAnalysis, ReferencePhoto

router = Router(tags=["vision"])
OPTIONAL_PHOTO: Any = File(None)  # type: ignore[type-arg]
NO_PHOTO = gettext_lazy("Choose a photo to upload.")


class DraftOut(Schema):
    id: int
    answer: int
    kind: str
    item: str
    text: str
    x: float
    y: float
    w: float
    h: float
    score: float
    measured_mm: int | None
    status: str
    finding: int | None
    version: int


class PhotoCheckOut(Schema):
    photo: int
    answer: int
    status: str
    error: str
    alignment: str
    drafts: list[DraftOut]


class DecideIn(Schema):
    version: int
    reason: str = ""


class ReferenceOut(Schema):
    id: int
    zone: str
    url: str
    thumb_url: str
    has_markers: bool
    is_active: bool
    taken_at: datetime.datetime


def _draft_out(d: DraftFinding) -> DraftOut:
    return DraftOut(
        id=d.pk, answer=d.answer_id, kind=d.kind, item=d.item, text=d.describe(), x=d.x, y=d.y,
        w=d.w, h=d.h, score=d.score, measured_mm=d.measured_mm, status=d.status,
        finding=d.finding_id, version=d.version,
    )  # fmt: skip


def _reference_out(r: ReferencePhoto) -> ReferenceOut:
    url = reverse("vision:reference-photo", args=[r.pk])
    return ReferenceOut(
        id=r.pk, zone=r.zone.code, url=url, thumb_url=f"{url}?size=thumb",
        has_markers=r.has_markers, is_active=r.is_active, taken_at=r.taken_at,
    )  # fmt: skip


@router.get(
    "/inspections/{inspection_id}/checks",
    response=documented(list[PhotoCheckOut]),
    summary="The photo check of an inspection's photos, with its suggestions",
)
def inspection_checks(request: OnsiteRequest, inspection_id: int) -> list[PhotoCheckOut]:
    check_roles(request, access.READERS)
    inspection = inspections_access.get_inspection(request.user, request.center, inspection_id)
    analyses = (
        PhotoAnalysis.objects.filter(center=request.center, photo__answer__inspection=inspection)
        .select_related("photo")
        .prefetch_related("drafts")
        .order_by("photo__uploaded_at", "pk")
    )
    out = []
    for a in analyses:
        drafts = []
        for d in a.drafts.all():
            d.analysis = a
            drafts.append(_draft_out(d))
        out.append(
            PhotoCheckOut(
                photo=a.photo_id,
                answer=a.photo.answer_id,
                status=a.status,
                error=_(a.error) if a.error else "",
                alignment=a.alignment,
                drafts=drafts,
            )
        )
    return out


def _decide(request: OnsiteRequest, draft_id: int, payload: DecideIn, *, accept: bool) -> DraftOut:
    check_roles(request, access.WRITERS, write=True)
    draft = access.get_draft(request.user, request.center, draft_id)
    actions.check_decide(request.user, draft)
    draft = actions.do_decide(
        draft, accept=accept, by=request.user, version=payload.version, reason=payload.reason,
        submission_key=idempotency_key(request), request=request,
    )  # fmt: skip
    return _draft_out(draft)


@router.post(
    "/drafts/{draft_id}/accept",
    response=documented(DraftOut),
    summary="Confirm a suggestion: its check fails",
    url_name="vision_draft_accept",
)
def accept(request: OnsiteRequest, draft_id: int, payload: DecideIn) -> DraftOut:
    """`version` is the draft's version the client saw: 409 if someone decided it since."""
    return _decide(request, draft_id, payload, accept=True)


@router.post(
    "/drafts/{draft_id}/dismiss",
    response=documented(DraftOut),
    summary="Dismiss a suggestion",
    url_name="vision_draft_dismiss",
)
def dismiss(request: OnsiteRequest, draft_id: int, payload: DecideIn) -> DraftOut:
    return _decide(request, draft_id, payload, accept=False)


@router.get(
    "/zones/{code}/references",
    response=documented(list[ReferenceOut]),
    summary="A zone's reference photos, the one in use first",
)
def references(request: OnsiteRequest, code: str) -> list[ReferenceOut]:
    check_roles(request, access.READERS)
    zone = get_for_center(Zone.objects.all(), request.center, code=code[:32])
    rows = ReferencePhoto.objects.filter(center=request.center, zone=zone).select_related("zone")
    return [_reference_out(r) for r in rows.order_by("-is_active", "-taken_at", "-pk")[:20]]


@router.post(
    "/zones/{code}/references",
    response=documented(ReferenceOut),
    summary="Take a zone's reference photo (it replaces the one in use)",
)
def add_reference(
    request: OnsiteRequest, code: str, photo: UploadedFile | None = OPTIONAL_PHOTO
) -> ReferenceOut:
    check_roles(request, access.WRITERS, write=True)
    zone = get_for_center(Zone.objects.select_related("center"), request.center, code=code[:32])
    actions.check_add_reference(request.user)
    if photo is None:
        raise Invalid(NO_PHOTO)
    reference = actions.do_add_reference(
        zone=zone, by=request.user, upload=photo, submission_key=idempotency_key(request),
        request=request,
    )  # fmt: skip
    return _reference_out(reference)
