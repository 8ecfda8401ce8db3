"""Acknowledgements follow the accounts, the organisation and the standards: the lower apps send
signals (onsite.accounts.signals, onsite.org.signals, onsite.standards.signals) and this module
answers them, so none imports engagement. Connected in EngagementConfig.ready."""

from __future__ import annotations

from typing import Any

from onsite.accounts.models import User
from onsite.accounts.signals import account_created
from onsite.engagement.services import ensure_acknowledgements
from onsite.org.models import Zone
from onsite.org.signals import person_placed, zone_changed
from onsite.standards.models import StandardVersion
from onsite.standards.signals import standard_published


def acknowledge_person(sender: Any, *, user: User, **kwargs: Any) -> None:
    """A newcomer to a unit (a new account or a person placed there) must acknowledge the
    published standards they work with, at once rather than at the nightly safety net."""
    if user.unit_id is not None:
        ensure_acknowledgements(user=user)


def acknowledge_zone(sender: Any, *, zone: Zone, **kwargs: Any) -> None:
    """Whoever now works in the zone must acknowledge its published standard."""
    ensure_acknowledgements(zone=zone)


def acknowledge_version(sender: Any, *, version: StandardVersion, **kwargs: Any) -> None:
    """Everyone working in a zone of the area type must acknowledge the new version."""
    ensure_acknowledgements(version=version)


def connect() -> None:
    account_created.connect(acknowledge_person, dispatch_uid="engagement.acknowledge_account")
    person_placed.connect(acknowledge_person, dispatch_uid="engagement.acknowledge_person")
    zone_changed.connect(acknowledge_zone, dispatch_uid="engagement.acknowledge_zone")
    standard_published.connect(acknowledge_version, dispatch_uid="engagement.acknowledge_version")
