import datetime
from decimal import Decimal

import pytest

from onsite.core.concurrency import ConflictError
from onsite.core.refusals import Refusal
from onsite.core.tests.factories import UserFactory
from onsite.inspections import services
from onsite.inspections.models import Answer, Finding, Inspection
from onsite.inspections.services import AnswerInput
from onsite.inspections.tests.conftest import image_upload
from onsite.inspections.tests.factories import zone_with_standard
from onsite.rectification.models import Rectification

pytestmark = pytest.mark.django_db


def answer_all(inspection, by, *, fail=(), deduction=None):
    answers = list(inspection.answers.all())
    return services.save_answers(
        inspection=inspection,
        by=by,
        expected_version=inspection.version,
        answers=[
            AnswerInput(
                a.pk,
                "fail" if a.key in fail else "pass",
                deduction=deduction,
                note="问题" if a.key in fail else "",
            )
            for a in answers
        ],
    )


def test_checklist_comes_from_the_effective_standard(center, supervisor):
    zone, version = zone_with_standard(center)
    inspection = services.start_inspection(zone=zone, kind="supervision", inspector=supervisor)
    keys = list(inspection.answers.values_list("key", flat=True))
    assert keys == [
        "clause:C01",
        "clause:C02",
        "clause:C03",
        "items:allowed",
        "items:quantity",
        "items:place",
        "items:edge",
    ]
    assert inspection.standard_version == version
    allowed = inspection.answers.get(key="items:allowed")
    assert "水杯" in allowed.text
    assert "✗ 零食" in allowed.text


def test_submit_scores_and_opens_rectifications(center, supervisor, staff_user):
    zone, _ = zone_with_standard(center, owner=staff_user)
    inspection = services.start_inspection(zone=zone, kind="supervision", inspector=supervisor)
    inspection = answer_all(inspection, supervisor, fail={"clause:C02", "items:quantity"})
    inspection = services.submit_inspection(inspection=inspection, by=supervisor)
    # possible: C01 10 + C02 20 + C03 10 + 4 item checks × 10 = 80; lost: C02 2×5, qty 5
    assert inspection.score == Decimal("81.3")
    assert inspection.band == "green"
    assert inspection.passed is True
    assert inspection.pillar_scores["set_in_order"] == pytest.approx(70.0)  # 35 of 50
    assert Finding.objects.filter(inspection=inspection).count() == 2
    assert Rectification.objects.filter(assignee=staff_user).count() == 2


def test_double_submit_makes_one_inspection(center, supervisor):
    zone, _ = zone_with_standard(center)
    first = services.start_inspection(
        zone=zone, kind="supervision", inspector=supervisor, submission_key="k1"
    )
    again = services.start_inspection(
        zone=zone, kind="supervision", inspector=supervisor, submission_key="k1", resume=False
    )
    assert first.pk == again.pk
    first = answer_all(first, supervisor, fail={"clause:C01"})
    services.submit_inspection(inspection=first, by=supervisor, submission_key="s1")
    services.submit_inspection(inspection=first, by=supervisor, submission_key="s1")
    services.submit_inspection(inspection=first, by=supervisor)
    assert Inspection.objects.count() == 1
    assert Finding.objects.count() == 1


def test_a_twin_that_claimed_the_key_first_wins_and_nothing_of_the_second_stays(
    center, supervisor, monkeypatch
):
    """Two requests with one key racing on PostgreSQL: both pass the "already done?" check,
    the second's claim finds the first's key. It must answer with the first's objects and
    keep nothing of its own (no query may run after the rollback mark, or it fails)."""
    zone, _ = zone_with_standard(center)
    first = services.start_inspection(
        zone=zone, kind="supervision", inspector=supervisor, submission_key="race"
    )
    monkeypatch.setattr(services, "existing_submission", lambda **_kwargs: None)
    twin = services.start_inspection(
        zone=zone, kind="supervision", inspector=supervisor, submission_key="race", resume=False
    )
    assert twin.pk == first.pk
    assert Inspection.objects.count() == 1
    answer = first.answers.first()
    photo = services.add_photo(
        answer=answer, by=supervisor, upload=image_upload(), submission_key="p"
    )
    again = services.add_photo(
        answer=answer, by=supervisor, upload=image_upload(), submission_key="p"
    )
    assert again.pk == photo.pk
    assert answer.photos.count() == 1


def test_a_submit_that_lost_to_a_concurrent_submit_answers_with_the_submitted_one(
    center, supervisor
):
    zone, _ = zone_with_standard(center)
    draft = answer_all(
        services.start_inspection(zone=zone, kind="supervision", inspector=supervisor),
        supervisor,
    )
    stale = Inspection.objects.get(pk=draft.pk)
    services.submit_inspection(inspection=draft, by=supervisor)
    again = services.submit_inspection(inspection=stale, by=supervisor)
    assert again.is_submitted
    assert Inspection.objects.get(pk=draft.pk).version == draft.version


def test_two_people_saving_the_same_draft(center, supervisor):
    other = UserFactory(center=center, roles=["supervisor"])
    zone, _ = zone_with_standard(center)
    inspection = services.start_inspection(zone=zone, kind="supervision", inspector=supervisor)
    seen = inspection.version
    first = inspection.answers.first()
    services.save_answers(
        inspection=inspection, by=supervisor, expected_version=seen,
        answers=[AnswerInput(first.pk, "pass")],
    )  # fmt: skip
    stale = Inspection.objects.get(pk=inspection.pk)
    with pytest.raises(ConflictError):
        services.save_answers(
            inspection=stale, by=other, expected_version=seen,
            answers=[AnswerInput(first.pk, "fail")],
        )  # fmt: skip
    assert Answer.objects.get(pk=first.pk).result == "pass"


def test_repeat_finding_doubles_its_deduction(center, supervisor):
    zone, _ = zone_with_standard(center)
    today = datetime.date(2025, 6, 10)
    one = services.start_inspection(
        zone=zone, kind="supervision", inspector=supervisor, on=today - datetime.timedelta(days=20)
    )
    one = answer_all(one, supervisor, fail={"clause:C01"}, deduction="3")
    services.submit_inspection(inspection=one, by=supervisor)
    two = services.start_inspection(zone=zone, kind="supervision", inspector=supervisor, on=today)
    two = answer_all(two, supervisor, fail={"clause:C01"}, deduction="3")
    services.submit_inspection(inspection=two, by=supervisor)
    repeat = Finding.objects.get(inspection=two)
    assert repeat.is_repeat
    assert repeat.deduction == Decimal(6)
    assert repeat.repeat_of == Finding.objects.get(inspection=one)


def test_a_zone_without_published_standard_cannot_be_inspected(center, supervisor):
    from onsite.core.tests.factories import ZoneFactory

    zone = ZoneFactory(center=center)
    with pytest.raises(Refusal):
        services.start_inspection(zone=zone, kind="supervision", inspector=supervisor)
