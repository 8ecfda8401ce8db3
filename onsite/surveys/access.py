"""Who may do what with surveys, declared once: the role sets the pages' decorators, the
domain's checks (`onsite.surveys.actions`) and the site's navigation read; and the one rule of
which surveys a person sees, used by the pages and the API alike."""

from __future__ import annotations

from django.http import Http404

from onsite.accounts.models import User
from onsite.core.access import may
from onsite.core.models import Center, get_for_center
from onsite.core.refusals import NotAllowed
from onsite.core.roles import ALL, Role
from onsite.surveys.models import Question, Survey, SurveyQuerySet

MANAGERS = (Role.ADMIN, Role.OFFICE)
"""Who builds, publishes and closes surveys."""
READERS = (Role.ADMIN, Role.LEADER, Role.OFFICE, Role.VIEWER)
"""Who reads every survey of the center, drafts included, and its results."""
EVERYONE = tuple(ALL | {Role.VIEWER})
ANSWERERS = tuple(ALL)
"""Who may answer a survey addressed to them (never a cross-center viewer)."""


def require(user: User, roles: tuple[str, ...], *, write: bool = True) -> None:
    """The role gate of a survey act (an audited 403 through either door)."""
    if not may(user, roles, write=write):
        raise NotAllowed


def sees_every_survey(user: User) -> bool:
    return bool(user.has_role(*READERS))


def visible_surveys(user: User, center: Center | None) -> SurveyQuerySet:
    """Readers (leaders, the office, admins, cross-center viewers) see every survey of the
    center, drafts included; anyone else sees the published surveys addressed to them."""
    surveys = Survey.objects.filter(center=center)
    if sees_every_survey(user):
        return surveys
    return surveys.exclude(status=Survey.Status.DRAFT).addressed_to(user)


def get_survey(user: User, center: Center | None, pk: int) -> Survey:
    """The one door to a survey: one the person may not see is a 404, as across centers."""
    return get_for_center(
        visible_surveys(user, center).prefetch_related("units", "groups"), center, pk=pk
    )


def get_question(user: User, center: Center | None, pk: int, question_pk: int) -> Question:
    survey = get_survey(user, center, pk)
    try:
        return survey.questions.select_related("survey").get(pk=question_pk)
    except Question.DoesNotExist as exc:
        raise Http404 from exc
