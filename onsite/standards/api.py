"""JSON API of standards: standards, versions, clauses, item rules, the item catalogue, a
zone's effective standard and item filings. Adapters over the same actions as the pages
(onsite.standards.actions); config/api.py answers their refusals (403, 404, 409, 422)."""

from __future__ import annotations

import datetime
from typing import Literal

from django.db.models import Prefetch
from ninja import Field, Router, Schema

from onsite.core.access import check_roles
from onsite.core.api import documented, idempotency_key
from onsite.core.models import get_for_center
from onsite.core.types import OnsiteRequest
from onsite.org.models import AreaType, Zone
from onsite.standards import access, actions
from onsite.standards.forms import ClauseForm, ItemRuleForm, VersionSettingsForm
from onsite.standards.models import (
    Clause,
    Item,
    ItemFiling,
    ItemRule,
    StandardVersion,
)
from onsite.standards.queries import effective_standard, version_contents

router = Router(tags=["standards"])

PillarName = Literal["sort", "set_in_order", "shine", "standardize", "sustain", "visual", "safety"]
RuleKind = Literal["allowed", "required", "banned"]
MarkingName = Literal["none", "shadow", "colour"]


# --- schemas ---------------------------------------------------------------------------------


class StandardVersionBrief(Schema):
    id: int
    number: int
    status: str
    published_at: datetime.datetime | None
    row_version: int


class StandardOut(Schema):
    area_type: str
    area_type_name: str
    title: str | None
    published: StandardVersionBrief | None
    drafts: list[StandardVersionBrief]


class StandardDetailOut(Schema):
    area_type: str
    area_type_name: str
    title: str | None
    versions: list[StandardVersionBrief]


class StandardClauseOut(Schema):
    id: int
    code: str
    pillar: str
    position: int
    text: str
    check_method: str
    weight: int
    max_points: int
    photo_required: bool
    subject: str = Field(..., description="zone, person (a staff member on post) or equipment")
    row_version: int


class ItemRuleOut(Schema):
    id: int
    item: str
    item_name: str
    kind: str
    max_quantity: int | None
    container: str
    slot_x_mm: int | None
    slot_y_mm: int | None
    slot_w_mm: int | None
    slot_h_mm: int | None
    min_edge_distance_mm: int | None
    edge_distance_mm: int
    marking: str
    marking_colour: str
    note: str
    position: int
    row_version: int


class StandardVersionOut(Schema):
    id: int
    area_type: str
    number: int
    status: str
    based_on: int | None
    note: str
    source_url: str
    width_mm: int
    depth_mm: int
    default_edge_distance_mm: int
    published_at: datetime.datetime | None
    row_version: int
    clauses: list[StandardClauseOut]
    item_rules: list[ItemRuleOut]


class CatalogueItemOut(Schema):
    id: int
    code: str
    name: str
    aliases: list[str]
    vision_kind: str  # what the photo check's detector calls it; "" if it does not know it
    is_active: bool


class ItemFilingOut(Schema):
    id: int
    zone: str
    item: str = Field(..., description='catalogue item code; "" for an item not in the catalogue')
    item_name: str
    item_description: str = Field(..., description="for an item not in the catalogue")
    off_catalogue: bool
    quantity: int
    reason: str
    valid_from: datetime.date
    valid_to: datetime.date
    status: str
    state: str
    review_comment: str
    row_version: int


class EffectiveStandardOut(Schema):
    zone: str
    on: datetime.date
    version: StandardVersionOut | None
    filings: list[ItemFilingOut]


class StandardRevisionIn(Schema):
    note: str = Field("", max_length=1000)
    source_url: str = Field("", max_length=300)


class StandardRowVersionIn(Schema):
    row_version: int = Field(..., ge=1, le=2_000_000_000)


class StandardVersionSettingsIn(StandardRowVersionIn):
    width_mm: int = Field(..., ge=100, le=100_000)
    depth_mm: int = Field(..., ge=100, le=100_000)
    default_edge_distance_mm: int = Field(..., ge=0, le=1000)
    note: str = Field("", max_length=2000)


class StandardClauseIn(Schema):
    code: str = Field(..., min_length=1, max_length=20)
    pillar: PillarName
    position: int = Field(0, ge=0, le=30000)
    text: str = Field(..., min_length=1, max_length=2000)
    check_method: str = Field("", max_length=2000)
    weight: int = Field(1, ge=1, le=100)
    max_points: int = Field(10, ge=1, le=100)
    photo_required: bool = False
    subject: Literal["zone", "person", "equipment"] = "zone"


class StandardClauseChangeIn(StandardClauseIn):
    row_version: int = Field(..., ge=1, le=2_000_000_000)


class ItemRuleIn(Schema):
    item: str = Field(..., min_length=1, max_length=32, description="item code")
    kind: RuleKind = "allowed"
    max_quantity: int | None = Field(None, ge=0, le=999)
    container: str = Field("", max_length=50)
    slot_x_mm: int | None = Field(None, ge=0, le=100_000)
    slot_y_mm: int | None = Field(None, ge=0, le=100_000)
    slot_w_mm: int | None = Field(None, ge=1, le=100_000)
    slot_h_mm: int | None = Field(None, ge=1, le=100_000)
    min_edge_distance_mm: int | None = Field(None, ge=0, le=1000)
    marking: MarkingName = "none"
    marking_colour: str = Field("", max_length=20)
    note: str = Field("", max_length=200)
    position: int = Field(0, ge=0, le=30000)


class ItemRuleChangeIn(ItemRuleIn):
    row_version: int = Field(..., ge=1, le=2_000_000_000)


class ItemFilingIn(Schema):
    zone: str = Field(..., min_length=1, max_length=32)
    item: str = Field(
        "", max_length=32, description='catalogue item code; "" with item_name for another item'
    )
    item_name: str = Field(
        "", max_length=50, description="the name of an item the catalogue lacks (without item)"
    )
    item_description: str = Field("", max_length=300)
    quantity: int = Field(1, ge=1, le=99)
    reason: str = Field(..., min_length=1, max_length=1000)
    valid_from: datetime.date
    valid_to: datetime.date
    submission_key: str = Field(
        "", max_length=64, description="repeat-safe submit key (else the Idempotency-Key header)"
    )


class ItemFilingReviewIn(StandardRowVersionIn):
    decision: Literal["approve", "approve_catalogue", "reject"] = Field(
        ...,
        description="approve_catalogue: approve an item not in the catalogue and add it to the "
        "catalogue as item_code (item_name, vision_kind)",
    )
    comment: str = Field("", max_length=1000)
    item_code: str = Field("", max_length=32)
    item_name: str = Field("", max_length=50, description='"": the name it was filed under')
    vision_kind: str = Field("", max_length=20)


# --- helpers ---------------------------------------------------------------------------------


def _read(request: OnsiteRequest) -> None:
    check_roles(request, access.READERS)


def _brief(v: StandardVersion) -> StandardVersionBrief:
    return StandardVersionBrief(
        id=v.pk, number=v.number, status=v.status, published_at=v.published_at,
        row_version=v.version,
    )  # fmt: skip


def _clause_out(c: Clause) -> StandardClauseOut:
    return StandardClauseOut(
        id=c.pk, code=c.code, pillar=c.pillar, position=c.position, text=c.text,
        check_method=c.check_method, weight=c.weight, max_points=c.max_points,
        photo_required=c.photo_required, subject=c.subject, row_version=c.version,
    )  # fmt: skip


def _rule_out(r: ItemRule) -> ItemRuleOut:
    return ItemRuleOut(
        id=r.pk, item=r.item.code, item_name=r.item.name, kind=r.kind,
        max_quantity=r.max_quantity, container=r.container, slot_x_mm=r.slot_x_mm,
        slot_y_mm=r.slot_y_mm, slot_w_mm=r.slot_w_mm, slot_h_mm=r.slot_h_mm,
        min_edge_distance_mm=r.min_edge_distance_mm, edge_distance_mm=r.edge_distance_mm(),
        marking=r.marking, marking_colour=r.marking_colour, note=r.note, position=r.position,
        row_version=r.version,
    )  # fmt: skip


def _version_out(v: StandardVersion) -> StandardVersionOut:
    clauses, rules = version_contents(v)
    return StandardVersionOut(
        id=v.pk, area_type=v.standard.area_type.code, number=v.number, status=v.status,
        based_on=v.based_on_id, note=v.note, source_url=v.source_url, width_mm=v.width_mm,
        depth_mm=v.depth_mm, default_edge_distance_mm=v.default_edge_distance_mm,
        published_at=v.published_at, row_version=v.version,
        clauses=[_clause_out(c) for c in clauses], item_rules=[_rule_out(r) for r in rules],
    )  # fmt: skip


def _filing_out(f: ItemFiling) -> ItemFilingOut:
    return ItemFilingOut(
        id=f.pk, zone=f.zone.code, item=f.item.code if f.item else "", item_name=f.item_label,
        item_description=f.item_description, off_catalogue=f.is_off_catalogue, quantity=f.quantity,
        reason=f.reason, valid_from=f.valid_from, valid_to=f.valid_to, status=f.status,
        state=f.state, review_comment=f.review_comment, row_version=f.version,
    )  # fmt: skip


# --- standards and versions ----------------------------------------------------------------


@router.get("/", response=documented(list[StandardOut]), summary="Standards per area type")
def list_standards(request: OnsiteRequest) -> list[StandardOut]:
    _read(request)
    versions = StandardVersion.objects.filter(
        status__in=[StandardVersion.Status.PUBLISHED, StandardVersion.Status.DRAFT]
    ).order_by("number")
    area_types = (
        AreaType.objects.filter(center=request.center)
        .select_related("standard")
        .prefetch_related(Prefetch("standard__versions", queryset=versions, to_attr="current"))
    )
    result = []
    for area_type in area_types:
        standard = getattr(area_type, "standard", None)
        current: list[StandardVersion] = standard.current if standard else []
        result.append(
            StandardOut(
                area_type=area_type.code,
                area_type_name=area_type.name,
                title=standard.title if standard else None,
                published=next((_brief(v) for v in current if v.is_published), None),
                drafts=[_brief(v) for v in current if v.is_draft],
            )
        )
    return result


@router.get(
    "/area-types/{code}",
    response=documented(StandardDetailOut),
    summary="The standard of one area type with all its versions",
)
def get_standard(request: OnsiteRequest, code: str) -> StandardDetailOut:
    _read(request)
    area_type = access.get_area_type(request.center, code)
    standard = getattr(area_type, "standard", None)
    versions = list(standard.versions.all()) if standard else []
    return StandardDetailOut(
        area_type=area_type.code,
        area_type_name=area_type.name,
        title=standard.title if standard else None,
        versions=[_brief(v) for v in versions],
    )


@router.post(
    "/area-types/{code}/revisions",
    response=documented(StandardVersionOut),
    summary="Open a draft copied from the published version (or return the open one)",
)
def start_revision(
    request: OnsiteRequest, code: str, payload: StandardRevisionIn
) -> StandardVersionOut:
    actions.check_edit_standards(request)
    area_type = access.get_area_type(request.center, code)
    draft = actions.do_start_revision(
        area_type=area_type, by=actions.actor(request), note=payload.note,
        source_url=payload.source_url, request=request,
    )  # fmt: skip
    return _version_out(access.get_version(request.center, draft.pk))


@router.get(
    "/versions/{version_id}", response=documented(StandardVersionOut), summary="One version"
)
def get_version(request: OnsiteRequest, version_id: int) -> StandardVersionOut:
    _read(request)
    return _version_out(access.get_version(request.center, version_id))


@router.put(
    "/versions/{version_id}",
    response=documented(StandardVersionOut),
    summary="Change a draft's plan size, default edge distance and note",
)
def change_version(
    request: OnsiteRequest, version_id: int, payload: StandardVersionSettingsIn
) -> StandardVersionOut:
    actions.check_edit_standards(request)
    version = access.get_version(request.center, version_id)
    actions.check_draft(version)
    data = actions.check_form(VersionSettingsForm(data=payload.dict(), instance=version))
    actions.do_update_version_settings(
        version=version, data=data, expected_version=payload.row_version,
        by=actions.actor(request), request=request,
    )  # fmt: skip
    return _version_out(access.get_version(request.center, version_id))


@router.post(
    "/versions/{version_id}/publish",
    response=documented(StandardVersionOut),
    summary="Publish a draft; the previous published version is retired",
)
def publish(
    request: OnsiteRequest, version_id: int, payload: StandardRowVersionIn
) -> StandardVersionOut:
    actions.check_edit_standards(request)
    version = access.get_version(request.center, version_id)
    actions.do_publish_version(
        version=version, by=actions.actor(request), expected_version=payload.row_version,
        request=request,
    )  # fmt: skip
    return _version_out(access.get_version(request.center, version_id))


# --- clauses ---------------------------------------------------------------------------------


@router.get(
    "/versions/{version_id}/clauses",
    response=documented(list[StandardClauseOut]),
    summary="Clauses",
)
def list_clauses(request: OnsiteRequest, version_id: int) -> list[StandardClauseOut]:
    _read(request)
    version = access.get_version(request.center, version_id)
    return [_clause_out(c) for c in version.clauses.all()]


def _save_clause(
    request: OnsiteRequest,
    version: StandardVersion,
    payload: StandardClauseIn,
    clause: Clause | None,
) -> StandardClauseOut:
    actions.check_draft(version)
    row_version = getattr(payload, "row_version", None)
    data = payload.dict() | {"row_version": row_version or 1}
    data = actions.check_form(ClauseForm(data=data, instance=clause))
    saved = actions.do_save_clause(
        standard_version=version, clause=clause, data=data,
        expected_version=row_version, by=actions.actor(request), request=request,
    )  # fmt: skip
    return _clause_out(saved)


@router.post(
    "/versions/{version_id}/clauses", response=documented(StandardClauseOut), summary="Add a clause"
)
def add_clause(
    request: OnsiteRequest, version_id: int, payload: StandardClauseIn
) -> StandardClauseOut:
    actions.check_edit_standards(request)
    return _save_clause(request, access.get_version(request.center, version_id), payload, None)


@router.put(
    "/clauses/{clause_id}", response=documented(StandardClauseOut), summary="Change a clause"
)
def change_clause(
    request: OnsiteRequest, clause_id: int, payload: StandardClauseChangeIn
) -> StandardClauseOut:
    actions.check_edit_standards(request)
    clause = access.get_clause(request.center, clause_id)
    return _save_clause(request, clause.standard_version, payload, clause)


@router.delete("/clauses/{clause_id}", response=documented(StandardRowVersionIn), summary="Remove")
def remove_clause(request: OnsiteRequest, clause_id: int, row_version: int) -> StandardRowVersionIn:
    actions.check_edit_standards(request)
    clause = access.get_clause(request.center, clause_id)
    actions.do_delete_clause(
        clause=clause, expected_version=row_version, by=actions.actor(request), request=request
    )
    return StandardRowVersionIn(row_version=max(1, row_version))


# --- item rules ------------------------------------------------------------------------------


@router.get(
    "/versions/{version_id}/item-rules", response=documented(list[ItemRuleOut]), summary="Rules"
)
def list_item_rules(request: OnsiteRequest, version_id: int) -> list[ItemRuleOut]:
    _read(request)
    _clauses, rules = version_contents(access.get_version(request.center, version_id))
    return [_rule_out(r) for r in rules]


def _save_rule(
    request: OnsiteRequest, version: StandardVersion, payload: ItemRuleIn, rule: ItemRule | None
) -> ItemRuleOut:
    actions.check_draft(version)
    row_version = getattr(payload, "row_version", None)
    item = actions.catalogue_item(request.center, payload.item)
    data = payload.dict() | {"item": item.pk, "row_version": row_version or 1}
    data = actions.check_form(ItemRuleForm(data=data, instance=rule, version=version))
    saved = actions.do_save_item_rule(
        standard_version=version, rule=rule, data=data,
        expected_version=row_version, by=actions.actor(request), request=request,
    )  # fmt: skip
    saved.standard_version = version
    return _rule_out(saved)


@router.post(
    "/versions/{version_id}/item-rules", response=documented(ItemRuleOut), summary="Add a rule"
)
def add_item_rule(request: OnsiteRequest, version_id: int, payload: ItemRuleIn) -> ItemRuleOut:
    actions.check_edit_standards(request)
    return _save_rule(request, access.get_version(request.center, version_id), payload, None)


@router.put("/item-rules/{rule_id}", response=documented(ItemRuleOut), summary="Change a rule")
def change_item_rule(
    request: OnsiteRequest, rule_id: int, payload: ItemRuleChangeIn
) -> ItemRuleOut:
    actions.check_edit_standards(request)
    rule = access.get_item_rule(request.center, rule_id)
    return _save_rule(request, rule.standard_version, payload, rule)


@router.delete("/item-rules/{rule_id}", response=documented(StandardRowVersionIn), summary="Remove")
def remove_item_rule(
    request: OnsiteRequest, rule_id: int, row_version: int
) -> StandardRowVersionIn:
    actions.check_edit_standards(request)
    rule = access.get_item_rule(request.center, rule_id)
    actions.do_delete_item_rule(
        rule=rule, expected_version=row_version, by=actions.actor(request), request=request
    )
    return StandardRowVersionIn(row_version=max(1, row_version))


# --- catalogue and effective standard --------------------------------------------------------


@router.get("/items", response=documented(list[CatalogueItemOut]), summary="The item catalogue")
def list_items(request: OnsiteRequest) -> list[CatalogueItemOut]:
    _read(request)
    return [
        CatalogueItemOut(
            id=i.pk,
            code=i.code,
            name=i.name,
            aliases=list(i.aliases),
            vision_kind=i.vision_kind,
            is_active=i.is_active,
        )
        for i in Item.objects.filter(center=request.center)
    ]


@router.get(
    "/zones/{code}/effective",
    response=documented(EffectiveStandardOut),
    summary="A zone's effective standard: published version plus active filings",
)
def zone_effective(
    request: OnsiteRequest, code: str, on: datetime.date | None = None
) -> EffectiveStandardOut:
    _read(request)
    zone = get_for_center(Zone.objects.all(), request.center, code=code)
    effective = effective_standard(zone, on=on)
    return EffectiveStandardOut(
        zone=zone.code,
        on=effective.on,
        version=_version_out(effective.version) if effective.version else None,
        filings=[_filing_out(f) for f in effective.filings],
    )


# --- filings ---------------------------------------------------------------------------------


@router.get("/filings", response=documented(list[ItemFilingOut]), summary="Item filings I may see")
def list_filings(
    request: OnsiteRequest,
    status: Literal["requested", "approved", "rejected", "withdrawn"] | None = None,
    offset: int = 0,
) -> list[ItemFilingOut]:
    """Newest first, 200 at a time; `offset` pages further back."""
    _read(request)
    rows = access.visible_filings(request.user, request.center).select_related("zone", "item")
    if status:
        rows = rows.filter(status=status)
    start = min(max(offset, 0), 1_000_000)
    return [_filing_out(f) for f in rows.order_by("-filed_at", "-pk")[start : start + 200]]


@router.get("/filings/{filing_id}", response=documented(ItemFilingOut), summary="One filing")
def get_filing(request: OnsiteRequest, filing_id: int) -> ItemFilingOut:
    _read(request)
    return _filing_out(access.get_filing(request.user, request.center, filing_id))


@router.post(
    "/filings",
    response=documented(ItemFilingOut),
    summary="File an extra item (报备); repeat-safe by submission_key or Idempotency-Key",
)
def create_filing(request: OnsiteRequest, payload: ItemFilingIn) -> ItemFilingOut:
    zone = actions.check_file_item(request, zone_code=payload.zone)
    filing = actions.do_file_item(
        zone=zone, item=actions.catalogue_item(request.center, payload.item) if payload.item else None,
        item_name=payload.item_name, item_description=payload.item_description,
        quantity=payload.quantity, reason=payload.reason, valid_from=payload.valid_from,
        valid_to=payload.valid_to, by=actions.actor(request),
        submission_key=payload.submission_key or idempotency_key(request), request=request,
    )  # fmt: skip
    return _filing_out(filing)


@router.post(
    "/filings/{filing_id}/review", response=documented(ItemFilingOut), summary="Approve or reject"
)
def review_filing(
    request: OnsiteRequest, filing_id: int, payload: ItemFilingReviewIn
) -> ItemFilingOut:
    center = actions.check_review_filings(request)
    filing = access.get_filing(request.user, center, filing_id)
    catalogue = None
    if payload.decision == "approve_catalogue":
        catalogue = {"code": payload.item_code, "name": payload.item_name,
                     "vision_kind": payload.vision_kind}  # fmt: skip
    actions.do_review_filing(
        filing=filing, approve=payload.decision != "reject", comment=payload.comment,
        catalogue=catalogue, expected_version=payload.row_version, by=actions.actor(request),
        request=request,
    )  # fmt: skip
    return _filing_out(filing)


@router.post(
    "/filings/{filing_id}/withdraw", response=documented(ItemFilingOut), summary="Withdraw a filing"
)
def withdraw_filing(
    request: OnsiteRequest, filing_id: int, payload: StandardRowVersionIn
) -> ItemFilingOut:
    filing = access.get_filing(request.user, request.center, filing_id)
    actions.check_withdraw(request, filing)
    actions.do_withdraw_filing(
        filing=filing, expected_version=payload.row_version, by=actions.actor(request),
        request=request,
    )  # fmt: skip
    return _filing_out(filing)
