"""The front door of every equipment write, shared by the pages, the API and the inspections
(a failed "equipment works" check opens a fault): a check (access and state, one typed
refusal) and the write with its audit row, its transition and notifications on commit."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from onsite.accounts.models import User
from onsite.accounts.uploads import daily_quota
from onsite.audit.services import record_event
from onsite.core.access import may
from onsite.core.concurrency import run_once, save_versioned
from onsite.core.images import CleanPhoto, clean_photo
from onsite.core.refusals import Conflict, Invalid, NotAllowed
from onsite.equipment.access import KEEPERS, may_report
from onsite.equipment.models import Equipment, FaultReport, FaultTransition, RepairEntry
from onsite.notifications.services import notify
from onsite.org.models import Zone

MAX_TEXT = 2000


def _url(fault: FaultReport) -> str:
    return reverse("equipment:fault-detail", args=[fault.pk])


def _keepers(center_id: int) -> list[User]:
    return list(
        User.objects.filter(
            center_id=center_id, is_active=True, role_grants__role__in=KEEPERS
        ).distinct()
    )


def _text(value: Any, *, field: str, required: bool = True) -> str:
    text = str(value or "").replace("\x00", "").strip()
    if required and not text:
        raise Invalid(_("Say what is wrong or what was done."), code=field)
    if len(text) > MAX_TEXT:
        raise Invalid(_("At most 2000 characters."), code=field)
    return text


# --- the register ----------------------------------------------------------------------------


def check_keep(user: User) -> None:
    if not may(user, KEEPERS, write=True):
        raise NotAllowed(_("Only the programme office keeps the equipment register."))


def do_add_equipment(
    *, zone: Zone, by: User, data: Mapping[str, Any], request: HttpRequest | None = None
) -> Equipment:
    """Registers a piece of equipment of `zone` (kind, optional name and asset number)."""
    check_keep(by)
    kind = data.get("kind") or ""
    if kind not in Equipment.Kind.values:
        raise Invalid(_("Choose a kind of equipment."), code="kind")
    asset = str(data.get("asset_number") or "").replace("\x00", "").strip()[:40]
    name = str(data.get("name") or "").replace("\x00", "").strip()[:60]
    if asset and Equipment.objects.filter(center_id=zone.center_id, asset_number=asset).exists():
        raise Invalid(
            _("Asset number %(number)s is already registered.") % {"number": asset},
            code="asset_number",
        )
    with transaction.atomic():
        try:
            equipment = Equipment.objects.create(
                center_id=zone.center_id, zone=zone, kind=kind, name=name, asset_number=asset
            )
        except IntegrityError as error:  # a concurrent twin took the number
            raise Invalid(
                _("Asset number %(number)s is already registered.") % {"number": asset},
                code="asset_number",
            ) from error
        record_event(
            request,
            action="equipment.added",
            obj=equipment,
            actor=by,
            center=zone.center,
            detail={"zone": zone.code, "kind": kind, "asset_number": asset},
        )
    return equipment


@transaction.atomic
def do_set_in_use(
    *,
    equipment: Equipment,
    by: User,
    in_use: bool,
    expected_version: int,
    request: HttpRequest | None = None,
) -> Equipment:
    """Retires equipment (no more reports; its history stays) or puts it back in use. Retiring
    waits until its open fault is closed."""
    check_keep(by)
    if not in_use and FaultReport.objects.filter(equipment=equipment).still_open().exists():
        raise Conflict(_("Close its open fault before retiring this equipment."))
    equipment.is_active = in_use
    save_versioned(equipment, expected_version=expected_version, fields=["is_active"])
    record_event(
        request,
        action="equipment.in_use" if in_use else "equipment.retired",
        obj=equipment,
        actor=by,
        detail={"zone": equipment.zone.code},
    )
    return equipment


# --- fault reports ---------------------------------------------------------------------------


def check_report(user: User, equipment: Equipment) -> None:
    if not may_report(user, equipment.zone):
        raise NotAllowed(_("Only the people of the zone's unit and the office report its faults."))
    if not equipment.is_active:
        raise Conflict(_("This equipment is no longer in use."))


def _photo(photo: UploadedFile[bytes] | None, by: User) -> CleanPhoto | None:
    """The photo re-encoded and counted against the person's daily quota, like every upload."""
    if photo is None:
        return None
    try:
        return clean_photo(photo, quota=daily_quota(by))
    except ValidationError as error:
        raise Invalid.from_validation(error) from error


def _open_fault(equipment: Equipment) -> FaultReport | None:
    # Reports of one piece of equipment wait for each other here, so two at once make one fault.
    Equipment.objects.select_for_update().filter(pk=equipment.pk).first()
    return FaultReport.objects.filter(equipment=equipment).still_open().first()


def do_report(
    *,
    equipment: Equipment,
    by: User,
    description: str,
    photo: UploadedFile[bytes] | None = None,
    key: str = "",
    request: HttpRequest | None = None,
) -> FaultReport:
    """Opens a fault of `equipment`, or returns the one already open (a second report of the
    same fault adds its words to the log instead of a second fault). Tells the office."""
    check_report(by, equipment)
    text = _text(description, field="description")
    cleaned = _photo(photo, by)
    return run_once(
        center=equipment.zone.center,
        by=by,
        scope="equipment.report",
        key=key,
        model=FaultReport,
        create=lambda: _open(equipment, by=by, text=text, cleaned=cleaned, request=request),
    )


def open_from_check(
    *,
    equipment: Equipment,
    by: User,
    description: str,
    inspection_id: int,
    request: HttpRequest | None = None,
) -> FaultReport:
    """A failed "equipment works" check of a submitted inspection opens a fault (or joins the
    open one). Called inside the submit's transaction; the inspection's access was checked."""
    text = _text(description, field="description")
    return _open(equipment, by=by, text=text, inspection_id=inspection_id, request=request)


def _open(
    equipment: Equipment,
    *,
    by: User,
    text: str,
    cleaned: CleanPhoto | None = None,
    inspection_id: int | None = None,
    request: HttpRequest | None = None,
) -> FaultReport:
    """The fault itself: a new one, or the open one with these words added to its log."""
    already = _open_fault(equipment)
    if already is not None:
        RepairEntry.objects.create(fault=already, by=by, what=text)
        return already
    fault = FaultReport(
        center_id=equipment.center_id,
        equipment=equipment,
        zone_id=equipment.zone_id,
        description=text,
        reported_by=by,
        inspection_id=inspection_id,
    )
    if cleaned is not None:
        fault.photo.save("photo.jpg", cleaned.image, save=False)
        fault.thumbnail.save("thumb.jpg", cleaned.thumbnail, save=False)
    fault.save()
    FaultTransition.objects.create(fault=fault, to_status=fault.status, by=by, note=text)
    record_event(
        request,
        action="equipment.fault_reported",
        obj=fault,
        actor=by,
        center=equipment.zone.center,
        detail={"equipment": equipment.pk, "inspection": inspection_id},
    )
    notify(
        center=equipment.zone.center,
        users=_keepers(equipment.center_id),
        kind="equipment.fault_reported",
        message=gettext_noop("Equipment fault on %(zone)s: %(equipment)s."),
        params={"zone": equipment.zone.name, "equipment": equipment.label},
        url=_url(fault),
    )
    return fault


# --- repair log and closing ------------------------------------------------------------------


def check_repair(user: User, fault: FaultReport) -> None:
    if not may(user, KEEPERS, write=True):
        raise NotAllowed(_("Only the programme office logs repairs and closes faults."))
    if fault.is_closed:
        raise Conflict(_("This fault is closed."))


@transaction.atomic
def do_log(
    *,
    fault: FaultReport,
    by: User,
    what: str,
    expected_version: int,
    request: HttpRequest | None = None,
) -> RepairEntry:
    """Adds a line to the repair log; the first one moves a reported fault to "being
    repaired"."""
    check_repair(by, fault)
    text = _text(what, field="what")
    fields: list[str] = []
    if fault.status == FaultReport.Status.OPEN:
        fault.status = FaultReport.Status.REPAIRING
        fields.append("status")
    save_versioned(fault, expected_version=expected_version, fields=fields)
    if fields:
        FaultTransition.objects.create(
            fault=fault,
            from_status=FaultReport.Status.OPEN,
            to_status=FaultReport.Status.REPAIRING,
            by=by,
            note=text,
        )
    entry = RepairEntry.objects.create(fault=fault, by=by, what=text)
    record_event(
        request, action="equipment.repair_logged", obj=fault, actor=by, detail={"entry": entry.pk}
    )
    return entry


@transaction.atomic
def do_close(
    *,
    fault: FaultReport,
    by: User,
    note: str,
    expected_version: int,
    request: HttpRequest | None = None,
) -> FaultReport:
    """Closes a repaired fault (what was done goes into the log) and tells its reporter."""
    check_repair(by, fault)
    text = _text(note, field="note")
    before = fault.status
    FaultReport.MOVES.check(before, FaultReport.Status.CLOSED)
    fault.status = FaultReport.Status.CLOSED
    fault.closed_by = by
    fault.closed_at = timezone.now()
    save_versioned(
        fault, expected_version=expected_version, fields=["status", "closed_by", "closed_at"]
    )
    RepairEntry.objects.create(fault=fault, by=by, what=text)
    FaultTransition.objects.create(
        fault=fault, from_status=before, to_status=fault.status, by=by, note=text
    )
    record_event(request, action="equipment.fault_closed", obj=fault, actor=by)
    notify(
        center=fault.zone.center,
        users=[fault.reported_by],
        kind="equipment.fault_closed",
        message=gettext_noop("Repaired: %(equipment)s on %(zone)s."),
        params={"zone": fault.zone.name, "equipment": fault.equipment.label},
        url=_url(fault),
    )
    return fault
