"""Every page: who may open it, who may not, and what it shows."""

import datetime

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from onsite.audit.models import AuditEvent
from onsite.dashboards import rollups
from onsite.dashboards.models import IndexWeights, ReportJob
from onsite.dashboards.tests.factories import hall, history, record_inspection

pytestmark = pytest.mark.django_db

READ_PAGES = [
    "/dashboards/",
    "/dashboards/heatmap/",
    "/dashboards/scorecards/",
    "/dashboards/scorecards/w01/",
    "/dashboards/ratings/",
    "/dashboards/ratings/template.xlsx",
    "/dashboards/reports/",
]


@pytest.mark.parametrize("url", READ_PAGES)
@pytest.mark.parametrize("persona", ["admin_user", "leader", "office_user", "supervisor",
                                     "group_leader", "viewer"])  # fmt: skip
def test_readers_open_every_page(request, client_for, the_hall, url, persona):
    user = request.getfixturevalue(persona)
    assert client_for(user).get(url).status_code == 200


@pytest.mark.parametrize("url", READ_PAGES)
@pytest.mark.parametrize("persona", ["staff_user", "member", "auditor"])
def test_others_are_refused(request, client_for, the_hall, url, persona):
    user = request.getfixturevalue(persona)
    response = client_for(user).get(url)
    assert response.status_code == 403
    assert AuditEvent.objects.filter(action="access.denied", actor=user).exists()


@pytest.mark.parametrize("url", READ_PAGES)
def test_anonymous_goes_to_sign_in(client, the_hall, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_another_centers_unit_is_not_found(client_for, leader, the_hall, other_hall):
    assert client_for(leader).get("/dashboards/scorecards/y01/").status_code == 404


def test_the_dashboard_shows_the_months_figures(client_for, leader, center, with_history):
    response = client_for(leader).get("/dashboards/")
    html = response.content.decode()
    assert 'id="dash-charts"' in html
    assert 'data-testid="heat-plan"' in html
    for zone in with_history.zones:
        assert f'data-code="{zone.code}"' in html
    assert response.context["board"].current.inspections > 0
    assert response.context["refreshing"] is False


def test_readers_share_one_rendering_until_the_figures_are_refreshed(
    client_for, leader, supervisor, center, with_history
):
    first = client_for(leader).get("/dashboards/")
    inspections = first.context["board"].current.inspections
    record_inspection(
        with_history.zones[0], on=timezone.localdate(), score=50, inspector=with_history.inspector
    )
    # Another reader within the cache time gets the same rendering, without recomputing it.
    with CaptureQueriesContext(connection) as cached:
        again = client_for(supervisor).get("/dashboards/")
    assert again.status_code == 200
    assert again.context.get("board") is None
    assert len(cached.captured_queries) < count_queries(client_for(leader), "/dashboards/")
    # A roll-up refresh changes the key: the new inspection shows at once.
    rollups.refresh(center)
    fresh = client_for(supervisor).get("/dashboards/")
    assert fresh.context["board"].current.inspections == inspections + 1


def test_without_a_cache_time_every_request_renders(client_for, leader, with_history, settings):
    settings.DASHBOARD_CACHE_SECONDS = 0
    client = client_for(leader)
    client.get("/dashboards/")
    assert client.get("/dashboards/").context["board"] is not None


def test_the_dashboard_queues_a_refresh_when_its_figures_are_stale(
    client_for, leader, the_hall, settings
):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    response = client_for(leader).get("/dashboards/")
    assert response.context["refreshing"] is True
    assert "refreshing" in response.content.decode()


def count_queries(client, url):
    """Queries of one request, leaving out the session middleware's periodic "last seen"
    write (and its savepoints), which depends on the clock, not on the data. The rendered
    dashboards are dropped first: this counts the work, not a cache hit."""
    cache.clear()
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(
        [
            q
            for q in queries.captured_queries
            if "django_session" not in q["sql"] and "SAVEPOINT" not in q["sql"]
        ]
    )


@pytest.mark.parametrize(
    "url",
    [
        "/dashboards/",
        "/dashboards/heatmap/",
        "/dashboards/scorecards/",
        "/dashboards/scorecards/w01/",
        "/dashboards/ratings/",
    ],
)
def test_query_count_does_not_grow_with_ten_times_the_data(
    client_for, leader, center, the_hall, url, django_assert_max_num_queries
):
    client = client_for(leader)
    start = timezone.localdate() - datetime.timedelta(days=2)
    history(center, the_hall, start=start, days=3)
    rollups.refresh(center)
    client.get(url)  # the first request of a session also writes the session
    small = count_queries(client, url)
    # Ten times the units and zones on the same floor, ten times the days of history.
    bigger = hall(center, units=27, zones_per_unit=2, prefix="v", floor=the_hall.floor,
                  version=the_hall.version)  # fmt: skip
    history(center, bigger, start=start - datetime.timedelta(days=27), days=30)
    history(center, the_hall, start=start - datetime.timedelta(days=27), days=27)
    rollups.refresh(center)
    large = count_queries(client, url)
    assert large == small
    with django_assert_max_num_queries(40):
        client.get(url)


def test_the_heat_map_answers_htmx_with_the_map_alone(client_for, leader, the_hall):
    response = client_for(leader).get("/dashboards/heatmap/?floor=1", HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert html.startswith('<section id="heatmap"')
    assert "<html" not in html
    response = client_for(leader).get("/dashboards/?part=heatmap", HTTP_HX_REQUEST="true")
    assert response.content.decode().startswith('<section id="heatmap"')


def test_the_heat_map_of_an_earlier_month(client_for, leader, the_hall):
    zone = the_hall.zones[0]
    earlier = timezone.localdate().replace(day=1) - datetime.timedelta(days=40)
    record_inspection(zone, on=earlier, score=30, inspector=the_hall.inspector)
    record_inspection(zone, on=timezone.localdate(), score=99, inspector=the_hall.inspector)
    page = client_for(leader).get(f"/dashboards/heatmap/?month={earlier:%Y-%m}")
    cell = next(c for c in page.context["heat"].cells if c.zone == zone)
    assert (cell.band, cell.score) == ("red", 30.0)
    page = client_for(leader).get("/dashboards/heatmap/")
    cell = next(c for c in page.context["heat"].cells if c.zone == zone)
    assert (cell.band, cell.score) == ("green", 99.0)


def test_scorecards_rank_the_units(client_for, office_user, center, with_history, month_start):
    response = client_for(office_user).get(f"/dashboards/scorecards/?month={month_start:%Y-%m}")
    rows = response.context["ranking"].rows
    assert rows
    assert rows[0].rank == 1
    html = response.content.decode()
    assert f'data-unit="{rows[0].unit.code}" data-rank="1"' in html
    assert 'data-testid="edit-weights"' in html
    card = client_for(office_user).get(f"/dashboards/scorecards/{rows[0].unit.code}/")
    assert card.context["card"].row.rank == 1
    assert 'id="unit-chart"' in card.content.decode()


def test_the_pareto_axis_names_the_checks(client_for, leader, center, the_hall):
    """The issue: the Pareto chart's axis read "1", "2". The chart gets the checks' names for
    its axis (the clause without its code, an item check by its aspect), the full text for
    the tooltip."""
    import json

    from onsite.dashboards.tests.factories import record_finding
    from onsite.inspections.models import Answer

    day = timezone.localdate()
    inspection = record_inspection(the_hall.zones[0], on=day, score=80,
                                   inspector=the_hall.inspector)  # fmt: skip
    record_finding(inspection, key="clause:QT-SIO-1")
    record_finding(inspection, key="clause:QT-SIO-1")
    Answer.objects.filter(key__startswith="clause:QT-SIO-1").update(
        text="QT-SIO-1 物品按定置图摆放：定位、定容、定数量。"
    )
    record_finding(inspection, key="items:quantity")
    rollups.refresh(center)
    html = client_for(leader).get(f"/dashboards/?month={day:%Y-%m}").content.decode()
    start = html.index('<script id="dash-charts" type="application/json">')
    charts = json.loads(html[html.index(">", start) + 1 : html.index("</script>", start)])
    assert charts["pareto"]["names"] == ["物品按定置图摆放：定位、定容、定数量。", "定数量"]
    assert charts["pareto"]["labels"][0] == "QT-SIO-1 物品按定置图摆放：定位、定容、定数量。"
    assert not any(name.isdigit() for name in charts["pareto"]["names"])


def test_scorecards_show_cards_and_say_why_a_unit_is_not_ranked(
    client_for, leader, center, the_hall
):
    """The issue: the cards column was blank in every row (the units holding cards were not
    ranked, and unranked units were only names under a fold) and nothing said why a unit was
    left out."""
    from onsite.programme.models import Card

    day = timezone.localdate()
    audited, _self_checked, idle = the_hall.units
    record_inspection(the_hall.zones[0], on=day, score=90, inspector=the_hall.inspector)
    record_inspection(the_hall.zones[2], on=day, score=80, kind="self_check",
                      inspector=the_hall.inspector)  # fmt: skip
    for kind in (Card.Kind.YELLOW, Card.Kind.RED):
        Card.objects.create(center=center, unit=idle, kind=kind, cause=Card.Cause.MANUAL,
                            issued_on=day)  # fmt: skip
    Card.objects.create(center=center, unit=audited, kind=Card.Kind.RED_FLAG,
                        cause=Card.Cause.MANUAL, issued_on=day)  # fmt: skip
    rollups.refresh(center)
    client = client_for(leader)

    html = client.get(f"/dashboards/scorecards/?month={day:%Y-%m}").content.decode()
    rows = {code: html[html.index(f'data-unit="{code}"') :] for code in ("w01", "w02", "w03")}
    rows = {code: row[: row.index("</tr>")] for code, row in rows.items()}
    assert 'data-rank="1"' in rows["w01"]
    assert "流动红旗 1" in rows["w01"]
    assert "黄牌 1" in rows["w03"]
    assert "红牌 1" in rows["w03"]
    assert 'data-reason="no_inspection"' in rows["w03"]
    assert "未排名：本月无检查" in rows["w03"]
    assert 'data-reason="no_audit"' in rows["w02"]
    assert "本月没有督查检查，也没有结束的验收轮次" in rows["w02"]
    assert "3 个单位中 1 个参与本月排名" in html

    client.cookies["django_language"] = "en"
    html = client.get(f"/dashboards/scorecards/?month={day:%Y-%m}").content.decode()
    assert "Not ranked: no inspection this month" in html
    for card in ("Yellow card 1", "Red card 1", "Rotating red flag 1"):
        assert card in html
    assert "1 of 3 units ranked this month" in html

    card = client.get(f"/dashboards/scorecards/{idle.code}/?month={day:%Y-%m}").content.decode()
    assert "not ranked this month: no inspection this month" in card
    assert "Yellow card 1" in card


# --- weights ----------------------------------------------------------------------------------


WEIGHTS = {"audit": 50, "timeliness": 10, "repeats": 10, "ratings": 30, "proposals": 0, "cards": 0}


def test_the_office_sets_the_weights(client_for, office_user, center):
    client = client_for(office_user)
    assert client.get("/dashboards/scorecards/weights/").status_code == 200
    response = client.post("/dashboards/scorecards/weights/", {**WEIGHTS, "version": 1})
    assert response.status_code == 302
    weights = IndexWeights.objects.get(center=center)
    assert weights.as_dict() == WEIGHTS
    assert AuditEvent.objects.filter(action="dashboards.weights_updated").count() == 1
    # Saved again from the same (now stale) form: refused, nothing overwritten.
    response = client.post("/dashboards/scorecards/weights/", {**WEIGHTS, "audit": 1, "version": 1})
    assert response.status_code == 200
    assert (
        "Someone else saved" in response.content.decode() or "其他人" in response.content.decode()
    )
    assert IndexWeights.objects.get(center=center).audit == 50
    response = client.post("/dashboards/scorecards/weights/", {**WEIGHTS, "audit": 1, "version": 2})
    assert response.status_code == 302
    assert IndexWeights.objects.get(center=center).audit == 1


def test_weights_cannot_all_be_zero_or_out_of_range(client_for, office_user, center):
    client = client_for(office_user)
    zero = dict.fromkeys(WEIGHTS, 0)
    response = client.post("/dashboards/scorecards/weights/", {**zero, "version": 1})
    assert response.status_code == 200
    assert response.context["form"].errors
    response = client.post(
        "/dashboards/scorecards/weights/", {**WEIGHTS, "audit": 101, "version": 1}
    )
    assert "audit" in response.context["form"].errors
    assert not IndexWeights.objects.filter(center=center).exists()


@pytest.mark.parametrize("persona", ["leader", "supervisor", "viewer", "staff_user"])
def test_only_the_admin_and_office_set_weights(request, client_for, persona, center):
    client = client_for(request.getfixturevalue(persona))
    assert client.get("/dashboards/scorecards/weights/").status_code == 403
    assert (
        client.post("/dashboards/scorecards/weights/", {**WEIGHTS, "version": 1}).status_code == 403
    )
    assert not IndexWeights.objects.filter(center=center).exists()


def test_weights_page_anonymous(client, center):
    assert client.get("/dashboards/scorecards/weights/").status_code == 302


# --- jobs ---------------------------------------------------------------------------------------


def make_job(center, user, **kwargs):
    first = timezone.localdate().replace(day=1)
    values = {"kind": ReportJob.Kind.INSPECTIONS, "month_from": first, "month_to": first}
    return ReportJob.objects.create(center=center, requested_by=user, **{**values, **kwargs})


def test_a_job_is_seen_by_its_requester_and_the_overseers(
    client_for, supervisor, leader, group_leader, center
):
    job = make_job(center, supervisor)
    assert client_for(supervisor).get(f"/dashboards/jobs/{job.pk}/").status_code == 200
    assert client_for(leader).get(f"/dashboards/jobs/{job.pk}/").status_code == 200
    # Another reader's job, another center's job: not found.
    assert client_for(group_leader).get(f"/dashboards/jobs/{job.pk}/").status_code == 404


def test_another_centers_job_is_not_found(client_for, other_admin, center, leader):
    job = make_job(center, leader)
    assert client_for(other_admin).get(f"/dashboards/jobs/{job.pk}/").status_code == 404
    assert client_for(other_admin).get(f"/dashboards/jobs/{job.pk}/download/").status_code == 404


def test_job_pages_refuse_other_roles_and_anonymous(client_for, client, staff_user, center, leader):
    job = make_job(center, leader)
    assert client_for(staff_user).get(f"/dashboards/jobs/{job.pk}/").status_code == 403
    client.logout()
    assert client.get(f"/dashboards/jobs/{job.pk}/").status_code == 302


def test_a_queued_job_polls_and_says_when_the_worker_is_missing(client_for, leader, center):
    job = make_job(center, leader)
    client = client_for(leader)
    html = client.get(f"/dashboards/jobs/{job.pk}/", HTTP_HX_REQUEST="true").content.decode()
    assert html.startswith('<div id="job"')
    assert 'hx-trigger="every 1s"' in html
    assert 'data-testid="job-waiting"' not in html
    ReportJob.objects.filter(pk=job.pk).update(
        requested_at=timezone.now() - datetime.timedelta(minutes=5)
    )
    html = client.get(f"/dashboards/jobs/{job.pk}/").content.decode()
    assert 'data-testid="job-waiting"' in html
    # Not ready: nothing to download yet.
    assert client.get(f"/dashboards/jobs/{job.pk}/download/").status_code == 404


def test_a_failed_job_says_why_and_stops_polling(client_for, leader, center):
    job = make_job(
        center, leader, status=ReportJob.Status.FAILED, progress=40,
        error="The export has more than %(max)s rows. Choose fewer months or one unit.",
        error_params={"max": 10},
    )  # fmt: skip
    html = client_for(leader).get(f"/dashboards/jobs/{job.pk}/").content.decode()
    assert 'data-testid="job-error"' in html
    assert "10" in html
    assert "every 1s" not in html
