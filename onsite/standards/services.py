"""Writes of the standards app, shared by pages, the API, imports and other apps.

Other apps use `start_revision` (inspections' "improve", engagement's adopted proposals) and
read through `onsite.standards.queries`."""

from __future__ import annotations

import datetime
import re
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F, Max
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from onsite.accounts.models import Role, User
from onsite.audit.services import record_event
from onsite.core.concurrency import (
    ConflictError,
    claim_submission,
    existing_submission,
    save_versioned,
)
from onsite.core.models import Center
from onsite.core.refusals import Conflict, Invalid, Refusal
from onsite.notifications.services import notify
from onsite.org.models import AreaType, Zone
from onsite.standards.models import (
    FILING_MOVES,
    VISION_KINDS,
    Clause,
    FilingTransition,
    Item,
    ItemFiling,
    ItemRule,
    Standard,
    StandardVersion,
)
from onsite.standards.signals import standard_published


class StandardError(Refusal):
    """A change the rules of standards do not allow; `message` is shown to the user. Raised
    as one of the two kinds below, so pages and the API answer it alike."""


class StandardConflict(StandardError, Conflict):  # noqa: N818 - a refusal, as in core
    """The act does not fit the stored state (a published version, a decided filing, a
    taken code): 409."""


class StandardInvalid(StandardError, Invalid):  # noqa: N818 - a refusal, as in core
    """The input itself is wrong (an item of another center, dates the wrong way round): 422."""


class PublishConflictError(ConflictError):
    """Another publish of this standard got there first."""

    message = _(
        "Another version of this standard was published in the meantime. Nothing was "
        "published; open the standard to see the current version."
    )


def _standard_for(area_type: AreaType) -> Standard:
    standard, _created = Standard.objects.get_or_create(
        area_type=area_type,
        defaults={"center_id": area_type.center_id, "title": area_type.name},
    )
    return standard


def _next_number(standard: Standard) -> int:
    top = StandardVersion.objects.filter(standard=standard).aggregate(top=Max("number"))["top"]
    return (top or 0) + 1


def copy_contents(*, source: StandardVersion, target: StandardVersion) -> None:
    """Copies clauses and item rules of `source` into the (empty) draft `target`."""
    Clause.objects.bulk_create(
        Clause(
            center_id=target.center_id,
            standard_version=target,
            code=c.code,
            pillar=c.pillar,
            position=c.position,
            text=c.text,
            check_method=c.check_method,
            weight=c.weight,
            max_points=c.max_points,
            photo_required=c.photo_required,
            subject=c.subject,
        )
        for c in source.clauses.all()
    )
    ItemRule.objects.bulk_create(
        ItemRule(
            center_id=target.center_id,
            standard_version=target,
            item_id=r.item_id,
            kind=r.kind,
            max_quantity=r.max_quantity,
            slot_x_mm=r.slot_x_mm,
            slot_y_mm=r.slot_y_mm,
            slot_w_mm=r.slot_w_mm,
            slot_h_mm=r.slot_h_mm,
            container=r.container,
            min_edge_distance_mm=r.min_edge_distance_mm,
            marking=r.marking,
            marking_colour=r.marking_colour,
            note=r.note,
            position=r.position,
        )
        for r in source.item_rules.all()
    )


@transaction.atomic
def start_revision(
    *,
    area_type: AreaType | None = None,
    standard: Standard | None = None,
    by: User | None,
    note: str,
    source_url: str = "",
    request: HttpRequest | None = None,
) -> StandardVersion:
    """Opens a draft of the standard of `area_type` (or `standard`), copied from its published
    version, and returns it. If a draft based on the current published version is already
    open, that draft is returned instead, with `note` (and `source_url`, if it had none)
    appended, so several improvement ideas gather in one draft. Creates the standard (and an
    empty first draft) if the area type has none yet."""
    if standard is None:
        if area_type is None:
            raise TypeError("start_revision needs area_type or standard")
        standard = _standard_for(area_type)
    published = StandardVersion.objects.published().filter(standard=standard).first()
    open_draft = (
        StandardVersion.objects.drafts()
        .filter(standard=standard, based_on=published)
        .order_by("-number")
        .first()
    )
    if open_draft is not None:
        if note:
            open_draft.note = f"{open_draft.note}\n{note}".strip()
        if source_url and not open_draft.source_url:
            open_draft.source_url = source_url[:300]
        open_draft.version = F("version") + 1
        open_draft.save(update_fields=["note", "source_url", "version"])
        open_draft.refresh_from_db()
        record_event(
            request,
            action="standards.revision_noted",
            obj=open_draft,
            actor=by,
            center=standard.center,
            detail={"note": note[:200], "source_url": source_url[:300]},
        )
        return open_draft
    area = standard.area_type
    draft = StandardVersion.objects.create(
        center_id=standard.center_id,
        standard=standard,
        number=_next_number(standard),
        based_on=published,
        note=note,
        source_url=source_url[:300],
        width_mm=published.width_mm if published else area.width_mm,
        depth_mm=published.depth_mm if published else area.depth_mm,
        default_edge_distance_mm=(
            published.default_edge_distance_mm
            if published
            else StandardVersion._meta.get_field("default_edge_distance_mm").get_default()
        ),
        created_by=by,
    )
    if published is not None:
        copy_contents(source=published, target=draft)
    record_event(
        request,
        action="standards.revision_started",
        obj=draft,
        actor=by,
        center=standard.center,
        detail={"based_on": published.number if published else None, "source_url": source_url},
    )
    return draft


def publish_version(
    *,
    version: StandardVersion,
    by: User | None,
    expected_version: int,
    request: HttpRequest | None = None,
) -> StandardVersion:
    """Publishes the draft `version` and retires the standard's previous published version,
    all or nothing. Raises PublishConflictError if the draft changed since the user saw it
    (`expected_version`), was already published, or another version was published since the
    draft was started; StandardConflict if the draft is not publishable. The database's
    one-published-version constraint backs this up when two publishes race."""
    try:
        with transaction.atomic():
            return _publish(
                version=version, by=by, expected_version=expected_version, request=request
            )
    except IntegrityError as exc:
        raise PublishConflictError from exc


def _publish(
    *,
    version: StandardVersion,
    by: User | None,
    expected_version: int,
    request: HttpRequest | None,
) -> StandardVersion:
    if not version.clauses.exists():
        raise StandardConflict(
            _("A version needs at least one clause before it can be published."), code="no_clauses"
        )
    now = timezone.now()
    current = (
        StandardVersion.objects.published()
        .filter(standard_id=version.standard_id)
        .values_list("pk", flat=True)
        .first()
    )
    if current is not None:
        if version.based_on_id != current:
            raise PublishConflictError
        # Conditional: of two racing publishes only one can retire the current version.
        retired = StandardVersion.objects.filter(
            pk=current, status=StandardVersion.Status.PUBLISHED
        ).update(status=StandardVersion.Status.RETIRED, retired_at=now, version=F("version") + 1)
        if retired != 1:
            raise PublishConflictError
    published = StandardVersion.objects.filter(
        pk=version.pk, status=StandardVersion.Status.DRAFT, version=expected_version
    ).update(
        status=StandardVersion.Status.PUBLISHED,
        published_at=now,
        published_by=by,
        version=F("version") + 1,
    )
    if published != 1:
        raise PublishConflictError
    version.refresh_from_db()
    record_event(
        request,
        action="standards.version_published",
        obj=version,
        actor=by,
        center=version.center,
        detail={"number": version.number, "retired": current},
    )
    # Everyone working in a zone of this area type must now acknowledge the new version.
    standard_published.send(sender=StandardVersion, version=version)
    return version


# --- editing drafts ------------------------------------------------------------------------


def _require_draft(version: StandardVersion) -> None:
    if not version.is_draft:
        raise StandardConflict(
            _("Only a draft can be changed. Start a new revision to change a published version."),
            code="not_draft",
        )


def _touch(version: StandardVersion) -> None:
    """A change inside a draft bumps the draft's version, so a publish based on an older look
    at the draft fails instead of publishing something its publisher never saw."""
    StandardVersion.objects.filter(pk=version.pk).update(version=F("version") + 1)
    version.version += 1


@transaction.atomic
def update_version_settings(
    *,
    version: StandardVersion,
    data: dict[str, Any],
    expected_version: int,
    by: User,
    request: HttpRequest | None = None,
) -> StandardVersion:
    _require_draft(version)
    names = ["width_mm", "depth_mm", "default_edge_distance_mm", "note"]
    for name in names:
        setattr(version, name, data[name])
    save_versioned(version, expected_version=expected_version, fields=names)
    record_event(
        request,
        action="standards.version_changed",
        obj=version,
        actor=by,
        detail={name: str(data[name])[:100] for name in names},
    )
    return version


CLAUSE_EDITABLE = ["code", "pillar", "position", "text", "check_method", "weight", "max_points",
                   "photo_required", "subject"]  # fmt: skip
RULE_EDITABLE = ["item", "kind", "max_quantity", "slot_x_mm", "slot_y_mm", "slot_w_mm",
                 "slot_h_mm", "container", "min_edge_distance_mm", "marking", "marking_colour",
                 "note", "position"]  # fmt: skip


def _save_child(
    obj: Clause | ItemRule,
    *,
    names: list[str],
    data: dict[str, Any],
    expected_version: int | None,
) -> None:
    for name in names:
        setattr(obj, name, data[name])
    if obj.pk is None:
        obj.save()
    else:
        if expected_version is None:
            raise TypeError("editing needs expected_version")
        fields = [f"{n}_id" if n == "item" else n for n in names]
        save_versioned(obj, expected_version=expected_version, fields=fields)


@transaction.atomic
def save_clause(
    *,
    standard_version: StandardVersion,
    data: dict[str, Any],
    by: User,
    clause: Clause | None = None,
    expected_version: int | None = None,
    request: HttpRequest | None = None,
) -> Clause:
    """Adds a clause to a draft (clause=None) or changes one (with the version it was read at)."""
    _require_draft(standard_version)
    created = clause is None
    if clause is None:
        clause = Clause(center_id=standard_version.center_id, standard_version=standard_version)
    try:
        with transaction.atomic():
            _save_child(clause, names=CLAUSE_EDITABLE, data=data, expected_version=expected_version)
    except IntegrityError as exc:
        raise StandardConflict(
            _("Another clause of this version already has this code."), code="unique"
        ) from exc
    _touch(standard_version)
    record_event(
        request,
        action="standards.clause_added" if created else "standards.clause_changed",
        obj=clause,
        actor=by,
        detail={"version": standard_version.pk, "code": clause.code},
    )
    return clause


@transaction.atomic
def delete_clause(
    *, clause: Clause, expected_version: int, by: User, request: HttpRequest | None = None
) -> None:
    version = clause.standard_version
    _require_draft(version)
    if Clause.objects.filter(pk=clause.pk, version=expected_version).delete()[0] != 1:
        raise ConflictError
    _touch(version)
    record_event(
        request,
        action="standards.clause_removed",
        obj=version,
        actor=by,
        detail={"code": clause.code},
    )


@transaction.atomic
def save_item_rule(
    *,
    standard_version: StandardVersion,
    data: dict[str, Any],
    by: User,
    rule: ItemRule | None = None,
    expected_version: int | None = None,
    request: HttpRequest | None = None,
) -> ItemRule:
    """Adds an item rule to a draft (rule=None) or changes one."""
    _require_draft(standard_version)
    item = data["item"]
    if item.center_id != standard_version.center_id:
        raise StandardInvalid(_("Choose an item from this center's catalogue."), code="item")
    created = rule is None
    if rule is None:
        rule = ItemRule(center_id=standard_version.center_id, standard_version=standard_version)
    try:
        with transaction.atomic():
            _save_child(rule, names=RULE_EDITABLE, data=data, expected_version=expected_version)
    except IntegrityError as exc:
        raise StandardConflict(
            _("This version already has a rule for this item."), code="unique"
        ) from exc
    _touch(standard_version)
    record_event(
        request,
        action="standards.item_rule_added" if created else "standards.item_rule_changed",
        obj=rule,
        actor=by,
        detail={"version": standard_version.pk, "item": item.code, "kind": rule.kind},
    )
    return rule


@transaction.atomic
def delete_item_rule(
    *, rule: ItemRule, expected_version: int, by: User, request: HttpRequest | None = None
) -> None:
    version = rule.standard_version
    _require_draft(version)
    if ItemRule.objects.filter(pk=rule.pk, version=expected_version).delete()[0] != 1:
        raise ConflictError
    _touch(version)
    record_event(
        request,
        action="standards.item_rule_removed",
        obj=version,
        actor=by,
        detail={"item": rule.item.code},
    )


@transaction.atomic
def discard_draft(
    *,
    version: StandardVersion,
    expected_version: int,
    by: User,
    request: HttpRequest | None = None,
) -> None:
    _require_draft(version)
    record_event(
        request,
        action="standards.draft_discarded",
        obj=version,
        actor=by,
        detail={"number": version.number},
    )
    deleted = StandardVersion.objects.filter(
        pk=version.pk, status=StandardVersion.Status.DRAFT, version=expected_version
    ).delete()[0]
    if not deleted:
        raise ConflictError


# --- item catalogue ------------------------------------------------------------------------


def parse_aliases(text: str) -> list[str]:
    """Aliases as typed: separated by commas (either width), 、, semicolons or new lines."""
    for sep in ",，、;；\n":
        text = text.replace(sep, ",")
    seen: list[str] = []
    for alias in (a.strip() for a in text.split(",")):
        if alias and alias not in seen:
            seen.append(alias[:50])
    return seen


@transaction.atomic
def save_item(
    *,
    center: Center,
    data: dict[str, Any],
    by: User,
    item: Item | None = None,
    request: HttpRequest | None = None,
) -> Item:
    created = item is None
    if item is None:
        item = Item(center=center)
    item.code = data["code"]
    item.name = data["name"]
    item.aliases = list(data["aliases"])
    item.is_active = data.get("is_active", True)
    item.vision_kind = data.get("vision_kind", item.vision_kind)
    try:
        with transaction.atomic():
            item.save()
    except IntegrityError as exc:
        raise StandardConflict(
            _("An item with this code or name already exists."), code="unique"
        ) from exc
    record_event(
        request,
        action="standards.item_added" if created else "standards.item_changed",
        obj=item,
        actor=by,
        detail={"code": item.code, "name": item.name, "vision_kind": item.vision_kind},
    )
    return item


# --- item filings (报备) ---------------------------------------------------------------------

FILING_SCOPE = "standards.filing"


def _transition(filing: ItemFiling, *, old: str, by: User, note: str = "") -> None:
    FilingTransition.objects.create(
        filing=filing, from_status=old, to_status=filing.status, by=by, note=note
    )


def _reviewers(center: Center) -> list[User]:
    return list(
        User.objects.filter(center=center, is_active=True, role_grants__role=Role.OFFICE).distinct()
    )


def _filed_item(
    *, zone: Zone, item: Item | None, item_name: str, item_description: str
) -> tuple[Item | None, str, str]:
    """The item a filing names: a catalogue item of the zone's center, or a name the catalogue
    does not know (a name it knows, even as an alias, is that item: choose it instead)."""
    name = " ".join(item_name.split())[:50]
    if item is not None:
        if name:
            raise StandardInvalid(
                _("Choose an item from the catalogue or type the name of one it lacks, not both."),
                code="item",
            )
        if zone.center_id != item.center_id:
            raise StandardInvalid(_("Choose an item from this center's catalogue."), code="item")
        return item, "", ""
    if not name:
        raise StandardInvalid(
            _("Choose an item from the catalogue, or type the name of the item it lacks."),
            code="item",
        )
    known = next(
        (
            i
            for i in Item.objects.filter(center_id=zone.center_id, is_active=True)
            if i.is_called(name)
        ),
        None,
    )
    if known is not None:
        raise StandardInvalid(
            _("%(name)s is in the catalogue (code %(code)s): choose it from the list.")
            % {"name": known.name, "code": known.code},
            code="item_in_catalogue",
        )
    return None, name, " ".join(item_description.split())[:300]


def check_filing_dates(valid_from: datetime.date, valid_to: datetime.date) -> None:
    """A filing runs forwards and has not ended already."""
    if valid_to < valid_from:
        raise StandardInvalid(_("The end date must not be before the start date."), code="dates")
    if valid_to < timezone.localdate():
        raise StandardInvalid(
            _("The end date is in the past: a filing must still be valid today or later."),
            code="dates_past",
        )


@transaction.atomic
def file_item(
    *,
    zone: Zone,
    item: Item | None,
    quantity: int,
    reason: str,
    valid_from: datetime.date,
    valid_to: datetime.date,
    by: User,
    item_name: str = "",
    item_description: str = "",
    submission_key: str = "",
    request: HttpRequest | None = None,
) -> ItemFiling:
    """A zone owner asks to keep an extra item: a catalogue item, or one the catalogue lacks
    (`item_name`, `item_description`). A repeat with the same submission key returns the
    first filing."""
    if submission_key:
        first = existing_submission(user=by, scope=FILING_SCOPE, key=submission_key)
        if first is not None:
            return ItemFiling.objects.get(pk=first)
    item, item_name, item_description = _filed_item(
        zone=zone, item=item, item_name=item_name, item_description=item_description
    )
    check_filing_dates(valid_from, valid_to)
    filing = ItemFiling.objects.create(
        center_id=zone.center_id,
        zone=zone,
        item=item,
        item_name=item_name,
        item_description=item_description,
        quantity=quantity,
        reason=reason,
        valid_from=valid_from,
        valid_to=valid_to,
        filed_by=by,
    )
    if submission_key:
        claimed = claim_submission(
            center=zone.center, user=by, scope=FILING_SCOPE, key=submission_key,
            object_id=str(filing.pk),
        )  # fmt: skip
        if claimed != str(filing.pk):  # a concurrent twin won: keep only its filing
            twin = ItemFiling.objects.get(pk=claimed)  # no query is allowed after the next line
            transaction.set_rollback(True)
            return twin
    _transition(filing, old="", by=by, note=reason)
    record_event(
        request,
        action="standards.filing_requested",
        obj=filing,
        actor=by,
        center=zone.center,
        detail={
            "zone": zone.code,
            "item": item.code if item else None,
            "item_name": filing.item_label,
            "off_catalogue": item is None,
            "quantity": quantity,
        },
    )
    notify(
        center=zone.center,
        users=_reviewers(zone.center),
        kind="standards.filing_requested",
        message=gettext_noop("%(zone)s filed an extra item: %(item)s × %(quantity)s."),
        params={"zone": zone.name, "item": filing.item_label, "quantity": quantity},
        url=reverse("standards:filing-detail", args=[filing.pk]),
    )
    return filing


def _check_new_item(data: dict[str, Any]) -> None:
    """The catalogue entry an approval adds: a code of letters, digits, - and _; a name (or
    the filed one) of at most 50 characters; a kind the photo check knows, or none."""
    code = data.get("code") or ""
    if not re.fullmatch(r"[-a-zA-Z0-9_]{1,32}", code):
        raise StandardInvalid(
            _("Give the new catalogue item a code of up to 32 letters, digits, - or _."),
            code="catalogue_code",
        )
    if len((data.get("name") or "").strip()) > 50:
        raise StandardInvalid(_("An item's name has at most 50 characters."), code="catalogue")
    if (data.get("vision_kind") or "") not in {"", *(k for k, _label in VISION_KINDS)}:
        raise StandardInvalid(_("Choose a kind the photo check knows."), code="catalogue")


@transaction.atomic
def review_filing(
    *,
    filing: ItemFiling,
    approve: bool,
    comment: str,
    expected_version: int,
    by: User,
    catalogue: dict[str, Any] | None = None,
    request: HttpRequest | None = None,
) -> ItemFiling:
    """The office approves or rejects a requested filing; a rejection needs a comment. With
    `catalogue` (code, and optionally name and vision_kind), an approved off-catalogue item is
    added to the catalogue and the filing points at it, all or nothing."""
    target = ItemFiling.Status.APPROVED if approve else ItemFiling.Status.REJECTED
    FILING_MOVES.check(filing.status, target, _("This filing has already been decided."))
    if not approve and not comment.strip():
        raise StandardInvalid(_("Say why the filing is rejected."), code="comment_required")
    if catalogue is not None:
        if not approve:
            raise StandardInvalid(
                _("Only an approved item is added to the catalogue."), code="catalogue"
            )
        if not filing.is_off_catalogue:
            raise StandardInvalid(
                _("This filing's item is already in the catalogue."), code="catalogue"
            )
        _check_new_item(catalogue)
    old = filing.status
    filing.status = target
    filing.review_comment = comment
    filing.reviewed_by = by
    filing.reviewed_at = timezone.now()
    save_versioned(
        filing,
        expected_version=expected_version,
        fields=["status", "review_comment", "reviewed_by", "reviewed_at"],
    )
    added: Item | None = None
    if catalogue is not None:
        added = save_item(
            center=filing.center,
            data={
                "code": catalogue["code"],
                "name": (catalogue.get("name") or "").strip() or filing.item_name,
                "aliases": [],
                "vision_kind": catalogue.get("vision_kind") or "",
            },
            by=by,
            request=request,
        )
        filing.item = added
        ItemFiling.objects.filter(pk=filing.pk).update(item=added)
    _transition(filing, old=old, by=by, note=comment)
    record_event(
        request,
        action="standards.filing_approved" if approve else "standards.filing_rejected",
        obj=filing,
        actor=by,
        detail={"comment": comment[:200], "added_to_catalogue": added.code if added else None},
    )
    notify(
        center=filing.center,
        users=[filing.filed_by, filing.zone.owner],
        kind="standards.filing_reviewed",
        message=(
            gettext_noop("Your filing of %(item)s for %(zone)s was approved.")
            if approve
            else gettext_noop("Your filing of %(item)s for %(zone)s was rejected.")
        ),
        params={"item": filing.item_label, "zone": filing.zone.name},
        url=reverse("standards:filing-detail", args=[filing.pk]),
    )
    return filing


@transaction.atomic
def withdraw_filing(
    *,
    filing: ItemFiling,
    expected_version: int,
    by: User,
    request: HttpRequest | None = None,
) -> ItemFiling:
    """The zone owner withdraws a request, or ends an approved filing early (today)."""
    FILING_MOVES.check(
        filing.status, ItemFiling.Status.WITHDRAWN, _("This filing can no longer be withdrawn.")
    )
    if filing.is_expired():
        raise StandardConflict(_("This filing has already expired."), code="expired")
    old = filing.status
    filing.status = ItemFiling.Status.WITHDRAWN
    save_versioned(filing, expected_version=expected_version, fields=["status"])
    _transition(filing, old=old, by=by)
    record_event(request, action="standards.filing_withdrawn", obj=filing, actor=by)
    return filing


# --- area types ------------------------------------------------------------------------------


@transaction.atomic
def save_area_type(
    *,
    center: Center,
    data: dict[str, Any],
    by: User,
    area_type: AreaType | None = None,
    request: HttpRequest | None = None,
) -> AreaType:
    """Adds or changes an area type of the center (its code, name and plan size)."""
    created = area_type is None
    if area_type is None:
        area_type = AreaType(center=center)
    for name in ("code", "name", "width_mm", "depth_mm", "position"):
        setattr(area_type, name, data[name])
    try:
        with transaction.atomic():
            area_type.save()
    except IntegrityError as exc:
        raise StandardConflict(
            _("Another area type already has this code."), code="unique"
        ) from exc
    record_event(
        request,
        action="standards.area_type_added" if created else "standards.area_type_changed",
        obj=area_type,
        actor=by,
        detail={"code": area_type.code, "name": area_type.name},
    )
    return area_type
