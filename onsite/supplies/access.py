"""Who may do what with supplies, and the request helpers the red-tag pages share."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import Http404
from ninja.errors import HttpError

from onsite.accounts.models import Role
from onsite.audit.models import Outcome
from onsite.audit.services import record_event
from onsite.core.concurrency import ConflictError
from onsite.core.models import Center
from onsite.core.roles import ALL, MANAGERS
from onsite.core.types import OnsiteRequest

STORE_ROLES = (Role.ADMIN, Role.OFFICE)
"""Who runs the center store: keeps the catalogue, receives, issues and counts."""
APPROVER_ROLES = (Role.ADMIN, Role.OFFICE, Role.LEADER)
"""Who approves or rejects requisitions."""
READERS = tuple(ALL | {Role.VIEWER})
"""Everyone working in the center reads the stock and the red tags, and cross-center viewers
too; the auditor's remit is the audit trail (as in the main navigation)."""
REQUESTERS = tuple(ALL)
"""Who requests supplies: anyone working in the center, for their own unit (store keepers
and approvers for any unit); a person without a unit is told so."""
SEE_ALL = (*STORE_ROLES, *APPROVER_ROLES, Role.SUPERVISOR, Role.VIEWER)
"""Who reads every unit's requisitions and returns; the others read their own unit's."""
ANALYSTS = tuple(MANAGERS | {Role.VIEWER})
"""Who compares the units' consumption."""


NO_NUL = r"^[^\x00]*$"
"""Text fields of the API: PostgreSQL stores no NUL character, so none gets in."""


def code_of(value: str) -> str:
    """A code from a path or a query: one with a NUL character names nothing (404)."""
    if "\x00" in value:
        raise Http404
    return value


def center_of(request: OnsiteRequest) -> Center:
    """The request's center; pages guarded by role_required always have one."""
    if request.center is None:
        raise Http404
    return request.center


def require(request: OnsiteRequest, *roles: str, write: bool = False) -> Center:
    """The API's role check: 403 (and an audit row) unless the caller holds one of `roles`;
    a cross-center viewer never writes. Returns the caller's center."""
    user = request.user
    allowed = user.has_role(*roles) and request.center is not None
    if write and user.is_cross_center_viewer:
        allowed = False
    if not allowed or request.center is None:
        record_event(
            request,
            action="access.denied",
            outcome=Outcome.DENIED,
            detail={"path": request.path[:200], "method": request.method},
        )
        raise HttpError(403, "You do not have permission to do this.")
    return request.center


def refuse(exc: ValidationError | ConflictError) -> HttpError:
    """A service's refusal as an API error: 409 with the message in the caller's language.
    Malformed input never gets this far: the schemas' bounds answer it with 422."""
    if isinstance(exc, ConflictError):
        return HttpError(409, str(exc.message))
    return HttpError(409, " ".join(exc.messages))


def idempotency_key(request: OnsiteRequest) -> str:
    return request.headers.get("Idempotency-Key", "")[:64]
