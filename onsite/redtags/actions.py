"""Every write of the red-tag register, one front door each, shared by the pages and the API.

`check_<verb>(request, …)` raises one typed refusal (`onsite.core.refusals`) unless the caller
may do it to this tag now; `do_<verb>(…)` does the write with its transition row, its audit
row and its notifications. A `do_` re-checks the tag's state in its UPDATE, so two deciders at
once cannot both decide it."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import F
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from onsite.accounts.models import User
from onsite.accounts.uploads import daily_quota
from onsite.audit.services import record_event
from onsite.core.access import check_roles
from onsite.core.concurrency import (
    ConflictError,
    claim_submission,
    existing_submission,
    run_once,
    save_versioned,
)
from onsite.core.images import CleanPhoto, clean_photo
from onsite.core.models import Center
from onsite.core.refusals import Conflict, Invalid, NotAllowed, Refusal
from onsite.core.types import OnsiteRequest
from onsite.notifications.services import notify
from onsite.org.models import Unit, Zone
from onsite.redtags.access import DECIDER_ROLES, POLICY_ROLES, TAGGER_ROLES, may_withdraw
from onsite.redtags.models import (
    MOVES,
    Disposition,
    Phase,
    Reason,
    RedTag,
    RedTagPolicy,
    RedTagTransition,
)
from onsite.supplies.actions import do_return
from onsite.supplies.models import Supply, SupplyReturn
from onsite.supplies.services import check_quantity

# One message per decision: the reader's language renders the whole sentence.
DECIDED_MESSAGES: dict[str, str] = {
    Disposition.DISCARD: gettext_noop("Red tag %(number)s (%(item)s): to be discarded."),
    Disposition.RETURN_TO_STORE: gettext_noop(
        "Red tag %(number)s (%(item)s): to be returned to the store."
    ),
    Disposition.TRANSFER: gettext_noop(
        "Red tag %(number)s (%(item)s): to be transferred to another unit."
    ),
    Disposition.KEEP_ELSEWHERE: gettext_noop(
        "Red tag %(number)s (%(item)s): to be kept elsewhere."
    ),
    Disposition.KEEP_FILED: gettext_noop(
        "Red tag %(number)s (%(item)s): kept, with a filing for the zone."
    ),
}


# --- tagging --------------------------------------------------------------------------


def check_tag(request: OnsiteRequest) -> Center:
    center: Center = check_roles(request, TAGGER_ROLES, write=True)
    return center


def _tag_fields(center: Center, zone: Zone, data: Mapping[str, Any]) -> dict[str, Any]:
    """The tag's own fields from `data`: item_name and/or item (catalogue), quantity,
    reason, proposal, and optionally supply, footprint, note, phase."""
    if zone.center_id != center.pk:
        raise Invalid(_("Choose a zone of this center."), code="zone")
    item, supply = data.get("item"), data.get("supply")
    if item is not None and item.center_id != center.pk:
        raise Invalid(_("Choose an item of this center's catalogue."), code="item")
    if supply is not None and supply.center_id != center.pk:
        raise Invalid(_("Choose a supply of this center."), code="supply")
    name = (data.get("item_name") or "").strip() or (item.name if item else "")
    if not name:
        raise Invalid(
            _("Say what the item is: pick it from the catalogue or type its name."), code="item"
        )
    quantity = check_quantity(data.get("quantity", 1))
    reason, proposal = data.get("reason"), data.get("proposal")
    if reason not in Reason.values:
        raise Invalid(_("Choose why the item is not needed."), code="reason")
    if proposal not in Disposition.values:
        raise Invalid(_("Choose what should happen to the item."), code="proposal")
    phase = data.get("phase") or Phase.SORT
    if phase not in Phase.values:
        raise Invalid(_("Choose a phase."), code="phase")
    return {
        "item": item, "item_name": name[:100], "supply": supply, "quantity": quantity,
        "reason": reason, "proposal": proposal, "phase": phase,
        "note": (data.get("note") or "")[:300], "footprint": data.get("footprint") or 0,
    }  # fmt: skip


def _photo(photo: UploadedFile[bytes] | None, by: User) -> CleanPhoto | None:
    """The photo re-encoded, counted against the person's daily photo quota."""
    if photo is None:
        return None
    try:
        return clean_photo(photo, quota=daily_quota(by))
    except ValidationError as error:
        raise Invalid.from_validation(error) from error


def do_tag(
    *,
    center: Center,
    zone: Zone,
    by: User,
    data: Mapping[str, Any],
    photo: UploadedFile[bytes] | None = None,
    key: str = "",
    request: HttpRequest | None = None,
) -> RedTag:
    """Hangs a red tag on an item: it joins the holding list until the office decides."""
    fields = _tag_fields(center, zone, data)
    cleaned = _photo(photo, by)
    policy = RedTagPolicy.for_center(center)

    def create() -> RedTag:
        now = timezone.now()
        tag = RedTag(
            center=center, zone=zone, unit_id=zone.unit_id or by.unit_id, tagged_by=by,
            tagged_at=now,
            hold_until=RedTag.hold_until_for(timezone.localdate(now), policy.holding_days),
            **fields,
        )  # fmt: skip
        if cleaned is not None:
            tag.photo.save("photo.jpg", cleaned.image, save=False)
            tag.thumbnail.save("thumb.jpg", cleaned.thumbnail, save=False)
        tag.save()
        RedTagTransition.objects.create(
            tag=tag, from_status="", to_status=tag.status, by=by, at=now
        )
        record_event(
            request,
            action="redtags.tag",
            obj=tag,
            actor=by,
            detail={"zone": zone.code, "item": tag.item_name, "quantity": tag.quantity},
        )
        return tag

    return run_once(center=center, by=by, scope="redtags.tag", key=key, model=RedTag, create=create)


# --- the tag's photo, after it was hung ------------------------------------------------

PHOTO_SCOPE = "redtags.photo"


class _TwinPhotoError(Exception):
    """A parallel request with the same Idempotency-Key stored its photo first."""


def check_tag_photo(request: OnsiteRequest, tag: RedTag) -> None:
    """The tagger or the office adds the photo (a phone's outbox sends it after the tag). The
    tag's state is checked by `do_tag_photo`, after a replay: a resend of a photo that
    arrived is answered as the first time even if the tag was decided since."""
    check_roles(request, TAGGER_ROLES, write=True)
    if not may_withdraw(request.user, tag):
        raise NotAllowed(
            _("Only the person who hung the tag or the programme office adds its photo.")
        )


def _check_photo_state(tag: RedTag) -> None:
    if tag.status != RedTag.Status.HELD:
        raise Conflict(
            _("%(number)s is no longer in the holding list; its photo cannot be changed.")
            % {"number": tag.number}
        )


def do_tag_photo(
    *,
    tag: RedTag,
    by: User,
    photo: UploadedFile[bytes],
    key: str = "",
    request: HttpRequest | None = None,
) -> RedTag:
    """Gives a held tag its photo (cleaned and counted like the tagging page's), replacing one
    it had. A resend with the same key (an outbox that never heard the answer) stores nothing
    again and answers the tag."""
    if key and existing_submission(user=by, scope=PHOTO_SCOPE, key=key) is not None:
        return tag
    _check_photo_state(tag)
    cleaned = _photo(photo, by)
    if cleaned is None:
        raise Invalid(_("Choose a photo to upload."), code="photo")
    before = (tag.photo.name or "", tag.thumbnail.name or "")
    tag.photo.save("photo.jpg", cleaned.image, save=False)
    tag.thumbnail.save("thumb.jpg", cleaned.thumbnail, save=False)
    written = (tag.photo.name or "", tag.thumbnail.name or "")
    try:
        with transaction.atomic():
            updated = RedTag.objects.filter(pk=tag.pk, status=RedTag.Status.HELD).update(
                photo=written[0], thumbnail=written[1]
            )
            if updated != 1:
                _check_photo_state(RedTag.objects.get(pk=tag.pk))
                raise ConflictError
            if key:
                first = claim_submission(
                    center=tag.center, user=by, scope=PHOTO_SCOPE, key=key, object_id=written[0]
                )
                if first != written[0]:
                    raise _TwinPhotoError
            record_event(
                request, action="redtags.photo", obj=tag, actor=by,
                detail={"replaced": bool(before[0])},
            )  # fmt: skip
    except (Refusal, _TwinPhotoError) as stop:
        _delete_files(written)
        tag.refresh_from_db()
        if isinstance(stop, _TwinPhotoError):
            return tag
        raise
    transaction.on_commit(lambda: _delete_files(before))
    return tag


def _delete_files(names: tuple[str, ...]) -> None:
    storage = RedTag._meta.get_field("photo").storage
    for name in names:
        if name:
            storage.delete(name)


# --- decisions ------------------------------------------------------------------------


def check_held(tag: RedTag, to: str) -> None:
    """Conflict (409, `wrong_state`) unless the tag is still in the holding list."""
    if to == RedTag.Status.DECIDED:
        message = _("%(number)s is already %(status)s; nothing was changed.") % {
            "number": tag.number,
            "status": tag.get_status_display(),
        }
    else:
        message = _("%(number)s is no longer in the holding list; nothing was changed.") % {
            "number": tag.number
        }
    MOVES.check(tag.status, to, message)


def check_decide(request: OnsiteRequest, tag: RedTag) -> None:
    check_roles(request, DECIDER_ROLES, write=True)
    check_held(tag, RedTag.Status.DECIDED)


def _decided(
    tag: RedTag,
    *,
    by: User,
    decision: str,
    note: str,
    supply: Supply | None,
    expected_version: int | None,
    transfer_to: Unit | None = None,
) -> None:
    """The decision's UPDATE: it applies only while the tag is held (and at the version the
    decider saw, when given)."""
    rows = RedTag.objects.filter(pk=tag.pk, status=RedTag.Status.HELD)
    if expected_version is not None:
        rows = rows.filter(version=expected_version)
    updated = rows.update(
        status=RedTag.Status.DECIDED, decision=decision, decided_by=by, decided_at=timezone.now(),
        decision_note=note[:300], supply=supply, version=F("version") + 1,
        transfer_to=transfer_to, transfer_received_at=None, transfer_received_by=None,
    )  # fmt: skip
    if updated != 1:
        check_held(RedTag.objects.get(pk=tag.pk), RedTag.Status.DECIDED)
        raise ConflictError
    tag.refresh_from_db()


def _return_to_store(tag: RedTag, supply: Supply, by: User, request: HttpRequest | None) -> None:
    tag.store_return = do_return(
        center=tag.center, supply=supply, quantity=tag.quantity, unit=tag.unit,
        source=SupplyReturn.Source.RED_TAG, note=f"{tag.number} {tag.item_name}", by=by,
        request=request,
    )  # fmt: skip
    RedTag.objects.filter(pk=tag.pk).update(store_return=tag.store_return)


def check_transfer_to(tag: RedTag, decision: str, unit: Unit | None) -> Unit | None:
    """A transfer (调剂) names its receiving unit: a unit of the tag's center other than the
    tag's own. Other decisions name none."""
    if decision != Disposition.TRANSFER:
        return None
    if unit is None:
        raise Invalid(_("Choose the unit that receives the item."), code="transfer_to")
    if unit.center_id != tag.center_id:
        raise Invalid(_("Choose a unit of this center."), code="transfer_to")
    if unit.pk == tag.unit_id:
        raise Invalid(
            _("The item is already in %(unit)s: choose another unit.") % {"unit": unit.name},
            code="transfer_to",
        )
    return unit


def _receivers(unit: Unit) -> list[User]:
    return list(User.objects.filter(center_id=unit.center_id, unit=unit, is_active=True))


def _decide(
    tag: RedTag,
    *,
    by: User,
    decision: str,
    note: str,
    supply: Supply | None,
    expected_version: int | None,
    request: HttpRequest | None,
    transfer_to: Unit | None = None,
) -> RedTag:
    """Records one decision inside the caller's transaction."""
    if decision not in Disposition.values:
        raise Invalid(_("Choose a decision."), code="decision")
    if supply is not None and supply.center_id != tag.center_id:
        raise Invalid(_("Choose a supply of this center."), code="supply")
    transfer_to = check_transfer_to(tag, decision, transfer_to)
    supply = supply or tag.supply
    _decided(
        tag, by=by, decision=decision, note=note, supply=supply,
        expected_version=expected_version, transfer_to=transfer_to,
    )  # fmt: skip
    transition_note = note
    if transfer_to is not None:
        transition_note = f"→ {transfer_to.name}" + (f" · {note}" if note else "")
    RedTagTransition.objects.create(
        tag=tag, from_status=RedTag.Status.HELD, to_status=RedTag.Status.DECIDED,
        decision=decision, by=by, at=tag.decided_at or timezone.now(),
        note=transition_note[:300],
    )  # fmt: skip
    if decision == Disposition.RETURN_TO_STORE and supply is not None:
        _return_to_store(tag, supply, by, request)
    record_event(
        request, action="redtags.decide", obj=tag, actor=by,
        detail={"decision": decision, "note": note[:300],
                "returned_to_store": supply.code if tag.store_return_id and supply else None,
                "transfer_to": transfer_to.code if transfer_to else None},
    )  # fmt: skip
    if transfer_to is not None:
        notify(
            center=tag.center, users=_receivers(transfer_to), kind="redtags.decided",
            message=gettext_noop(
                "Red tag %(number)s (%(item)s) is transferred to your unit: confirm receipt."
            ),
            params={"number": tag.number, "item": tag.item_name},
            url=reverse("redtags:tag-detail", args=[tag.pk]),
        )  # fmt: skip
    if tag.tagged_by_id != by.pk:
        notify(
            center=tag.center, users=[tag.tagged_by], kind="redtags.decided",
            message=DECIDED_MESSAGES[decision],
            params={"number": tag.number, "item": tag.item_name},
            url=reverse("redtags:tag-detail", args=[tag.pk]),
        )  # fmt: skip
    return tag


@transaction.atomic
def do_decide(
    *,
    tag: RedTag,
    by: User,
    decision: str,
    note: str = "",
    expected_version: int | None = None,
    supply: Supply | None = None,
    transfer_to: Unit | None = None,
    request: HttpRequest | None = None,
) -> RedTag:
    """The office's decision on one tag. "Return to the store" with a store supply (chosen
    now or when tagged) adds the tag's quantity to that supply's stock; "transfer" names the
    receiving unit, whose people are asked to confirm receipt."""
    check_held(tag, RedTag.Status.DECIDED)
    return _decide(
        tag, by=by, decision=decision, note=note, supply=supply,
        expected_version=expected_version, request=request, transfer_to=transfer_to,
    )  # fmt: skip


def check_decide_many(request: OnsiteRequest) -> None:
    check_roles(request, DECIDER_ROLES, write=True)


@transaction.atomic
def do_decide_many(
    *,
    tags: Iterable[RedTag],
    by: User,
    decision: str,
    note: str = "",
    transfer_to: Unit | None = None,
    request: HttpRequest | None = None,
) -> tuple[list[RedTag], list[RedTag]]:
    """One decision for many tags (the office's weekly sweep of the holding list). Tags no
    longer held (or already in the receiving unit) are skipped, not overwritten. Returns
    (decided, skipped)."""
    if decision not in Disposition.values:
        raise Invalid(_("Choose a decision."), code="decision")
    if decision == Disposition.TRANSFER and transfer_to is None:
        raise Invalid(_("Choose the unit that receives the item."), code="transfer_to")
    decided: list[RedTag] = []
    skipped: list[RedTag] = []
    for tag in sorted(tags, key=lambda t: t.pk):
        try:
            with transaction.atomic():
                check_held(tag, RedTag.Status.DECIDED)
                decided.append(
                    _decide(tag, by=by, decision=decision, note=note, supply=None,
                            expected_version=None, request=request, transfer_to=transfer_to)
                )  # fmt: skip
        except Refusal:
            skipped.append(tag)
    return decided, skipped


# --- the receiving unit of a transfer (调剂) --------------------------------------------


def check_receive(request: OnsiteRequest, tag: RedTag) -> None:
    """The people of the receiving unit confirm or refuse a transfer still awaiting them."""
    check_roles(request, TAGGER_ROLES, write=True)
    if tag.transfer_to_id is None or request.user.unit_id != tag.transfer_to_id:
        raise NotAllowed(_("Only the people of the receiving unit confirm or refuse a transfer."))
    if not tag.awaits_receipt:
        raise Conflict(
            _("%(number)s is not waiting for receipt; nothing was changed.")
            % {"number": tag.number}
        )


def _awaiting(tag: RedTag) -> Any:
    return RedTag.objects.filter(
        pk=tag.pk, status=RedTag.Status.DECIDED, decision=Disposition.TRANSFER,
        transfer_to_id=tag.transfer_to_id, transfer_received_at__isnull=True,
    )  # fmt: skip


def _receipt_conflict(tag: RedTag) -> Conflict:
    return Conflict(
        _("%(number)s is not waiting for receipt; nothing was changed.") % {"number": tag.number}
    )


@transaction.atomic
def do_receive(*, tag: RedTag, by: User, request: HttpRequest | None = None) -> RedTag:
    """The receiving unit has the item: the transfer is done."""
    now = timezone.now()
    if (
        _awaiting(tag).update(
            transfer_received_at=now, transfer_received_by=by, version=F("version") + 1
        )
        != 1
    ):
        raise _receipt_conflict(tag)
    tag.refresh_from_db()
    unit = tag.transfer_to
    RedTagTransition.objects.create(
        tag=tag, from_status=RedTag.Status.DECIDED, to_status=RedTag.Status.DECIDED,
        decision=Disposition.TRANSFER, by=by, at=now,
        note=(_("Received by %(unit)s") % {"unit": unit.name if unit else ""})[:300],
    )  # fmt: skip
    record_event(
        request, action="redtags.transfer_received", obj=tag, actor=by,
        detail={"unit": unit.code if unit else None},
    )  # fmt: skip
    return tag


@transaction.atomic
def do_refuse_transfer(
    *, tag: RedTag, by: User, reason: str, request: HttpRequest | None = None
) -> RedTag:
    """The receiving unit refuses the item, saying why: the tag goes back to the holding list
    to be decided again (its holding date unchanged) and the decider is told."""
    reason = reason.strip()
    if not reason:
        raise Invalid(_("Say why the transfer is refused."), code="reason")
    unit = tag.transfer_to
    decider = tag.decided_by
    if _awaiting(tag).update(
        status=RedTag.Status.HELD, decision="", decided_by=None, decided_at=None,
        decision_note="", transfer_to=None, version=F("version") + 1,
    ) != 1:  # fmt: skip
        raise _receipt_conflict(tag)
    tag.refresh_from_db()
    note = _("Refused by %(unit)s: %(reason)s") % {
        "unit": unit.name if unit else "",
        "reason": reason,
    }
    RedTagTransition.objects.create(
        tag=tag, from_status=RedTag.Status.DECIDED, to_status=RedTag.Status.HELD, by=by,
        at=timezone.now(), note=note[:300],
    )  # fmt: skip
    record_event(
        request, action="redtags.transfer_refused", obj=tag, actor=by,
        detail={"unit": unit.code if unit else None, "reason": reason[:300]},
    )  # fmt: skip
    if decider is not None:
        notify(
            center=tag.center, users=[decider], kind="redtags.decided",
            message=gettext_noop(
                "Red tag %(number)s (%(item)s): %(unit)s refused the transfer; decide again."
            ),
            params={"number": tag.number, "item": tag.item_name,
                    "unit": unit.name if unit else ""},
            url=reverse("redtags:tag-detail", args=[tag.pk]),
        )  # fmt: skip
    return tag


# --- withdrawal -----------------------------------------------------------------------


def check_withdraw(request: OnsiteRequest, tag: RedTag) -> None:
    """The tagger or the office, while the tag is held."""
    check_roles(request, TAGGER_ROLES, write=True)
    if not may_withdraw(request.user, tag):
        raise NotAllowed
    check_held(tag, RedTag.Status.WITHDRAWN)


@transaction.atomic
def do_withdraw(
    *, tag: RedTag, by: User, note: str = "", request: HttpRequest | None = None
) -> RedTag:
    """A tag hung by mistake comes off (only while held)."""
    now = timezone.now()
    updated = RedTag.objects.filter(pk=tag.pk, status=RedTag.Status.HELD).update(
        status=RedTag.Status.WITHDRAWN, version=F("version") + 1
    )
    if updated != 1:
        check_held(RedTag.objects.get(pk=tag.pk), RedTag.Status.WITHDRAWN)
        raise ConflictError
    tag.refresh_from_db()
    RedTagTransition.objects.create(
        tag=tag,
        from_status=RedTag.Status.HELD,
        to_status=RedTag.Status.WITHDRAWN,
        by=by,
        at=now,
        note=note[:300],
    )
    record_event(request, action="redtags.withdraw", obj=tag, actor=by, detail={"note": note})
    return tag


# --- the holding time -----------------------------------------------------------------


def check_set_policy(request: OnsiteRequest) -> Center:
    center: Center = check_roles(request, POLICY_ROLES, write=True)
    return center


@transaction.atomic
def do_set_policy(
    *,
    center: Center,
    by: User,
    holding_days: int,
    expected_version: int | None,
    request: HttpRequest | None = None,
) -> RedTagPolicy:
    """Changes the holding time for tags hung from now on (hung tags keep their date)."""
    if not 1 <= holding_days <= 365:
        raise Invalid(_("The holding time is 1 to 365 days."), code="holding_days")
    policy = RedTagPolicy.for_center(center)
    before = policy.holding_days
    policy.holding_days = holding_days
    if policy.pk is None:
        policy.save()
    else:
        save_versioned(
            policy,
            expected_version=expected_version or policy.version,
            fields=["holding_days"],
        )
    record_event(
        request,
        action="redtags.policy",
        obj=policy,
        actor=by,
        center=center,
        detail={"holding_days": [before, holding_days]},
    )
    return policy
