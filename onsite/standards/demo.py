"""Demo standards of the source document: the front counter whitelist (水杯、显示器、电话、笔、
印泥、宣传册、高拍仪, and as published 好差评 practice has it 评价器 and 暂停服务牌; everything
else filed with the center), the back office, the chief's office, the hall's public areas and
the archive, with clauses for every pillar, and a few filings (pending, approved, expired,
rejected). Keyed by codes and version numbers: running it twice changes nothing."""

from __future__ import annotations

import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from onsite.core.models import Center
from onsite.org.models import AreaType, Zone
from onsite.standards.models import (
    DEFAULT_EDGE_DISTANCE_MM,
    Clause,
    FilingTransition,
    Item,
    ItemFiling,
    ItemRule,
    Standard,
    StandardVersion,
)

ITEMS = [
    ("cup", "水杯", ["茶杯", "杯子"]),
    ("monitor", "显示器", ["屏幕", "电脑屏幕"]),
    ("phone", "电话", ["座机", "固定电话"]),
    ("pen", "笔", ["签字笔", "笔筒"]),
    ("ink-pad", "印泥", ["印台"]),
    ("brochure", "宣传册", ["宣传资料", "办事指南"]),
    ("doc-camera", "高拍仪", ["文件扫描仪", "扫描仪"]),
    ("rating-pad", "评价器", ["好差评评价器", "评价终端"]),
    ("pause-sign", "暂停服务牌", ["暂停服务提示牌", "暂停办理牌"]),
    ("plant", "绿植", ["盆栽", "植物"]),
    ("calendar", "台历", ["日历"]),
    ("snacks", "零食", []),
    ("cosmetics", "化妆品", []),
    ("cabinet", "文件柜", ["档案柜"]),
    ("printer", "打印机", ["复印机"]),
    ("computer", "电脑", ["电脑主机", "主机"]),
    ("folder", "文件夹", ["文件盒"]),
    ("desk", "办公桌", ["桌子"]),
    ("tea-set", "茶具", ["茶盘"]),
    ("bin", "垃圾桶", ["纸篓"]),
    ("form-sample", "填单样表", ["填写示范", "样表"]),
    ("extinguisher", "灭火器", ["灭火器箱"]),
    ("hygrometer", "温湿度计", ["温湿度表"]),
]

# (item, kind, max qty, container, slot x, y, w, h, min edge mm or None, marking, colour)
COUNTER_RULES: list[tuple[Any, ...]] = [
    ("monitor", "required", 1, "", 600, 60, 500, 200, None, "shadow", ""),
    ("phone", "allowed", 1, "", 100, 80, 220, 200, None, "shadow", ""),
    ("cup", "allowed", 1, "杯垫", 380, 100, 90, 90, None, "colour", "蓝色"),
    ("pen", "allowed", 2, "笔筒", 450, 420, 160, 60, None, "shadow", ""),
    ("ink-pad", "allowed", 1, "", 650, 420, 100, 100, None, "shadow", ""),
    ("brochure", "allowed", 10, "资料架", 900, 520, 220, 120, None, "colour", "绿色"),
    ("doc-camera", "allowed", 1, "", 1200, 300, 300, 250, None, "shadow", ""),
    # 好差评: the rating device faces the public at every window (国办发〔2019〕51号); the
    # service-paused sign is put out when the window is briefly unstaffed.
    ("rating-pad", "allowed", 1, "", 150, 480, 200, 150, None, "shadow", ""),
    ("pause-sign", "allowed", 1, "", 1200, 580, 200, 60, None, "shadow", ""),
    ("snacks", "banned", None, "", None, None, None, None, None, "none", ""),
    ("cosmetics", "banned", None, "", None, None, None, None, None, "none", ""),
]
BACK_OFFICE_RULES: list[tuple[Any, ...]] = [
    ("cabinet", "required", 2, "", 100, 100, 1000, 450, 0, "colour", "黄色"),
    ("desk", "required", 4, "", 400, 1100, 2400, 1200, 0, "none", ""),
    ("computer", "allowed", 4, "", 500, 1200, 2200, 300, 0, "none", ""),
    ("printer", "allowed", 1, "打印机柜", 3300, 200, 600, 500, 0, "colour", "黄色"),
    ("folder", "allowed", 20, "文件柜", None, None, None, None, None, "none", ""),
    ("bin", "allowed", 2, "", 3500, 2600, 350, 350, 0, "colour", "黄色"),
    ("snacks", "banned", None, "", None, None, None, None, None, "none", ""),
]
CHIEF_OFFICE_RULES: list[tuple[Any, ...]] = [
    ("desk", "required", 1, "", 1200, 1500, 1600, 800, 0, "none", ""),
    ("computer", "allowed", 1, "", 1500, 1550, 500, 250, 0, "none", ""),
    ("phone", "allowed", 1, "", 2300, 1600, 250, 200, 0, "shadow", ""),
    ("cabinet", "required", 1, "", 100, 100, 1200, 450, 0, "colour", "黄色"),
    ("tea-set", "allowed", 1, "茶盘", 3200, 300, 500, 300, 0, "none", ""),
    ("plant", "allowed", 2, "花盆", 3600, 3000, 300, 300, 0, "none", ""),
    ("bin", "allowed", 1, "", 3000, 3100, 300, 300, 0, "none", ""),
]

# The hall's public areas (等候区, 咨询台, 自助服务区): 清扫 of the source document — "合理划分
# 公共服务区域功能，明确空间区域负责人，做到现场管理定位，定点、定人。消除脏污，保持场所干干净净".
# Plan in mm of an 8 × 6 m area.
PUBLIC_RULES: list[tuple[Any, ...]] = [
    ("bin", "required", 2, "", 200, 5400, 400, 400, 0, "colour", "黄色"),
    ("extinguisher", "required", 2, "灭火器箱", 7400, 200, 400, 300, 0, "colour", "红色"),
    ("brochure", "allowed", 30, "资料架", 3000, 100, 1200, 400, 0, "colour", "绿色"),
    ("pen", "allowed", 6, "填单台", 5000, 2600, 1500, 700, 0, "shadow", ""),
    ("form-sample", "allowed", 20, "填单台", 5000, 3300, 1500, 300, 0, "none", ""),
    ("plant", "allowed", 4, "花盆", 200, 200, 500, 500, 0, "none", ""),
]
# The archive: files boxed by year and class on labelled shelves, kept dry, cool and safe.
ARCHIVE_RULES: list[tuple[Any, ...]] = [
    ("cabinet", "required", 6, "档案架", 200, 200, 3600, 600, 0, "colour", "黄色"),
    ("folder", "allowed", 300, "档案盒", None, None, None, None, None, "none", ""),
    ("hygrometer", "required", 1, "", 3600, 1800, 200, 200, 0, "none", ""),
    ("extinguisher", "required", 1, "灭火器箱", 3600, 3400, 400, 300, 0, "colour", "红色"),
    ("desk", "allowed", 1, "", 1000, 2800, 1400, 700, 0, "none", ""),
    ("computer", "allowed", 1, "", 1200, 2900, 500, 300, 0, "none", ""),
    # Soil and water bring damp and insects; food brings pests.
    ("plant", "banned", None, "", None, None, None, None, None, "none", ""),
    ("snacks", "banned", None, "", None, None, None, None, None, "none", ""),
]

# (code, pillar, text, check method, weight, max points, photo required)
COUNTER_CLAUSES = [
    ("QT-SO-1", "sort", "台面只摆放执行标准允许的物品，其他物品须向中心报备；无私人物品、无废弃物。", "对照物品清单和报备记录目视检查台面及抽屉", 2, 10, True),
    ("QT-SO-2", "sort", "抽屉内物品分类存放，无过期资料、无损坏文具。", "随机抽查抽屉", 1, 10, False),
    ("QT-SIO-1", "set_in_order", "物品按定置图摆放：定位、定容、定数量。", "对照定置图核对位置、容器和数量", 3, 10, True),
    ("QT-SIO-2", "set_in_order", "物品最外沿距台面外边缘不小于规定距离。", "用尺测量物品最外沿到台面边缘的距离", 2, 10, True),
    ("QT-SH-1", "shine", "台面、显示器、电话、高拍仪无灰尘、无污渍。", "白手套擦拭检查", 2, 10, False),
    ("QT-ST-1", "standardize", "窗口标识牌、岗位牌、办事指南统一规范，信息准确。", "核对标识内容与现行事项", 1, 10, False),
    ("QT-SU-1", "sustain", "工作人员着装规范、佩戴工作牌，使用文明用语。", "现场观察", 2, 10, False),
    ("QT-VI-1", "visual", "行迹线、颜色标识清晰完整，无脱落、无破损。", "目视检查标识", 1, 10, True),
    ("QT-SA-1", "safety", "电源线理线收纳，无裸露、无私拉乱接。", "查看台面下方线路", 2, 10, True),
]  # fmt: skip
# GB/T 36112-2018's staff requirements, checked on the person on post (the clause's subject):
# a failure names the staff member it concerns. Added in v2, with the document camera.
COUNTER_PERSON_CLAUSES = [
    ("QT-RY-1", "sustain", "工作人员在岗期间规范佩戴工牌。", "现场观察窗口工作人员", 1, 10, False, "person"),
    ("QT-RY-2", "sustain", "工作人员着装规范，仪容仪表整洁。", "现场观察窗口工作人员", 1, 10, False, "person"),
    ("QT-RY-3", "standardize", "工作人员在岗；临时离岗摆放离岗告知牌并安排补位。", "查看窗口是否有人、离岗时告知牌和补位人员", 2, 10, False, "person"),
]  # fmt: skip
BACK_OFFICE_CLAUSES = [
    ("BG-SO-1", "sort", "办公室内无闲置设备和废弃资料，不用物品及时清理。", "目视检查", 2, 10, True),
    ("BG-SIO-1", "set_in_order", "文件柜分区标识，资料按类别定位存放，取用后归位。", "抽查三份资料的取放时间", 2, 10, False),
    ("BG-SH-1", "shine", "地面、桌面、设备清洁，无积灰。", "目视并擦拭检查", 1, 10, False),
    ("BG-ST-1", "standardize", "执行区域责任人制度，责任牌张贴在门口。", "查看责任牌", 1, 10, False),
    ("BG-SU-1", "sustain", "按周开展自查并记录。", "查看自查记录", 1, 10, False),
    ("BG-VI-1", "visual", "文件柜、打印机区域黄色定位线清晰。", "目视检查", 1, 10, True),
    ("BG-SA-1", "safety", "消防通道畅通，插线板不串接，下班关闭电源。", "现场检查", 3, 10, True),
]  # fmt: skip
CHIEF_OFFICE_CLAUSES = [
    ("KZ-SO-1", "sort", "办公桌面只放当日处理的文件。", "目视检查", 2, 10, False),
    ("KZ-SIO-1", "set_in_order", "文件按待办、已办分区存放并标识。", "查看分区标识", 2, 10, True),
    ("KZ-SH-1", "shine", "办公室整洁，茶具及时清洗。", "目视检查", 1, 10, False),
    ("KZ-ST-1", "standardize", "办公室布置符合定置图。", "对照定置图", 2, 10, True),
    ("KZ-SU-1", "sustain", "科长带头执行现场管理标准，每月组织科室自查。", "查看自查记录", 1, 10, False),
    ("KZ-VI-1", "visual", "文件柜标签统一、清晰。", "目视检查", 1, 10, False),
    ("KZ-SA-1", "safety", "涉密文件入柜上锁。", "现场检查", 3, 10, True),
]  # fmt: skip


PUBLIC_CLAUSES: list[tuple[Any, ...]] = [
    ("GG-SO-1", "sort", "等候区、通道和自助服务区内无闲置桌椅、过期宣传品和杂物堆放。", "目视检查", 2, 10, True),
    ("GG-SIO-1", "set_in_order", "座椅、填单台、资料架、自助设备按定置图定位摆放，排列整齐。", "对照定置图核对", 2, 10, True),
    ("GG-SIO-2", "set_in_order", "填单台备齐笔和填单样表，样表与现行事项一致。", "逐台查看", 1, 10, False),
    ("GG-SH-1", "shine", "地面、座椅、填单台和自助设备屏幕干净，无灰尘、无纸屑、无污渍。", "目视并擦拭检查", 3, 10, True),
    ("GG-SH-2", "shine", "垃圾桶及时清倒、不满溢；卫生间按保洁时间表清扫并签到。", "查看垃圾桶和保洁签到表", 2, 10, False),
    ("GG-ST-1", "standardize", "区域责任牌和保洁时间表上墙，定点、定人，责任人和清扫频次明确。", "查看责任牌和时间表", 2, 10, False),
    ("GG-SU-1", "sustain", "区域责任人每日巡查并记录，发现问题当日整改。", "查看巡查记录", 1, 10, False),
    ("GG-VI-1", "visual", "功能分区标识、导向标识和一米线清晰完整，无脱落、无破损。", "目视检查", 1, 10, True),
    ("GG-SA-1", "safety", "安全出口和消防通道畅通，灭火器在有效期内；地面湿滑处设警示牌。", "现场检查", 3, 10, True),
    ("GG-SB-1", "standardize", "自助终端、叫号机、评价器运行正常，故障当日报修。", "逐台开机试用", 2, 10, False, "equipment"),
]  # fmt: skip
ARCHIVE_CLAUSES: list[tuple[Any, ...]] = [
    ("DA-SO-1", "sort", "档案室只存放档案和装具，无杂物、无私人物品。", "目视检查", 2, 10, True),
    ("DA-SIO-1", "set_in_order", "档案按年度、类别装盒上架，盒脊标签统一，排列与目录一致。", "按目录抽查三盒", 3, 10, True),
    ("DA-SIO-2", "set_in_order", "借阅档案登记出入，归还后按原位上架。", "抽查借阅登记与实物", 2, 10, False),
    ("DA-SH-1", "shine", "档案架、档案盒和地面清洁，无积灰、无虫霉迹象。", "目视并擦拭检查", 2, 10, False),
    ("DA-ST-1", "standardize", "每日记录温湿度（温度 14–24 ℃，相对湿度 45%–60%），超限时采取措施。", "查看温湿度记录", 2, 10, False),
    ("DA-SU-1", "sustain", "档案管理员每月自查并记录，问题当月整改。", "查看自查记录", 1, 10, False),
    ("DA-VI-1", "visual", "档案架分区标识和定位标签清晰。", "目视检查", 1, 10, True),
    ("DA-SA-1", "safety", "防火、防盗、防潮、防光措施到位，室内无明火、无电热设备。", "现场检查", 3, 10, True),
]  # fmt: skip


# What the photo check's detector calls the demo's items (onsite.vision.labels.KINDS); the
# others (pens, ink pads, rating devices, service-paused signs, filing cabinets …: the detector
# has no class for them) are left to the reference photo comparison.
VISION_KINDS = {
    "cup": "cup",
    "monitor": "monitor",
    "phone": "phone",
    "brochure": "book",
    "plant": "plant",
    "snacks": "food",
    "computer": "monitor",
}


def _items(center: Center) -> dict[str, Item]:
    return {
        code: Item.objects.update_or_create(
            center=center,
            code=code,
            defaults={"name": name, "aliases": aliases, "vision_kind": VISION_KINDS.get(code, "")},
        )[0]
        for code, name, aliases in ITEMS
    }


def _version(
    center: Center,
    standard: Standard,
    number: int,
    *,
    status: str,
    based_on: StandardVersion | None,
    note: str,
    edge: int,
    clauses: list[tuple[Any, ...]],
    rules: list[tuple[Any, ...]],
    items: dict[str, Item],
    published_days_ago: int,
) -> StandardVersion:
    area = standard.area_type
    existing = StandardVersion.objects.filter(standard=standard, number=number).first()
    if existing is not None:
        return existing
    now = timezone.now()
    version = StandardVersion.objects.create(
        center=center,
        standard=standard,
        number=number,
        status=status,
        based_on=based_on,
        note=note,
        width_mm=area.width_mm,
        depth_mm=area.depth_mm,
        default_edge_distance_mm=edge,
        published_at=now - datetime.timedelta(days=published_days_ago),
        retired_at=now - datetime.timedelta(days=30) if status == "retired" else None,
    )
    Clause.objects.bulk_create(
        Clause(center=center, standard_version=version, code=code, pillar=pillar,
               position=index, text=text, check_method=method, weight=weight,
               max_points=points, photo_required=photo, subject=subject[0] if subject else "zone")
        for index, (code, pillar, text, method, weight, points, photo, *subject)
        in enumerate(clauses, 1)
    )  # fmt: skip
    ItemRule.objects.bulk_create(
        ItemRule(center=center, standard_version=version, item=items[code], kind=kind,
                 max_quantity=qty, container=container, slot_x_mm=x, slot_y_mm=y, slot_w_mm=w,
                 slot_h_mm=h, min_edge_distance_mm=edge_mm, marking=marking,
                 marking_colour=colour, position=index)
        for index, (code, kind, qty, container, x, y, w, h, edge_mm, marking, colour)
        in enumerate(rules, 1)
    )  # fmt: skip
    return version


def _standard(center: Center, area: AreaType, title: str) -> Standard:
    return Standard.objects.get_or_create(
        area_type=area, defaults={"center": center, "title": title}
    )[0]


@transaction.atomic
def seed(center: Center) -> None:
    items = _items(center)
    areas = {a.code: a for a in AreaType.objects.filter(center=center)}
    if "counter" in areas:
        counter = _standard(center, areas["counter"], "前台执行标准")
        # v1 (the pilot's standard) lacked the document camera; v2 added it.
        pilot_rules = [r for r in COUNTER_RULES if r[0] != "doc-camera"]
        v1 = _version(center, counter, 1, status="retired", based_on=None,
                      note="试点窗口总结形成的第一版前台标准。", edge=DEFAULT_EDGE_DISTANCE_MM,
                      clauses=COUNTER_CLAUSES, rules=pilot_rules, items=items,
                      published_days_ago=120)  # fmt: skip
        _version(center, counter, 2, status="published", based_on=v1,
                 note="全面推行：增加高拍仪的定位和工作人员在岗检查。", edge=DEFAULT_EDGE_DISTANCE_MM,
                 clauses=COUNTER_CLAUSES + COUNTER_PERSON_CLAUSES, rules=COUNTER_RULES,
                 items=items, published_days_ago=30)  # fmt: skip
    for code, title, clauses, rules in [
        ("back-office", "中间办公室执行标准", BACK_OFFICE_CLAUSES, BACK_OFFICE_RULES),
        ("chief-office", "科长办公室执行标准", CHIEF_OFFICE_CLAUSES, CHIEF_OFFICE_RULES),
        ("public", "公共区域执行标准", PUBLIC_CLAUSES, PUBLIC_RULES),
        ("archive", "档案室执行标准", ARCHIVE_CLAUSES, ARCHIVE_RULES),
    ]:
        if code in areas:
            standard = _standard(center, areas[code], title)
            _version(center, standard, 1, status="published", based_on=None,
                     note="按试点成果制定。", edge=0, clauses=clauses, rules=rules,
                     items=items, published_days_ago=30)  # fmt: skip
    _seed_filings(center, items)


def _seed_filings(center: Center, items: dict[str, Item]) -> None:
    counters = list(
        Zone.objects.filter(center=center, area_type__code="counter", owner__isnull=False)
        .select_related("owner")
        .order_by("code")[:5]
    )
    if len(counters) < 4:
        return
    office = center.users.filter(role_grants__role="office").order_by("username").first()
    today = timezone.localdate()
    day = datetime.timedelta(days=1)
    plan = [
        (counters[0], "plant", 1, "窗口新添绿植一盆，美化环境。", today, today + 180 * day, "requested", ""),
        (counters[1], "calendar", 1, "需要台历记录预约办理日期。", today - 10 * day, today + 80 * day, "approved", "同意，放在电话旁。"),
        (counters[2], "plant", 1, "春节期间摆放年花。", today - 60 * day, today - 5 * day, "approved", "同意，节后撤除。"),
        (counters[3], "tea-set", 1, "接待群众时使用。", today, today + 30 * day, "rejected", "前台不宜摆放茶具，请放在中间办公室。"),
    ]  # fmt: skip
    for zone, item, qty, reason, start, end, status, comment in plan:
        if ItemFiling.objects.filter(zone=zone, item=items[item], reason=reason).exists():
            continue
        decided = status != "requested"
        filing = ItemFiling.objects.create(
            center=center,
            zone=zone,
            item=items[item],
            quantity=qty,
            reason=reason,
            valid_from=start,
            valid_to=end,
            status=status,
            filed_by=zone.owner,
            reviewed_by=office if decided else None,
            reviewed_at=timezone.now() if decided else None,
            review_comment=comment,
        )
        FilingTransition.objects.create(
            filing=filing, from_status="", to_status="requested", by=zone.owner, note=reason
        )
        if decided:
            FilingTransition.objects.create(
                filing=filing, from_status="requested", to_status=status, by=office, note=comment
            )
