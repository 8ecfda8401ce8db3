"""The 差评 loop's figures where the leadership looks: the dashboard (the center) and each
window's scorecard (issue 20: 整改率, 回访率 and on-time rate)."""

import pytest
from django.utils import timezone

from onsite.complaints.tests.conftest import open_case, take_to_closed
from onsite.core.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def cases(center, the_hall, office_user):
    """Window 1: two cases, one closed with its 回访; window 2: one case still open."""
    first, second = the_hall.units[:2]
    person = UserFactory(center=center, unit=first, roles=["staff"])
    closed = open_case(first)
    take_to_closed(closed, person, office_user)
    open_case(first)
    open_case(second)
    return first, second


def test_the_scorecard_shows_its_windows_rates(client_for, leader, cases):
    first, second = cases
    month = f"{timezone.localdate():%Y-%m}"
    page = client_for(leader).get(f"/dashboards/scorecards/{first.code}/?month={month}")
    figures = page.context["complaints"]
    assert (figures.opened, figures.resolved, figures.closed, figures.revisited) == (2, 1, 1, 1)
    html = page.content.decode()
    assert 'data-testid="resolution-rate">50.0%' in html
    assert 'data-testid="revisit-rate">100.0%' in html
    assert 'data-testid="on-time-rate">100.0%' in html
    other = client_for(leader).get(f"/dashboards/scorecards/{second.code}/?month={month}")
    assert (other.context["complaints"].opened, other.context["complaints"].closed) == (1, 0)
    assert 'data-testid="revisit-rate">—' in other.content.decode()


def test_the_dashboard_shows_the_centers_rates(client_for, leader, cases):
    html = client_for(leader).get("/dashboards/").content.decode()
    assert 'data-testid="resolution-rate">33.3%' in html
    assert 'data-testid="revisit-rate">100.0%' in html


@pytest.mark.parametrize("persona", ["leader", "office_user", "admin_user", "viewer"])
def test_every_reader_may_follow_the_case_links(request, client_for, persona, cases):
    reader = request.getfixturevalue(persona)
    first, _second = cases
    client = client_for(reader)
    for page in ["/dashboards/", f"/dashboards/scorecards/{first.code}/"]:
        html = client.get(page).content.decode()
        links = [part.split('"')[0] for part in html.split('href="/complaints/')[1:]]
        assert links, page
        for link in links:
            assert client.get("/complaints/" + link.replace("&amp;", "&")).status_code == 200, link


def test_another_centers_cases_never_count(client_for, other_admin, other_center, cases):
    html = client_for(other_admin).get("/dashboards/").content.decode()
    assert 'data-testid="resolution-rate">—' in html
