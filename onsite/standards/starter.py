"""The starter standards workbook: the three area types of the source document (front
counter, back office, chief's office), and the hall's public areas and the archive that every
center also keeps, with their clauses and item rules, for a new center to
import as its first drafts and adapt before publishing.

The content is the source document's, in Chinese as the document is (it is the center's own
data once imported, like a standard it writes itself); the sheets, headers and choices are in
the reader's language. The front counter allows only the document's whitelist (水杯、显示器、
电话、笔、印泥、宣传册、高拍仪) and, as published 好差评 practice has it, 评价器 and 暂停服务牌;
anything else is filed with the center (报备)."""

from __future__ import annotations

from typing import Any

from onsite.standards.demo import (
    ARCHIVE_CLAUSES,
    ARCHIVE_RULES,
    BACK_OFFICE_CLAUSES,
    BACK_OFFICE_RULES,
    CHIEF_OFFICE_CLAUSES,
    CHIEF_OFFICE_RULES,
    COUNTER_CLAUSES,
    COUNTER_RULES,
    ITEMS,
    PUBLIC_CLAUSES,
    PUBLIC_RULES,
)
from onsite.standards.exchange import Written, build_workbook
from onsite.standards.models import DEFAULT_EDGE_DISTANCE_MM

# The source document's own words where the demo's clauses paraphrase them.
WORDING = {
    "QT-SO-1": "台面物品摆放只能是水杯、显示器、电话、笔、印泥、宣传册、高拍仪、评价器、暂停服务牌，"
               "其它需增加物品须向中心报备；"
               "无私人物品、无废弃物。",
    "QT-SIO-2": "台面摆放物品的最外沿离台面外边缘不小于规定距离（默认 50 毫米，本中心可另定）。",
}  # fmt: skip

# (area type code, name, standard title, width mm, depth mm, default edge mm, note, clauses, rules)
AREA_TYPES: list[tuple[Any, ...]] = [
    ("counter", "前台", "前台执行标准", 1600, 700, DEFAULT_EDGE_DISTANCE_MM,
     "直接对群众办事的前台：台面只摆放水杯、显示器、电话、笔、印泥、宣传册、高拍仪、评价器、暂停服务牌，"
     "其他物品须向中心报备。"
     "物品最外沿离台面外边缘的距离按本中心规定填写（默认 50 毫米）。",
     COUNTER_CLAUSES, [rule for rule in COUNTER_RULES if rule[1] != "banned"]),
    ("back-office", "中间办公室", "中间办公室执行标准", 4000, 3000, 0,
     "前台后方的中间办公室：文件柜、办公桌、打印机定位存放。", BACK_OFFICE_CLAUSES,
     BACK_OFFICE_RULES),
    ("chief-office", "科长办公室", "科长办公室执行标准", 4000, 3500, 0,
     "科长办公室：桌面只放当日文件，文件分区存放。", CHIEF_OFFICE_CLAUSES, CHIEF_OFFICE_RULES),
    ("public", "公共区域", "公共区域执行标准", 8000, 6000, 0,
     "大厅等候区、咨询台、自助服务区和通道：功能分区，定点、定人负责，保持干净整洁。",
     PUBLIC_CLAUSES, [rule for rule in PUBLIC_RULES if rule[1] != "banned"]),
    ("archive", "档案室", "档案室执行标准", 4000, 4000, 0,
     "档案室：档案按年度、类别装盒上架，防火、防盗、防潮、防光，温湿度每日记录。",
     ARCHIVE_CLAUSES, [rule for rule in ARCHIVE_RULES if rule[1] != "banned"]),
]  # fmt: skip


CLAUSE_KEYS = ("code", "pillar", "text", "check_method", "weight", "max_points", "photo_required")
RULE_KEYS = ("item_code", "kind", "max_quantity", "container", "slot_x_mm", "slot_y_mm",
             "slot_w_mm", "slot_h_mm", "min_edge_distance_mm", "marking", "marking_colour")  # fmt: skip


def starter_standards() -> list[Written]:
    items = {code: (name, aliases) for code, name, aliases in ITEMS}
    standards = []
    for code, name, title, width, depth, edge, note, clauses, rules in AREA_TYPES:
        clause_rows = [
            {
                **dict(zip(CLAUSE_KEYS, clause[: len(CLAUSE_KEYS)], strict=True)),
                "subject": clause[len(CLAUSE_KEYS)] if len(clause) > len(CLAUSE_KEYS) else "zone",
                "position": position,
            }
            for position, clause in enumerate(clauses, 1)
        ]
        for row in clause_rows:
            row["text"] = WORDING.get(row["code"], row["text"])
        rule_rows = []
        for position, rule in enumerate(rules, 1):
            row = dict(zip(RULE_KEYS, rule, strict=True))
            item_name, aliases = items[row["item_code"]]
            rule_rows.append(
                {
                    **row,
                    "item_name": item_name,
                    "aliases": aliases,
                    "note": "",
                    "position": position,
                }
            )
        standards.append(
            Written(
                area_type_code=code,
                area_type_name=name,
                title=title,
                width_mm=width,
                depth_mm=depth,
                default_edge_distance_mm=edge,
                note=note,
                clauses=clause_rows,
                rules=rule_rows,
            )
        )
    return standards


def starter_workbook() -> bytes:
    return build_workbook(starter_standards())
