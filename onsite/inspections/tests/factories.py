"""Test data for inspections: a zone with a published standard, and inspections on it."""

from __future__ import annotations

import factory

from onsite.core.tests.factories import AreaTypeFactory, UserFactory, ZoneFactory
from onsite.inspections.models import Inspection
from onsite.standards.models import ItemRule, Pillar, StandardVersion
from onsite.standards.tests.factories import (
    ClauseFactory,
    ItemFactory,
    ItemRuleFactory,
    VersionFactory,
)


def published_standard(center, *, area_type=None, clauses=3, with_items=True):
    """A published version of the area type's standard: `clauses` clauses (weights 1, 2, 1…,
    10 points each) and, with_items, a cup (≤ 1, in a slot) and a banned snack."""
    area_type = area_type or AreaTypeFactory(center=center)
    version = VersionFactory(
        center=center,
        standard__area_type=area_type,
        status=StandardVersion.Status.PUBLISHED,
    )
    pillars = [Pillar.SORT, Pillar.SET_IN_ORDER, Pillar.SHINE]
    for n in range(clauses):
        ClauseFactory(
            standard_version=version,
            code=f"C{n + 1:02d}",
            pillar=pillars[n % 3],
            position=n,
            weight=2 if n % 3 == 1 else 1,
            max_points=10,
            text=f"要求{n + 1}",
        )
    if with_items:
        ItemRuleFactory(
            standard_version=version,
            item=ItemFactory(center=center, code="cup", name="水杯"),
            max_quantity=1,
            slot_x_mm=10,
            slot_y_mm=10,
            slot_w_mm=100,
            slot_h_mm=100,
            container="杯垫",
        )
        ItemRuleFactory(
            standard_version=version,
            item=ItemFactory(center=center, code="snack", name="零食"),
            kind=ItemRule.Kind.BANNED,
            max_quantity=None,
        )
    return version


def zone_with_standard(center, *, owner=None, **kwargs):
    version = published_standard(center, **kwargs)
    zone = ZoneFactory(center=center, area_type=version.standard.area_type, owner=owner)
    return zone, version


class InspectionFactory(factory.django.DjangoModelFactory):
    """A bare inspection row (no answers); use services.start_inspection for a checklist."""

    class Meta:
        model = Inspection

    zone = factory.SubFactory(ZoneFactory)
    center = factory.SelfAttribute("zone.center")
    kind = Inspection.Kind.SUPERVISION
    standard_version = factory.SubFactory(VersionFactory, center=factory.SelfAttribute("..center"))
    inspector = factory.SubFactory(UserFactory, center=factory.SelfAttribute("..center"))
