import pytest

from onsite.equipment import demo
from onsite.equipment.models import Equipment, FaultReport, RepairEntry
from onsite.org.demo import seed_center
from onsite.standards import demo as standards_demo
from onsite.standards.models import Clause

pytestmark = pytest.mark.django_db


def test_demo_equipment_and_faults_are_seeded_once():
    center = seed_center("xx", "XX市行政服务中心", 6)
    standards_demo.seed(center)
    demo.seed(center)
    counts = (Equipment.objects.count(), FaultReport.objects.count(), RepairEntry.objects.count())
    demo.seed(center)
    assert (
        Equipment.objects.count(),
        FaultReport.objects.count(),
        RepairEntry.objects.count(),
    ) == counts
    kinds = set(Equipment.objects.filter(center=center).values_list("kind", flat=True))
    assert kinds == {"rating_device", "doc_camera", "printer"}
    assert sorted(FaultReport.objects.values_list("status", flat=True)) == ["closed", "open"]
    counter = Clause.objects.filter(
        standard_version__standard__area_type__code="counter", standard_version__status="published"
    )
    person = set(counter.filter(subject="person").values_list("code", flat=True))
    assert person == {"QT-RY-1", "QT-RY-2", "QT-RY-3"}
