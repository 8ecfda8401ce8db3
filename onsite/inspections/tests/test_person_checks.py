"""Person checks (GB/T 36112-2018 staff on post): a failed person clause names the staff
member of the zone's unit it concerns; the finding is theirs to fix, shows on their home page
and counts in their unit's figures."""

import pytest
from django.urls import reverse
from django.utils import timezone

from onsite.core.refusals import Conflict, Invalid
from onsite.core.tests.factories import UnitFactory, UserFactory, ZoneFactory
from onsite.dashboards import rollups
from onsite.dashboards.models import UnitDay
from onsite.inspections import services
from onsite.inspections.models import Answer, Finding
from onsite.inspections.services import AnswerInput
from onsite.inspections.tests.factories import published_standard
from onsite.notifications.models import Notification
from onsite.rectification.models import Rectification
from onsite.standards.models import Clause
from onsite.standards.tests.factories import ClauseFactory

pytestmark = pytest.mark.django_db
API = "/api/v1/inspections"
BADGE = "clause:RY-1"


@pytest.fixture
def unit(center):
    return UnitFactory(center=center, code="w01", name="一号窗口")


@pytest.fixture
def clerk(center, unit):
    return UserFactory(
        center=center, username="clerk1", full_name="王小明", roles=["staff"],
        unit=unit,
    )  # fmt: skip


@pytest.fixture
def stranger(center):
    """Staff of another unit: never a choice for this zone's person checks."""
    return UserFactory(
        center=center, username="other-unit", roles=["staff"], unit=UnitFactory(center=center)
    )


@pytest.fixture
def counter(center, unit, owner):
    version = published_standard(center, clauses=2, with_items=False)
    ClauseFactory(
        standard_version=version, code="RY-1", pillar="sustain", position=9,
        text="规范佩戴工牌", subject=Clause.Subject.PERSON,
    )  # fmt: skip
    return ZoneFactory(center=center, area_type=version.standard.area_type, owner=owner, unit=unit)


def answered(zone, by, *, person=None, fail=True):
    inspection = services.start_inspection(zone=zone, kind="supervision", inspector=by)
    return services.save_answers(
        inspection=inspection,
        by=by,
        expected_version=inspection.version,
        answers=[
            AnswerInput(
                a.pk,
                "fail" if fail and a.key == BADGE else "pass",
                note="未佩戴工牌" if a.key == BADGE else "",
                person=person.pk if person and a.key == BADGE else None,
            )
            for a in inspection.answers.all()
        ],
    )


def auth(user):
    from onsite.accounts.models import ApiToken

    return {"HTTP_AUTHORIZATION": f"Bearer {ApiToken.issue(user=user, name='t')[1]}"}


def test_a_person_clause_is_copied_into_the_checklist(counter, supervisor):
    inspection = services.start_inspection(zone=counter, kind="supervision", inspector=supervisor)
    subjects = dict(inspection.answers.values_list("key", "subject"))
    assert subjects == {"clause:C01": "zone", "clause:C02": "zone", BADGE: "person"}


def test_a_failed_person_check_needs_the_person_before_submitting(counter, supervisor):
    inspection = answered(counter, supervisor)
    with pytest.raises(Conflict) as refused:
        services.submit_inspection(inspection=inspection, by=supervisor)
    assert refused.value.code == "incomplete"
    assert "规范佩戴工牌" in str(refused.value.message)
    assert not Finding.objects.exists()


def test_only_staff_of_the_zones_unit_may_be_named(counter, supervisor, stranger, other_center):
    foreign = UserFactory(center=other_center, username="far", roles=["staff"])
    for person in (stranger, foreign):
        with pytest.raises(Invalid):
            answered(counter, supervisor, person=person)
    assert not Answer.objects.filter(person__isnull=False).exists()


def test_a_passed_person_check_keeps_no_person(counter, supervisor, clerk):
    answered(counter, supervisor, person=clerk, fail=False)
    assert Answer.objects.get(key=BADGE).person is None


def test_the_finding_is_the_persons_on_their_home_and_in_their_units_figures(
    client_for, counter, supervisor, clerk, unit, owner, django_capture_on_commit_callbacks
):
    inspection = answered(counter, supervisor, person=clerk)
    with django_capture_on_commit_callbacks(execute=True):
        services.submit_inspection(inspection=inspection, by=supervisor)
    finding = Finding.objects.get()
    assert (finding.person, finding.zone, finding.text) == (clerk, counter, "未佩戴工牌")
    rectification = Rectification.objects.get(finding=finding)
    assert rectification.assignee == clerk  # not the zone owner: the person fixes it
    assert Notification.objects.filter(user=clerk, kind="rectification.assigned").exists()
    assert not Notification.objects.filter(user=owner).exists()

    home = client_for(clerk).get(reverse("site:home"))
    assert home.status_code == 200
    assert "未佩戴工牌" in home.content.decode()
    assert reverse("rectification:rectification-detail", args=[rectification.pk]) in (
        home.content.decode()
    )
    detail = client_for(clerk).get(reverse("inspections:finding-detail", args=[finding.pk]))
    assert detail.status_code == 200
    assert "clerk1" in detail.content.decode()

    summary = client_for(supervisor).get(
        reverse("inspections:inspection-detail", args=[finding.inspection_id])
    )
    assert 'data-testid="answer-person"' in summary.content.decode()
    assert "clerk1" in summary.content.decode()

    rollups.refresh(counter.center)
    day = UnitDay.objects.get(center=counter.center, unit=unit, day=timezone.localdate())
    assert day.findings == 1
    card = client_for(supervisor).get(reverse("dashboards:scorecard", args=[unit.code]))
    assert card.status_code == 200
    assert "未佩戴工牌" in card.content.decode()
    assert "王小明" in card.content.decode()


def test_the_checklist_page_offers_the_units_people_and_saves_the_choice(
    client_for, counter, supervisor, clerk, stranger
):
    inspection = services.start_inspection(zone=counter, kind="supervision", inspector=supervisor)
    badge = inspection.answers.get(key=BADGE)
    url = reverse("inspections:inspection-edit", args=[inspection.pk])
    page = client_for(supervisor).get(url)
    body = page.content.decode()
    assert f'name="a{badge.pk}-person"' in body
    assert "clerk1" in body
    assert "other-unit" not in body
    saved = client_for(supervisor).post(
        url,
        {
            "version": inspection.version,
            "action": "save",
            f"a{badge.pk}-result": "fail",
            f"a{badge.pk}-note": "未佩戴工牌",
            f"a{badge.pk}-person": str(clerk.pk),
        },
    )
    assert saved.status_code == 302
    badge.refresh_from_db()
    assert badge.person == clerk
    refused = client_for(supervisor).post(
        url,
        {
            "version": inspection.version + 1,
            "action": "save",
            f"a{badge.pk}-result": "fail",
            f"a{badge.pk}-person": str(stranger.pk),
        },
    )
    assert refused.status_code == 422


def test_the_api_lists_the_people_and_takes_the_person(
    client, counter, supervisor, clerk, stranger, other_supervisor
):
    inspection = services.start_inspection(zone=counter, kind="supervision", inspector=supervisor)
    people = client.get(f"{API}/{inspection.pk}/people", **auth(supervisor))
    assert people.status_code == 200
    assert [p["username"] for p in people.json()] == ["clerk1"]
    assert people.json()[0]["unit"] == "一号窗口"
    assert client.get(f"{API}/{inspection.pk}/people").status_code == 401
    assert client.get(f"{API}/{inspection.pk}/people", **auth(other_supervisor)).status_code == 404
    badge = inspection.answers.get(key=BADGE)
    body = {
        "version": inspection.version,
        "answers": [{"id": badge.pk, "result": "fail", "note": "x", "person": stranger.pk}],
    }
    bad = client.post(
        f"{API}/{inspection.pk}/answers", body, content_type="application/json", **auth(supervisor)
    )
    assert bad.status_code == 422
    body["answers"][0]["person"] = clerk.pk
    good = client.post(
        f"{API}/{inspection.pk}/answers", body, content_type="application/json", **auth(supervisor)
    )
    assert good.status_code == 200
    detail = client.get(f"{API}/{inspection.pk}", **auth(supervisor)).json()
    row = next(a for a in detail["answers"] if a["id"] == badge.pk)
    assert (row["subject"], row["person"]) == ("person", clerk.pk)


def test_the_clause_form_sets_the_subject(client_for, admin_user, center):
    from onsite.standards.services import start_revision

    version = published_standard(center, clauses=1, with_items=False)
    clause = version.clauses.get()
    area = version.standard.area_type
    draft = start_revision(area_type=area, by=admin_user, note="人员检查")
    copy = draft.clauses.get(code=clause.code)
    url = f"/standards/clauses/{copy.pk}/edit/"
    page = client_for(admin_user).get(url)
    assert 'name="subject"' in page.content.decode()
    data = {
        "code": copy.code, "pillar": "sustain", "position": 1, "text": "规范佩戴工牌",
        "weight": 1, "max_points": 10, "row_version": copy.version, "subject": "person",
    }  # fmt: skip
    assert client_for(admin_user).post(url, data).status_code == 302
    copy.refresh_from_db()
    assert copy.subject == "person"


def test_a_revision_copies_the_subject(admin_user, counter):
    from onsite.standards.services import start_revision

    draft = start_revision(area_type=counter.area_type, by=admin_user, note="修订")
    assert draft.clauses.get(code="RY-1").subject == "person"
    assert draft.clauses.get(code="C01").subject == "zone"
