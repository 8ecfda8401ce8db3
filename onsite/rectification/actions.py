"""The one front door of every write of rectification, shared by the pages and the API.

Each act has a `check_*` raising one typed refusal before anything is written — NotAllowed
for the person (not the fixer, not a verifier, not a calendar editor), Conflict for a state
the act does not fit — and a `do_*` that writes with its audit row and notifications (the
services of `onsite.rectification.services`). A keyed move (submit, return, verify,
reassign) checks its state inside the `do_*`, after recognising a replayed submission key,
so a double tap gets the first answer rather than a conflict; the refusal is the same typed
Conflict through either door."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from onsite.accounts.models import User
from onsite.core.access import may
from onsite.core.refusals import Conflict, NotAllowed
from onsite.rectification import access, calendar, services
from onsite.rectification.models import Rectification, RectificationPhoto

do_add_photo = services.add_after_photo
do_remove_photo = services.remove_after_photo
do_submit = services.submit_rectification
do_return = services.return_rectification
do_verify = services.verify_rectification
do_reassign = services.reassign_rectification
do_set_calendar_day = services.set_calendar_day
do_remove_calendar_day = services.remove_calendar_day
do_confirm_year = services.confirm_year
do_load_calendar = calendar.load_from_package


def _check_writer(user: User, roles: tuple[str, ...] = access.WRITERS) -> None:
    if not may(user, roles, write=True):
        raise NotAllowed


def _check_fixer(user: User, rectification: Rectification) -> None:
    _check_writer(user)
    if not access.is_fixer(user, rectification):
        raise NotAllowed(_("Only the assignee or the zone owner fixes this rectification."))


def check_add_photo(user: User, rectification: Rectification) -> None:
    _check_fixer(user, rectification)
    if not rectification.is_open:
        raise Conflict(_("Photos can be added only while the rectification is open."))


def check_remove_photo(user: User, photo: RectificationPhoto) -> None:
    _check_fixer(user, photo.rectification)
    if not photo.rectification.is_open:
        raise Conflict(_("Photos can be removed only while the rectification is open."))


def check_submit(user: User, rectification: Rectification) -> None:
    """The fixer hands it in (its state is checked by `do_submit`, after a replay)."""
    _check_fixer(user, rectification)


def check_verify(user: User, rectification: Rectification) -> None:
    """Returning or verifying: the inspector who found it, or the supervision section, office
    or admin; never the person who fixed it."""
    _check_writer(user)
    if not access.is_verifier(user, rectification):
        raise NotAllowed(_("You cannot verify this rectification."))


check_return = check_verify


def check_reassign(user: User, rectification: Rectification) -> None:
    _check_writer(user, access.VERIFIERS)
    if rectification.is_closed:
        raise Conflict(_("A verified rectification cannot be reassigned."))


def check_edit_calendar(user: User) -> None:
    _check_writer(user, access.CALENDAR_EDITORS)
