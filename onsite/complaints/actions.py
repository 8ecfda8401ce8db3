"""The one front door of every write of 差评 cases, shared by the pages and the API.

Each act has a `check_*` raising one typed refusal before anything is written — NotAllowed
for the person (not the window's, not the office), nothing else: the state is checked by
the `do_*` (the services), after recognising a replayed submission key, so a double tap gets
the first answer rather than a conflict."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from onsite.accounts.models import User
from onsite.complaints import access, services
from onsite.complaints.models import Complaint
from onsite.core.access import may
from onsite.core.refusals import NotAllowed

do_verify = services.verify_complaint
do_submit = services.submit_outcome
do_review = services.review_complaint
do_revisit = services.record_revisit
do_close = services.close_complaint
do_update_settings = services.update_settings


def check_window(user: User, complaint: Complaint) -> None:
    """Verifying and handing in the outcome: the rated window's own people."""
    if not may(user, access.WRITERS, write=True) or not access.is_window_person(user, complaint):
        raise NotAllowed(_("Only the people of the rated window answer this case."))


check_verify = check_window
check_submit = check_window


def check_office(user: User, complaint: Complaint | None = None) -> None:
    """Reviewing, the follow-up call, closing and the deadline: the office or the admin."""
    if not may(user, access.REVIEWERS, write=True):
        raise NotAllowed(_("Only the programme office or the center admin does this."))


check_review = check_office
check_revisit = check_office
check_close = check_office
check_edit_settings = check_office
