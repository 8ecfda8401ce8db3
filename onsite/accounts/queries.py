"""What the account pages list: the center's accounts and who is locked out."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta

from django.conf import settings
from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone

from onsite.accounts.models import LoginFailure, RoleGrant, User
from onsite.core.models import Center


def accounts_of(center: Center | None, *, term: str = "") -> QuerySet[User]:
    """The center's accounts with their unit and roles, matching `term` in the username or
    the name when given."""
    users = (
        User.objects.filter(center=center)
        .select_related("unit")
        .prefetch_related(Prefetch("role_grants", queryset=RoleGrant.objects.order_by("role")))
        .order_by("username")
    )
    term = term.strip()
    if term:
        users = users.filter(Q(username__icontains=term) | Q(full_name__icontains=term))
    return users


def locked_out(users: Iterable[User]) -> set[str]:
    """The usernames (case-folded) among `users` with a lockout's worth of recent failures."""
    since = timezone.now() - timedelta(seconds=settings.LOCKOUT_SECONDS)
    return set(
        LoginFailure.objects.filter(
            at__gte=since, username__in=[user.username.casefold() for user in users]
        )
        .values("username")
        .annotate(n=Count("pk"))
        .filter(n__gte=settings.LOCKOUT_FAILURES)
        .values_list("username", flat=True)
    )
