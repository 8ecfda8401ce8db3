"""The synthetic history of a center builds through the domain's rules (issue 15): the points
a deed earns, the moves of a review and the rule that nobody votes for their own suggestion."""

import random

from django.utils import timezone

from onsite.core.tests.factories import UnitFactory, UserFactory
from onsite.engagement import generate
from onsite.engagement.models import (
    SUGGESTION_MOVES,
    PointEntry,
    Suggestion,
    Training,
    point_source,
)


def test_a_generated_history_follows_the_rules_of_points_reviews_and_votes(center, leader):
    unit = UnitFactory(center=center)
    UserFactory(center=center, username="gen-office", roles=["office"])
    for index in range(8):
        UserFactory(center=center, unit=unit, username=f"gen-staff{index}", roles=["staff"])
    generate.generate(center, years=0.3, rng=random.Random(7), until=timezone.localdate())
    suggestions = list(Suggestion.objects.filter(center=center))
    assert suggestions
    for entry in PointEntry.objects.filter(center=center):
        assert entry.points == PointEntry.POINTS[PointEntry.Reason(entry.reason)]
    for suggestion in suggestions:
        earned = set(
            PointEntry.objects.filter(source=point_source(suggestion)).values_list(
                "reason", flat=True
            )
        )
        assert earned == {"submitted", *PointEntry.for_review(suggestion.status)}
        moves = list(suggestion.transitions.values_list("from_status", "to_status"))
        assert moves[0] == ("submitted", "submitted")
        assert all(SUGGESTION_MOVES.allows(*move) for move in moves[1:])
        assert moves[-1][1] == suggestion.status
        assert not suggestion.votes.filter(user_id=suggestion.author_id).exists()
    for training in Training.objects.filter(center=center):
        trained = PointEntry.objects.filter(source=point_source(training), reason="trained")
        assert trained.count() == training.attendances.count()
