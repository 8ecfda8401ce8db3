"""Every change to red tags, shared by the pages and the API."""

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

from onsite.accounts.models import Role, User
from onsite.audit.services import record_event
from onsite.core.concurrency import ConflictError, save_versioned
from onsite.core.images import clean_photo
from onsite.core.models import Center
from onsite.notifications.services import notify
from onsite.org.models import Zone
from onsite.redtags.models import Disposition, Phase, Reason, RedTag, RedTagPolicy, RedTagTransition
from onsite.standards.access import TAGGER_ROLES as TAGGER_ROLES  # declared below both apps
from onsite.supplies.models import Supply, SupplyReturn
from onsite.supplies.services import check_quantity, record_return, run_once

DECIDER_ROLES = (Role.OFFICE, Role.ADMIN, Role.LEADER)
"""The programme office (and the admin and leadership) decide what happens to a tag."""
POLICY_ROLES = (Role.ADMIN, Role.OFFICE)

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


def tag_item(
    *,
    center: Center,
    zone: Zone,
    by: User,
    data: Mapping[str, Any],
    photo: UploadedFile[bytes] | None = None,
    key: str = "",
    request: HttpRequest | None = None,
) -> RedTag:
    """Hangs a red tag on an item: it joins the holding list until the office decides.
    `data`: item_name and/or item (catalogue), quantity, reason, proposal, and optionally
    supply, footprint, note, phase."""
    if zone.center_id != center.pk:
        raise ValidationError(_("Choose a zone of this center."), code="zone")
    item = data.get("item")
    supply = data.get("supply")
    if item is not None and item.center_id != center.pk:
        raise ValidationError(_("Choose an item of this center's catalogue."), code="item")
    if supply is not None and supply.center_id != center.pk:
        raise ValidationError(_("Choose a supply of this center."), code="supply")
    name = (data.get("item_name") or "").strip() or (item.name if item else "")
    if not name:
        raise ValidationError(
            _("Say what the item is: pick it from the catalogue or type its name."), code="item"
        )
    quantity = check_quantity(data.get("quantity", 1))
    reason, proposal = data.get("reason"), data.get("proposal")
    if reason not in Reason.values:
        raise ValidationError(_("Choose why the item is not needed."), code="reason")
    if proposal not in Disposition.values:
        raise ValidationError(_("Choose what should happen to the item."), code="proposal")
    phase = data.get("phase") or Phase.SORT
    if phase not in Phase.values:
        raise ValidationError(_("Choose a phase."), code="phase")
    cleaned = clean_photo(photo) if photo is not None else None
    policy = RedTagPolicy.for_center(center)

    def create() -> RedTag:
        now = timezone.now()
        tag = RedTag(
            center=center,
            zone=zone,
            unit_id=zone.unit_id or by.unit_id,
            phase=phase,
            item=item,
            item_name=name[:100],
            supply=supply,
            quantity=quantity,
            reason=reason,
            proposal=proposal,
            note=(data.get("note") or "")[:300],
            footprint=data.get("footprint") or 0,
            tagged_by=by,
            tagged_at=now,
            hold_until=RedTag.hold_until_for(timezone.localdate(now), policy.holding_days),
        )
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
            detail={"zone": zone.code, "item": tag.item_name, "quantity": quantity},
        )
        return tag

    return run_once(center=center, by=by, scope="redtags.tag", key=key, model=RedTag, create=create)


def _decide(
    tag: RedTag,
    *,
    by: User,
    decision: str,
    note: str,
    expected_version: int | None,
    supply: Supply | None,
    request: HttpRequest | None,
) -> RedTag:
    """Records one decision inside the caller's transaction. The UPDATE only applies while
    the tag is still held (and at the version the decider saw, when given)."""
    if decision not in Disposition.values:
        raise ValidationError(_("Choose a decision."), code="decision")
    if supply is not None and supply.center_id != tag.center_id:
        raise ValidationError(_("Choose a supply of this center."), code="supply")
    supply = supply or tag.supply
    now = timezone.now()
    rows = RedTag.objects.filter(pk=tag.pk, status=RedTag.Status.HELD)
    if expected_version is not None:
        rows = rows.filter(version=expected_version)
    updated = rows.update(
        status=RedTag.Status.DECIDED,
        decision=decision,
        decided_by=by,
        decided_at=now,
        decision_note=note[:300],
        supply=supply,
        version=F("version") + 1,
    )
    if updated != 1:
        current = RedTag.objects.get(pk=tag.pk)
        if current.status != RedTag.Status.HELD:
            raise ValidationError(
                _("%(number)s is already %(status)s; nothing was changed.")
                % {"number": tag.number, "status": current.get_status_display()},
                code="not_held",
            )
        raise ConflictError
    tag.refresh_from_db()
    RedTagTransition.objects.create(
        tag=tag,
        from_status=RedTag.Status.HELD,
        to_status=RedTag.Status.DECIDED,
        decision=decision,
        by=by,
        at=now,
        note=note[:300],
    )
    if decision == Disposition.RETURN_TO_STORE and supply is not None:
        tag.store_return = record_return(
            center=tag.center,
            supply=supply,
            quantity=tag.quantity,
            unit=tag.unit,
            source=SupplyReturn.Source.RED_TAG,
            note=f"{tag.number} {tag.item_name}",
            by=by,
            request=request,
        )
        RedTag.objects.filter(pk=tag.pk).update(store_return=tag.store_return)
    record_event(
        request,
        action="redtags.decide",
        obj=tag,
        actor=by,
        detail={
            "decision": decision,
            "note": note[:300],
            "returned_to_store": supply.code if tag.store_return_id and supply else None,
        },
    )
    if tag.tagged_by_id != by.pk:
        notify(
            center=tag.center,
            users=[tag.tagged_by],
            kind="redtags.decided",
            message=DECIDED_MESSAGES[decision],
            params={"number": tag.number, "item": tag.item_name},
            url=reverse("redtags:tag-detail", args=[tag.pk]),
        )
    return tag


@transaction.atomic
def decide_tag(
    *,
    tag: RedTag,
    by: User,
    decision: str,
    note: str = "",
    expected_version: int | None = None,
    supply: Supply | None = None,
    request: HttpRequest | None = None,
) -> RedTag:
    """The office's decision on one tag. "Return to the store" with a store supply (chosen
    now or when tagged) adds the tag's quantity to that supply's stock."""
    return _decide(
        tag,
        by=by,
        decision=decision,
        note=note,
        expected_version=expected_version,
        supply=supply,
        request=request,
    )


@transaction.atomic
def decide_tags(
    *,
    tags: Iterable[RedTag],
    by: User,
    decision: str,
    note: str = "",
    request: HttpRequest | None = None,
) -> tuple[list[RedTag], list[RedTag]]:
    """One decision for many tags (the office's weekly sweep of the holding list). Tags no
    longer held are skipped, not overwritten. Returns (decided, skipped)."""
    if decision not in Disposition.values:
        raise ValidationError(_("Choose a decision."), code="decision")
    decided: list[RedTag] = []
    skipped: list[RedTag] = []
    for tag in sorted(tags, key=lambda t: t.pk):
        if tag.status != RedTag.Status.HELD:
            skipped.append(tag)
            continue
        try:
            with transaction.atomic():
                decided.append(
                    _decide(
                        tag,
                        by=by,
                        decision=decision,
                        note=note,
                        expected_version=None,
                        supply=None,
                        request=request,
                    )
                )
        except (ValidationError, ConflictError):
            skipped.append(tag)
    return decided, skipped


@transaction.atomic
def withdraw_tag(
    *, tag: RedTag, by: User, note: str = "", request: HttpRequest | None = None
) -> RedTag:
    """A tag hung by mistake comes off (the tagger or the office; only while held)."""
    now = timezone.now()
    updated = RedTag.objects.filter(pk=tag.pk, status=RedTag.Status.HELD).update(
        status=RedTag.Status.WITHDRAWN, version=F("version") + 1
    )
    if updated != 1:
        raise ValidationError(
            _("%(number)s is no longer in the holding list; nothing was changed.")
            % {"number": tag.number},
            code="not_held",
        )
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


@transaction.atomic
def set_policy(
    *,
    center: Center,
    by: User,
    holding_days: int,
    expected_version: int | None,
    request: HttpRequest | None = None,
) -> RedTagPolicy:
    """Changes the holding time for tags hung from now on (hung tags keep their date)."""
    if not 1 <= holding_days <= 365:
        raise ValidationError(_("The holding time is 1 to 365 days."), code="holding_days")
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
