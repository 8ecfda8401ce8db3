"""The sortable columns' helper: declared keys only, both directions, ties broken by the
primary key, the header link keeps the filters and drops the page."""

import pytest
from django.template import Context, Template
from django.test import RequestFactory

from onsite.core.models import Center
from onsite.core.sorting import Sort, by_choices, sort_rows
from onsite.core.tests.factories import CenterFactory

pytestmark = pytest.mark.django_db
KEYS = {"code": "code", "region": ("region", "code")}


@pytest.fixture
def centers(db):
    Center.objects.all().delete()
    return [
        CenterFactory(code="b", name="乙", region="east"),
        CenterFactory(code="a", name="甲", region="west"),
        CenterFactory(code="c", name="丙", region="east"),
    ]


def codes(rows):
    return [c.code for c in rows]


def sorted_by(query, **kwargs):
    request = RequestFactory().get("/", query)
    return sort_rows(Center.objects.order_by("name"), request, keys=KEYS, **kwargs)


def test_a_declared_key_sorts_both_ways(centers):
    rows, sort = sorted_by({"sort": "code"})
    assert codes(rows) == ["a", "b", "c"]
    assert sort == Sort("code", False, frozenset(KEYS))
    rows, sort = sorted_by({"sort": "-code"})
    assert codes(rows) == ["c", "b", "a"]
    assert sort.state("code") == "descending"
    assert sort.state("region") is None


def test_several_fields_then_the_primary_key_break_ties(centers):
    rows, _sort = sorted_by({"sort": "region"})
    assert codes(rows) == ["b", "c", "a"]
    rows, _sort = sorted_by({"sort": "-region"})
    assert codes(rows) == ["a", "c", "b"]


@pytest.mark.parametrize("bad", ["name", "-name", "pk", "center__code", "", "-", "x" * 500])
def test_an_undeclared_key_keeps_the_lists_own_order(centers, bad):
    rows, sort = sorted_by({"sort": bad})
    assert codes(rows) == ["c", "b", "a"]  # by name: 丙 乙 甲 in code points
    assert sort.key is None


def test_the_default_shows_its_arrow_without_reordering(centers):
    rows, sort = sorted_by({}, default="-code")
    assert sort.state("code") == "descending"
    assert "ORDER BY" in str(rows.query)
    assert '"code"' not in str(rows.query).split("ORDER BY")[1]


def test_a_click_on_the_sorted_column_turns_it_round():
    sort = Sort("code", False, frozenset(KEYS))
    assert sort.next_value("code") == "-code"
    assert Sort("code", True).next_value("code") == "code"
    assert sort.next_value("region") == "region"


def test_choices_sort_in_their_declared_order(centers):
    request = RequestFactory().get("/", {"sort": "region"})
    keys = {"region": by_choices("region", ["west", "east"])}
    rows, _sort = sort_rows(Center.objects.all(), request, keys=keys)
    assert codes(rows) == ["a", "b", "c"]


def test_the_header_keeps_filters_drops_the_page_and_says_the_state():
    request = RequestFactory().get("/", {"status": "open", "page": "3", "sort": "code"})
    html = Template('{% load sorting %}{% sort_header sort "code" "Code" "text-end" %}').render(
        Context({"request": request, "sort": Sort("code", False, frozenset(KEYS))})
    )
    assert 'aria-sort="ascending"' in html
    assert "status=open" in html
    assert "sort=-code" in html
    assert "page=" not in html
    assert 'class="sort-header text-end"' in html
    other = Template('{% load sorting %}{% sort_header sort "region" "Region" %}').render(
        Context({"request": request, "sort": Sort("code", False, frozenset(KEYS))})
    )
    assert "aria-sort" not in other
    assert "sort=region" in other
