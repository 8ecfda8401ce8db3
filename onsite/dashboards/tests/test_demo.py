import random

import pytest
from django.db.models import Count, Max, Min, Sum
from django.utils import timezone

from onsite.dashboards import demo
from onsite.dashboards.generate import generate
from onsite.dashboards.models import CitizenRating, RatingImport, RollupState, UnitDay
from onsite.org.demo import seed_center
from onsite.org.models import Unit

pytestmark = pytest.mark.django_db


def test_the_demo_ratings_and_roll_ups():
    center = seed_center("zz", "ZZ市行政服务中心", 6)
    demo.seed(center)
    imports = RatingImport.objects.filter(center=center)
    assert 1 <= imports.count() <= demo.MONTHS
    ratings = CitizenRating.objects.filter(center=center)
    assert ratings.count() > 50
    assert set(ratings.values_list("unit__kind", flat=True)) == {Unit.Kind.WINDOW}
    assert set(ratings.values_list("rating", flat=True)) <= {1, 2, 3, 4, 5}
    # The roll-ups are computed: the dashboard has figures at once.
    assert RollupState.objects.get(center=center).refreshed_at is not None
    rolled = UnitDay.objects.filter(center=center).aggregate(
        n=Sum("r1") + Sum("r2") + Sum("r3") + Sum("r4") + Sum("r5")
    )["n"]
    assert rolled == ratings.counted().count()
    # The national shape: cases, items, staff, default ratings apart, and 差评 with reasons.
    assert ratings.exclude(case_number="").count() == ratings.count()
    assert ratings.filter(is_default=True).exists()
    assert ratings.filter(staff__isnull=False).exists()
    assert not ratings.bad().filter(reason="").exists()
    from onsite.complaints.models import Complaint

    recent = ratings.bad().filter(rated_on__gte=timezone.localdate() - demo.CASES_FOR)
    cases = Complaint.objects.filter(center=center)
    assert cases.count() == recent.count() > 0, "the last two weeks' 差评 opened cases"
    assert set(cases.values_list("rating_id", flat=True)) == set(
        recent.values_list("pk", flat=True)
    )
    # Seeding again changes nothing.
    demo.seed(center)
    assert CitizenRating.objects.filter(center=center).count() == ratings.count()
    assert RatingImport.objects.filter(center=center).count() == imports.count()
    assert Complaint.objects.filter(center=center).count() == cases.count()


def test_generated_imports_follow_the_import_rule(center, the_hall):
    """The generator builds each month's import record with the import's own rule
    (`services.new_batch`): its count and days are those of the ratings it brought."""
    generate(center, years=0.2, rng=random.Random(7), until=timezone.localdate())
    batches = RatingImport.objects.filter(center=center).annotate(
        n=Count("ratings"), first=Min("ratings__rated_on"), last=Max("ratings__rated_on")
    )
    assert batches
    for batch in batches:
        assert (batch.rows, batch.first_day, batch.last_day) == (batch.n, batch.first, batch.last)
