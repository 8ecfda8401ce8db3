"""Test data for the dashboards: a hall (floor, units, zones with a published standard) and a
history of submitted inspections, findings, rectifications and citizen ratings written
directly (the dashboards read these tables; how they are made is other apps' business and
tested there). `inspect_for_real` goes through the inspections services instead."""

from __future__ import annotations

import datetime
import itertools
from dataclasses import dataclass
from decimal import Decimal

from django.utils import timezone

from onsite.core.tests.factories import FloorFactory, UnitFactory, UserFactory, ZoneFactory
from onsite.dashboards.models import CitizenRating, RatingImport
from onsite.inspections.models import Answer, Finding, Inspection, InspectionSettings
from onsite.inspections.tests.factories import published_standard
from onsite.org.models import Floor, Unit, Zone
from onsite.rectification.models import Rectification
from onsite.standards.models import StandardVersion

_keys = itertools.count(1)


@dataclass
class Hall:
    floor: Floor
    units: list[Unit]
    zones: list[Zone]
    version: StandardVersion
    inspector: object


def hall(
    center, *, units=3, zones_per_unit=2, level=1, prefix="w", floor=None, version=None
) -> Hall:
    """Units with zones placed in a grid on a floor; pass `floor` and `version` of another
    hall to add more units to the same floor and standard."""
    version = version or published_standard(center)
    floor = floor or FloorFactory(
        center=center, level=level, name=f"{level}楼大厅", width=600, height=300
    )
    inspector = UserFactory(center=center, roles=["supervisor"])
    made_units, zones = [], []
    for n in range(units):
        unit = UnitFactory(center=center, code=f"{prefix}{n + 1:02d}", name=f"窗口{n + 1}")
        owner = UserFactory(center=center, roles=["staff"], unit=unit, full_name=f"责任人{n + 1}")
        made_units.append(unit)
        for m in range(zones_per_unit):
            zones.append(
                ZoneFactory(
                    center=center,
                    code=f"{unit.code}-{m + 1}",
                    name=f"{unit.name}区域{m + 1}",
                    area_type=version.standard.area_type,
                    unit=unit,
                    owner=owner,
                    floor=floor,
                    x=(10 + 60 * n) % 590,
                    y=(10 + 40 * m + 80 * ((10 + 60 * n) // 590)) % 290,
                    width=50,
                    height=30,
                )
            )
    return Hall(floor=floor, units=made_units, zones=zones, version=version, inspector=inspector)


def record_inspection(zone, *, on, score, kind="supervision", inspector, version=None):
    settings = InspectionSettings.for_center(zone.center_id)
    value = Decimal(str(score))
    return Inspection.objects.create(
        center_id=zone.center_id,
        zone=zone,
        kind=kind,
        status=Inspection.Status.SUBMITTED,
        standard_version=version
        or StandardVersion.objects.get(
            standard__area_type=zone.area_type, status=StandardVersion.Status.PUBLISHED
        ),
        inspector=inspector,
        inspected_on=on,
        submitted_at=timezone.now(),
        score=value,
        band=settings.band_for(value),
        pass_mark=settings.pass_mark,
        passed=value >= settings.pass_mark,
    )


def record_finding(inspection, *, key="clause:C01", text="台面有杂物", repeat=False, deduction=5):
    answer = Answer.objects.create(
        center_id=inspection.center_id,
        inspection=inspection,
        key=f"{key}#{next(_keys)}",  # unique within the inspection
        source=Answer.Source.CLAUSE,
        pillar="sort",
        text=f"要求 {key}",
        result=Answer.Result.FAIL,
        deduction=Decimal(deduction),
    )
    return Finding.objects.create(
        center_id=inspection.center_id,
        inspection=inspection,
        answer=answer,
        zone=inspection.zone,
        check_key=key,
        pillar="sort",
        text=text,
        severity="general",
        deduction=Decimal(deduction),
        is_repeat=repeat,
        found_on=inspection.inspected_on,
    )


def record_rectification(finding, *, due_on, status="open", submitted_on=None, closed_on=None):
    def at(day):
        if day is None:
            return None
        return timezone.make_aware(datetime.datetime.combine(day, datetime.time(10, 0)))

    return Rectification.objects.create(
        center_id=finding.center_id,
        finding=finding,
        zone=finding.zone,
        assignee=finding.zone.owner,
        severity=finding.severity,
        status=status,
        due_on=due_on,
        submitted_at=at(submitted_on),
        closed_at=at(closed_on),
    )


def record_ratings(center, unit, *, on, ratings, dimension="服务态度", by=None):
    batch = RatingImport.objects.create(
        center=center,
        source=RatingImport.Source.API,
        checksum=f"test-{next(_keys)}",
        rows=len(ratings),
        first_day=on,
        last_day=on,
        imported_by=by,
    )
    CitizenRating.objects.bulk_create(
        CitizenRating(
            center=center, unit=unit, rated_on=on, rating=r, dimension=dimension, batch=batch
        )
        for r in ratings
    )
    return batch


def history(center, the_hall: Hall, *, start, days, per_zone=1):
    """Each day: `per_zone` supervision checks of every zone, a finding on every other one with
    its rectification (on time, late or still open), and a few citizen ratings per unit."""
    today = timezone.localdate()
    for offset in range(days):
        day = start + datetime.timedelta(days=offset)
        for n, zone in enumerate(the_hall.zones):
            for k in range(per_zone):
                inspection = record_inspection(
                    zone,
                    on=day,
                    score=60 + (n * 7 + offset * 3 + k) % 40,
                    inspector=the_hall.inspector,
                )
                if (n + offset + k) % 2 == 0:
                    finding = record_finding(
                        inspection, key=f"clause:C0{1 + (n + k) % 3}", repeat=offset % 3 == 0
                    )
                    due = day + datetime.timedelta(days=2)
                    handed = due if (n + offset) % 3 else due + datetime.timedelta(days=1)
                    handed_in = handed <= today
                    record_rectification(
                        finding,
                        due_on=due,
                        status="closed" if handed_in else "open",
                        submitted_on=handed if handed_in else None,
                        closed_on=handed if handed_in else None,
                    )
        for m, unit in enumerate(the_hall.units):
            record_ratings(
                center, unit, on=day, ratings=[5, 4, 3 + (m + offset) % 3][: 1 + (offset + m) % 3]
            )
