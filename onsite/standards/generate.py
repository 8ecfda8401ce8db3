"""Synthetic execution standards for a generated center: an item catalogue, one standard per
area type with a retired first edition and a published second one (plus an open draft for
some), 16 to 36 clauses per version across the pillars, item rules (三易三定) for the counter
and the offices, and item filings (报备) in every state across the years."""

from __future__ import annotations

import datetime
import random
from collections import Counter

from django.utils import timezone

from onsite.accounts.models import Role, User
from onsite.core.generate import at_time, bulk, period, weighted
from onsite.core.models import Center
from onsite.org.models import AreaType, Zone
from onsite.standards.models import (
    Clause,
    FilingTransition,
    Item,
    ItemFiling,
    ItemRule,
    Pillar,
    Standard,
    StandardVersion,
)

# (code, name, aliases)
ITEMS = [
    ("cup", "水杯", ["茶杯"]), ("monitor", "显示器", ["屏幕"]), ("phone", "电话", ["座机"]),
    ("pen", "笔", ["签字笔"]), ("ink-pad", "印泥", ["印台"]), ("brochure", "宣传册", ["办事指南"]),
    ("doc-camera", "高拍仪", ["扫描仪"]), ("keyboard", "键盘", []), ("mouse", "鼠标", []),
    ("id-reader", "身份证读卡器", ["读卡器"]), ("rating-pad", "评价器", ["好差评评价器"]),
    ("name-plate", "岗位牌", ["工作牌"]), ("plant", "绿植", ["盆栽"]), ("calendar", "台历", []),
    ("snacks", "零食", []), ("cosmetics", "化妆品", []), ("cabinet", "文件柜", ["档案柜"]),
    ("printer", "打印机", ["复印机"]), ("computer", "电脑", ["主机"]), ("folder", "文件盒", []),
    ("desk", "办公桌", []), ("tea-set", "茶具", []), ("bin", "垃圾桶", ["纸篓"]),
    ("chair", "座椅", []), ("extinguisher", "灭火器", []), ("shelf", "资料架", []),
    ("pause-sign", "暂停服务牌", ["暂停服务提示牌"]),
]  # fmt: skip
# Per area type: clause-code prefix, clauses of the current edition, items (code, kind, max
# quantity). With the four item checks a counter's checklist has 20 checks, an office's
# about 30 to 40: about 30 answers per inspection over a center's zones.
AREA_PROFILES: dict[str, tuple[str, int, list[tuple[str, str, int | None]]]] = {
    "counter": (
        "QT",
        16,
        [
            ("monitor", "required", 1),
            ("keyboard", "required", 1),
            ("mouse", "required", 1),
            ("phone", "allowed", 1),
            ("cup", "allowed", 1),
            ("pen", "allowed", 2),
            ("ink-pad", "allowed", 1),
            ("brochure", "allowed", 10),
            ("doc-camera", "allowed", 1),
            ("id-reader", "allowed", 1),
            ("rating-pad", "required", 1),
            ("pause-sign", "allowed", 1),
            ("name-plate", "required", 1),
            ("snacks", "banned", None),
            ("cosmetics", "banned", None),
            ("plant", "banned", None),
        ],
    ),
    "back-office": (
        "BG",
        34,
        [
            ("cabinet", "required", 2),
            ("desk", "required", 4),
            ("computer", "allowed", 4),
            ("printer", "allowed", 1),
            ("folder", "allowed", 20),
            ("bin", "allowed", 2),
            ("chair", "allowed", 6),
            ("snacks", "banned", None),
        ],
    ),
    "chief-office": (
        "KZ",
        26,
        [
            ("desk", "required", 1),
            ("computer", "allowed", 1),
            ("phone", "allowed", 1),
            ("cabinet", "required", 1),
            ("tea-set", "allowed", 1),
            ("plant", "allowed", 2),
            ("bin", "allowed", 1),
        ],
    ),
    "public": (
        "GG",
        36,
        [
            ("chair", "allowed", None),
            ("shelf", "required", 2),
            ("brochure", "allowed", 50),
            ("extinguisher", "required", 2),
            ("bin", "allowed", 4),
            ("plant", "allowed", 6),
        ],
    ),
    "archive": (
        "DA",
        26,
        [
            ("cabinet", "required", 12),
            ("folder", "allowed", None),
            ("extinguisher", "required", 1),
            ("desk", "allowed", 1),
            ("snacks", "banned", None),
        ],
    ),
}
# Checks that need a photo: three on a counter (the morning round's "20 checks, 3 photos"),
# about one in seven elsewhere.
PHOTO_CHECKS = {"counter": 3}
PHOTO_SHARE = 0.15
PILLAR_CODES = {
    Pillar.SORT: "SO",
    Pillar.SET_IN_ORDER: "SIO",
    Pillar.SHINE: "SH",
    Pillar.STANDARDIZE: "ST",
    Pillar.SUSTAIN: "SU",
    Pillar.VISUAL: "VI",
    Pillar.SAFETY: "SA",
}
# (requirement, how to check): the pool a version's clauses are drawn from.
CLAUSE_POOL: dict[str, list[tuple[str, str]]] = {
    Pillar.SORT: [
        (
            "区域内只存放执行标准允许的物品，其他物品须向中心报备。",
            "对照物品清单和报备记录目视检查",
        ),
        ("无私人物品、无废弃物、无过期资料。", "目视检查并随机抽查抽屉"),
        ("闲置设备和不用物品及时清理出区域。", "查看闲置物品登记"),
        ("抽屉、柜内物品分类存放，无损坏文具。", "随机抽查两个抽屉"),
        ("待处理、处理中、已处理资料分开存放。", "查看资料分区"),
        ("宣传资料只保留现行版本。", "核对资料版本"),
    ],
    Pillar.SET_IN_ORDER: [
        ("物品按定置图摆放：定位、定容、定数量。", "对照定置图核对位置、容器和数量"),
        ("物品最外沿距台面外边缘不小于规定距离。", "用尺测量物品最外沿到边缘的距离"),
        ("文件柜分区标识，资料取用后归位。", "抽查三份资料的取放时间"),
        ("线缆理线收纳，走向整齐。", "查看设备背面和台面下方"),
        ("座椅、资料架按划线位置摆放。", "对照地面划线检查"),
        ("常用物品放在易取易放的位置。", "现场演示取放"),
    ],
    Pillar.SHINE: [
        ("台面、设备无灰尘、无污渍。", "白手套擦拭检查"),
        ("地面清洁，无纸屑、无积水。", "目视检查"),
        ("垃圾桶及时清倒，不满溢。", "目视检查"),
        ("玻璃、隔断无手印。", "目视检查"),
        ("绿植无枯叶，花盆托盘无积水。", "目视检查"),
    ],
    Pillar.STANDARDIZE: [
        ("标识牌、岗位牌、办事指南统一规范，信息准确。", "核对标识内容与现行事项"),
        ("执行区域责任人制度，责任牌张贴在显眼位置。", "查看责任牌"),
        ("定置图张贴在区域内并与现场一致。", "对照定置图"),
        ("清扫、检查有记录并按时填写。", "查看记录表"),
        ("新进人员上岗前学习本区域执行标准。", "抽问新进人员"),
    ],
    Pillar.SUSTAIN: [
        ("工作人员着装规范、佩戴工作牌。", "现场观察"),
        ("使用文明用语，主动服务。", "现场观察"),
        ("按周开展自查并整改问题。", "查看自查记录"),
        ("上次检查发现的问题已整改到位。", "对照上次检查的问题清单"),
        ("积极参与改善方案征集。", "查看提交记录"),
    ],
    Pillar.VISUAL: [
        ("行迹线、颜色标识清晰完整，无脱落。", "目视检查标识"),
        ("文件柜标签统一、清晰。", "目视检查"),
        ("区域边界线和通道线清晰。", "目视检查"),
        ("设备状态标识（正常/故障）及时更新。", "查看设备标识"),
        ("物品位置标签与实物一致。", "抽查五个位置"),
    ],
    Pillar.SAFETY: [
        ("电源线无裸露、无私拉乱接，插线板不串接。", "查看线路"),
        ("消防通道畅通，灭火器在有效期内。", "查看通道和灭火器标签"),
        ("下班关闭电源和门窗。", "查看下班检查记录"),
        ("涉密文件入柜上锁。", "现场检查"),
        ("应急疏散图张贴并清晰。", "目视检查"),
    ],
}


def generate(
    center: Center, *, years: float, rng: random.Random, until: datetime.date
) -> dict[str, int]:
    counts: Counter[str] = Counter()
    start, end = period(years=years, until=until)
    office = (
        User.objects.filter(center=center, role_grants__role=Role.OFFICE).order_by("pk").first()
    )
    items = {
        item.code: item
        for item in bulk(
            Item,
            [Item(center=center, code=c, name=n, aliases=a) for c, n, a in ITEMS],
            counts=counts,
        )
    }
    area_types = list(AreaType.objects.filter(center=center).order_by("position"))
    standards = bulk(
        Standard,
        [Standard(center=center, area_type=t, title=f"{t.name}执行标准") for t in area_types],
        counts=counts,
    )
    # The first edition is published at the start of the history; the second replaces it
    # about a third of the way in, so old inspections used v1 and recent ones v2.
    switch = start + (end - start) / 3
    versions: list[StandardVersion] = []
    contents: list[tuple[StandardVersion, list[tuple[str, str, str, str]], AreaType]] = []
    for area_type, standard in zip(area_types, standards, strict=True):
        prefix, size, _rules = AREA_PROFILES.get(area_type.code, ("GN", 30, []))
        first = _clauses(prefix, size - 2, rng)
        second = first + _clauses(prefix, 2, rng, taken={c for c, *_ in first})
        editions: list[tuple[int, str, datetime.date | None, datetime.date | None, _Rows, str]] = [
            (1, StandardVersion.Status.RETIRED, start, switch, first, "首版执行标准"),
            (2, StandardVersion.Status.PUBLISHED, switch, None, second, "根据试点总结补充条款"),
        ]
        if rng.random() < 0.4:
            editions.append((3, StandardVersion.Status.DRAFT, None, None, second, "征集的改善方案"))
        for number, status, published, retired, clauses, note in editions:
            version = StandardVersion(
                center=center,
                standard=standard,
                number=number,
                status=status,
                note=note,
                width_mm=area_type.width_mm,
                depth_mm=area_type.depth_mm,
                created_by=office,
                published_by=office if published else None,
                published_at=at_time(published, rng) if published else None,
                retired_at=at_time(retired, rng) if retired else None,
            )
            versions.append(version)
            contents.append((version, clauses, area_type))
    bulk(StandardVersion, versions, counts=counts)
    for (version, _c, _t), previous in zip(contents[1:], contents, strict=False):
        if version.number > 1 and previous[0].standard_id == version.standard_id:
            version.based_on = previous[0]
    StandardVersion.objects.bulk_update([v for v in versions if v.based_on_id], ["based_on"])

    clause_rows: list[Clause] = []
    rule_rows: list[ItemRule] = []
    for version, clauses, area_type in contents:
        wanted = PHOTO_CHECKS.get(area_type.code, round(PHOTO_SHARE * len(clauses)))
        with_photo = set(rng.sample(range(len(clauses)), min(wanted, len(clauses))))
        for position, (code, pillar, text, method) in enumerate(clauses):
            clause_rows.append(
                Clause(
                    center=center,
                    standard_version=version,
                    code=code,
                    pillar=pillar,
                    position=position,
                    text=text,
                    check_method=method,
                    weight=weighted(rng, [(1, 5), (2, 3), (3, 2)]),
                    photo_required=position in with_photo,
                )
            )
        for position, (item_code, kind, max_quantity) in enumerate(
            AREA_PROFILES.get(area_type.code, ("", 0, []))[2]
        ):
            rule_rows.append(
                ItemRule(
                    center=center,
                    standard_version=version,
                    item=items[item_code],
                    kind=kind,
                    max_quantity=max_quantity,
                    position=position,
                    marking=rng.choice(list(ItemRule.Marking)),
                )
            )
    bulk(Clause, clause_rows, counts=counts)
    bulk(ItemRule, rule_rows, counts=counts)
    _filings(center, items, office, start, end, rng, counts)
    return dict(counts)


_Rows = list[tuple[str, str, str, str]]


def _clauses(prefix: str, size: int, rng: random.Random, *, taken: set[str] | None = None) -> _Rows:
    """`size` clauses spread over the pillars: (code, pillar, text, how to check)."""
    taken = set(taken or ())
    rows: _Rows = []
    pillars = list(PILLAR_CODES)
    while len(rows) < size:
        pillar = pillars[len(rows) % len(pillars)]
        number = 1
        while f"{prefix}-{PILLAR_CODES[pillar]}-{number}" in taken:
            number += 1
        code = f"{prefix}-{PILLAR_CODES[pillar]}-{number}"
        taken.add(code)
        text, method = rng.choice(CLAUSE_POOL[pillar])
        rows.append((code, str(pillar), text, method))
    return rows


FILING_REASONS = [
    "业务量大，需增加一台高拍仪。", "窗口承接新事项，需摆放专用读卡器。", "夏季需放置小风扇。",
    "临时存放待领取证照。", "新增自助终端配套设备。", "配合专项活动摆放宣传资料。",
]  # fmt: skip


def _filings(
    center: Center,
    items: dict[str, Item],
    office: User | None,
    start: datetime.date,
    end: datetime.date,
    rng: random.Random,
    counts: Counter[str],
) -> None:
    """About one filing per six zones a year, in every state (approved ones mostly expired by
    now; recent ones still pending)."""
    zones = list(Zone.objects.filter(center=center, owner__isnull=False).order_by("code"))
    span = (end - start).days
    today = timezone.localdate()
    count = max(4, len(zones) * max(1, round(span / 365)) // 6)
    filings: list[ItemFiling] = []
    for n in range(count):
        zone = rng.choice(zones)
        filed = start + datetime.timedelta(days=rng.randrange(span + 1))
        valid_from = filed + datetime.timedelta(days=rng.randint(0, 7))
        valid_to = valid_from + datetime.timedelta(days=rng.choice([30, 90, 180, 365]))
        recent = (end - filed).days < 14
        status = (
            ItemFiling.Status.REQUESTED
            if recent or n < 2
            else weighted(
                rng,
                [
                    (ItemFiling.Status.APPROVED, 0.7),
                    (ItemFiling.Status.REJECTED, 0.2),
                    (ItemFiling.Status.WITHDRAWN, 0.1),
                ],
            )
        )
        if n == 2:  # always at least one approved filing still valid today
            status, valid_from, valid_to = ItemFiling.Status.APPROVED, today, today + datetime.timedelta(days=90)  # fmt: skip
        decided = status in (ItemFiling.Status.APPROVED, ItemFiling.Status.REJECTED)
        filings.append(
            ItemFiling(
                center=center,
                zone=zone,
                item=rng.choice(list(items.values())),
                quantity=rng.randint(1, 3),
                reason=rng.choice(FILING_REASONS),
                valid_from=valid_from,
                valid_to=valid_to,
                status=status,
                filed_by=zone.owner,
                reviewed_by=office if decided else None,
                reviewed_at=at_time(filed + datetime.timedelta(days=1), rng) if decided else None,
                review_comment=""
                if status != ItemFiling.Status.REJECTED
                else "可按标准调整摆放，无需增加。",
            )
        )
    bulk(ItemFiling, filings, counts=counts)
    # filed_at is auto_now_add: set the real filing day afterwards, with the history.
    transitions: list[FilingTransition] = []
    for filing in filings:
        filed_at = at_time(filing.valid_from - datetime.timedelta(days=1), rng)
        filing.filed_at = filed_at
        transitions.append(
            FilingTransition(
                filing=filing,
                from_status="",
                to_status="requested",
                by=filing.filed_by,
                at=filed_at,
                note=filing.reason,
            )
        )
        if filing.status != ItemFiling.Status.REQUESTED:
            transitions.append(
                FilingTransition(
                    filing=filing,
                    from_status="requested",
                    to_status=filing.status,
                    by=office if filing.reviewed_by_id else filing.filed_by,
                    at=filing.reviewed_at or filed_at,
                    note=filing.review_comment,
                )
            )
    ItemFiling.objects.bulk_update(filings, ["filed_at"], batch_size=500)
    bulk(FilingTransition, transitions, counts=counts)
