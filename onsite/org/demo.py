"""The demo center of the source document: XX市行政服务中心 with 36 approval windows,
3 management sections, a director and three deputies, groups formed at 1:3, zones on a
floor plan. Everything is keyed by code or username, so running it twice changes nothing."""

from __future__ import annotations

import math
import random
from collections.abc import Sequence
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import transaction

from onsite.accounts.demo import DEMO_PASSWORD as DEMO_PASSWORD  # one demo password
from onsite.accounts.models import Role, RoleGrant, User
from onsite.core.models import Center
from onsite.org.models import AreaType, Coverage, Floor, Group, Membership, Unit, Zone

# The pilot units of the source document come first: 市场监管, 烟草, 卫计(卫健), 商务, 统计.
WINDOW_DEPARTMENTS = [
    "市场监管", "烟草", "卫健", "商务", "统计", "公安", "人社", "税务", "不动产",
    "住建", "自然资源", "生态环境", "交通运输", "水利", "农业农村", "文化旅游", "教育", "民政",
    "司法", "医保", "公积金", "发改", "经信", "科技", "应急管理", "林业", "气象",
    "消防", "档案", "残联", "人防", "城管", "电力", "供水", "燃气", "邮政",
]  # fmt: skip
SECTIONS = [("s1", "督查科"), ("s2", "综合科"), ("s3", "审批服务科")]
AREA_TYPES = [
    ("counter", "前台", 1600, 700),
    ("back-office", "中间办公室", 4000, 3000),
    ("chief-office", "科长办公室", 4000, 3500),
    ("public", "公共区域", 8000, 6000),
    ("archive", "档案室", 4000, 4000),
]
PUBLIC_AREAS = [("p1", "一楼等候区", 1), ("p2", "一楼咨询台", 1), ("p3", "自助服务区", 1), ("p4", "二楼等候区", 2)]  # fmt: skip
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高郑梁谢宋唐许韩冯邓曹彭曾肖田董潘袁蔡蒋余于杜叶程魏苏吕丁任沈姚卢"  # fmt: skip
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉萍红兰建国志文斌浩宇欣怡晨阳婷雪梅琳晶波辉鹏飞"  # fmt: skip
WINDOWS_PER_GROUP = 3


@dataclass
class DemoLogin:
    username: str
    role: str
    who: str


_hash_cache: dict[str, str] = {}


def _demo_password_hash() -> str:
    # Hashing once keeps seeding a 230-person center to seconds; demo accounts only. Kept
    # per preferred hasher: a hash made under other settings may not be checkable now.
    hasher = settings.PASSWORD_HASHERS[0]
    if hasher not in _hash_cache:
        _hash_cache[hasher] = make_password(DEMO_PASSWORD)
    return _hash_cache[hasher]


def _name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice([1, 2])))


def _user(
    center: Center,
    username: str,
    *,
    full_name: str,
    unit: Unit | None,
    title: str,
    roles: Sequence[str],
) -> User:
    user, _ = User.objects.get_or_create(
        username=username,
        defaults={"center": center, "unit": unit, "full_name": full_name, "title": title,
                  "password": _demo_password_hash()},
    )  # fmt: skip
    for role in roles:
        RoleGrant.objects.get_or_create(user=user, role=role)
    return user


def _member(group: Group, user: User, role: str = Membership.Role.MEMBER) -> None:
    Membership.objects.get_or_create(
        group=group, user=user, defaults={"role": role, "group_kind": group.kind}
    )


@transaction.atomic
def seed_center(code: str = "xx", name: str = "XX市行政服务中心", windows: int = 36) -> Center:
    rng = random.Random(f"onsite-demo-{code}")  # noqa: S311 - reproducible demo names
    center, _ = Center.objects.update_or_create(
        code=code, defaults={"name": name, "region": name[:3]}
    )
    floors = {
        level: Floor.objects.update_or_create(
            center=center,
            level=level,
            defaults={
                "name": f"{level}楼大厅" if level < 3 else "3楼办公区",
                "width": 600,
                "height": 320,
            },
        )[0]
        for level in (1, 2, 3)
    }
    area_types = {
        slug: AreaType.objects.update_or_create(
            center=center,
            code=slug,
            defaults={"name": label, "width_mm": width, "depth_mm": depth, "position": index},
        )[0]
        for index, (slug, label, width, depth) in enumerate(AREA_TYPES)
    }

    # Leadership: the director and three deputy directors (the first runs the office).
    director = _user(center, f"{code}-director", full_name=_name(rng), unit=None, title="主任", roles=[Role.LEADER])  # fmt: skip
    deputies = [
        _user(center, f"{code}-deputy{i}", full_name=_name(rng), unit=None, title="副主任",
              roles=[Role.LEADER, Role.GROUP_LEADER] + ([Role.OFFICE] if i == 1 else []))
        for i in (1, 2, 3)
    ]  # fmt: skip

    units: list[Unit] = []
    staff_by_unit: dict[int, list[User]] = {}
    for index, department in enumerate(WINDOW_DEPARTMENTS[:windows], start=1):
        floor = floors[1 if index <= math.ceil(windows / 2) else 2]
        unit, _ = Unit.objects.update_or_create(
            center=center,
            code=f"w{index:02d}",
            defaults={"name": f"{department}窗口", "kind": Unit.Kind.WINDOW,
                      "department": department, "floor": floor, "position": index},
        )  # fmt: skip
        units.append(unit)
        headcount = rng.randint(2, 8)
        staff_by_unit[unit.pk] = [
            _user(center, f"{code}-{unit.code}-{n}", full_name=_name(rng), unit=unit,
                  title="审批科科长" if n == 1 else "窗口工作人员", roles=[Role.STAFF])
            for n in range(1, headcount + 1)
        ]  # fmt: skip
    for index, (slug, label) in enumerate(SECTIONS, start=1):
        unit, _ = Unit.objects.update_or_create(
            center=center,
            code=slug,
            defaults={"name": label, "kind": Unit.Kind.SECTION, "department": "中心",
                      "floor": floors[3], "position": index},
        )  # fmt: skip
        units.append(unit)
        roles = [Role.SUPERVISOR] if label == "督查科" else [Role.STAFF]
        staff_by_unit[unit.pk] = [
            _user(center, f"{code}-{slug}-{n}", full_name=_name(rng), unit=unit,
                  title="科长" if n == 1 else "科员", roles=roles)
            for n in range(1, 4)
        ]  # fmt: skip
    if code == "xx":
        admin_unit = units[-2]  # 综合科 runs the system
        # They work in 综合科, so they count towards its working group's 1:3.
        staff_by_unit[admin_unit.pk] += [
            _user(center, f"{code}-admin", full_name=_name(rng), unit=admin_unit, title="系统管理员", roles=[Role.ADMIN]),
            _user(center, f"{code}-auditor", full_name=_name(rng), unit=admin_unit, title="审计员", roles=[Role.AUDITOR]),
        ]  # fmt: skip
    else:
        _user(center, f"{code}-admin", full_name=_name(rng), unit=None, title="系统管理员", roles=[Role.ADMIN])  # fmt: skip

    _seed_groups(center, director, deputies, units, staff_by_unit)
    _seed_zones(center, floors, area_types, units, staff_by_unit)
    return center


def _seed_groups(
    center: Center,
    director: User,
    deputies: list[User],
    units: list[Unit],
    staff_by_unit: dict[int, list[User]],
) -> None:
    leadership, _ = Group.objects.update_or_create(
        center=center, name="标准化现场管理建设领导小组",
        defaults={"code": "lead", "kind": Group.Kind.LEADERSHIP, "position": 0},
    )  # fmt: skip
    office, _ = Group.objects.update_or_create(
        center=center, name="领导小组办公室",
        defaults={"code": "office", "kind": Group.Kind.OFFICE, "parent": leadership, "position": 1},
    )  # fmt: skip
    _member(leadership, director, Membership.Role.LEADER)
    for deputy in deputies:
        _member(leadership, deputy, Membership.Role.DEPUTY)
    _member(office, deputies[0], Membership.Role.LEADER)
    promotions = []
    for i, deputy in enumerate(deputies, start=1):
        group, _ = Group.objects.update_or_create(
            center=center, name=f"第{'一二三'[i - 1]}推行小组",
            defaults={"code": f"p{i}", "kind": Group.Kind.PROMOTION, "parent": leadership,
                      "position": i},
        )  # fmt: skip
        _member(group, deputy, Membership.Role.LEADER)
        promotions.append(group)

    windows = [u for u in units if u.kind == Unit.Kind.WINDOW]
    sections = [u for u in units if u.kind == Unit.Kind.SECTION]
    batches = [
        windows[i : i + WINDOWS_PER_GROUP] for i in range(0, len(windows), WINDOWS_PER_GROUP)
    ]
    batches.append(sections)
    for number, batch in enumerate(batches, start=1):
        label = "管理科室工作组" if batch is sections else f"第{number}工作组"
        code = "wg-s" if batch is sections else f"wg{number:02d}"
        group, _ = Group.objects.update_or_create(
            center=center, name=label,
            defaults={"code": code, "kind": Group.Kind.WORKING,
                      "parent": promotions[(number - 1) % 3], "position": number},
        )  # fmt: skip
        people = [person for unit in batch for person in staff_by_unit[unit.pk]]
        for unit in batch:
            Coverage.objects.update_or_create(unit=unit, defaults={"group": group})
        # 1:3 — one member per three staff, spread across the covered units.
        needed = Group.required_members(len(people))
        ordered = [p for rank in range(8) for unit in batch
                   for p in staff_by_unit[unit.pk][rank : rank + 1]]  # fmt: skip
        for rank, person in enumerate(ordered[:needed]):
            _member(group, person, Membership.Role.LEADER if rank == 0 else Membership.Role.MEMBER)
            RoleGrant.objects.get_or_create(user=person, role=Role.MEMBER)


def _seed_zones(
    center: Center,
    floors: dict[int, Floor],
    area_types: dict[str, AreaType],
    units: list[Unit],
    staff_by_unit: dict[int, list[User]],
) -> None:
    def place(code: str, name: str, kind: str, unit: Unit | None, owner: User | None,
              floor: Floor, x: int, y: int, w: int, h: int) -> None:  # fmt: skip
        Zone.objects.update_or_create(
            center=center, code=code,
            defaults={"name": name, "area_type": area_types[kind], "unit": unit, "owner": owner,
                      "floor": floor, "x": x, "y": y, "width": w, "height": h},
        )  # fmt: skip

    windows = [u for u in units if u.kind == Unit.Kind.WINDOW]
    per_floor = math.ceil(len(windows) / 2)
    for index, unit in enumerate(windows):
        slot = index % per_floor
        row, col = divmod(slot, 9)
        x = 20 + col * 64
        y = 20 + row * 150
        staff = staff_by_unit[unit.pk]
        place(f"{unit.code}-c", f"{unit.name}前台", "counter", unit, staff[-1], unit.floor, x, y + 60, 56, 18)  # type: ignore[arg-type]  # fmt: skip
        place(f"{unit.code}-b", f"{unit.name}中间办公室", "back-office", unit, staff[0], unit.floor, x, y, 56, 50)  # type: ignore[arg-type]  # fmt: skip
    for index, unit in enumerate(u for u in units if u.kind == Unit.Kind.SECTION):
        chief = staff_by_unit[unit.pk][0]
        place(f"{unit.code}-k", f"{unit.name}科长办公室", "chief-office", unit, chief, floors[3], 20 + index * 140, 20, 120, 90)  # fmt: skip
        place(f"{unit.code}-o", f"{unit.name}办公室", "back-office", unit, staff_by_unit[unit.pk][1], floors[3], 20 + index * 140, 130, 120, 90)  # fmt: skip
    # The hall's public areas and the archive are kept by 综合科 (general affairs): they are
    # its zones, so its self-checks, supervision and acceptance rounds cover them.
    general = [u for u in units if u.kind == Unit.Kind.SECTION][1]
    office_staff = staff_by_unit[general.pk]
    place("a1", "档案室", "archive", general, office_staff[2], floors[3], 460, 20, 120, 120)
    for index, (code, name, level) in enumerate(PUBLIC_AREAS):
        place(code, name, "public", general, office_staff[index % 3], floors[level], 20 + (index % 3) * 190, 250, 170, 60)  # fmt: skip


@transaction.atomic
def seed_demo(*, main_windows: int = 36) -> list[DemoLogin]:
    """The two demo centers; a test may ask for a smaller main center (every login and kind
    of record still exists from 12 windows on)."""
    main = seed_center("xx", "XX市行政服务中心", main_windows)
    other = seed_center("yy", "YY市行政服务中心", 6)
    viewer, _ = User.objects.get_or_create(
        username="city-viewer",
        defaults={"full_name": "市审改办", "title": "督导", "password": _demo_password_hash()},
    )
    RoleGrant.objects.get_or_create(user=viewer, role=Role.VIEWER)
    viewer.viewable_centers.add(main, other)
    return [
        DemoLogin("xx-admin", str(Role.ADMIN.label), "中心管理员"),
        DemoLogin("xx-director", str(Role.LEADER.label), "主任 (领导小组组长)"),
        DemoLogin(
            "xx-deputy1", str(Role.OFFICE.label), "分管督查副主任 (办公室主任, 第一推行小组组长)"
        ),
        DemoLogin("xx-deputy2", str(Role.GROUP_LEADER.label), "副主任 (第二推行小组组长)"),
        DemoLogin("xx-s1-1", str(Role.SUPERVISOR.label), "督查科科长"),
        DemoLogin("xx-w01-1", str(Role.MEMBER.label), "市场监管窗口 (第1工作组组长)"),
        DemoLogin("xx-w01-2", str(Role.STAFF.label), "市场监管窗口工作人员"),
        DemoLogin("xx-auditor", str(Role.AUDITOR.label), "审计员"),
        DemoLogin("city-viewer", str(Role.VIEWER.label), "市审改办 (XX + YY)"),
        DemoLogin("yy-admin", str(Role.ADMIN.label), "YY市中心管理员 (另一中心)"),
    ]
