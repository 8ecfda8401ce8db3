"""The front door of every engagement write, shared by the pages and the API.

`check_<verb>` raises one typed refusal (onsite.core.refusals): NotAllowed for the role,
NotVisible for another center's object, Conflict for a state or a stale version, Invalid
(ValidationError) for bad input. `do_<verb>` does the write with its audit row and
notifications; the writes live in `services` (the demo and the weekly task call them too), so
each `do_<verb>` here is that function under the name the adapters call."""

from __future__ import annotations

from django.utils import timezone

from onsite.accounts.models import User
from onsite.core.models import Center
from onsite.core.refusals import NotAllowed
from onsite.engagement import services
from onsite.engagement.access import EDITORS, MEMBERS, OVERSEERS, REVIEWERS, can_show_qr, require
from onsite.engagement.digest import publish_digest
from onsite.engagement.models import Post, Suggestion, SuggestionCall, Training
from onsite.org.models import AreaType
from onsite.standards.models import StandardVersion

# --- the publicity board -------------------------------------------------------------------


def check_create_post(user: User) -> None:
    require(user, EDITORS)


do_create_post = services.create_post


def check_confirm_read(user: User, post: Post) -> None:
    """A member the post asks to confirm (403 otherwise; 409 `not_asked` for a post that
    asks nobody)."""
    require(user, MEMBERS)
    services.check_confirm_read(post, user=user)


do_confirm_read = services.confirm_read


def check_see_readers(user: User, post: Post) -> None:
    """Who confirmed and who has not: the overseers (the office among them)."""
    require(user, OVERSEERS, write=False)


def check_edit_post(user: User, post: Post) -> None:
    """An editor, and not the weekly digest (the system writes it)."""
    require(user, EDITORS)
    services.check_editable(post)


do_update_post = services.update_post


def check_pin_post(user: User, post: Post, *, expected_version: int) -> None:
    require(user, EDITORS)
    services.check_version(post, expected_version)


do_set_pinned = services.set_pinned


def check_delete_post(user: User, post: Post) -> None:
    require(user, EDITORS)


do_delete_post = services.delete_post


def check_publish_digest(user: User) -> None:
    require(user, EDITORS)


def do_publish_digest(center: Center) -> Post:
    """This week's digest, now (the weekly run writes last week's on Monday)."""
    return publish_digest(center, day=timezone.localdate())


# --- training ------------------------------------------------------------------------------


def check_plan_training(user: User) -> None:
    require(user, EDITORS)


do_create_training = services.create_training


def check_edit_training(user: User, training: Training, *, expected_version: int) -> None:
    require(user, EDITORS)
    services.check_version(training, expected_version)


do_update_training = services.update_training


def check_show_qr(user: User, training: Training) -> None:
    """The sign-in code is shown by an editor or by the session's trainer."""
    require(user, MEMBERS, write=False)
    if not can_show_qr(user, training):
        raise NotAllowed


def check_sign_in(user: User, training: Training, *, token: str) -> None:
    require(user, MEMBERS)
    services.check_sign_in(training, user=user, token=token)


do_sign_in = services.sign_in


def check_record_attendance(user: User, training: Training) -> None:
    require(user, EDITORS)


do_record_attendance = services.record_attendance


def check_add_document(user: User, training: Training) -> None:
    require(user, EDITORS)


do_add_document = services.add_document


def check_acknowledge(user: User, version: StandardVersion) -> None:
    """A published version that applies to a zone the person owns or works in (404 else)."""
    require(user, MEMBERS)
    services.check_acknowledgeable(version, user=user)


do_acknowledge = services.acknowledge


# --- slogans and proposals -------------------------------------------------------------------


def check_submit_suggestion(user: User, *, call: SuggestionCall | None = None) -> None:
    """A member; to a call, one that is open and invites the person (409 `call_closed`
    after its deadline)."""
    require(user, MEMBERS)
    if call is not None:
        services.check_call_open(call, user=user)


do_submit_suggestion = services.submit_suggestion


def check_vote(user: User, suggestion: Suggestion) -> None:
    require(user, MEMBERS)
    services.check_vote(suggestion, user=user)


do_vote = services.vote


def check_withdraw_vote(user: User, suggestion: Suggestion) -> None:
    require(user, MEMBERS)


do_withdraw_vote = services.withdraw_vote


def check_review(
    user: User,
    suggestion: Suggestion,
    *,
    decision: str,
    reason: str,
    expected_version: int,
    area_type: AreaType | None = None,
) -> None:
    """A reviewer, the version the reviewer saw, a move the workflow allows, a reason."""
    require(user, REVIEWERS)
    services.check_version(suggestion, expected_version)
    services.check_review(suggestion, decision=decision, reason=reason, area_type=area_type)


do_review = services.review_suggestion


def check_open_revision(
    user: User, suggestion: Suggestion, *, area_type: AreaType | None = None
) -> None:
    require(user, REVIEWERS)
    services.check_revision(suggestion, area_type=area_type)


do_open_revision = services.open_standard_revision


# --- calls for slogans and proposals -------------------------------------------------------


def check_open_call(user: User) -> None:
    require(user, EDITORS)


do_open_call = services.open_call
