"""Blind scoring: until the round closes a rater sees only their own scores, through the
pages, the inspection engine's pages and the API; the office sees who has submitted, not
what they scored. After closing, the results are open."""

import pytest
from django.urls import reverse

from onsite.accounts.models import ApiToken
from onsite.programme import services
from onsite.programme.tests.conftest import rate

pytestmark = pytest.mark.django_db


def bearer(user):
    return {"HTTP_AUTHORIZATION": f"Bearer {ApiToken.issue(user=user, name='t')[1]}"}


@pytest.fixture
def scored(world, open_round):
    """rater1 scored u1 with 50% (both checks failed), rater2 scored u1 with 100%."""
    first = open_round.assignments.get(rater=world.raters[0], unit=world.units[0])
    second = open_round.assignments.get(rater=world.raters[1], unit=world.units[0])
    (sheet_one,) = rate(first, fail={"clause:C01", "clause:C02"})
    (sheet_two,) = rate(second)
    return first, second, sheet_one, sheet_two


def test_a_rater_cannot_open_another_raters_scores_before_closing(
    client_for, world, open_round, scored
):
    first, second, sheet_one, sheet_two = scored
    client = client_for(world.raters[1])
    # The other rater's assignment and inspection: not found, through either app's pages.
    assert client.get(reverse("programme:assignment-detail", args=[first.pk])).status_code == 404
    assert (
        client.get(reverse("inspections:inspection-detail", args=[sheet_one.pk])).status_code == 404
    )
    assert (
        client.get(reverse("inspections:inspection-detail", args=[sheet_two.pk])).status_code == 200
    )
    # Their own: visible, with their own score.
    own = client.get(reverse("programme:assignment-detail", args=[second.pk])).content.decode()
    assert 'data-testid="sheet-score"' in own
    assert "100.0%" in own
    # The round page shows nobody's score.
    page = client.get(reverse("programme:round-detail", args=[open_round.pk])).content.decode()
    assert "50.0" not in page
    assert 'data-testid="rater-scores"' not in page


def test_the_api_keeps_scores_blind_until_closing(client, world, open_round, scored):
    first, second, _one, _two = scored
    auth = bearer(world.raters[1])
    assert client.get(f"/api/v1/programme/assignments/{first.pk}", **auth).status_code == 404
    rows = client.get(f"/api/v1/programme/rounds/{open_round.pk}/assignments", **auth).json()
    assert {r["id"] for r in rows} == set(
        open_round.assignments.filter(rater=world.raters[1]).values_list("pk", flat=True)
    )
    own = next(r for r in rows if r["id"] == second.pk)
    assert own["score"] == "100.0" or float(own["score"]) == 100.0
    assert client.get(f"/api/v1/inspections/{_one.pk}", **auth).status_code == 404
    assert client.get(f"/api/v1/inspections/{_two.pk}", **auth).status_code == 200, "own sheet"
    office = bearer(world.office)
    all_rows = client.get(f"/api/v1/programme/rounds/{open_round.pk}/assignments", **office).json()
    assert len(all_rows) == 6
    assert all(r["score"] is None for r in all_rows), "the office sees progress, not scores"
    assert next(r for r in all_rows if r["id"] == first.pk)["submitted"] == 1
    detail = client.get(f"/api/v1/programme/rounds/{open_round.pk}", **office).json()
    assert all(e["score"] is None for e in detail["entries"])


def test_closing_opens_the_results(client, client_for, world, open_round, scored):
    services.close_round(round_=open_round, by=world.office)
    rows = client.get(
        f"/api/v1/programme/rounds/{open_round.pk}/assignments", **bearer(world.office)
    ).json()
    assert {float(r["score"]) for r in rows if r["score"] is not None} == {50.0, 100.0}
    page = (
        client_for(world.raters[1])
        .get(reverse("programme:round-detail", args=[open_round.pk]))
        .content.decode()
    )
    assert 'data-testid="rater-scores"' in page
    assert "50.0" in page


def test_overseers_see_no_sheet_through_the_inspection_pages_until_closing(
    client, client_for, world, open_round, scored, leader, supervisor
):
    """The office, leaders and supervisors see every other inspection; a sheet of an open
    round only once it closes (a supervisor who is also a rater would otherwise read the
    other raters' scores before scoring)."""
    _first, _second, sheet_one, _two = scored
    detail = reverse("inspections:inspection-detail", args=[sheet_one.pk])
    assert not sheet_one.findings.exists(), "acceptance rates; it opens no findings"
    for person in (world.office, leader, supervisor):
        viewer = client_for(person)
        assert viewer.get(detail).status_code == 404, person
        assert f'href="{detail}"' not in viewer.get("/inspections/").content.decode()
    api = client.get(f"/api/v1/inspections/{sheet_one.pk}", **bearer(world.office))
    assert api.status_code == 404
    services.close_round(round_=open_round, by=world.office)
    for person in (world.office, leader, supervisor):
        assert client_for(person).get(detail).status_code == 200, person
    assert f'href="{detail}"' in client_for(world.office).get("/inspections/").content.decode()
