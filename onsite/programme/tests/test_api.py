"""The API: each endpoint allowed and denied (wrong role 403, another center 404, anonymous
401), and the same rules as the pages."""

import pytest
from django.utils import timezone

from onsite.accounts.models import ApiToken
from onsite.programme import services
from onsite.programme.models import AcceptanceRound, Card, Interview, PhaseProgress, SignOff
from onsite.programme.tests.conftest import closed_last_month, rate

pytestmark = pytest.mark.django_db
API = "/api/v1/programme"


def bearer(user):
    return {"HTTP_AUTHORIZATION": f"Bearer {ApiToken.issue(user=user, name='t')[1]}"}


def get(client, user, path, **params):
    return client.get(f"{API}{path}", params, **bearer(user))


def post(client, user, path, body=None, **headers):
    return client.post(
        f"{API}{path}", body or {}, content_type="application/json", **bearer(user), **headers
    )


def test_anonymous_gets_401(client, world):
    for path in ["/programmes", "/rounds", "/cards", "/progress", "/rankings/monthly"]:
        assert client.get(f"{API}{path}").status_code == 401, path


@pytest.mark.parametrize(
    "path", ["/programmes", "/rounds", "/cards", "/progress", "/rankings/monthly", "/units/u1/gate"]
)
def test_reads_for_members_not_for_auditors(client, world, member, auditor, path):
    assert get(client, member, path).status_code == 200
    # The auditor's credentials open no business API at all (separation of duties).
    assert get(client, auditor, path).status_code == 401


def test_programmes_waves_timeline(client, world, member):
    (programme,) = get(client, member, "/programmes").json()
    assert programme["name"] == "标准化现场管理"
    waves = get(client, member, f"/programmes/{programme['id']}/waves").json()
    assert waves[0]["kind"] == "pilot"
    assert waves[0]["units"] == ["u1", "u2", "u3"]
    assert [p["phase"] for p in waves[0]["phases"]] == [
        "sort",
        "set_in_order",
        "shine",
        "standardize",
    ]
    rows = get(client, member, f"/programmes/{programme['id']}/timeline").json()
    assert rows[0]["phase"] == "sort"
    assert rows[0]["actual_start"] is not None


def test_creating_a_programme_needs_the_office(client, center, office_user, member):
    body = {"name": "二期", "starts_on": "2026-05-01"}
    assert post(client, member, "/programmes", body).status_code == 403
    nul = {"name": "二\x00期", "starts_on": "2026-05-01"}
    assert post(client, office_user, "/programmes", nul).status_code == 422
    response = post(client, office_user, "/programmes", body)
    assert response.status_code == 200
    taken = post(client, office_user, "/programmes", body)
    assert (taken.status_code, taken.json()["code"]) == (409, "name_taken")
    bad = {"name": "三期", "starts_on": "2026-05-01", "ends_on": "2026-01-01"}
    assert post(client, office_user, "/programmes", bad).status_code == 422


def test_another_centers_objects_are_404(client, world, other_admin):
    programme = world.programme.pk
    for path in [f"/programmes/{programme}", f"/programmes/{programme}/waves", "/units/u1/gate"]:
        assert get(client, other_admin, path).status_code == 404, path
    progress = PhaseProgress.objects.filter(unit=world.units[0]).first()
    assert post(client, other_admin, f"/progress/{progress.pk}/check").status_code == 404


def test_progress_gate_check_and_override(client, world, group_leader, member):
    rows = get(client, member, "/progress", unit="u1").json()
    assert [r["phase"] for r in rows] == ["sort", "set_in_order", "shine", "standardize", "sustain"]
    gate = get(client, member, "/units/u1/gate").json()
    assert gate["phase"] == "sort"
    assert {c["code"]: c["holds"] for c in gate["conditions"]}["no_overdue"] is True
    sort = rows[0]
    assert post(client, member, f"/progress/{sort['id']}/check").status_code == 403
    checked = post(client, group_leader, f"/progress/{sort['id']}/check").json()
    assert checked["passes"] is False
    override = {"reason": "领导小组同意", "version": sort["version"]}
    assert (
        post(client, group_leader, f"/progress/{sort['id']}/override", override).status_code == 403
    )
    response = post(client, world.office, f"/progress/{sort['id']}/override", override)
    assert response.json()["status"] == "in_progress", "waits for the leadership's approval"
    assert response.json()["overridden"] is False
    again = post(client, world.office, f"/progress/{sort['id']}/override", override)
    assert again.status_code == 200
    assert SignOff.objects.filter(progress_id=sort["id"]).count() == 1, "asked once"


def test_preview_and_open_a_round(client, world, member):
    body = {"phase": "sort", "units": ["u1", "u2", "u3"], "min_raters": 2, "seed": 4}
    assert post(client, member, "/rounds/preview", body).status_code == 403
    preview = post(client, world.office, "/rounds/preview", body).json()
    assert preview["ok"] is True
    assert preview["min_load"] == preview["max_load"] == 3
    bad = post(client, world.office, "/rounds/preview", {**body, "min_raters": 3}).json()
    assert bad["ok"] is False
    assert bad["problems"][0]["text"]
    infeasible = post(client, world.office, "/rounds", {**body, "min_raters": 3})
    assert (infeasible.status_code, infeasible.json()["code"]) == (409, "infeasible")
    assert bad["problems"][0]["text"] in infeasible.json()["detail"]
    assert post(client, member, "/rounds", body).status_code == 403
    opened = post(client, world.office, "/rounds", body, HTTP_IDEMPOTENCY_KEY="r-1").json()
    again = post(client, world.office, "/rounds", body, HTTP_IDEMPOTENCY_KEY="r-1").json()
    assert opened["id"] == again["id"]
    assert AcceptanceRound.objects.count() == 1
    assert post(client, world.office, "/rounds", {**body, "units": ["nope"]}).status_code == 422


def test_a_rater_starts_a_sheet_and_nobody_else_can(client, world, open_round, member):
    mine = get(client, world.raters[0], f"/rounds/{open_round.pk}/assignments").json()
    assert {a["rater"] for a in mine} == {"rater1"}
    target = f"/assignments/{mine[0]['id']}/sheets"
    zone = mine[0]["unit"] + "-c"
    assert post(client, world.raters[1], target, {"zone": zone}).status_code == 404
    assert post(client, member, target, {"zone": zone}).status_code == 404
    assert post(client, world.office, target, {"zone": zone}).status_code == 403
    sheet = post(client, world.raters[0], target, {"zone": zone}).json()
    assert sheet["status"] == "draft"
    assert post(client, world.raters[0], target, {"zone": "u4-c"}).status_code == 422


def test_closing_needs_the_office(client, world, open_round, member, other_admin):
    target = f"/rounds/{open_round.pk}/close"
    assert post(client, member, target, {"version": 1}).status_code == 403
    assert post(client, other_admin, target, {"version": 1}).status_code == 404
    closed = post(client, world.office, target, {"version": 1, "confirm": True}).json()
    assert closed["status"] == "closed"


def test_closing_asks_what_the_page_asks(client, world, open_round):
    """As on the page: the version the closer saw, and a confirmation while ratings are
    missing (they will not count)."""
    target = f"/rounds/{open_round.pk}/close"
    assert post(client, world.office, target, {}).status_code == 422, "the version is required"
    unconfirmed = post(client, world.office, target, {"version": 1})
    assert (unconfirmed.status_code, unconfirmed.json()["code"]) == (409, "incomplete_sheets")
    stale = post(client, world.office, target, {"version": 0, "confirm": True})
    assert (stale.status_code, stale.json()["code"]) == (409, "stale")
    open_round.refresh_from_db()
    assert open_round.is_open


def test_rankings_cards_and_interviews(client, world, open_round, supervisor, member, staff_user):
    for assignment in open_round.assignments.select_related("unit", "rater"):
        rate(assignment, fail={"clause:C01"} if assignment.unit.code == "u3" else set())
    services.close_round(round_=open_round, by=world.office)
    ranking = get(client, member, f"/rounds/{open_round.pk}/ranking").json()
    assert [r["unit"] for r in ranking] == ["u1", "u2", "u3"] or ranking[0]["rank"] == 1
    month = f"{closed_last_month(open_round):%Y-%m}"
    live = get(client, member, "/rankings/monthly", month=month).json()
    assert live["published"] is False
    assert post(client, member, "/rankings/monthly", {"month": month}).status_code == 403
    published = post(client, supervisor, "/rankings/monthly", {"month": month}).json()
    assert published["published"] is True
    assert post(client, supervisor, "/rankings/monthly", {"month": "2026-13"}).status_code == 422
    cards = get(client, staff_user, "/cards").json()
    kinds = {(c["unit"], c["kind"]) for c in cards}
    assert ("u3", "yellow") in kinds
    assert any(c["holds_flag"] for c in cards)
    body = {"unit": "u2", "kind": "red", "reason": "同一问题再次出现"}
    assert post(client, member, "/cards", body).status_code == 403
    card = post(client, supervisor, "/cards", body).json()
    assert card["reason"] == "同一问题再次出现"
    revoke = {"reason": "复查已整改"}
    assert post(client, member, f"/cards/{card['id']}/revoke", revoke).status_code == 403
    assert post(client, supervisor, f"/cards/{card['id']}/revoke", revoke).json()["revoked_at"]
    assert Card.objects.in_force().filter(kind="red").count() == 0
    Interview.objects.create(
        center=world.center, unit=world.units[2], month=timezone.localdate().replace(day=1),
        previous_month=timezone.localdate().replace(day=1),
    )  # fmt: skip
    assert get(client, member, "/interviews").status_code == 403
    assert get(client, supervisor, "/interviews").json()[0]["unit"] == "u3"


def test_a_round_opens_in_the_programme_named(client, world, elsewhere_programme):
    """Issue 21, point 2: the API opens the round in the programme it names; another
    center's programme is a 404 and nothing is opened."""
    body = {
        "phase": "sort",
        "units": ["u1", "u2", "u3"],
        "min_raters": 2,
        "seed": 3,
        "programme": elsewhere_programme.pk,
    }
    assert post(client, world.office, "/rounds", body).status_code == 404
    assert not AcceptanceRound.objects.exists()
    opened = post(client, world.office, "/rounds", {**body, "programme": world.programme.pk})
    assert opened.status_code == 200, opened.content
    assert AcceptanceRound.objects.get().programme == world.programme


@pytest.fixture
def elsewhere_programme(other_center, other_admin):
    return services.create_programme(
        center=other_center, by=other_admin, name="外中心", starts_on=timezone.localdate()
    )
