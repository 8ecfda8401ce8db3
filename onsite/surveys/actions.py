"""The front door of every survey write, shared by the pages and the API.

`check_<verb>` raises one typed refusal (onsite.core.refusals): NotAllowed for the role,
NotVisible for a survey the person may not see, Conflict for its state or a stale version,
Invalid for bad input. `do_<verb>` does the write with its audit row; the writes live in
`services` (the demo, the generator and the tests call them too), so most `do_<verb>` here are
those functions under the name the adapters call."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.http import HttpRequest

from onsite.accounts.models import User
from onsite.surveys import services
from onsite.surveys.access import ANSWERERS, MANAGERS, require
from onsite.surveys.models import Question, Survey

# --- the builder ---------------------------------------------------------------------------


def check_create_survey(user: User) -> None:
    require(user, MANAGERS)


do_create_survey = services.create_survey


def check_update_survey(
    user: User, survey: Survey, *, data: Mapping[str, Any], expected_version: int
) -> None:
    """A manager, the version they saw, and a published survey's anonymity and audience
    unchanged."""
    require(user, MANAGERS)
    services.check_version(survey, expected_version)
    services.check_update(survey, data)


do_update_survey = services.update_survey


def check_change_questions(user: User, survey: Survey) -> None:
    """Adding, editing, deleting or moving a question: a manager, while the survey is a draft."""
    require(user, MANAGERS)
    services.check_draft(survey)


do_add_question = services.add_question
do_update_question = services.update_question
do_delete_question = services.delete_question
do_move_question = services.move_question


def check_publish(user: User, survey: Survey, *, expected_version: int) -> None:
    require(user, MANAGERS)
    services.check_version(survey, expected_version)
    services.check_publish(survey)


do_publish = services.publish_survey


def check_close(user: User, survey: Survey, *, expected_version: int) -> None:
    require(user, MANAGERS)
    services.check_version(survey, expected_version)
    services.check_close(survey)


do_close = services.close_survey


def check_follow_up(user: User, survey: Survey) -> None:
    require(user, MANAGERS)


do_follow_up = services.create_follow_up


# --- answering -------------------------------------------------------------------------------


def check_answer(user: User, survey: Survey) -> None:
    """Someone of the center (never a cross-center viewer), the survey addressed to them
    (404 if not) and open today (409 `survey_closed`)."""
    require(user, ANSWERERS)
    services.check_answerable(survey, user)


def do_answer(
    survey: Survey,
    *,
    user: User,
    answers: list[services.CleanAnswer],
    request: HttpRequest | None = None,
) -> bool:
    """Stores the person's answers; False when they had answered already (a repeated submit
    is harmless: the first answers stay, nothing is added)."""
    try:
        services.submit_response(survey, user=user, answers=answers, request=request)
    except services.AlreadyAnsweredError:
        return False
    return True


def survey_questions(survey: Survey) -> list[Question]:
    return list(survey.questions.order_by("position", "pk"))
