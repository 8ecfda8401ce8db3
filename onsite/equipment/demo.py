"""Demo equipment: each window's counter has a rating device (评价器) and a document camera
(高拍仪), each back office a printer; one rating device is reported broken and one printer
was repaired last week. Idempotent: keyed by asset numbers, faults made once."""

from __future__ import annotations

from django.db import transaction

from onsite.accounts.models import User
from onsite.core.models import Center
from onsite.core.roles import Role
from onsite.equipment import actions
from onsite.equipment.models import Equipment, FaultReport
from onsite.org.models import Zone

COUNTER_KINDS = [(Equipment.Kind.RATING_DEVICE, "PJ"), (Equipment.Kind.DOC_CAMERA, "GP")]


def _register(zone: Zone, kind: str, asset: str) -> Equipment:
    return Equipment.objects.get_or_create(
        center_id=zone.center_id, asset_number=asset, defaults={"zone": zone, "kind": kind}
    )[0]


@transaction.atomic
def seed(center: Center) -> None:
    zones = list(
        Zone.objects.filter(center=center, area_type__code__in=["counter", "back-office"])
        .select_related("center", "owner", "unit")
        .order_by("code")
    )
    devices: list[Equipment] = []
    printers: list[Equipment] = []
    for zone in zones:
        if zone.code.endswith("-c"):
            for kind, prefix in COUNTER_KINDS:
                devices.append(_register(zone, kind, f"{center.code}-{prefix}-{zone.code}"))
        elif zone.code.endswith("-b"):
            printers.append(
                _register(zone, Equipment.Kind.PRINTER, f"{center.code}-DY-{zone.code}")
            )
    office = (
        User.objects.filter(center=center, role_grants__role=Role.OFFICE).order_by("pk").first()
    )
    if (
        office is None
        or not devices
        or not printers
        or FaultReport.objects.filter(center=center).exists()
    ):
        return
    broken = devices[0]
    reporter = broken.zone.owner or office
    actions.do_report(
        equipment=broken, by=reporter, description="评价器触摸屏无反应，群众无法评价。"
    )
    printer = printers[0]
    fault = actions.do_report(
        equipment=printer, by=printer.zone.owner or office, description="打印机卡纸，无法打印回执。"
    )
    actions.do_log(
        fault=fault, by=office, what="已联系维保单位上门检修。", expected_version=fault.version
    )
    fault.refresh_from_db()
    actions.do_close(
        fault=fault, by=office, note="更换进纸滚轮，测试打印正常。", expected_version=fault.version
    )
