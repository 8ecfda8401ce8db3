import pytest

from onsite.org.demo import seed_center
from onsite.standards import demo
from onsite.standards.models import ItemFiling, Pillar, StandardVersion

pytestmark = pytest.mark.django_db


def test_demo_standards_are_complete_and_idempotent():
    center = seed_center("xx", "XX市行政服务中心", 6)
    demo.seed(center)
    counts = (StandardVersion.objects.count(), ItemFiling.objects.count())
    demo.seed(center)
    assert (StandardVersion.objects.count(), ItemFiling.objects.count()) == counts
    published = StandardVersion.objects.published().filter(center=center)
    assert {v.standard.area_type.code for v in published} == {
        "counter",
        "back-office",
        "chief-office",
        "public",
        "archive",
    }
    for version in published:
        assert {c.pillar for c in version.clauses.all()} == set(Pillar.values)
    counter = published.get(standard__area_type__code="counter")
    allowed = set(counter.item_rules.exclude(kind="banned").values_list("item__name", flat=True))
    # The source document's seven, and the 好差评 rating device and service-paused sign.
    assert allowed == {
        "水杯",
        "显示器",
        "电话",
        "笔",
        "印泥",
        "宣传册",
        "高拍仪",
        "评价器",
        "暂停服务牌",
    }
    assert counter.default_edge_distance_mm == 50
    states = {f.state for f in ItemFiling.objects.filter(center=center)}
    assert {"requested", "approved", "expired", "rejected"} <= states
