"""The generator builds through the domain's rules: a generated rectification is due when
the working-day calendar says, and its history only makes the workflow's moves."""

import pytest
from django.core.management import call_command

from onsite.core.models import Center
from onsite.inspections.models import InspectionSettings
from onsite.rectification.calendar import add_working_days
from onsite.rectification.models import MOVES, Rectification, Transition


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.mark.django_db
def test_a_generated_rectifications_due_date_is_the_working_day_calendars():
    call_command(
        "generate_data", "--centers", "1", "--years", "0.05", "--seed", "5",
        "--until", "2025-10-20", stdout=open("/dev/null", "w"),  # noqa: SIM115
    )  # fmt: skip
    center = Center.objects.get(code="gen01")
    settings = InspectionSettings.for_center(center)
    rows = Rectification.objects.filter(center=center).select_related("finding")
    assert rows.count() > 20
    for rectification in rows.order_by("pk")[:300]:
        finding = rectification.finding
        due = add_working_days(finding.found_on, settings.working_days_for(finding.severity))
        assert (rectification.due_on, rectification.due_is_provisional) == (
            due.day,
            due.is_provisional,
        ), finding.found_on
    moves = Transition.objects.filter(rectification__center=center).exclude(from_status="")
    for old, new in set(moves.values_list("from_status", "to_status")):
        assert old == new or MOVES.allows(old, new)
