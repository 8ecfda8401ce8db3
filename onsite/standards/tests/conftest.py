import pytest

from onsite.core.tests.factories import AreaTypeFactory, ZoneFactory
from onsite.standards.models import Clause, ItemRule, StandardVersion
from onsite.standards.services import publish_version, start_revision
from onsite.standards.tests.factories import ClauseFactory, ItemFactory, ItemRuleFactory


def make_published(center, by, *, code="counter", phone_slot=(100, 80, 220, 200)):
    """A published counter standard: one clause, a phone and a cup with slots."""
    area = AreaTypeFactory(center=center, code=code, name="前台", width_mm=1600, depth_mm=700)
    draft = start_revision(area_type=area, by=by, note="first")
    ClauseFactory(standard_version=draft, code="C1", text="台面整洁")
    phone = ItemFactory(center=center, code="phone", name="电话")
    cup = ItemFactory(center=center, code="cup", name="水杯")
    x, y, w, h = phone_slot
    ItemRuleFactory(
        standard_version=draft,
        item=phone,
        max_quantity=1,
        slot_x_mm=x,
        slot_y_mm=y,
        slot_w_mm=w,
        slot_h_mm=h,
    )
    ItemRuleFactory(
        standard_version=draft,
        item=cup,
        max_quantity=1,
        slot_x_mm=400,
        slot_y_mm=500,
        slot_w_mm=90,
        slot_h_mm=90,
        min_edge_distance_mm=80,
    )
    draft.refresh_from_db()
    return area, publish_version(version=draft, by=by, expected_version=draft.version)


@pytest.fixture
def published(center, admin_user):
    return make_published(center, admin_user)


@pytest.fixture
def theirs(other_center, other_admin):
    """Another center's published standard, draft, clause, rule and zone."""
    area, version = make_published(other_center, other_admin)
    draft = start_revision(area_type=area, by=other_admin, note="theirs")
    zone = ZoneFactory(center=other_center, code="their-zone", area_type=area)
    return {
        "area": area,
        "version": version,
        "draft": draft,
        "clause": Clause.objects.filter(standard_version=draft).first(),
        "rule": ItemRule.objects.filter(standard_version=draft).first(),
        "zone": zone,
    }


@pytest.fixture
def draft(published, admin_user):
    area, _version = published
    return start_revision(area_type=area, by=admin_user, note="revise")


__all__ = ["StandardVersion", "make_published"]
