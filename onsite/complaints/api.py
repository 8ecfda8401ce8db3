"""JSON API of 差评 cases: read, verify, hand in the outcome, review, record the 回访, close.
Adapters over the same checks and actions as the pages (`onsite.complaints.actions`); a
refusal propagates to config/api.py, which answers it (403, 404, 409 stale or wrong state,
422 invalid). Moves carry the row_version the client saw and accept an `Idempotency-Key`
header."""

from __future__ import annotations

import datetime
from typing import Literal

from ninja import Router, Schema

from onsite.complaints import access, actions
from onsite.complaints.models import Complaint
from onsite.core.access import check_roles
from onsite.core.api import documented, idempotency_key
from onsite.core.types import OnsiteRequest

router = Router(tags=["complaints"])
MAX_ROWS = 200
MAX_OFFSET = 1_000_000


class ComplaintOut(Schema):
    id: int
    rating_id: int
    unit: str
    staff: str | None
    rated_at: datetime.datetime
    level: int
    case_number: str
    item_code: str
    item_name: str
    reason: str
    comment: str
    status: str
    outcome: str
    findings: str
    action: str
    review_note: str
    citizen_satisfied: str
    revisit_note: str
    revisited_at: datetime.datetime | None
    due_on: datetime.date
    is_overdue: bool
    closed_at: datetime.datetime | None
    row_version: int


class ComplaintVerifyIn(Schema):
    version: int
    findings: str


class ComplaintSubmitIn(Schema):
    version: int
    outcome: Literal["fix", "explain", "appeal"]
    action: str


class ComplaintReviewIn(Schema):
    version: int
    approve: bool
    note: str = ""


class ComplaintRevisitIn(Schema):
    version: int
    satisfied: Literal["yes", "no", "unreached"]
    note: str = ""


class ComplaintCloseIn(Schema):
    version: int
    note: str = ""


def _out(c: Complaint) -> ComplaintOut:
    return ComplaintOut(
        id=c.pk, rating_id=c.rating_id, unit=c.unit.code,
        staff=c.staff.username if c.staff else None, rated_at=c.rated_at, level=c.level,
        case_number=c.case_number, item_code=c.item_code, item_name=c.item_name,
        reason=c.reason, comment=c.comment, status=c.status, outcome=c.outcome,
        findings=c.findings, action=c.action, review_note=c.review_note,
        citizen_satisfied=c.citizen_satisfied, revisit_note=c.revisit_note,
        revisited_at=c.revisited_at, due_on=c.due_on, is_overdue=c.is_overdue(),
        closed_at=c.closed_at, row_version=c.version,
    )  # fmt: skip


def _get(request: OnsiteRequest, pk: int) -> Complaint:
    return access.get_complaint(request.user, request.center, pk)


@router.get("/", response=documented(list[ComplaintOut]), summary="Bad-rating cases I may see")
def list_complaints(
    request: OnsiteRequest, status: str = "", overdue: bool = False, offset: int = 0
) -> list[ComplaintOut]:
    check_roles(request, access.READERS)
    rows = access.visible_complaints(request.user, request.center).select_related("unit", "staff")
    if status:  # an unknown status names no case
        rows = rows.filter(status=status) if status in Complaint.Status.values else rows.none()
    if overdue:
        rows = rows.overdue()
    start = min(max(offset, 0), MAX_OFFSET)
    return [_out(c) for c in rows.order_by("due_on", "pk")[start : start + MAX_ROWS]]


@router.get("/{complaint_id}", response=documented(ComplaintOut), summary="One bad-rating case")
def detail(request: OnsiteRequest, complaint_id: int) -> ComplaintOut:
    check_roles(request, access.READERS)
    return _out(_get(request, complaint_id))


@router.post("/{complaint_id}/verify", response=documented(ComplaintOut),
             summary="The window's verification")  # fmt: skip
def verify(request: OnsiteRequest, complaint_id: int, payload: ComplaintVerifyIn) -> ComplaintOut:
    check_roles(request, access.WRITERS, write=True)
    complaint = _get(request, complaint_id)
    actions.check_verify(request.user, complaint)
    return _out(actions.do_verify(
        complaint=complaint, by=request.user, findings=payload.findings,
        expected_version=payload.version, submission_key=idempotency_key(request),
        request=request,
    ))  # fmt: skip


@router.post("/{complaint_id}/submit", response=documented(ComplaintOut),
             summary="The window's outcome: fixed, explained or appealed")  # fmt: skip
def submit(request: OnsiteRequest, complaint_id: int, payload: ComplaintSubmitIn) -> ComplaintOut:
    check_roles(request, access.WRITERS, write=True)
    complaint = _get(request, complaint_id)
    actions.check_submit(request.user, complaint)
    return _out(actions.do_submit(
        complaint=complaint, by=request.user, outcome=payload.outcome, action=payload.action,
        expected_version=payload.version, submission_key=idempotency_key(request),
        request=request,
    ))  # fmt: skip


@router.post("/{complaint_id}/review", response=documented(ComplaintOut),
             summary="Approve the outcome or return it with a reason")  # fmt: skip
def review(request: OnsiteRequest, complaint_id: int, payload: ComplaintReviewIn) -> ComplaintOut:
    check_roles(request, access.REVIEWERS, write=True)
    complaint = _get(request, complaint_id)
    actions.check_review(request.user, complaint)
    return _out(actions.do_review(
        complaint=complaint, by=request.user, approve=payload.approve, note=payload.note,
        expected_version=payload.version, submission_key=idempotency_key(request),
        request=request,
    ))  # fmt: skip


@router.post("/{complaint_id}/revisit", response=documented(ComplaintOut),
             summary="Record the follow-up call to the citizen")  # fmt: skip
def revisit(request: OnsiteRequest, complaint_id: int, payload: ComplaintRevisitIn) -> ComplaintOut:
    check_roles(request, access.REVIEWERS, write=True)
    complaint = _get(request, complaint_id)
    actions.check_revisit(request.user, complaint)
    return _out(actions.do_revisit(
        complaint=complaint, by=request.user, satisfied=payload.satisfied, note=payload.note,
        expected_version=payload.version, submission_key=idempotency_key(request),
        request=request,
    ))  # fmt: skip


@router.post("/{complaint_id}/close", response=documented(ComplaintOut),
             summary="Close an approved case once the call is recorded")  # fmt: skip
def close(request: OnsiteRequest, complaint_id: int, payload: ComplaintCloseIn) -> ComplaintOut:
    check_roles(request, access.REVIEWERS, write=True)
    complaint = _get(request, complaint_id)
    actions.check_close(request.user, complaint)
    return _out(actions.do_close(
        complaint=complaint, by=request.user, note=payload.note,
        expected_version=payload.version, submission_key=idempotency_key(request),
        request=request,
    ))  # fmt: skip
