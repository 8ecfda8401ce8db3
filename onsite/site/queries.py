"""Read-side summaries for the home pages: a fixed number of queries each."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db.models import Count, Q
from django.utils import timezone

from onsite.accounts.models import Role, User
from onsite.complaints.queries import waiting_for
from onsite.engagement.models import Acknowledgement
from onsite.engagement.services import versions_for
from onsite.inspections.models import Inspection
from onsite.org.models import Group, Unit, Zone
from onsite.programme.models import AcceptanceRound, Assignment
from onsite.programme.services.rounds import sheet_states
from onsite.rectification.access import VERIFIERS
from onsite.rectification.models import Rectification
from onsite.rectification.queries import my_work
from onsite.redtags.access import DECIDER_ROLES
from onsite.redtags.models import RedTag
from onsite.standards.access import REVIEWERS
from onsite.standards.models import ItemFiling
from onsite.surveys.models import Survey

if TYPE_CHECKING:
    from onsite.core.models import Center


# Homes that show the to-do list (the admin's also shows the setup steps while the center
# is incomplete; the admin decides filings and red tags too).
TO_DO_ROLES = (
    Role.ADMIN,
    Role.STAFF,
    Role.MEMBER,
    Role.GROUP_LEADER,
    Role.SUPERVISOR,
    Role.LEADER,
    Role.OFFICE,
)
# Homes that list the person's own rectifications in full ("Findings to fix").
MY_WORK_ROLES = (Role.STAFF, Role.MEMBER, Role.GROUP_LEADER)
TO_DO_LIMIT = 5


def home_summary(*, center: Center, user: User, role: str) -> dict[str, Any]:
    mine: dict[str, Any] = {}
    if role in MY_WORK_ROLES:
        # Window staff, and working-group members who are window staff too: their own
        # work comes first.
        mine = my_work(center=center, user=user)
    if role in TO_DO_ROLES:
        mine.update(to_do(center=center, user=user, with_rectifications=role not in MY_WORK_ROLES))
    if role == Role.STAFF:
        zones = Zone.objects.filter(center=center, owner=user, is_active=True).select_related(
            "area_type", "unit"
        )
        return {"my_zones": list(zones), "my_unit": user.unit, **mine}
    counts = Unit.objects.filter(center=center).aggregate(
        windows=Count("pk", filter=Q(kind=Unit.Kind.WINDOW)),
        sections=Count("pk", filter=Q(kind=Unit.Kind.SECTION)),
    )
    return {
        "unit_counts": counts,
        "zone_count": Zone.objects.filter(center=center, is_active=True).count(),
        "staff_count": User.objects.filter(center=center, is_active=True).count(),
        "group_count": Group.objects.filter(center=center).count(),
        **mine,
    }


def to_do(*, center: Center, user: User, with_rectifications: bool = True) -> dict[str, Any]:
    """Everything waiting for this person, each with the page where it is done: sheets to
    rate in open acceptance rounds, surveys, standards to acknowledge, their own open
    rectifications (`with_rectifications`, for homes without the full list), their checklists
    not yet submitted, rectifications to verify, filings and red tags to decide (for those who
    decide them), 差评 cases to answer or review. At most fourteen queries whatever the data; `to_do_count` says whether
    anything waits."""
    result: dict[str, Any] = {**staff_to_do(user)}
    # Checklists begun and not submitted (a phone also keeps them for offline use).
    result["my_drafts"] = list(
        Inspection.objects.filter(center=center, inspector=user, status=Inspection.Status.DRAFT)
        .select_related("zone")
        .order_by("-started_at", "-pk")[:TO_DO_LIMIT]
    )
    viewer = user.is_cross_center_viewer
    assignments = list(
        Assignment.objects.filter(
            center=center, rater=user, round__status=AcceptanceRound.Status.OPEN
        )
        .select_related("round__programme", "unit")
        .order_by("round__opened_at", "unit__code")
    )
    states = sheet_states(assignments) if assignments else {}
    result["to_rate"] = [(a, states[a.pk]) for a in assignments if not states[a.pk].is_complete]

    result["my_open_count"] = (
        Rectification.objects.filter(center=center, assignee=user).pending().count()
        if with_rectifications
        else 0
    )
    checked = Rectification.objects.filter(center=center, status=Rectification.Status.SUBMITTED)
    if not user.has_role(*VERIFIERS):
        checked = checked.filter(finding__inspection__inspector=user)
    to_verify: list[Any] = []
    if not viewer:
        to_verify = list(
            checked.exclude(assignee=user)
            .select_related("zone", "finding")
            .order_by("submitted_at", "pk")[: TO_DO_LIMIT + 1]
        )
    result["to_verify"] = to_verify[:TO_DO_LIMIT]
    result["to_verify_more"] = len(to_verify) > TO_DO_LIMIT

    filings: list[Any] = []
    if user.has_role(*REVIEWERS) and not viewer:
        filings = list(
            ItemFiling.objects.filter(center=center, status=ItemFiling.Status.REQUESTED)
            .select_related("zone", "item")
            .order_by("filed_at", "pk")[: TO_DO_LIMIT + 1]
        )
    result["filings_to_decide"] = filings[:TO_DO_LIMIT]
    result["filings_more"] = len(filings) > TO_DO_LIMIT

    result["red_tags_due"] = 0
    if user.has_role(*DECIDER_ROLES) and not viewer:
        result["red_tags_due"] = RedTag.objects.filter(
            center=center, status=RedTag.Status.HELD, hold_until__lte=timezone.localdate()
        ).count()
    result.update(waiting_for(user, center))
    result["to_do_count"] = sum(
        len(result[key])
        for key in (
            "to_rate",
            "my_drafts",
            "open_surveys",
            "to_acknowledge",
            "to_verify",
            "filings_to_decide",
        )
    ) + (
        result["my_open_count"]
        + result["red_tags_due"]
        + result["complaints_to_answer"]
        + result["complaints_to_review"]
    )
    return result


def staff_to_do(user: User) -> dict[str, Any]:
    """What else waits for a person besides rectifications: surveys addressed to them that
    they have not answered, and published standards of their zones not yet acknowledged
    (a newcomer's first tasks). Three queries."""
    surveys = list(
        Survey.objects.open_on(timezone.localdate())
        .addressed_to(user)
        .exclude(participations__user=user)
        .order_by("closes_on", "pk")[:5]
    )
    versions = list(versions_for(user).select_related("standard__area_type"))
    done = set(
        Acknowledgement.objects.filter(
            user=user, standard_version__in=versions, acknowledged_at__isnull=False
        ).values_list("standard_version_id", flat=True)
    )
    return {
        "open_surveys": surveys,
        "to_acknowledge": [version for version in versions if version.pk not in done],
    }
