"""The one front door of every write of inspections, shared by the pages and the API.

Each act has a `check_*` that raises one typed refusal (`onsite.core.refusals`) — NotAllowed
for the person, Conflict for the inspection's state — before anything is written, and a
`do_*` that writes with its audit row (the services of `onsite.inspections.services`, which
also refuse bad input with Invalid and a stale version with ConflictError). The page and the
API operation of an act call the same pair, so they refuse the same way with the same code.

A replayed submission key (a double tap, the phone's offline queue) is recognised by the
`do_*` before its state is checked, so a replay gets the first answer, not a conflict."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext_lazy as _

from onsite.accounts.models import User
from onsite.core.access import may
from onsite.core.concurrency import existing_submission
from onsite.core.refusals import Conflict, NotAllowed
from onsite.inspections import access, services
from onsite.inspections.models import Answer, AnswerPhoto, Inspection, Severity
from onsite.inspections.services import AnswerInput
from onsite.org.models import Zone

do_start = services.start_inspection
do_save_answers = services.save_answers
do_submit = services.submit_inspection
do_add_photo = services.add_photo
do_remove_photo = services.remove_photo
do_propose = services.propose_improvement
do_update_settings = services.update_settings

CANNOT_CHANGE = _("You cannot change this inspection.")


def _check_writer(user: User, roles: tuple[str, ...] = access.WRITERS) -> None:
    if not may(user, roles, write=True):
        raise NotAllowed


def check_start(user: User, zone: Zone, kind: str | None = None) -> list[str]:
    """Someone who may start an inspection of `kind` (any kind when None) on the zone: the
    supervision section anywhere, the people who work there a self-check. Returns the kinds
    they may start."""
    _check_writer(user)
    kinds = access.startable_kinds(user, zone)
    if not kinds or (kind is not None and kind not in kinds):
        raise NotAllowed(_("You cannot start this kind of inspection on this zone."))
    return kinds


def check_edit(user: User, inspection: Inspection) -> None:
    """Answering a draft (answers, note, photos): its inspector or someone who could have
    started the same kind on the zone; a submitted one is a conflict."""
    _check_writer(user)
    if not inspection.is_draft:
        raise Conflict(_("This inspection was submitted; its answers can no longer change."))
    if not access.can_edit(user, inspection):
        raise NotAllowed(CANNOT_CHANGE)


def check_submit(user: User, inspection: Inspection) -> None:
    """Submitting is answering's last step; submitting a submitted inspection is answered
    with the result (idempotent), not refused."""
    _check_writer(user)
    if inspection.is_draft and not access.can_edit(user, inspection):
        raise NotAllowed(CANNOT_CHANGE)


def check_add_photo(user: User, answer: Answer) -> None:
    _check_writer(user)
    if not answer.inspection.is_draft:
        raise Conflict(_("This inspection was submitted; photos can no longer be added."))
    check_edit(user, answer.inspection)


def check_remove_photo(user: User, photo: AnswerPhoto) -> None:
    _check_writer(user)
    if not photo.answer.inspection.is_draft:
        raise Conflict(_("This inspection was submitted; its photos are kept."))
    check_edit(user, photo.answer.inspection)


def check_propose(user: User) -> None:
    """提升: turning findings into a revision of the standard is for those who steer."""
    _check_writer(user, access.IMPROVERS)


def check_update_settings(user: User) -> None:
    _check_writer(user, access.SETTINGS_EDITORS)


# --- the checklist page's one post: save, and submit or pass the rest -----------------------


@dataclass(frozen=True)
class ChecklistPost:
    """What the phone checklist posts: answers typed on the page, the version it showed, and
    what to do (`save`, `submit` or `pass_rest`, which marks unanswered checks passed)."""

    items: list[AnswerInput]
    action: str
    version: int
    note: str | None
    save_key: str
    submit_key: str

    @classmethod
    def parse(cls, post: Any, answers: list[Answer]) -> ChecklistPost:
        items = []
        for answer in answers:
            prefix = f"a{answer.pk}-"
            if f"{prefix}result" not in post and f"{prefix}note" not in post:
                continue
            items.append(
                AnswerInput(
                    answer.pk,
                    post.get(f"{prefix}result", ""),
                    deduction=post.get(f"{prefix}deduction") or None,
                    severity=post.get(f"{prefix}severity", Severity.GENERAL),
                    note=post.get(f"{prefix}note", ""),
                    person=_int_or_none(post.get(f"{prefix}person")),
                    equipment=_int_or_none(post.get(f"{prefix}equipment")),
                )
            )
        action = post.get("action", "save")
        if action == "pass_rest":
            items = _pass_the_rest(answers, items)
        version = post.get("version") or ""
        return cls(
            items=items,
            action=action,
            version=int(version) if version.isdigit() else -1,
            note=post.get("note"),
            save_key=post.get("save_key", ""),
            submit_key=post.get("submit_key", ""),
        )


def _int_or_none(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() and len(value) < 10 else None


def _pass_the_rest(answers: list[Answer], items: list[AnswerInput]) -> list[AnswerInput]:
    given = {i.answer_id: i for i in items}
    out = []
    for answer in answers:
        item = given.get(answer.pk)
        if item is None and answer.result:
            continue  # answered before and not on this page
        if item is None or not item.result:
            note = item.note if item else answer.note
            item = AnswerInput(answer.pk, Answer.Result.PASS, note=note)
        out.append(item)
    return out


def do_checklist_post(
    inspection: Inspection, *, by: User, post: ChecklistPost, request: Any = None
) -> Inspection:
    """Saves the page's answers and, for `submit`, submits: the page's one write."""
    inspection = do_save_answers(
        inspection=inspection,
        by=by,
        expected_version=post.version,
        answers=post.items,
        note=post.note,
        submission_key=post.save_key,
        request=request,
    )
    if post.action == "submit":
        inspection = do_submit(
            inspection=inspection, by=by, submission_key=post.submit_key, request=request
        )
    return inspection


def replayed(user: User, post: ChecklistPost) -> bool:
    """A double tap sends the same keys twice at once. The twin waits on the first one's row
    and then finds the version moved: a conflict with itself. True if the first one already
    did what these keys asked for, so the twin is answered as it was."""
    scope, key = (
        (services.SUBMIT_SCOPE, post.submit_key)
        if post.action == "submit"
        else (services.SAVE_SCOPE, post.save_key)
    )
    return bool(key) and existing_submission(user=user, scope=scope, key=key) is not None
