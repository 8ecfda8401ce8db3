"""JSON API of rectifications: read, add after-photos, submit, return, verify. Adapters over
the same checks and actions as the pages (`onsite.rectification.actions`); a refusal
propagates to config/api.py, which answers it (403, 404, 409 stale or wrong state, 422
invalid). Moves carry the row_version the client saw and accept an `Idempotency-Key`
header."""

from __future__ import annotations

import datetime
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from ninja import File, Router, Schema
from ninja.files import UploadedFile

from onsite.core.access import check_roles
from onsite.core.api import documented, idempotency_key
from onsite.core.refusals import Invalid
from onsite.core.types import OnsiteRequest
from onsite.rectification import access, actions
from onsite.rectification.models import Rectification, RectificationPhoto

router = Router(tags=["rectification"])
MAX_ROWS = 200
MAX_OFFSET = 1_000_000
# Optional in the schema so an upload without a photo is refused after the access checks
# (404/403 first, then 422 with a message), not by request validation before them.
OPTIONAL_PHOTO: Any = File(None)  # type: ignore[type-arg]


class RectificationPhotoOut(Schema):
    id: int
    attempt: int
    url: str
    thumb_url: str


class RectificationStepOut(Schema):
    action: str
    from_status: str
    to_status: str
    by: str | None
    at: datetime.datetime
    note: str


class RectificationOut(Schema):
    id: int
    finding: int
    zone: str
    assignee: str | None
    severity: str
    status: str
    due_on: datetime.date
    due_is_provisional: bool
    is_overdue: bool
    times_returned: int
    note: str
    return_reason: str
    row_version: int


class RectificationDetailOut(RectificationOut):
    photos: list[RectificationPhotoOut]
    history: list[RectificationStepOut]


class RectificationSubmitIn(Schema):
    version: int
    note: str


class RectificationReturnIn(Schema):
    version: int
    reason: str


class RectificationVerifyIn(Schema):
    version: int
    note: str = ""


def _photo_out(p: RectificationPhoto) -> RectificationPhotoOut:
    url = reverse("rectification:photo", args=[p.pk])
    return RectificationPhotoOut(id=p.pk, attempt=p.attempt, url=url, thumb_url=f"{url}?size=thumb")


def _out(r: Rectification) -> RectificationOut:
    return RectificationOut(
        id=r.pk,
        finding=r.finding_id,
        zone=r.zone.code,
        assignee=r.assignee.username if r.assignee else None,
        severity=r.severity,
        status=r.status,
        due_on=r.due_on,
        due_is_provisional=r.due_is_provisional,
        is_overdue=r.is_overdue(),
        times_returned=r.times_returned,
        note=r.note,
        return_reason=r.return_reason,
        row_version=r.version,
    )


def _detail_out(r: Rectification) -> RectificationDetailOut:
    return RectificationDetailOut(
        **_out(r).dict(),
        photos=[_photo_out(p) for p in r.photos.all()],
        history=[
            RectificationStepOut(
                action=t.action,
                from_status=t.from_status,
                to_status=t.to_status,
                by=t.by.username if t.by else None,
                at=t.at,
                note=t.note,
            )
            for t in r.transitions.select_related("by")
        ],
    )


def _get(request: OnsiteRequest, pk: int) -> Rectification:
    return access.get_rectification(request.user, request.center, pk)


@router.get("/", response=documented(list[RectificationOut]), summary="Rectifications I may see")
def list_rectifications(
    request: OnsiteRequest,
    status: str = "",
    mine: bool = False,
    overdue: bool = False,
    offset: int = 0,
) -> list[RectificationOut]:
    check_roles(request, access.READERS)
    rows = access.listed_rectifications(request.user, request.center, mine=mine).select_related(
        "zone", "assignee"
    )
    if status:  # an unknown status (a NUL byte included) names no rectification
        rows = rows.filter(status=status) if status in Rectification.Status.values else rows.none()
    if overdue:
        rows = rows.overdue()
    start = min(max(offset, 0), MAX_OFFSET)
    return [_out(r) for r in rows.order_by("due_on", "pk")[start : start + MAX_ROWS]]


@router.get(
    "/{rectification_id}",
    response=documented(RectificationDetailOut),
    summary="One rectification",
)
def detail(request: OnsiteRequest, rectification_id: int) -> RectificationDetailOut:
    check_roles(request, access.READERS)
    return _detail_out(_get(request, rectification_id))


@router.post(
    "/{rectification_id}/photos",
    response=documented(RectificationPhotoOut),
    summary="Add an after-photo (Idempotency-Key honoured)",
    url_name="rectification_upload_photo",
)
def upload_photo(
    request: OnsiteRequest, rectification_id: int, photo: UploadedFile | None = OPTIONAL_PHOTO
) -> RectificationPhotoOut:
    check_roles(request, access.WRITERS, write=True)
    rectification = _get(request, rectification_id)
    actions.check_add_photo(request.user, rectification)
    if photo is None:  # optional in the schema so access is checked first: 404 before 422
        raise Invalid(_("Choose a photo to upload."))
    stored = actions.do_add_photo(
        rectification=rectification,
        by=request.user,
        upload=photo,
        submission_key=idempotency_key(request),
        request=request,
    )
    return _photo_out(stored)


@router.post(
    "/{rectification_id}/submit",
    response=documented(RectificationOut),
    summary="Submit the fix for verification",
    url_name="rectification_submit",
)
def submit(
    request: OnsiteRequest, rectification_id: int, payload: RectificationSubmitIn
) -> RectificationOut:
    check_roles(request, access.WRITERS, write=True)
    rectification = _get(request, rectification_id)
    actions.check_submit(request.user, rectification)
    done = actions.do_submit(
        rectification=rectification,
        by=request.user,
        note=payload.note,
        expected_version=payload.version,
        submission_key=idempotency_key(request),
        request=request,
    )
    return _out(done)


@router.post(
    "/{rectification_id}/return",
    response=documented(RectificationOut),
    summary="Return a submitted fix with a reason",
)
def return_(
    request: OnsiteRequest, rectification_id: int, payload: RectificationReturnIn
) -> RectificationOut:
    check_roles(request, access.WRITERS, write=True)
    rectification = _get(request, rectification_id)
    actions.check_return(request.user, rectification)
    done = actions.do_return(
        rectification=rectification,
        by=request.user,
        reason=payload.reason,
        expected_version=payload.version,
        submission_key=idempotency_key(request),
        request=request,
    )
    return _out(done)


@router.post(
    "/{rectification_id}/verify",
    response=documented(RectificationOut),
    summary="Verify a submitted fix and close it",
)
def verify(
    request: OnsiteRequest, rectification_id: int, payload: RectificationVerifyIn
) -> RectificationOut:
    check_roles(request, access.WRITERS, write=True)
    rectification = _get(request, rectification_id)
    actions.check_verify(request.user, rectification)
    done = actions.do_verify(
        rectification=rectification,
        by=request.user,
        note=payload.note,
        expected_version=payload.version,
        submission_key=idempotency_key(request),
        request=request,
    )
    return _out(done)
