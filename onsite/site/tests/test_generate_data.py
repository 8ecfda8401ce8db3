"""manage.py generate_data at a tiny size: the shape of a generated center, its invariants,
and reproducibility from the seed."""

import datetime
import math
import random
from collections import Counter

import pytest
from django.core.management import CommandError, call_command
from django.db import models
from django.db.models import Q
from django.utils import timezone

from onsite.accounts.models import Role, User
from onsite.core.generate import period, working_days
from onsite.core.models import Center
from onsite.inspections.models import Answer, AnswerPhoto, Finding, Inspection
from onsite.org.models import Group, Membership, Unit, Zone
from onsite.rectification.models import Rectification, Transition
from onsite.site.management.commands.generate_data import GENERATORS, sort_spans
from onsite.standards.models import StandardVersion

UNTIL = "2026-05-20"  # a Wednesday; 14, 15, 18, 19 and 20 May are working days


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def generate(**options):
    options = {"centers": 1, "years": 0.02, "seed": 3, "until": UNTIL, **options}
    args = []
    for name, value in options.items():
        args += [f"--{name}", str(value)]
    call_command("generate_data", *args, stdout=open("/dev/null", "w"))  # noqa: SIM115


@pytest.mark.django_db
def test_a_generated_center_is_shaped_like_the_source_document(client):
    generate()
    center = Center.objects.get(code="gen01")
    assert Unit.objects.filter(center=center, kind=Unit.Kind.WINDOW).count() == 36
    assert Unit.objects.filter(center=center, kind=Unit.Kind.SECTION).count() == 3
    assert 95 <= Zone.objects.filter(center=center).count() <= 110
    assert not Zone.objects.filter(center=center, owner__isnull=True).exists()
    kinds = Counter(Group.objects.filter(center=center).values_list("kind", flat=True))
    assert kinds == {"leadership": 1, "office": 1, "promotion": 3, "working": 13}
    for group in Group.objects.filter(center=center, kind="working"):  # the 1:3 rule
        staff = User.objects.filter(unit__coverage__group=group).count()
        assert group.memberships.count() == math.ceil(staff / 3), group.name
    members = Membership.objects.filter(group__center=center, group_kind="working")
    assert members.exclude(user__role_grants__role=Role.MEMBER).count() == 0
    assert client.login(username="gen01-deputy1", password="Onsite@2026")
    assert client.get("/org/zones/").status_code == 200


@pytest.mark.django_db
def test_generated_inspections_follow_their_checklists_with_findings_and_rectifications():
    generate()
    center = Center.objects.get(code="gen01")
    inspections = Inspection.objects.filter(center=center)
    start, end = period(years=0.02, until=datetime.date.fromisoformat(UNTIL))
    days = working_days(start, end)
    assert len(days) == 5
    zones = Zone.objects.filter(center=center).count()
    # Most zones self-checked every working day plus 8 supervision checks a day; no
    # acceptance round in May.
    assert 0.8 * zones * len(days) < inspections.count() < (zones + 8) * len(days) + 1
    assert set(inspections.values_list("inspected_on", flat=True)) <= set(days)
    assert not inspections.filter(kind=Inspection.Kind.ACCEPTANCE).exists()
    for inspection in inspections.select_related("standard_version")[:20]:
        version = inspection.standard_version
        assert version.status in (StandardVersion.Status.PUBLISHED, StandardVersion.Status.RETIRED)
        clause_answers = inspection.answers.filter(source=Answer.Source.CLAUSE).count()
        assert clause_answers == version.clauses.count()
    submitted = inspections.filter(status=Inspection.Status.SUBMITTED)
    assert not submitted.filter(Q(score__isnull=True) | Q(band="")).exists()
    assert inspections.filter(status=Inspection.Status.DRAFT).exists()
    # A finding for every failed answer of a submitted inspection, and no other.
    failed = Answer.objects.filter(inspection__in=submitted, result="fail")
    assert Finding.objects.filter(center=center).count() == failed.count() > 0
    assert not failed.filter(photos__isnull=True).exists(), "failed checks have photos"
    assert AnswerPhoto.objects.filter(center=center).count() >= failed.count()
    # Repeats point at an earlier finding of the same check and zone, and cost double.
    repeats = Finding.objects.filter(center=center, is_repeat=True)
    assert repeats.exists()
    for finding in repeats.select_related("repeat_of", "answer")[:20]:
        assert finding.repeat_of.zone_id == finding.zone_id
        assert finding.repeat_of.check_key == finding.check_key
        assert 0 <= (finding.found_on - finding.repeat_of.found_on).days <= 30
        entered = finding.answer.deduction or (finding.answer.max_points + 1) // 2
        assert finding.deduction == min(entered * 2, finding.answer.max_points)
    # One rectification per finding, each with its assignment in the history.
    rectifications = Rectification.objects.filter(center=center)
    assert rectifications.count() == failed.count()
    assigned = Transition.objects.filter(rectification__center=center, action="assigned")
    assert assigned.count() == failed.count()
    assert set(rectifications.values_list("status", flat=True)) >= {"open", "closed"}
    assert not rectifications.filter(status="closed", closed_at__isnull=True).exists()


def _snapshot(center):
    """The generated data without ids and codes: what a seed must reproduce."""
    users = list(
        User.objects.filter(center=center)
        .order_by("username")
        .values_list("full_name", "title", "unit__name")
    )
    scores = list(
        Inspection.objects.filter(center=center)
        .order_by("inspected_on", "zone__code", "kind", "inspector__username")
        .values_list("zone__name", "kind", "score", "status")
    )
    failures = Counter(
        Answer.objects.filter(center=center, result="fail").values_list("key", flat=True)
    )
    return users, scores, failures


@pytest.mark.django_db
def test_the_same_seed_generates_the_same_data(settings):
    until = datetime.date.fromisoformat(UNTIL)
    snapshots = []
    for code, seed in (("a01", 5), ("b01", 5), ("c01", 6)):
        center = Center.objects.create(code=code, name=code)
        for domain, generate in GENERATORS.items():
            rng = random.Random(f"{seed}:{domain}")
            generate(center, years=0.005, rng=rng, until=until)
        snapshots.append(_snapshot(center))
    assert snapshots[0][1], "inspections were generated"
    assert snapshots[0] == snapshots[1]
    assert snapshots[0] != snapshots[2]


@pytest.mark.django_db
def test_it_refuses_to_generate_over_an_existing_center_and_runs_only_what_it_is_told():
    generate(only="org")
    assert Center.objects.filter(code="gen01").exists()
    assert not Inspection.objects.exists()
    with pytest.raises(CommandError, match="already exist"):
        generate(only="org")
    generate(only="org", first=2)
    assert Center.objects.filter(code="gen02").exists()
    with pytest.raises(CommandError, match="Unknown domain"):
        generate(only="nothing", first=3)
    with pytest.raises(CommandError, match="--years"):
        generate(years=0, first=4)


# --- the other domains, on a history with an acceptance round (2–6 March) and a whole month
# (March, published on 1 April) -------------------------------------------------------------

DOMAINS_UNTIL = "2026-04-10"


def _pages_answer(client, paths):
    assert client.login(username="gen01-deputy1", password="Onsite@2026")
    answers = {path: client.get(path).status_code for path in paths}
    assert answers == dict.fromkeys(paths, 200)


def _check_programme(center):
    from onsite.programme.models import (
        AcceptanceRound,
        Assignment,
        Card,
        MonthlyRanking,
        PhaseProgress,
        Programme,
        RatingSheet,
        RoundUnit,
        WaveUnit,
    )

    programme = Programme.objects.get(center=center)
    pilot = WaveUnit.objects.filter(programme=programme, wave__kind="pilot")
    assert sorted(pilot.values_list("unit__code", flat=True)) == [
        "s1", "w01", "w02", "w03", "w04", "w05"
    ]  # fmt: skip
    units = Unit.objects.filter(center=center).count()
    assert WaveUnit.objects.filter(programme=programme).count() == units
    progress = PhaseProgress.objects.filter(programme=programme)
    assert progress.count() == units * 5
    assert set(progress.values_list("status", flat=True)) == {
        "not_started", "in_progress", "awaiting", "accepted"
    }  # fmt: skip
    assert not progress.filter(status="accepted", gate={}).exists()
    rounds = AcceptanceRound.objects.filter(programme=programme)
    assert rounds.filter(status="closed").exists()
    for sheet in RatingSheet.objects.filter(center=center).select_related(
        "assignment", "inspection", "zone"
    ):
        assert sheet.inspection.kind == Inspection.Kind.ACCEPTANCE
        assert sheet.inspection.zone_id == sheet.zone_id
        assert sheet.zone.unit_id == sheet.assignment.unit_id
        assert sheet.inspection.inspector_id == sheet.assignment.rater_id
    # Raters come from other working groups than the unit's.
    for assignment in Assignment.objects.filter(center=center):
        assert not Group.objects.filter(
            pk=assignment.rater_group_id, units=assignment.unit_id
        ).exists()
    closed = RoundUnit.objects.filter(round__status="closed")
    assert not closed.filter(score__isnull=True).exists()
    assert Card.objects.filter(center=center, kind="red_flag").exists()
    assert MonthlyRanking.objects.filter(center=center, month="2026-03-01").exists()
    return programme, rounds.first()


def _check_surveys(center):
    from onsite.surveys.models import Participation, Response, Survey

    baseline, follow_up = Survey.objects.filter(center=center).order_by("opens_on")
    assert follow_up.baseline == baseline
    assert baseline.is_anonymous
    for survey in (baseline, follow_up):
        responses = Response.objects.filter(survey=survey)
        assert responses.count() == Participation.objects.filter(survey=survey).count() >= 5
        assert not responses.filter(respondent__isnull=False).exists()
        assert not responses.filter(unit__isnull=False).exists()
        assert responses.first().answers.exists()
    return baseline, follow_up


def _check_engagement(center):
    from onsite.engagement.models import Acknowledgement, Attendance, Suggestion, Training, Vote

    assert Attendance.objects.filter(training__center=center).exists()
    assert Training.objects.filter(center=center, attendances__isnull=True).exists()  # planned
    acknowledgements = Acknowledgement.objects.filter(center=center)
    assert acknowledgements.filter(acknowledged_at__isnull=False).exists()
    statuses = set(Suggestion.objects.filter(center=center).values_list("status", flat=True))
    assert statuses == {"submitted", "accepted", "rejected", "adopted"}
    assert Vote.objects.filter(suggestion__center=center).exists()
    return Training.objects.filter(center=center).first(), Suggestion.objects.filter(center=center).first()  # fmt: skip


def _check_ratings(center):
    from onsite.dashboards.models import CitizenRating, RatingImport

    ratings = CitizenRating.objects.filter(center=center)
    start, end = period(years=0.12, until=datetime.date.fromisoformat(DOMAINS_UNTIL))
    assert set(ratings.values_list("rated_on", flat=True)) == set(working_days(start, end))
    assert set(ratings.values_list("rating", flat=True)) <= {1, 2, 3, 4, 5}
    assert not ratings.exclude(unit__kind=Unit.Kind.WINDOW).exists()
    batches = RatingImport.objects.filter(center=center)
    assert sum(batches.values_list("rows", flat=True)) == ratings.count()


def _check_supplies(center):
    from onsite.supplies.models import Movement, Requisition, RequisitionLine, Supply

    for supply in Supply.objects.filter(center=center):
        balance = 0
        for quantity, after in (
            Movement.objects.filter(supply=supply).order_by("pk").values_list("quantity", "balance")
        ):
            balance += quantity
            assert after == balance >= 0
        assert supply.on_hand == balance
    statuses = set(Requisition.objects.filter(center=center).values_list("status", flat=True))
    assert {"submitted", "approved", "issued", "rejected"} <= statuses
    lines = RequisitionLine.objects.filter(requisition__center=center)
    assert not lines.filter(approved__isnull=False, issued__gt=models.F("approved")).exists()


def _check_red_tags(center):
    from onsite.redtags.models import RedTag

    tags = RedTag.objects.filter(center=center)
    assert set(tags.values_list("status", flat=True)) == {"held", "decided", "withdrawn"}
    assert not tags.filter(status="decided", decision="").exists()
    assert not tags.exclude(status="decided").exclude(decision="").exists()
    assert all(tag.transitions.count() == tag.version for tag in tags[:30])
    return tags.first()


def _check_red_tags_fall_in_the_sort_phase(center):
    """A unit's red tags were hung while it was in the programme's sort phase (its started and
    accepted days, or until today when not accepted yet)."""
    from onsite.redtags.models import RedTag

    spans = sort_spans(center)
    assert spans, "the programme started the sort phase of some units"
    until = datetime.date.fromisoformat(DOMAINS_UNTIL)
    tagged = RedTag.objects.filter(center=center, zone__unit_id__in=spans)
    rows = list(tagged.values_list("zone__unit_id", "tagged_at"))
    assert rows
    for unit, tagged_at in rows:
        started, accepted = spans[unit]
        assert started <= timezone.localtime(tagged_at).date() <= (accepted or until), unit


@pytest.mark.django_db
def test_every_other_domain_is_generated_consistently_and_its_pages_answer(client):
    generate(years=0.12, until=DOMAINS_UNTIL)
    center = Center.objects.get(code="gen01")
    programme, round_ = _check_programme(center)
    baseline, follow_up = _check_surveys(center)
    training, suggestion = _check_engagement(center)
    _check_ratings(center)
    _check_supplies(center)
    tag = _check_red_tags(center)
    _check_red_tags_fall_in_the_sort_phase(center)
    _pages_answer(
        client,
        [
            "/programme/", f"/programme/{programme.pk}/timeline/", "/programme/units/w01/",
            "/programme/rounds/", f"/programme/rounds/{round_.pk}/", "/programme/rankings/",
            "/programme/cards/", "/programme/interviews/",
            "/surveys/", f"/surveys/{baseline.pk}/results/", f"/surveys/{follow_up.pk}/compare/",
            "/engagement/", "/engagement/training/", f"/engagement/training/{training.pk}/",
            "/engagement/suggestions/", f"/engagement/suggestions/{suggestion.pk}/",
            "/engagement/acknowledgements/", "/engagement/leaderboard/",
            "/dashboards/", "/dashboards/ratings/", "/dashboards/scorecards/",
            "/dashboards/scorecards/w01/", "/dashboards/heatmap/",
            "/supplies/", "/supplies/requisitions/", "/supplies/consumption/",
            "/supplies/counts/", "/redtags/", "/redtags/figures/", f"/redtags/{tag.pk}/",
        ],
    )  # fmt: skip
