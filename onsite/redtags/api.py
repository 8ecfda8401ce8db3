"""JSON API of the red-tag register: tag, list, decide (one or many), withdraw, figures.
Every write is an adapter over the same action as its page (`actions`); refusals are answered
by config/api.py. A tag made here gets its photo by a second call (`/tags/{id}/photo`), as a
phone's outbox sends it: the tag first, then its photo, each with its own Idempotency-Key.
Keys a schema does not name are ignored (the outbox adds the form's submit button)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any

from django.utils.translation import gettext_lazy as _
from ninja import Field, File, Router, Schema
from ninja.files import UploadedFile

from onsite.core.access import check_roles
from onsite.core.api import documented, idempotency_key
from onsite.core.models import get_for_center
from onsite.core.refusals import Invalid, NotVisible
from onsite.core.types import OnsiteRequest
from onsite.org.models import Unit, Zone
from onsite.redtags import actions, queries
from onsite.redtags.access import DECIDER_ROLES, READERS, TAGGER_ROLES, get_tag, visible_tags
from onsite.redtags.models import Disposition, Phase, Reason, RedTag, RedTagPolicy
from onsite.standards.models import Item
from onsite.supplies.access import NO_NUL, code_of
from onsite.supplies.models import Supply
from onsite.supplies.services import MAX_QUANTITY

router = Router(tags=["redtags"])

MAX_ID = 2**63 - 1  # the databases' largest integer key
# Optional in the schema so an upload without a photo is refused after the access checks
# (404/403 first, then 422 with a message), not by request validation before them.
OPTIONAL_PHOTO: Any = File(None)  # type: ignore[type-arg]


class TagIn(Schema):
    zone: str = Field(..., description="Zone code", pattern=NO_NUL)
    item: str | None = Field(None, description="Code of a catalogue item", pattern=NO_NUL)
    item_name: str = Field(
        "", max_length=100, description="The item's name if not catalogued", pattern=NO_NUL
    )
    quantity: int = Field(1, ge=1, le=MAX_QUANTITY, description="Whole number, at least 1")
    reason: Reason
    proposal: Disposition
    supply: str | None = Field(
        None, description="Code of the store supply this item is", pattern=NO_NUL
    )
    footprint: float = Field(0, ge=0, le=9999.99, description="m², rounded to 0.01")
    phase: Phase = Phase.SORT
    note: str = Field("", max_length=300, pattern=NO_NUL)


class TagOut(Schema):
    id: int
    number: str
    zone: str
    unit: str | None
    phase: str
    item: str | None
    item_name: str
    supply: str | None
    quantity: int
    reason: str
    proposal: str
    footprint: Decimal
    note: str
    tagged_by: str
    tagged_at: datetime
    hold_until: date
    overdue: bool
    status: str
    decision: str
    decided_by: str | None
    decided_at: datetime | None
    decision_note: str
    returned_to_store: int | None = Field(None, description="Quantity added to the stock")
    transfer_to: str | None = Field(None, description="Receiving unit code (a transfer)")
    transfer_received_at: datetime | None = None
    has_photo: bool
    version: int


class DecisionIn(Schema):
    decision: Disposition
    note: str = Field("", max_length=300, pattern=NO_NUL)
    supply: str | None = Field(
        None, description="Store supply code, for a return to the store", pattern=NO_NUL
    )
    transfer_to: str | None = Field(
        None, description="Receiving unit code, required for a transfer", pattern=NO_NUL
    )
    version: int | None = Field(None, description="The version the decider saw, if known")


class BulkDecisionIn(Schema):
    tags: list[Annotated[int, Field(ge=1, le=MAX_ID)]] = Field(..., min_length=1, max_length=500)
    decision: Disposition
    note: str = Field("", max_length=300, pattern=NO_NUL)
    transfer_to: str | None = Field(
        None, description="Receiving unit code, required for a transfer", pattern=NO_NUL
    )


class BulkDecisionOut(Schema):
    decided: list[int]
    skipped: list[int]


class WithdrawIn(Schema):
    note: str = Field("", max_length=300, pattern=NO_NUL)


class TransferRefusalIn(Schema):
    reason: str = Field(..., max_length=300, pattern=NO_NUL)


class FiguresOut(Schema):
    unit: str | None
    phase: str
    tags: int
    items: int
    held: int
    overdue: int
    decided: int
    removed: int
    returned: int
    discarded: int
    space: Decimal


class PolicyOut(Schema):
    holding_days: int


PLAIN_FIELDS = (
    "item_name", "quantity", "reason", "proposal", "footprint", "note", "tagged_at",
    "hold_until", "status", "decision", "decided_at", "decision_note", "version", "phase",
)  # fmt: skip


def _out(tag: RedTag) -> TagOut:
    return TagOut(
        **{name: getattr(tag, name) for name in PLAIN_FIELDS},
        id=tag.pk,
        number=tag.number,
        zone=tag.zone.code,
        unit=tag.unit.code if tag.unit else None,
        item=tag.item.code if tag.item else None,
        supply=tag.supply.code if tag.supply else None,
        tagged_by=tag.tagged_by.username,
        overdue=tag.is_overdue(),
        decided_by=tag.decided_by.username if tag.decided_by else None,
        returned_to_store=tag.store_return.quantity if tag.store_return else None,
        transfer_to=tag.transfer_to.code if tag.transfer_to else None,
        transfer_received_at=tag.transfer_received_at,
        has_photo=bool(tag.photo),
    )


def _fresh(request: OnsiteRequest, pk: int) -> TagOut:
    return _out(get_tag(request, pk))


def _by_code(
    model: type[Item] | type[Supply] | type[Unit], request: OnsiteRequest, code: str | None
) -> Any:
    return get_for_center(model.objects.all(), request.center, code=code) if code else None


@router.get("/tags", response=documented(list[TagOut]), summary="Red tags (the latest 200)")
def list_tags(
    request: OnsiteRequest, show: str = "held", unit: str = "", zone: str = ""
) -> list[TagOut]:
    check_roles(request, READERS)
    tags = visible_tags(request)
    if show == "overdue":
        tags = tags.overdue()
    elif show in RedTag.Status.values:
        tags = tags.filter(status=show)
    if unit:
        tags = tags.filter(unit__code=code_of(unit))
    if zone:
        tags = tags.filter(zone__code=code_of(zone))
    return [_out(tag) for tag in tags.order_by("-tagged_at", "-pk")[:200]]


@router.post("/tags", response=documented(TagOut), summary="Tag an item as unneeded")
def create_tag(request: OnsiteRequest, payload: TagIn) -> TagOut:
    center = actions.check_tag(request)
    zone = get_for_center(Zone.objects.filter(is_active=True), center, code=payload.zone)
    data = payload.dict()
    data["footprint"] = Decimal(str(payload.footprint)).quantize(Decimal("0.01"))
    data["item"] = _by_code(Item, request, payload.item)
    data["supply"] = _by_code(Supply, request, payload.supply)
    tag = actions.do_tag(
        center=center, zone=zone, by=request.user, data=data, key=idempotency_key(request),
        request=request,
    )  # fmt: skip
    return _fresh(request, tag.pk)


@router.get("/tags/{tag_id}", response=documented(TagOut), summary="One red tag")
def get_one_tag(request: OnsiteRequest, tag_id: int) -> TagOut:
    check_roles(request, READERS)
    return _fresh(request, tag_id)


@router.post(
    "/tags/{tag_id}/photo",
    response=documented(TagOut),
    summary="Give a held tag its photo (the tagger or the office; Idempotency-Key honoured)",
    url_name="redtag_upload_photo",
)
def upload_photo(
    request: OnsiteRequest, tag_id: int, photo: UploadedFile | None = OPTIONAL_PHOTO
) -> TagOut:
    check_roles(request, TAGGER_ROLES, write=True)
    tag = get_tag(request, tag_id)
    actions.check_tag_photo(request, tag)
    if photo is None:
        raise Invalid(_("Choose a photo to upload."), code="photo")
    actions.do_tag_photo(
        tag=tag, by=request.user, photo=photo, key=idempotency_key(request), request=request
    )
    return _fresh(request, tag_id)


@router.post(
    "/tags/{tag_id}/decision",
    response=documented(TagOut),
    summary="Decide what happens to a tagged item (programme office)",
)
def decide(request: OnsiteRequest, tag_id: int, payload: DecisionIn) -> TagOut:
    check_roles(request, DECIDER_ROLES, write=True)
    tag = get_tag(request, tag_id)
    actions.check_decide(request, tag)
    actions.do_decide(
        tag=tag, by=request.user, decision=payload.decision, note=payload.note,
        expected_version=payload.version, supply=_by_code(Supply, request, payload.supply),
        transfer_to=_by_code(Unit, request, payload.transfer_to), request=request,
    )  # fmt: skip
    return _fresh(request, tag_id)


@router.post(
    "/decisions",
    response=documented(BulkDecisionOut),
    summary="One decision for many tags (programme office); tags no longer held are skipped",
)
def decide_many(request: OnsiteRequest, payload: BulkDecisionIn) -> BulkDecisionOut:
    actions.check_decide_many(request)
    tags = list(visible_tags(request).filter(pk__in=payload.tags))
    if len(tags) != len(set(payload.tags)):
        raise NotVisible
    decided, skipped = actions.do_decide_many(
        tags=tags, by=request.user, decision=payload.decision, note=payload.note,
        transfer_to=_by_code(Unit, request, payload.transfer_to), request=request,
    )  # fmt: skip
    return BulkDecisionOut(decided=[t.pk for t in decided], skipped=[t.pk for t in skipped])


@router.post(
    "/tags/{tag_id}/receipt",
    response=documented(TagOut),
    summary="Confirm receipt of a transferred item (the receiving unit's people)",
)
def receive(request: OnsiteRequest, tag_id: int) -> TagOut:
    tag = get_tag(request, tag_id)
    actions.check_receive(request, tag)
    actions.do_receive(tag=tag, by=request.user, request=request)
    return _fresh(request, tag_id)


@router.post(
    "/tags/{tag_id}/transfer-refusal",
    response=documented(TagOut),
    summary="Refuse a transferred item, saying why: the tag goes back to be decided again",
)
def refuse_transfer(request: OnsiteRequest, tag_id: int, payload: TransferRefusalIn) -> TagOut:
    tag = get_tag(request, tag_id)
    actions.check_receive(request, tag)
    actions.do_refuse_transfer(tag=tag, by=request.user, reason=payload.reason, request=request)
    return _fresh(request, tag_id)


@router.post(
    "/tags/{tag_id}/withdraw",
    response=documented(TagOut),
    summary="Take off a tag hung by mistake (the tagger or the office)",
)
def withdraw(request: OnsiteRequest, tag_id: int, payload: WithdrawIn) -> TagOut:
    check_roles(request, TAGGER_ROLES, write=True)
    tag = get_tag(request, tag_id)
    actions.check_withdraw(request, tag)
    actions.do_withdraw(tag=tag, by=request.user, note=payload.note, request=request)
    return _fresh(request, tag_id)


@router.get(
    "/figures",
    response=documented(list[FiguresOut]),
    summary="Items tagged, decided, returned to the store and space freed, per unit and phase",
)
def figures(request: OnsiteRequest, phase: str = "") -> list[FiguresOut]:
    center = check_roles(request, READERS)
    rows = queries.figures_by_unit(center=center, phase=phase if phase in Phase.values else None)
    return [
        FiguresOut(unit=row.unit.code if row.unit else None, phase=row.phase, tags=row.tags,
                   items=row.items, held=row.held, overdue=row.overdue, decided=row.decided,
                   removed=row.removed, returned=row.returned, discarded=row.discarded,
                   space=row.space)
        for row in rows
    ]  # fmt: skip


@router.get("/settings", response=documented(PolicyOut), summary="The center's holding time")
def get_policy(request: OnsiteRequest) -> PolicyOut:
    center = check_roles(request, READERS)
    return PolicyOut(holding_days=RedTagPolicy.for_center(center).holding_days)
