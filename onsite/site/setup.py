"""The center admin's setup checklist: what a new center still has to do before its first
inspection shows on the dashboard (docs/first-day.md). Each step ticks itself from the data,
never from a box someone ticked, and links to the page where it is done. Seven queries,
whatever the center's size."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.db.models import Count, Exists, OuterRef, Q
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from onsite.accounts.models import Role, User
from onsite.audit.models import AuditEvent
from onsite.inspections.models import Inspection
from onsite.org.models import AreaType, Group, Membership, Unit, Zone
from onsite.standards.models import StandardVersion

if TYPE_CHECKING:
    from onsite.core.models import Center

# The audit action written when zone cards are printed, at once or in the background
# (onsite/org/views/zones.py, onsite/org/cards.py).
CARDS_PRINTED = "org.cards_printed"


@dataclass(frozen=True)
class Step:
    key: str
    title: Promise
    hint: Promise
    done: bool
    url: str = ""  # empty: done by another role, on pages the admin cannot open
    status: str = ""  # what is still missing, in numbers


@dataclass(frozen=True)
class Checklist:
    steps: list[Step]

    @property
    def done_count(self) -> int:
        return sum(step.done for step in self.steps)

    @property
    def is_complete(self) -> bool:
        return all(step.done for step in self.steps)


def setup_checklist(center: Center) -> Checklist:
    units = Unit.objects.filter(center=center).count()
    zones = Zone.objects.filter(center=center, is_active=True).aggregate(
        total=Count("pk"), unowned=Count("pk", filter=Q(owner__isnull=True))
    )
    staff = User.objects.filter(
        center=center, is_active=True, role_grants__role=Role.STAFF
    ).aggregate(
        total=Count("pk", distinct=True),
        no_password=Count(
            "pk", distinct=True, filter=Q(password__startswith=UNUSABLE_PASSWORD_PREFIX)
        ),
    )
    groups = Group.objects.filter(
        Exists(Membership.objects.filter(group=OuterRef("pk"))),
        center=center,
        kind=Group.Kind.WORKING,
    ).count()
    in_use = (
        AreaType.objects.filter(center=center)
        .filter(Exists(Zone.objects.filter(area_type=OuterRef("pk"), is_active=True)))
        .annotate(
            published=Exists(
                StandardVersion.objects.published().filter(standard__area_type=OuterRef("pk"))
            )
        )
        .aggregate(total=Count("pk"), unpublished=Count("pk", filter=Q(published=False)))
    )
    cards = AuditEvent.objects.filter(center=center, action=CARDS_PRINTED).exists()
    inspected = Inspection.objects.filter(
        center=center, status=Inspection.Status.SUBMITTED
    ).exists()

    steps = [
        Step(
            "organisation",
            _("Import the organisation"),
            _("Units, staff, groups and zones from one Excel workbook (template with examples)."),
            done=units > 0,
            url=reverse("org:import"),
        ),
        Step(
            "owners",
            _("Give every zone an owner"),
            _("One place, one person: each zone has the person responsible for it."),
            done=zones["total"] > 0 and zones["unowned"] == 0,
            url=reverse("org:zone-list"),
            status=ngettext(
                "%(count)d zone has no owner.", "%(count)d zones have no owner.", zones["unowned"]
            )
            % {"count": zones["unowned"]}
            if zones["unowned"]
            else "",
        ),
        Step(
            "staff",
            _("Staff accounts"),
            _("Window staff come with the organisation workbook (sheet Staff)."),
            done=staff["total"] > 0,
            url=reverse("org:staff-list"),
        ),
        Step(
            "passwords",
            _("Staff can sign in"),
            _(
                "The system administrator prints temporary passwords for everyone at once; "
                "each person changes theirs at the first sign-in."
            ),
            done=staff["total"] > 0 and staff["no_password"] == 0,
            status=ngettext(
                "%(count)d person has no password yet.",
                "%(count)d people have no password yet.",
                staff["no_password"],
            )
            % {"count": staff["no_password"]}
            if staff["no_password"]
            else "",
        ),
        Step(
            "groups",
            _("Form the working groups"),
            _("Working groups with their members (about one in three of the staff)."),
            done=groups > 0,
            url=reverse("org:group-list"),
        ),
        Step(
            "standards",
            _("Publish a standard for each area type"),
            _("Import the starter workbook, adapt the drafts and publish them."),
            done=in_use["total"] > 0 and in_use["unpublished"] == 0,
            url=reverse("standards:version-import")
            if in_use["unpublished"] == in_use["total"]
            else reverse("standards:standard-list"),
            status=ngettext(
                "%(count)d area type in use has no published standard.",
                "%(count)d area types in use have no published standard.",
                in_use["unpublished"],
            )
            % {"count": in_use["unpublished"]}
            if in_use["unpublished"]
            else "",
        ),
        Step(
            "cards",
            _("Print the QR cards"),
            _("One card per zone, on its counter or door: scanning it opens the zone's standard."),
            done=cards,
            url=reverse("org:zone-list"),
        ),
        Step(
            "inspection",
            _("First inspection"),
            _(
                "A zone owner or a supervisor scans a zone's card and submits an inspection; "
                "it then shows on the dashboard."
            ),
            done=inspected,
            url=reverse("inspections:inspection-list"),
        ),
    ]
    return Checklist(steps)
