"""Who may read the dashboards and who may change their settings; the one door to a job.

Pages and API endpoints use these role sets and getters, so they can never disagree."""

from __future__ import annotations

from django.db.models import QuerySet

from onsite.accounts.models import Role, User
from onsite.core.models import Center, get_for_center
from onsite.dashboards.models import ReportJob
from onsite.org.models import Unit

# Leadership, the office, the supervision section, promotion-group leaders, the admin and
# cross-center viewers read the dashboards, scorecards and reports.
READERS: tuple[str, ...] = (
    Role.ADMIN,
    Role.LEADER,
    Role.OFFICE,
    Role.SUPERVISOR,
    Role.GROUP_LEADER,
    Role.VIEWER,
)
# The index weights and the citizen-ratings import are the office's (and the admin's).
EDITORS: tuple[str, ...] = (Role.ADMIN, Role.OFFICE)
# Who sees every job of the center, not only their own.
JOB_OVERSEERS: tuple[str, ...] = (Role.ADMIN, Role.LEADER, Role.OFFICE)


def may_edit(user: User) -> bool:
    return user.is_authenticated and user.has_role(*EDITORS) and not user.is_cross_center_viewer


def jobs_visible_to(user: User, center: Center | None) -> QuerySet[ReportJob]:
    jobs = ReportJob.objects.filter(center=center).select_related("unit", "requested_by")
    if user.has_role(*JOB_OVERSEERS):
        return jobs
    return jobs.filter(requested_by=user)


def get_job(user: User, center: Center | None, pk: int) -> ReportJob:
    """Someone else's job (unless an overseer) or another center's is a 404."""
    return get_for_center(jobs_visible_to(user, center), center, pk=pk)


def get_unit(center: Center | None, code: str) -> Unit:
    return get_for_center(Unit.objects.all(), center, code=code)
