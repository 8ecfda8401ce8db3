from __future__ import annotations

from typing import Any

from django.db import connection, models, transaction
from django.http import HttpRequest
from django.utils import timezone

from onsite.audit.models import GENESIS, AuditEvent, Outcome

# Any constant shared by every writer; PostgreSQL serialises appends on it.
_CHAIN_LOCK_KEY = 0x0A0D17


def client_ip(request: HttpRequest) -> str | None:
    # REMOTE_ADDR is the proxy's address behind nginx; deployment sets it from X-Real-IP there.
    return request.META.get("REMOTE_ADDR") or None


def record_event(
    request: HttpRequest | None,
    /,
    *,
    action: str,
    obj: models.Model | None = None,
    outcome: str = Outcome.SUCCESS,
    detail: dict[str, Any] | None = None,
    actor: Any = None,
    center: Any = None,
) -> AuditEvent:
    """Appends one row to the chain inside the caller's transaction, so the business change
    and its audit row commit (or roll back) together."""
    user = actor if actor is not None else getattr(request, "user", None)
    if user is not None and not user.is_authenticated:
        user = None
    if center is None:
        center = getattr(request, "center", None) or getattr(obj, "center", None)
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_CHAIN_LOCK_KEY])
        # On SQLite the IMMEDIATE transaction already holds the database's write lock.
        last = AuditEvent.objects.order_by("-seq").values_list("seq", "hash").first()
        seq, prev_hash = (last[0] + 1, last[1]) if last else (1, GENESIS)
        event = AuditEvent(
            seq=seq,
            at=timezone.now(),
            center=center,
            actor=user,
            actor_name=str(user) if user else "",
            role=(user.primary_role or "") if user else "",
            ip=client_ip(request) if request is not None else None,
            request_id=getattr(request, "request_id", ""),
            action=action,
            object_type=obj._meta.label_lower if obj is not None else "",
            object_id=str(obj.pk) if obj is not None else "",
            object_repr=str(obj)[:200] if obj is not None else "",
            outcome=outcome,
            detail=detail or {},
            prev_hash=prev_hash,
        )
        event.hash = event.compute_hash()
        event.save(force_insert=True)
    return event


def verify_chain() -> tuple[int, AuditEvent | None, str]:
    """Walks the chain in order. Returns (rows checked, first bad row or None, why)."""
    expected_prev = GENESIS
    expected_seq = None
    checked = 0
    for event in AuditEvent.objects.order_by("seq").iterator(chunk_size=2000):
        if expected_seq is not None and event.seq != expected_seq:
            return checked, event, f"row {expected_seq} is missing"
        if event.prev_hash != expected_prev:
            return checked, event, "previous hash does not match"
        if event.compute_hash() != event.hash:
            return checked, event, "row content was altered"
        expected_prev = event.hash
        expected_seq = event.seq + 1
        checked += 1
    return checked, None, ""
