import datetime

import pytest

from onsite.core.concurrency import ConflictError
from onsite.core.tests.factories import AreaTypeFactory, ZoneFactory
from onsite.standards.models import ItemFiling, ItemRule, StandardVersion
from onsite.standards.queries import diff_versions, effective_standard
from onsite.standards.services import publish_version, start_revision
from onsite.standards.tests.factories import (
    ClauseFactory,
    ItemFactory,
    ItemFilingFactory,
    ItemRuleFactory,
)

pytestmark = pytest.mark.django_db


def _published(center, admin):
    area = AreaTypeFactory(center=center, code="counter")
    draft = start_revision(area_type=area, by=admin, note="first")
    ClauseFactory(standard_version=draft)
    phone = ItemFactory(center=center, code="phone", name="电话")
    ItemRuleFactory(standard_version=draft, item=phone, max_quantity=1)
    return area, publish_version(version=draft, by=admin, expected_version=draft.version)


def test_effective_standard_is_published_version_plus_active_filings(
    center, admin_user, django_assert_num_queries
):
    area, v1 = _published(center, admin_user)
    zone = ZoneFactory(center=center, area_type=area)
    plant = ItemFactory(center=center, code="plant", name="绿植")
    today = datetime.date(2026, 3, 10)
    ItemFilingFactory(
        zone=zone,
        item=plant,
        status=ItemFiling.Status.APPROVED,
        valid_from=today,
        valid_to=today + datetime.timedelta(days=30),
    )
    ItemFilingFactory(
        zone=zone, item=plant, status=ItemFiling.Status.REQUESTED, valid_from=today, valid_to=today
    )
    ItemFilingFactory(
        zone=zone,
        item=plant,
        status=ItemFiling.Status.APPROVED,
        valid_from=today - datetime.timedelta(days=60),
        valid_to=today - datetime.timedelta(days=1),
    )
    with django_assert_num_queries(4):
        eff = effective_standard(zone, on=today)
        assert eff.version == v1
        assert len(eff.clauses) == 1
        assert [r.item.code for r in eff.item_rules] == ["phone"]
        assert [f.item.code for f in eff.filings] == ["plant"]
        assert eff.item_rules[0].edge_distance_mm() == 50
    assert eff.verdict(plant).allowed
    assert eff.verdict(plant).max_quantity == 1
    after = effective_standard(zone, on=today + datetime.timedelta(days=31))
    assert not after.verdict(plant).allowed


def test_revision_copies_published_and_publish_retires_old(center, admin_user):
    area, v1 = _published(center, admin_user)
    draft = start_revision(area_type=area, by=admin_user, note="ban phone")
    assert draft.number == 2
    assert draft.based_on == v1
    assert start_revision(area_type=area, by=admin_user, note="again").pk == draft.pk
    rule = draft.item_rules.get()
    rule.kind = ItemRule.Kind.BANNED
    rule.save()
    draft.refresh_from_db()
    v2 = publish_version(version=draft, by=admin_user, expected_version=draft.version)
    v1.refresh_from_db()
    assert (v1.status, v2.status) == ("retired", "published")
    diff = diff_versions(v1, v2)
    assert [(c.kind, c.key, c.fields) for c in diff.item_rules] == [("changed", "phone", ("kind",))]


def test_second_publish_of_the_same_base_fails_cleanly(center, admin_user):
    area, v1 = _published(center, admin_user)
    a = start_revision(area_type=area, by=admin_user, note="a")
    b = StandardVersion.objects.create(center=center, standard=a.standard, number=9, based_on=v1)
    ClauseFactory(standard_version=b)
    publish_version(version=a, by=admin_user, expected_version=a.version)
    with pytest.raises(ConflictError):
        publish_version(version=b, by=admin_user, expected_version=b.version)
    assert StandardVersion.objects.filter(standard=a.standard, status="published").get() == a
