import pytest

from onsite.core import paging
from onsite.core.paging import CappedPaginator
from onsite.core.tests.factories import ZoneFactory
from onsite.org.models import Zone

pytestmark = pytest.mark.django_db


@pytest.fixture
def five_zones(center):
    for n in range(5):
        ZoneFactory(center=center, code=f"z{n}")
    return Zone.objects.filter(center=center).order_by("code")


def test_a_list_under_the_cap_counts_every_row(five_zones):
    pages = CappedPaginator(five_zones, 2, cap=10)
    assert (pages.count, pages.num_pages, pages.capped) == (5, 3, False)


def test_a_list_over_the_cap_counts_to_the_cap_and_says_there_is_more(
    five_zones, django_assert_num_queries
):
    pages = CappedPaginator(five_zones, 2, cap=3)
    with django_assert_num_queries(1):
        assert (pages.count, pages.num_pages, pages.capped) == (3, 2, True)
    assert [z.code for z in pages.page(2)] == ["z2"]


def test_the_inspection_list_says_when_older_pages_are_left_out(
    client_for, supervisor, center, monkeypatch
):
    from onsite.inspections.tests.factories import InspectionFactory

    for _ in range(4):
        InspectionFactory(center=center)
    monkeypatch.setattr(paging, "COUNT_CAP", 2)
    monkeypatch.setattr("onsite.inspections.views.PAGE_SIZE", 1)
    html = client_for(supervisor).get("/inspections/").content.decode()
    assert "第 1 页，共 2+ 页" in html
