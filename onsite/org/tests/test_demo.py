"""The demo center meets the issue's bar: groups formed per the source document, every zone
placed and owned."""

import pytest

from onsite.accounts.models import User
from onsite.org.demo import seed_center
from onsite.org.models import Group, Membership, Unit, Zone
from onsite.org.queries import programme_standing


@pytest.fixture
def demo(db):
    return seed_center("xx", "XX市行政服务中心", 36)


def check_the_groups_follow_the_source_document(demo):
    groups = Group.objects.filter(center=demo)
    leadership = groups.get(kind=Group.Kind.LEADERSHIP)
    director = Membership.objects.get(group=leadership, role="leader").user
    assert director.title == "主任", "headed by the center's director"
    office = groups.get(kind=Group.Kind.OFFICE)
    assert office.parent == leadership
    assert Membership.objects.get(group=office, role="leader").user.title == "副主任"
    promotions = groups.filter(kind=Group.Kind.PROMOTION)
    assert promotions.count() == 3
    for group in promotions:
        assert group.parent == leadership
        assert Membership.objects.get(group=group, role="leader").user.title == "副主任"
    assert len({Membership.objects.get(group=g, role="leader").user_id for g in promotions}) == 3


def check_working_groups_cover_every_unit_and_meet_the_one_three_rule(demo):
    programme = programme_standing(demo)
    assert programme.uncovered_units == []
    windows = Unit.objects.filter(center=demo, kind=Unit.Kind.WINDOW)
    sections = Unit.objects.filter(center=demo, kind=Unit.Kind.SECTION)
    assert (windows.count(), sections.count()) == (36, 3)
    covered = sorted(unit.code for standing in programme.working for unit in standing.units)
    assert covered == sorted(unit.code for unit in Unit.objects.filter(center=demo))
    for standing in programme.working:
        assert standing.group.parent.kind == Group.Kind.PROMOTION
        assert standing.meets_rule, standing.group.name
        assert standing.required == -(-standing.staff // 3)
        assert len(standing.leaders) == 1, "each working group has a responsible person"
        unit_ids = {unit.pk for unit in standing.units}
        members = Membership.objects.filter(group=standing.group).select_related("user")
        assert all(m.user.unit_id in unit_ids for m in members), "members come from its units"


def check_zones_for_every_counter_back_office_chiefs_office_and_public_area(demo):
    zones = Zone.objects.filter(center=demo, is_active=True).select_related(
        "area_type", "floor", "owner", "unit"
    )
    by_unit = {}
    for zone in zones:
        by_unit.setdefault(zone.unit_id, set()).add(zone.area_type.code)
    for unit in Unit.objects.filter(center=demo, kind=Unit.Kind.WINDOW):
        assert {"counter", "back-office"} <= by_unit[unit.pk], unit.name
    for unit in Unit.objects.filter(center=demo, kind=Unit.Kind.SECTION):
        assert "chief-office" in by_unit[unit.pk], unit.name
        chief_office = zones.get(unit=unit, area_type__code="chief-office")
        assert chief_office.owner.title == "科长"
    public = [zone for zone in zones if zone.area_type.code == "public"]
    assert len(public) >= 3
    assert {zone.floor.level for zone in public} >= {1, 2}


def check_every_zone_is_placed_inside_its_floor_without_overlaps_and_owned(demo):
    zones = list(Zone.objects.filter(center=demo).select_related("floor", "owner"))
    for zone in zones:
        assert zone.floor is not None, zone.code
        assert zone.floor.fits(x=zone.x, y=zone.y, width=zone.width, height=zone.height), zone.code
        assert zone.owner is not None, zone.code
        assert zone.owner.center_id == demo.pk, zone.code
        assert zone.owner.is_active
    for a in zones:
        for b in zones:
            if a.pk < b.pk and a.floor_id == b.floor_id:
                apart = (a.x + a.width <= b.x or b.x + b.width <= a.x or
                         a.y + a.height <= b.y or b.y + b.height <= a.y)  # fmt: skip
                assert apart, f"{a.code} overlaps {b.code}"


# One seeding serves several checks: the demo center takes seconds to build.
def test_the_demo_groups_meet_the_source_document_and_the_one_three_rule(demo):
    check_the_groups_follow_the_source_document(demo)
    check_working_groups_cover_every_unit_and_meet_the_one_three_rule(demo)


def test_the_demo_zones_are_all_placed_and_owned(demo):
    check_zones_for_every_counter_back_office_chiefs_office_and_public_area(demo)
    check_every_zone_is_placed_inside_its_floor_without_overlaps_and_owned(demo)


def test_seeding_twice_changes_nothing(demo):
    counts = [
        Group.objects.count(),
        Membership.objects.count(),
        Zone.objects.count(),
        User.objects.count(),
    ]
    seed_center("xx", "XX市行政服务中心", 36)
    assert [
        Group.objects.count(),
        Membership.objects.count(),
        Zone.objects.count(),
        User.objects.count(),
    ] == counts
