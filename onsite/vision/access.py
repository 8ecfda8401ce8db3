"""Who may do what with the photo check, shared by the pages and the API. Objects of another
center, or of an inspection the person may not see, are a 404.

- Draft findings are seen by whoever sees their inspection. They are decided (confirmed or
  dismissed) while the inspection is a draft by the people who may answer it (its inspector,
  or who could have started the same kind on the zone: `inspections.access.can_edit`); once it
  is submitted, by its inspector or the supervision section, the programme office and the
  center admin (the people who verify fixes). Never by a cross-center viewer.
- Reference photos are seen by whoever may open the zone's page and taken by the
  programme office, the supervision section and the center admin (who keep the standards and
  inspect every zone); not by the zone's own staff, whose counter it judges.
- The office page (acceptance rates) is for the leadership, the office, the supervision
  section, the admin and the cross-center viewer."""

from __future__ import annotations

from onsite.accounts.models import Role, User
from onsite.core.access import may
from onsite.core.models import Center, get_for_center
from onsite.inspections import access as inspections_access
from onsite.inspections.models import Inspection
from onsite.vision.models import DraftFinding, DraftQuerySet, ReferencePhoto

READERS = inspections_access.READERS
WRITERS = inspections_access.WRITERS
DECIDERS = (Role.ADMIN, Role.OFFICE, Role.SUPERVISOR)  # after the submit, beside the inspector
REFERENCE_TAKERS = (Role.ADMIN, Role.OFFICE, Role.SUPERVISOR)
ZONE_READERS = tuple(Role.values)  # whoever may open the zone page sees its reference photo
OFFICE = (Role.ADMIN, Role.LEADER, Role.OFFICE, Role.SUPERVISOR, Role.VIEWER)


def can_decide(user: User, inspection: Inspection) -> bool:
    if not may(user, WRITERS, write=True):
        return False
    if inspection.is_draft:
        return inspections_access.can_edit(user, inspection)
    if inspection.kind == Inspection.Kind.ACCEPTANCE:
        return False
    return inspection.inspector_id == user.pk or user.has_role(*DECIDERS)


def can_take_reference(user: User) -> bool:
    return may(user, REFERENCE_TAKERS, write=True)


def visible_drafts(user: User, center: Center | None) -> DraftQuerySet:
    return DraftFinding.objects.filter(
        center=center,
        answer__inspection__in=inspections_access.visible_inspections(user, center).values("pk"),
    )


def get_draft(user: User, center: Center | None, pk: int) -> DraftFinding:
    return get_for_center(
        visible_drafts(user, center).select_related("analysis", "answer__inspection__zone"),
        center,
        pk=pk,
    )


def get_reference(center: Center | None, pk: int) -> ReferencePhoto:
    return get_for_center(ReferencePhoto.objects.select_related("zone"), center, pk=pk)
