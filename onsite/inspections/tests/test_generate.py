"""The generator builds through the domain's rules: a generated inspection's score is what
the scoring function makes of its answers, and its repeats are the repeat rule's."""

import pytest
from django.core.management import call_command

from onsite.core.models import Center
from onsite.inspections.models import Finding, Inspection, InspectionSettings
from onsite.inspections.scoring import score_answers


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.mark.django_db
def test_a_generated_inspections_score_is_the_scoring_functions_on_its_answers():
    call_command(
        "generate_data", "--centers", "1", "--years", "0.02", "--seed", "5",
        "--until", "2026-05-20", stdout=open("/dev/null", "w"),  # noqa: SIM115
    )  # fmt: skip
    center = Center.objects.get(code="gen01")
    settings = InspectionSettings.for_center(center)
    submitted = Inspection.objects.filter(center=center, status="submitted")
    assert submitted.count() > 50
    for inspection in submitted.prefetch_related("answers").order_by("pk")[:200]:
        score = score_answers(inspection.answers.all(), settings)
        assert inspection.score == score.percent, inspection.pk
        assert inspection.points_earned == score.earned
        assert inspection.points_possible == score.possible
        assert inspection.pillar_scores == score.pillars
        assert (inspection.band, inspection.passed) == (score.band, score.passed)
    for finding in Finding.objects.filter(center=center, is_repeat=True).select_related(
        "repeat_of"
    )[:50]:
        assert finding.repeat_of is not None
        earlier = Finding.objects.repeats_of(
            zone=finding.zone,
            keys=[finding.check_key],
            on=finding.found_on,
            window_days=settings.repeat_window_days,
        ).exclude(inspection=finding.inspection)
        assert finding.repeat_of in earlier
