"""The one front door of the photo check's writes, shared by the pages and the API: each
`check_*` raises one typed refusal before anything is written; each `do_*` writes with its
audit row (`onsite.vision.services`)."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from onsite.accounts.models import User
from onsite.core.refusals import NotAllowed
from onsite.vision import access, services
from onsite.vision.models import DraftFinding

do_accept = services.accept_draft
do_dismiss = services.dismiss_draft
do_add_reference = services.add_reference_photo


def check_decide(user: User, draft: DraftFinding) -> None:
    """Confirming or dismissing a suggestion (who: see `access`). A decided one is answered by
    the `do_*` (a replay gets its first answer, anything else a conflict)."""
    if not access.can_decide(user, draft.answer.inspection):
        raise NotAllowed(_("You cannot decide the photo check's suggestions of this inspection."))


def do_decide(
    draft: DraftFinding,
    *,
    accept: bool,
    by: User,
    version: int,
    reason: str = "",
    submission_key: str = "",
    request: HttpRequest | None = None,
) -> DraftFinding:
    """The page's and the API's one decision: confirm (`accept`) or dismiss."""
    if accept:
        return do_accept(draft=draft, by=by, expected_version=version,
                         submission_key=submission_key or "", request=request)  # fmt: skip
    return do_dismiss(draft=draft, by=by, expected_version=version, reason=reason or "",
                      submission_key=submission_key or "", request=request)  # fmt: skip


def check_add_reference(user: User) -> None:
    if not access.can_take_reference(user):
        raise NotAllowed(_("You cannot take the reference photo of a zone."))
