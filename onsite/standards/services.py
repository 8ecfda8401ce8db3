"""Writes of the standards app, shared by pages, the API, imports and other apps.

Other apps use `start_revision` (inspections' "improve", engagement's adopted proposals) and
read through `onsite.standards.queries`."""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F, Max
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from onsite.accounts.models import User
from onsite.audit.services import record_event
from onsite.core.concurrency import ConflictError
from onsite.org.models import AreaType
from onsite.standards.models import Clause, ItemRule, Standard, StandardVersion


class StandardError(Exception):
    """A change the rules of standards do not allow; `message` is shown to the user."""

    def __init__(self, message: Any) -> None:
        super().__init__(str(message))
        self.message = message


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
    draft was started; StandardError if the draft is not publishable. The database's
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
        raise StandardError(_("A version needs at least one clause before it can be published."))
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
    return version
