"""Synthetic organisation of one center, shaped like the source document's: 36 approval
windows with 2–8 staff each and 3 management sections, a director and three deputies, the
leadership group, its office, 3 promotion groups and working groups at one member per three
staff (1:3), and about 100 zones on three floors. Everything is bulk-inserted.

Logins (password `onsite.core.generate.GENERATED_PASSWORD`), for a center with code `c`:
`c-director` (leader), `c-deputy1` (leader, group leader, office), `c-deputy2/3`,
`c-admin`, `c-auditor`, `c-s1-1..3` (supervisors), `c-w01-1 …` (window staff; the first
of each window is its chief and, with others, a working-group member), `c-s2-*`, `c-s3-*`."""

from __future__ import annotations

import datetime
import math
import random
from collections import Counter, defaultdict

from onsite.accounts.models import Role, RoleGrant, User
from onsite.core.generate import bulk, password_hash, person_name
from onsite.core.models import Center
from onsite.org.models import AreaType, Coverage, Floor, Group, Membership, Unit, Zone

WINDOWS = 36
WINDOWS_PER_GROUP = 3
DEPARTMENTS = [
    "市场监管", "烟草", "卫健", "商务", "统计", "公安", "人社", "税务", "不动产",
    "住建", "自然资源", "生态环境", "交通运输", "水利", "农业农村", "文化旅游", "教育", "民政",
    "司法", "医保", "公积金", "发改", "经信", "科技", "应急管理", "林业", "气象",
    "消防", "档案", "残联", "人防", "城管", "电力", "供水", "燃气", "邮政",
]  # fmt: skip
SECTIONS = [("s1", "督查科", Role.SUPERVISOR), ("s2", "综合科", Role.STAFF), ("s3", "审批服务科", Role.STAFF)]  # fmt: skip
# (code, name, width mm, depth mm)
AREA_TYPES = [
    ("counter", "前台", 1600, 700),
    ("back-office", "中间办公室", 4000, 3000),
    ("chief-office", "科长办公室", 4000, 3500),
    ("public", "公共区域", 8000, 6000),
    ("archive", "档案室", 4000, 4000),
]
# (code, name, floor level): the shared areas, owned by 综合科 staff in turn.
SHARED_ZONES = [
    ("p1", "一楼等候区", 1), ("p2", "一楼咨询台", 1), ("p3", "自助服务区", 1),
    ("p4", "二楼等候区", 2), ("p5", "二楼自助服务区", 2), ("p6", "母婴室", 1),
    ("p7", "一楼打印复印区", 1), ("p8", "三楼会议室", 3), ("a1", "档案室", 3),
]  # fmt: skip
ROWS_PER_FLOOR = 2
COLUMNS = 9


def generate(
    center: Center, *, years: float, rng: random.Random, until: datetime.date
) -> dict[str, int]:
    counts: Counter[str] = Counter()
    code = center.code
    floors = bulk(
        Floor,
        [
            Floor(center=center, level=level, name=f"{level}楼大厅" if level < 3 else "3楼办公区",
                  width=620, height=340)
            for level in (1, 2, 3)
        ],
        counts=counts,
    )  # fmt: skip
    area_types = {
        row.code: row
        for row in bulk(
            AreaType,
            [
                AreaType(center=center, code=slug, name=name, width_mm=w, depth_mm=d, position=i)
                for i, (slug, name, w, d) in enumerate(AREA_TYPES)
            ],
            counts=counts,
        )
    }

    per_floor = math.ceil(WINDOWS / 2)
    units = [
        Unit(center=center, code=f"w{i:02d}", name=f"{dept}窗口", kind=Unit.Kind.WINDOW,
             department=dept, floor=floors[0 if i <= per_floor else 1], position=i)
        for i, dept in enumerate(DEPARTMENTS[:WINDOWS], start=1)
    ] + [
        Unit(center=center, code=slug, name=name, kind=Unit.Kind.SECTION, department="中心",
             floor=floors[2], position=i)
        for i, (slug, name, _role) in enumerate(SECTIONS, start=1)
    ]  # fmt: skip
    units = bulk(Unit, units, counts=counts)
    windows = [u for u in units if u.kind == Unit.Kind.WINDOW]
    sections = [u for u in units if u.kind == Unit.Kind.SECTION]

    # People: (user, roles). Built first, inserted in one go, roles after the ids exist.
    people: list[tuple[User, list[str]]] = []

    def person(username: str, unit: Unit | None, title: str, *roles: str) -> User:
        user = User(username=username, center=center, unit=unit, full_name=person_name(rng),
                    title=title, password=password_hash())  # fmt: skip
        people.append((user, list(roles)))
        return user

    director = person(f"{code}-director", None, "主任", Role.LEADER)
    deputies = [
        person(f"{code}-deputy{i}", None, "副主任", Role.LEADER, Role.GROUP_LEADER,
               *([Role.OFFICE] if i == 1 else []))
        for i in (1, 2, 3)
    ]  # fmt: skip
    staff: dict[str, list[User]] = {}
    for unit in windows:
        staff[unit.code] = [
            person(f"{code}-{unit.code}-{n}", unit, "审批科科长" if n == 1 else "窗口工作人员",
                   Role.STAFF)
            for n in range(1, rng.randint(2, 8) + 1)
        ]  # fmt: skip
    for unit, (_slug, _name, role) in zip(sections, SECTIONS, strict=True):
        staff[unit.code] = [
            person(f"{code}-{unit.code}-{n}", unit, "科长" if n == 1 else "科员", role)
            for n in range(1, 4)
        ]

    # The admin and the auditor work in 综合科, so they count for its working group.
    staff[sections[1].code] += [
        person(f"{code}-admin", sections[1], "系统管理员", Role.ADMIN),
        person(f"{code}-auditor", sections[1], "审计员", Role.AUDITOR),
    ]
    plan = _plan_groups(center, director, deputies, windows, sections, staff)
    for user, roles in people:
        if user.username in plan.members:
            roles.append(Role.MEMBER)
    bulk(User, [user for user, _roles in people], counts=counts)
    bulk(
        RoleGrant,
        [RoleGrant(user=user, role=role) for user, roles in people for role in roles],
        counts=counts,
    )
    _save_groups(plan, counts)
    _zones(center, floors, area_types, windows, sections, staff, rng, counts)
    return dict(counts)


class _Plan:
    """Groups and memberships waiting for their users' ids."""

    def __init__(self) -> None:
        self.groups: list[tuple[Group, list[Unit]]] = []
        self.memberships: list[tuple[Group, User, str]] = []
        self.members: set[str] = set()  # usernames of working-group members


def _group(center: Center, code: str, kind: str, name: str, position: int) -> Group:
    return Group(center=center, code=code, kind=kind, name=name, position=position)


def _plan_groups(
    center: Center,
    director: User,
    deputies: list[User],
    windows: list[Unit],
    sections: list[Unit],
    staff: dict[str, list[User]],
) -> _Plan:
    """Leadership, office, three promotion groups, one working group per three windows and
    one for the sections; members at 1:3."""
    plan = _Plan()
    leadership = _group(center, "lead", Group.Kind.LEADERSHIP, "标准化现场管理建设领导小组", 0)
    office = _group(center, "office", Group.Kind.OFFICE, "领导小组办公室", 1)
    plan.groups += [(leadership, []), (office, [])]
    plan.memberships.append((leadership, director, Membership.Role.LEADER))
    plan.memberships += [(leadership, d, Membership.Role.DEPUTY) for d in deputies]
    plan.memberships.append((office, deputies[0], Membership.Role.LEADER))
    for i, deputy in enumerate(deputies, start=1):
        group = _group(center, f"p{i}", Group.Kind.PROMOTION, f"第{'一二三'[i - 1]}推行小组", i + 1)
        plan.groups.append((group, []))
        plan.memberships.append((group, deputy, Membership.Role.LEADER))

    batches = [
        windows[i : i + WINDOWS_PER_GROUP] for i in range(0, len(windows), WINDOWS_PER_GROUP)
    ]
    batches.append(sections)
    for number, batch in enumerate(batches, start=1):
        is_sections = batch is sections
        group = _group(
            center,
            "wg-s" if is_sections else f"wg{number:02d}",
            Group.Kind.WORKING,
            "管理科室工作组" if is_sections else f"第{number}工作组",
            10 + number,
        )
        plan.groups.append((group, batch))
        people = [p for unit in batch for p in staff[unit.code]]
        # 1:3 — one member per three staff, taken round-robin across the covered units.
        ordered = [p for rank in range(8) for unit in batch for p in staff[unit.code][rank : rank + 1]]  # fmt: skip
        for rank, user in enumerate(ordered[: Group.required_members(len(people))]):
            role = Membership.Role.LEADER if rank == 0 else Membership.Role.MEMBER
            plan.memberships.append((group, user, role))
            plan.members.add(user.username)
    return plan


def _save_groups(plan: _Plan, counts: Counter[str]) -> None:
    groups = [group for group, _units in plan.groups]
    top = groups[0]
    bulk(Group, [top], counts=counts)
    for group in groups[1:5]:  # office and promotion groups sit under the leadership group
        group.parent = top
    bulk(Group, groups[1:5], counts=counts)
    promotions = groups[2:5]
    for index, group in enumerate(groups[5:]):
        group.parent = promotions[index % len(promotions)]
    bulk(Group, groups[5:], counts=counts)
    bulk(
        Coverage,
        [Coverage(group=group, unit=unit) for group, units in plan.groups for unit in units],
        counts=counts,
    )
    bulk(
        Membership,
        [
            Membership(group=group, user=user, role=role, group_kind=group.kind)
            for group, user, role in plan.memberships
        ],
        counts=counts,
    )


def _zones(
    center: Center,
    floors: list[Floor],
    area_types: dict[str, AreaType],
    windows: list[Unit],
    sections: list[Unit],
    staff: dict[str, list[User]],
    rng: random.Random,
    counts: Counter[str],
) -> None:
    zones: list[Zone] = []

    def zone(code: str, name: str, kind: str, unit: Unit | None, owner: User, floor: Floor,
             x: int, y: int, w: int, h: int) -> None:  # fmt: skip
        zones.append(Zone(center=center, code=code, name=name, area_type=area_types[kind],
                          unit=unit, owner=owner, floor=floor, x=x, y=y, width=w, height=h))  # fmt: skip

    per_floor = math.ceil(len(windows) / 2)
    for index, unit in enumerate(windows):
        row, col = divmod(index % per_floor, COLUMNS)
        x, y = 10 + col * 66, 10 + row * 150
        people = staff[unit.code]
        floor = floors[0 if index < per_floor else 1]
        zone(f"{unit.code}-c", f"{unit.name}前台", "counter", unit, people[-1], floor, x, y + 90, 28, 12)  # fmt: skip
        if len(people) >= 6:  # busy windows open a second counter
            zone(f"{unit.code}-c2", f"{unit.name}二号前台", "counter", unit, people[-2], floor, x + 30, y + 90, 28, 12)  # fmt: skip
        zone(f"{unit.code}-b", f"{unit.name}中间办公室", "back-office", unit, people[0], floor, x, y, 58, 80)  # fmt: skip
    for index, unit in enumerate(sections):
        people = staff[unit.code]
        zone(f"{unit.code}-k", f"{unit.name}科长办公室", "chief-office", unit, people[0], floors[2], 10 + index * 150, 10, 130, 90)  # fmt: skip
        zone(f"{unit.code}-o", f"{unit.name}办公室", "back-office", unit, people[1], floors[2], 10 + index * 150, 110, 130, 90)  # fmt: skip
    keepers = staff[sections[1].code][:3]
    slots: defaultdict[int, int] = defaultdict(int)
    for code, name, level in SHARED_ZONES:
        kind = "archive" if code.startswith("a") else "public"
        slot = slots[level]
        slots[level] += 1
        # Along the bottom of the hall floors, below the sections on the office floor.
        x, y = 10 + (slot % 3) * 200, (283 if level < 3 else 210) + (slot // 3) * 28
        zone(code, name, kind, None, rng.choice(keepers), floors[level - 1], x, y, 180, 25)  # fmt: skip
    bulk(Zone, zones, counts=counts)
