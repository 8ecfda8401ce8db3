from __future__ import annotations

import datetime

from django.db.models import Q
from django.http import HttpRequest
from django.utils import timezone
from ninja import Router, Schema
from ninja.security import APIKeyHeader, SessionAuth

from onsite.accounts.models import ApiToken, Role, User, hash_token
from onsite.core.api import documented
from onsite.core.middleware import CENTER_SESSION_KEY
from onsite.core.models import visible_centers
from onsite.core.types import OnsiteRequest

LAST_USED_PRECISION = datetime.timedelta(minutes=1)


class TokenAuth(APIKeyHeader):
    """`Authorization: Bearer ons_…` with a personal API token."""

    param_name = "Authorization"
    openapi_description = "Personal API token: `Authorization: Bearer ons_...`"

    def authenticate(self, request: HttpRequest, key: str | None) -> User | None:
        if not key or not key.startswith("Bearer "):
            return None
        token = (
            ApiToken.objects.select_related("user__center")
            .filter(token_hash=hash_token(key.removeprefix("Bearer ").strip()), revoked_at=None)
            .first()
        )
        if token is None or not token.user.is_active or token.user.needs_password_change:
            return None
        if not may_use_api(token.user):
            return None
        now = timezone.now()
        # "Last used" to the minute: writing it on every call made every read a write, and
        # concurrent calls with one token queued on its row until each request committed.
        if token.last_used_at is None or now - token.last_used_at >= LAST_USED_PRECISION:
            ApiToken.objects.filter(pk=token.pk).filter(
                Q(last_used_at__isnull=True) | Q(last_used_at__lt=now - LAST_USED_PRECISION)
            ).update(last_used_at=now)
        attach_user(request, token.user)
        return token.user


class CookieAuth(SessionAuth):
    def authenticate(self, request: HttpRequest, key: str | None) -> User | None:
        user: User | None = super().authenticate(request, key)
        if user is None or not may_use_api(user):
            return None
        attach_user(request, user)
        return user


def may_use_api(user: User) -> bool:
    """三权分立: the auditor reads the audit trail (a page) and nothing else; the API serves
    business data only, so an auditor's credentials open none of it."""
    return not user.has_role(Role.AUDITOR)


def attach_user(request: HttpRequest, user: User) -> None:
    """API requests carry the same request.user and request.center as pages."""
    request.user = user
    center = user.center
    if user.is_cross_center_viewer:
        centers = visible_centers(user)
        chosen = request.session.get(CENTER_SESSION_KEY) if hasattr(request, "session") else None
        center = (centers.filter(pk=chosen).first() if chosen else None) or centers.first()
    request.center = center  # type: ignore[attr-defined]


API_AUTH = [TokenAuth(), CookieAuth()]

router = Router(tags=["accounts"])


class CenterOut(Schema):
    id: int
    code: str
    name: str


class MeOut(Schema):
    id: int
    username: str
    full_name: str
    roles: list[str]
    center: CenterOut | None


@router.get("/me", response=documented(MeOut), summary="The signed-in user")
def me(request: OnsiteRequest) -> MeOut:
    user = request.user
    center = request.center
    return MeOut(
        id=user.pk,
        username=user.username,
        full_name=user.full_name,
        roles=sorted(user.roles),
        center=CenterOut(id=center.pk, code=center.code, name=center.name) if center else None,
    )
