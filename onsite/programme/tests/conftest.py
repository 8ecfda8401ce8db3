"""A small programme: three units in the pilot, each covered by its own working group and
with one zone under a published standard, and two raters from a fourth group."""

import datetime
from types import SimpleNamespace

import pytest
from django.utils import timezone

from onsite.core.tests.factories import GroupFactory, UnitFactory, UserFactory, ZoneFactory
from onsite.inspections import services as inspection_services
from onsite.inspections.services import AnswerInput
from onsite.inspections.tests.factories import published_standard
from onsite.org.models import Coverage, Membership
from onsite.programme import services
from onsite.programme.models import Wave


def add_member(group, user):
    Membership.objects.create(group=group, user=user, group_kind=group.kind)


@pytest.fixture
def world(center, office_user):
    version = published_standard(center, clauses=2, with_items=False)
    area = version.standard.area_type
    units, zones, groups = [], [], []
    for n in range(1, 5):
        unit = UnitFactory(center=center, code=f"u{n}", name=f"单位{n}", position=n)
        group = GroupFactory(center=center, code=f"wg{n}", name=f"第{n}工作组")
        Coverage.objects.create(group=group, unit=unit)
        zones.append(ZoneFactory(center=center, code=f"u{n}-c", area_type=area, unit=unit))
        units.append(unit)
        groups.append(group)
    raters = [
        UserFactory(center=center, username=f"rater{n}", unit=units[3], roles=["member"])
        for n in (1, 2)
    ]
    for rater in raters:
        add_member(groups[3], rater)
    today = timezone.localdate()
    programme = services.create_programme(
        center=center,
        by=office_user,
        name="标准化现场管理",
        starts_on=today - datetime.timedelta(days=30),
        ends_on=today + datetime.timedelta(days=300),
    )
    pilot = programme.waves.get(kind=Wave.Kind.PILOT)
    services.update_wave(
        wave=pilot,
        by=office_user,
        name=pilot.name,
        planned_start=pilot.planned_start,
        planned_end=pilot.planned_end,
        units=units[:3],
        expected_version=pilot.version,
    )
    services.start_wave(wave=pilot, by=office_user)
    return SimpleNamespace(
        center=center,
        office=office_user,
        version=version,
        units=units,
        zones=zones,
        groups=groups,
        raters=raters,
        programme=programme,
        pilot=pilot,
    )


def rate(assignment, *, fail=(), deduction=None):
    """The rater fills in every zone of the unit: everything passes except the checks in
    `fail` (keys), then submits."""
    rater = assignment.rater
    inspections = []
    for zone in assignment.unit.zones.filter(is_active=True):
        inspection = services.start_sheet(assignment=assignment, zone=zone, by=rater)
        answers = [
            AnswerInput(a.pk, "fail" if a.key in fail else "pass", deduction=deduction)
            for a in inspection.answers.all()
        ]
        inspection = inspection_services.save_answers(
            inspection=inspection, by=rater, expected_version=inspection.version, answers=answers
        )
        inspections.append(inspection_services.submit_inspection(inspection=inspection, by=rater))
    return inspections


@pytest.fixture
def open_round(world):
    return services.open_round(
        programme=world.programme,
        phase="sort",
        units=world.units[:3],
        by=world.office,
        min_raters=2,
        seed=1,
    )


def last_month() -> datetime.date:
    return (timezone.localdate().replace(day=1) - datetime.timedelta(days=1)).replace(day=1)


def closed_last_month(round_):
    """Moves a closed round's close into last month (the 15th): a month is published only
    once it has ended, so a test that publishes publishes last month. Returns that month."""
    from onsite.programme.models import AcceptanceRound  # a helper of a few tests only

    month = last_month()
    AcceptanceRound.objects.filter(pk=round_.pk).update(
        closed_at=timezone.now().replace(year=month.year, month=month.month, day=15)
    )
    return month
