"""Who may do what in the programme: one set of roles per kind of act (declared here once,
read by the pages' decorators, the acts' checks in `actions` and the site's policy) and one
getter per object type, shared by the pages and the API. Another center's object is a 404.

Blind scoring: before a round closes nobody (the office included) reads a rater's score
through the programme's pages or API; a rater sees only their own sheets."""

from __future__ import annotations

from typing import Any, cast

from django.db.models import QuerySet
from django.http import Http404

from onsite.accounts.models import Role, User
from onsite.core.access import check_roles
from onsite.core.access import may as kernel_may
from onsite.core.models import Center, get_for_center
from onsite.core.roles import ALL
from onsite.core.types import OnsiteRequest
from onsite.org.models import Unit
from onsite.programme.models import (
    AcceptanceRound,
    Assignment,
    Card,
    Interview,
    PhaseProgress,
    Programme,
    RatingSheet,
    SignOff,
    Wave,
)

# Everyone working in the center, and cross-center viewers (the shared roles of the main
# navigation: the auditor keeps to the audit trail).
READERS: tuple[str, ...] = tuple(sorted(ALL | {Role.VIEWER}))
# The leadership group's office plans the programme, opens and closes rounds, overrides.
PLANNERS: tuple[str, ...] = (Role.ADMIN, Role.LEADER, Role.OFFICE)
# 特批's second signature: the leadership (领导小组), never the person who asked.
APPROVERS: tuple[str, ...] = (Role.LEADER,)
# Promotion-group leaders drive their working groups through the phases.
DRIVERS: tuple[str, ...] = (*PLANNERS, Role.GROUP_LEADER)
# The supervision section publishes rankings and issues cards (with the office).
RANKERS: tuple[str, ...] = (*PLANNERS, Role.SUPERVISOR)
# Who reads each rater's score once a round is closed (the raters of the round also do).
RESULT_READERS: tuple[str, ...] = (*RANKERS, Role.GROUP_LEADER, Role.VIEWER)


def may(user: User, roles: tuple[str, ...]) -> bool:
    """Holds one of `roles` and may write (a cross-center viewer never writes): whether a
    page shows the buttons of an act (the act's check decides)."""
    return kernel_may(user, roles, write=True)


def center_of(request: OnsiteRequest) -> Center:
    if request.center is None:
        raise Http404
    return request.center


def reader_center(request: OnsiteRequest, roles: tuple[str, ...] = READERS) -> Center:
    """The API's read gate: the caller's center, or NotAllowed (403, audited)."""
    return cast(Center, check_roles(request, roles))


def code_of(value: str) -> str:
    """A code from a path or a query: one with a NUL character names nothing (404), and
    PostgreSQL would refuse to compare it."""
    if "\x00" in value:
        raise Http404
    return value


def get_programme(center: Center | None, pk: int) -> Programme:
    return get_for_center(Programme.objects.all(), center, pk=pk)


def get_wave(center: Center | None, pk: int) -> Wave:
    return get_for_center(Wave.objects.select_related("programme"), center, pk=pk)


def current_programme(center: Center | None) -> Programme | None:
    """The running programme, else the latest one."""
    if center is None:
        return None
    rows = Programme.objects.filter(center=center)
    return (
        rows.filter(status=Programme.Status.RUNNING).order_by("-starts_on", "-pk").first()
        or rows.order_by("-starts_on", "-pk").first()
    )


def get_unit(center: Center | None, code: str) -> Unit:
    return get_for_center(
        Unit.objects.select_related("coverage__group"), center, code=code_of(code)
    )


def get_progress(center: Center | None, pk: int) -> PhaseProgress:
    return get_for_center(PhaseProgress.objects.select_related("unit", "programme"), center, pk=pk)


def get_round(center: Center | None, pk: int) -> AcceptanceRound:
    return get_for_center(
        AcceptanceRound.objects.select_related("programme", "opened_by", "closed_by"),
        center,
        pk=pk,
    )


def get_assignment(user: User, center: Center | None, pk: int) -> Assignment:
    """A rater opens their own assignments; the people who read results open any (their
    score stays hidden until the round closes). Anyone else: 404."""
    rows = Assignment.objects.select_related("round", "unit", "rater", "rater_group")
    if not user.has_role(*RESULT_READERS):
        rows = rows.filter(rater=user)
    return get_for_center(rows, center, pk=pk)


def sees_scores(user: User, round_: AcceptanceRound, assignment: Assignment | None = None) -> bool:
    """Blind scoring: a rater's score is shown to that rater, and to everyone else only once
    the round is closed (then to the result readers and the round's raters)."""
    if assignment is not None and assignment.rater_id == user.pk:
        return True
    if not round_.is_closed:
        return False
    if user.has_role(*RESULT_READERS):
        return True
    return Assignment.objects.filter(round=round_, rater=user).exists()


def sealed_sheets(user: User) -> QuerySet[Any]:
    """Acceptance inspections of rounds still open that someone else rated: blind scoring
    keeps them from everybody, overseers included, until the round closes (the office
    follows progress on the round's pages, which show who submitted, not what). Registered
    with inspections (`register_sealer`) in the app's ready()."""
    return (
        RatingSheet.objects.filter(assignment__round__status=AcceptanceRound.Status.OPEN)
        .exclude(inspection__inspector=user)
        .values("inspection_id")
    )


def get_sign_off(center: Center | None, pk: int) -> SignOff:
    return get_for_center(
        SignOff.objects.select_related("wave", "progress__unit", "requested_by", "approved_by"),
        center,
        pk=pk,
    )


def get_card(center: Center | None, pk: int) -> Card:
    return get_for_center(
        Card.objects.select_related("unit", "issued_by", "revoked_by", "round"), center, pk=pk
    )


def get_interview(center: Center | None, pk: int) -> Interview:
    return get_for_center(Interview.objects.select_related("unit", "held_by"), center, pk=pk)
