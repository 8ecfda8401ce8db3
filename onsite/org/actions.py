"""The one front door of every organisation write, shared by the pages, the API and the
spreadsheet import.

`check_*` raises a typed refusal (onsite.core.refusals): NotAllowed for the role, Invalid for
input the act cannot take. `do_*` writes, with its audit row and the signals the apps above
listen to (onsite.org.services), and answers a broken rule as a refusal too: Conflict (409)
for what clashes with what is stored (a taken code, a second working group, a stale version),
Invalid (422) for the input itself. So a page shows the same message, and the API answers the
same status and code, whichever door the act came through."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, ParamSpec, TypeVar

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from onsite.accounts.models import User
from onsite.audit.services import record_event
from onsite.core.access import check_roles
from onsite.core.models import Center
from onsite.core.refusals import Conflict, Invalid, Refusal
from onsite.org import access, cards, services
from onsite.org.models import Floor, Zone

P = ParamSpec("P")
T = TypeVar("T")

# A rule broken against what is stored (not against the input alone): 409, like a stale edit.
CONFLICT_CODES = frozenset({"unique", "one_working_group"})


def refusal_of(error: ValidationError) -> Refusal:
    """A service's ValidationError as the refusal both doors answer."""
    codes = {getattr(item, "code", None) for item in error.error_list}
    clash = sorted(code for code in codes & CONFLICT_CODES if code)
    if clash:
        return Conflict(" ".join(error.messages), code=clash[0])
    return Invalid(" ".join(error.messages), code=next((c for c in codes if c), "invalid"))


def _door(write: Callable[P, T]) -> Callable[P, T]:
    @wraps(write)
    def do(*args: P.args, **kwargs: P.kwargs) -> T:
        try:
            return write(*args, **kwargs)
        except ValidationError as error:
            raise refusal_of(error) from error

    return do


# --- checks: who may, and what the act needs ---------------------------------------------


def check_edit_org(request: HttpRequest) -> Center:
    """Units, staff, floors, area types and the import: the center admin's. Returns the
    center the act writes to."""
    center: Center = check_roles(request, access.ORG_EDITORS, write=True)
    return center


def check_edit_zones(request: HttpRequest) -> Center:
    """Zones and their place on the floor plan: the admin and the programme office."""
    center: Center = check_roles(request, access.ZONE_EDITORS, write=True)
    return center


def check_edit_groups(request: HttpRequest) -> Center:
    """Groups and their members: the admin and the programme office."""
    center: Center = check_roles(request, access.GROUP_EDITORS, write=True)
    return center


def check_print_cards(request: HttpRequest) -> Center:
    center: Center = check_roles(request, access.CARD_PRINTERS, write=True)
    return center


def check_password(password: str | None, person: User) -> str:
    """A password the admin sets for someone meets the password rules (Invalid otherwise)."""
    if not password:
        return ""
    try:
        validate_password(password, person)
    except ValidationError as error:
        raise Invalid(" ".join(error.messages), code="password") from error
    return password


def floor_at(center: Center, level: int | None) -> Floor | None:
    """The center's floor at `level` (None for no floor); an unknown level is invalid input."""
    if level is None:
        return None
    floor = Floor.objects.filter(center=center, level=level).first()
    if floor is None:
        raise Invalid(_("No such floor."), code="floor")
    return floor


def known(queryset: QuerySet[Any], center: Center, what: Any, **lookup: Any) -> Any:
    """The center's object named by a reference in the input; an unknown one is invalid."""
    found = queryset.filter(center=center, **lookup).first()
    if found is None:
        value = next(iter(lookup.values()), "")
        raise Invalid(
            _("Unknown %(what)s: %(value)s") % {"what": what, "value": str(value)[:40]},
            code="unknown",
        )
    return found


# --- writes ---------------------------------------------------------------------------------

do_create_unit = _door(services.create_unit)
do_update_unit = _door(services.update_unit)
do_create_staff = _door(services.create_staff)
do_update_staff = _door(services.update_staff)
do_set_staff_photo = _door(services.set_staff_photo)
do_remove_staff_photo = _door(services.remove_staff_photo)
do_create_group = _door(services.create_group)
do_update_group = _door(services.update_group)
do_set_membership = _door(services.set_membership)
do_remove_membership = _door(services.remove_membership)
do_create_zone = _door(services.create_zone)
do_update_zone = _door(services.update_zone)
do_save_floor = _door(services.save_floor)
do_save_area_type = _door(services.save_area_type)


@_door
def do_move_zone(
    request: HttpRequest, *, zone: Zone, level: int, x: int, y: int, expected_version: int
) -> Zone:
    """Places or moves a zone on the floor at `level` (the plan's drag-and-drop and form)."""
    floor = floor_at(zone.center, level)
    assert floor is not None  # a level was given  # noqa: S101
    return services.move_zone(
        request, zone=zone, floor=floor, x=x, y=y, expected_version=expected_version
    )


def do_print_cards(
    request: HttpRequest, *, center: Center, zones: list[Zone], zone_url: Callable[[Zone], str]
) -> bytes:
    """One printable sheet of zone cards."""
    pdf = cards.render_cards_pdf(center=center, zones=zones, zone_url=zone_url)
    # The admin's setup checklist ticks "QR cards printed" from this row.
    record_event(request, action="org.cards_printed", detail={"zones": len(zones)})
    return pdf


def do_queue_cards(request: HttpRequest, *, center: Center, zones: list[Zone]) -> Any:
    """Many cards are made in the background and downloaded when ready."""
    return cards.queue_cards(request=request, center=center, zones=zones)


# The organisation workbook's write is onsite.org.spreadsheets.import_workbook: checked whole,
# then applied whole through the writes above (one audit row per object, and the signals).
