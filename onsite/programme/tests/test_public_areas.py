"""Issue 21, point 9: the hall's public areas and the archive have standards, so they are
inspected like any zone, and a programme round of the shine phase (清扫, which the source
document writes for the public areas) rates their shine checks. They are kept by 综合科,
whose zones they are: a round that rates 综合科 rates them."""

import pytest

from onsite.accounts.models import User
from onsite.inspections.models import Inspection
from onsite.inspections.services import start_inspection
from onsite.org.demo import seed_center
from onsite.org.models import Unit, Zone
from onsite.programme.models import PHASE_PILLARS
from onsite.programme.services.rounds import rateable_zones
from onsite.standards import demo as standards_demo

pytestmark = pytest.mark.django_db


@pytest.fixture
def hall():
    center = seed_center("zz", "ZZ市行政服务中心", 6)
    standards_demo.seed(center)
    return center


def test_public_areas_and_the_archive_belong_to_the_section_that_keeps_them(hall):
    general = Unit.objects.get(center=hall, name="综合科")
    kept = set(Zone.objects.filter(center=hall, unit=general).values_list("code", flat=True))
    assert {"a1", "p1", "p2", "p3", "p4"} <= kept
    assert not Zone.objects.filter(center=hall, unit__isnull=True).exists()
    rateable = {z.code for z in rateable_zones([general])[general.pk]}
    assert {"a1", "p1", "p2", "p3", "p4"} <= rateable


def test_a_shine_round_rates_the_public_areas_shine_checks(hall):
    rater = User.objects.filter(center=hall, role_grants__role="member").first()
    waiting_area = Zone.objects.get(center=hall, code="p1")
    sheet = start_inspection(
        zone=waiting_area, kind=Inspection.Kind.ACCEPTANCE, inspector=rater,
        resume=False, pillars=PHASE_PILLARS["shine"],
    )  # fmt: skip
    keys = set(sheet.answers.values_list("key", flat=True))
    assert {key.split(":")[-1] for key in keys} == {"GG-SH-1", "GG-SH-2"}, keys
    assert set(sheet.answers.values_list("pillar", flat=True)) == {"shine"}


def test_a_supervision_of_the_archive_has_its_whole_standard(hall):
    supervisor = User.objects.filter(center=hall, role_grants__role="supervisor").first()
    archive = Zone.objects.get(center=hall, code="a1")
    inspection = start_inspection(
        zone=archive, kind=Inspection.Kind.SUPERVISION, inspector=supervisor
    )
    clauses = {
        key.split(":")[-1]
        for key in inspection.answers.filter(source="clause").values_list("key", flat=True)
    }
    assert {"DA-SO-1", "DA-SIO-1", "DA-SH-1", "DA-ST-1", "DA-SA-1"} <= clauses
    assert inspection.answers.exclude(source="clause").exists(), "the archive's item checks"
