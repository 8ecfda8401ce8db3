import pytest

from onsite.org.demo import seed_center
from onsite.programme import demo
from onsite.programme.models import (
    AcceptanceRound,
    Card,
    PhaseProgress,
    Programme,
    ProgressStatus,
    Wave,
)
from onsite.standards import demo as standards_demo

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_center(db):
    center = seed_center("zz", "ZZ市行政服务中心", 18)
    standards_demo.seed(center)
    demo.seed(center)
    return center


def test_the_demo_programme(demo_center):
    """One test, as seeding takes a while: the pilot, the rollout, the rounds, idempotency."""
    pilot_is_accepted_and_the_rollout_under_way(demo_center)
    one_round_is_closed_and_one_open_with_cards(demo_center)
    seeding_again_changes_nothing(demo_center)


def pilot_is_accepted_and_the_rollout_under_way(demo_center):
    programme = Programme.objects.get(center=demo_center)
    pilot = programme.waves.get(kind=Wave.Kind.PILOT)
    assert sorted(pilot.members.values_list("unit__code", flat=True)) == [
        "s1", "w01", "w02", "w03", "w04", "w05",
    ]  # fmt: skip
    pilot_progress = PhaseProgress.objects.filter(programme=programme, unit__code="w01")
    statuses = dict(pilot_progress.values_list("phase", "status"))
    assert statuses == {
        "sort": "accepted",
        "set_in_order": "accepted",
        "shine": "accepted",
        "standardize": "accepted",
        "sustain": "in_progress",
    }
    rollout = PhaseProgress.objects.filter(
        programme=programme, phase="sort", unit__code__in=["w12", "w13", "w18", "s2"]
    )
    assert set(rollout.values_list("status", flat=True)) <= {"in_progress", "awaiting"}


def one_round_is_closed_and_one_open_with_cards(demo_center):
    rounds = AcceptanceRound.objects.filter(center=demo_center)
    assert sorted(rounds.values_list("status", flat=True)) == ["closed", "open"]
    closed = rounds.get(status="closed")
    assert closed.entries.filter(rank=1).exists()
    assert Card.objects.filter(round=closed, kind=Card.Kind.RED_FLAG).exists()
    assert Card.objects.filter(round=closed, kind=Card.Kind.YELLOW).exists()
    accepted = PhaseProgress.objects.filter(
        programme=closed.programme, phase="sort", status=ProgressStatus.ACCEPTED
    ).exclude(unit__code__in=["s1", "w01", "w02", "w03", "w04", "w05"])
    assert accepted.exists(), "the closed round accepted some rollout units"
    opened = rounds.get(status="open")
    assert opened.assignments.count() >= opened.entries.count() * 2


def seeding_again_changes_nothing(demo_center):
    counts = (AcceptanceRound.objects.count(), Card.objects.count(), PhaseProgress.objects.count())
    demo.seed(demo_center)
    assert (
        AcceptanceRound.objects.count(),
        Card.objects.count(),
        PhaseProgress.objects.count(),
    ) == counts
