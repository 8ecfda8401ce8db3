"""The one front door of every standards write, shared by the pages and the API.

`check_*` raises a typed refusal (onsite.core.refusals): NotAllowed for the role or the
person, NotVisible for a zone they may not see, Conflict for a version that is no longer a
draft, Invalid for input the act cannot take. `do_*` writes with its audit row and
notifications (onsite.standards.services); its own refusals are StandardConflict (409) and
StandardInvalid (422), a stale version ConflictError (409). A page shows the message; the API
answers the status and the code (config/api.py)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from onsite.accounts.models import User
from onsite.core.access import check_roles
from onsite.core.models import Center
from onsite.core.refusals import Invalid, NotAllowed, NotVisible
from onsite.org.models import Zone
from onsite.standards import access, services
from onsite.standards.models import Item, ItemFiling, StandardVersion
from onsite.standards.services import StandardConflict

# --- checks ----------------------------------------------------------------------------------


def check_edit_standards(request: HttpRequest) -> Center:
    """Standards, versions, clauses, item rules, the catalogue and the import: the center
    admin and the programme office. Returns the center written to."""
    center: Center = check_roles(request, access.EDITORS, write=True)
    return center


def check_draft(version: StandardVersion) -> None:
    """Only a draft changes; a published version is revised through a new draft."""
    if not version.is_draft:
        raise StandardConflict(
            _("Only a draft can be changed. Start a new revision."), code="not_draft"
        )


def check_review_filings(request: HttpRequest) -> Center:
    center: Center = check_roles(request, access.REVIEWERS, write=True)
    return center


def check_file_item(request: HttpRequest, *, zone_code: str | None = None) -> Any:
    """A filer owns a zone (or is the office). With `zone_code`, returns that zone, else the
    zones they may file for: another center's or an unknown zone is not visible, a zone
    someone else owns is not theirs to file for."""
    center = check_roles(request, access.FILERS, write=True)
    zones = access.fileable_zones(request.user, center)  # type: ignore[arg-type]
    if zone_code is None:
        if not zones.exists():
            raise NotAllowed(_("You are not the owner of any zone, so you cannot file items."))
        return zones
    zone = zones.filter(code=zone_code).first()
    if zone is None:
        if not Zone.objects.filter(center=center, code=zone_code).exists():
            raise NotVisible
        raise NotAllowed(_("Only the zone's owner or the programme office files for a zone."))
    return zone


def check_withdraw(request: HttpRequest, filing: ItemFiling) -> None:
    """The filer, the zone's owner or the office withdraws a filing."""
    check_roles(request, access.FILERS, write=True)
    if not access.can_withdraw(request.user, filing):  # type: ignore[arg-type]
        raise NotAllowed(_("Only the filer, the zone owner or the office withdraws a filing."))


def check_form(form: forms.BaseForm) -> dict[str, Any]:
    """The API's input run through the page's form: its errors are invalid input (422)."""
    if not form.is_valid():
        messages = [
            f"{name}: {' '.join(str(error) for error in errors)}"
            for name, errors in form.errors.items()
        ]
        raise Invalid("; ".join(messages))
    return form.cleaned_data


def catalogue_item(center: Center | None, code: str) -> Item:
    item = Item.objects.filter(center=center, code=code).first()
    if item is None:
        raise Invalid(
            _("No item with code %(code)s in this center.") % {"code": code[:32]}, code="item"
        )
    return item


# --- writes (services raise the refusals above) -------------------------------------------------

do_save_area_type = services.save_area_type
do_start_revision = services.start_revision
do_update_version_settings = services.update_version_settings
do_publish_version = services.publish_version
do_discard_draft = services.discard_draft
do_save_clause = services.save_clause
do_delete_clause = services.delete_clause
do_save_item_rule = services.save_item_rule
do_delete_item_rule = services.delete_item_rule
do_save_item = services.save_item
do_file_item = services.file_item
do_review_filing = services.review_filing
do_withdraw_filing = services.withdraw_filing


def actor(request: HttpRequest) -> User:
    user: User = request.user  # type: ignore[assignment]
    return user
