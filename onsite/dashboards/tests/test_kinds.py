"""Issue 21, point 3: every figure counts each kind of inspection as what it is, the Pareto
chart counts acceptance failures (as such), and "staff acknowledged" counts people."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from onsite.accounts.models import ApiToken
from onsite.core.tests.factories import AreaTypeFactory, UnitFactory, UserFactory, ZoneFactory
from onsite.dashboards import queries, rollups
from onsite.dashboards.tests.factories import record_finding, record_inspection
from onsite.engagement import services as engagement
from onsite.inspections.models import Answer
from onsite.standards.models import StandardVersion
from onsite.standards.tests.factories import ClauseFactory, StandardFactory, VersionFactory

pytestmark = pytest.mark.django_db


def bearer(user):
    return {"HTTP_AUTHORIZATION": f"Bearer {ApiToken.issue(user=user, name='t')[1]}"}


def fail_on_acceptance(inspection, *, key="clause:C09", text="C09 地面无杂物"):
    return Answer.objects.create(
        center_id=inspection.center_id,
        inspection=inspection,
        key=key,
        source=Answer.Source.CLAUSE,
        pillar="shine",
        text=text,
        result=Answer.Result.FAIL,
        deduction=Decimal(5),
    )


@pytest.fixture
def month_of_kinds(center, the_hall):
    """This month on one zone: 16 acceptance sheets (3 fail C09), 1 supervision check with a
    finding, 2 self-checks."""
    today = timezone.localdate()
    zone = the_hall.zones[0]
    for n in range(16):
        sheet = record_inspection(
            zone, on=today, score=70 + n, kind="acceptance", inspector=the_hall.inspector
        )
        if n < 3:
            fail_on_acceptance(sheet)
    check = record_inspection(zone, on=today, score=90, inspector=the_hall.inspector)
    record_finding(check, key="clause:C01")
    for _n in range(2):
        record_inspection(zone, on=today, score=80, kind="self_check", inspector=the_hall.inspector)
    rollups.refresh(center)
    return zone


def test_each_kind_of_inspection_is_counted_as_what_it_is(center, month_of_kinds):
    board = queries.dashboard(center, timezone.localdate().replace(day=1))
    assert board.current.inspections == 19
    assert board.current.supervisions == 1
    assert board.current.supervision_score == 90.0
    assert board.current.acceptances == 16
    assert board.current.acceptance_score == pytest.approx(77.5)
    assert board.current.self_checks == 2
    assert board.current.audits == 17  # the API's old figure, kept with its documented meaning


def test_the_dashboard_and_scorecard_say_one_supervision_not_seventeen(
    client_for, leader, month_of_kinds
):
    client = client_for(leader)
    for url in ("/dashboards/", "/dashboards/scorecards/w01/"):
        html = client.get(url).content.decode()
        supervisions = html.split('data-testid="supervisions">')[1].split("</span>")[0]
        assert supervisions == "1 次督查", url
        acceptances = html.split('data-testid="acceptances">')[1].split("</span>")[0]
        assert acceptances == "16 份验收评分表", url
        assert "17 次督查" not in html


def test_the_pareto_chart_counts_acceptance_failures_as_such(client_for, leader, month_of_kinds):
    board = queries.dashboard(month_of_kinds.center, timezone.localdate().replace(day=1))
    assert board.current.findings == 1
    assert board.current.acceptance_failures == 3
    rows = {(row.check_key, row.source): row for row in board.pareto}
    accepted = rows[("clause:C09", "acceptance")]
    assert accepted.failures == 3
    assert accepted.share == 75.0  # 3 of the 4 failures of the month
    assert accepted.is_acceptance
    assert "验收" in accepted.name or "acceptance" in accepted.name
    assert rows[("clause:C01", "finding")].failures == 1
    assert board.pareto[-1].cumulative == 100.0
    html = client_for(leader).get("/dashboards/").content.decode()
    table = html.split('data-testid="pareto-table"')[1].split("</table>")[0]
    assert 'data-testid="pareto-acceptance"' in table
    body = client_for(leader).get("/api/v1/dashboards/figures", **bearer(leader)).json()
    sources = {(row["check"], row["source"]): row["failures"] for row in body["pareto"]}
    assert sources[("clause:C09", "acceptance")] == 3
    month = body["this_month"]
    assert (month["supervisions"], month["acceptances"], month["self_checks"]) == (1, 16, 2)
    assert month["audits"] == 17
    assert month["acceptance_failures"] == 3


def test_staff_acknowledged_counts_people_not_rows(client_for, leader, center):
    """Two published standards that both apply to the same three people are 3 people, not 6;
    a person is done when they acknowledged every standard that applies to them."""
    unit = UnitFactory(center=center, name="窗口")
    people = [UserFactory(center=center, unit=unit, roles=["staff"]) for _n in range(3)]
    UserFactory(center=center, unit=unit, roles=["staff"], is_active=False)  # left: not counted
    versions = []
    for code in ("counter", "waiting"):
        area = AreaTypeFactory(center=center, code=code, name=code)
        ZoneFactory(center=center, area_type=area, unit=unit, owner=people[0], code=f"z-{code}")
        standard = StandardFactory(center=center, area_type=area)
        version = VersionFactory(
            center=center, standard=standard, number=1, status=StandardVersion.Status.PUBLISHED
        )
        ClauseFactory(standard_version=version)
        versions.append(version)
    for version in versions:
        engagement.acknowledge(version, user=people[0])
    engagement.acknowledge(versions[0], user=people[1])  # one of two: not done
    board = queries.dashboard(center, timezone.localdate().replace(day=1))
    assert (board.acknowledgement_required, board.acknowledgement_done) == (3, 1)
    html = client_for(leader).get("/dashboards/").content.decode()
    assert "3 名工作人员中 1 人已确认" in html
    body = client_for(leader).get("/api/v1/dashboards/figures", **bearer(leader)).json()
    assert (body["acknowledgement_required"], body["acknowledgement_done"]) == (3, 1)


def test_last_months_rollups_rebuilt_keep_the_kinds(center, the_hall):
    """A day refreshed again (incrementally) keeps the counts by kind."""
    day = timezone.localdate() - datetime.timedelta(days=1)
    zone = the_hall.zones[0]
    record_inspection(zone, on=day, score=80, kind="acceptance", inspector=the_hall.inspector)
    rollups.refresh(center)
    record_inspection(zone, on=day, score=60, inspector=the_hall.inspector)
    rollups.refresh(center)
    totals = queries.dashboard(center, day.replace(day=1)).current
    assert (totals.supervisions, totals.acceptances) == (1, 1)
