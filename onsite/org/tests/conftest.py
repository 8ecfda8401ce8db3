"""A small organisation for the org tests: two floors, two units with staff, the group
chain leadership → promotion → working, zones on the plan, and another center's twins."""

from types import SimpleNamespace

import pytest

from onsite.core.tests.factories import (
    AreaTypeFactory,
    FloorFactory,
    GroupFactory,
    UnitFactory,
    UserFactory,
    ZoneFactory,
)
from onsite.org.models import Coverage, Group, Membership


@pytest.fixture
def org(center, other_center):
    floor = FloorFactory(center=center, level=1, name="一楼大厅", width=600, height=320)
    FloorFactory(center=center, level=2, name="二楼大厅", width=600, height=320)
    counter = AreaTypeFactory(center=center, code="counter", name="前台")
    back = AreaTypeFactory(center=center, code="back-office", name="中间办公室")
    w01 = UnitFactory(center=center, code="w01", name="市场监管窗口", floor=floor)
    w02 = UnitFactory(center=center, code="w02", name="烟草窗口", floor=floor)
    staff = {
        unit.code: [
            UserFactory(center=center, unit=unit, username=f"{unit.code}-{n}", full_name=f"{unit.name}{n}号", roles=["staff"])
            for n in range(1, count + 1)
        ]
        for unit, count in ((w01, 5), (w02, 2))
    }  # fmt: skip
    lead = GroupFactory(center=center, code="lead", name="领导小组", kind=Group.Kind.LEADERSHIP)
    p1 = GroupFactory(
        center=center, code="p1", name="第一推行小组", kind=Group.Kind.PROMOTION, parent=lead
    )
    wg1 = GroupFactory(
        center=center, code="wg1", name="第1工作组", kind=Group.Kind.WORKING, parent=p1
    )
    Coverage.objects.create(group=wg1, unit=w01)
    Coverage.objects.create(group=wg1, unit=w02)
    Membership.objects.create(
        group=wg1, user=staff["w01"][0], role=Membership.Role.LEADER, group_kind="working"
    )
    zone = ZoneFactory(
        center=center, code="w01-c", name="市场监管前台", area_type=counter, unit=w01,
        owner=staff["w01"][1], floor=floor, x=20, y=80, width=56, height=18,
    )  # fmt: skip
    theirs_unit = UnitFactory(center=other_center, code="y01", name="别家窗口")
    theirs_person = UserFactory(center=other_center, unit=theirs_unit, username="y01-1")
    theirs_group = GroupFactory(center=other_center, code="ywg", name="别家工作组")
    theirs_zone = ZoneFactory(center=other_center, code="y01-c", name="别家前台")
    return SimpleNamespace(
        floor=floor, counter=counter, back=back, w01=w01, w02=w02, staff=staff, lead=lead,
        p1=p1, wg1=wg1, zone=zone, theirs_unit=theirs_unit, theirs_person=theirs_person,
        theirs_group=theirs_group, theirs_zone=theirs_zone,
    )  # fmt: skip
