"""Every write of the dashboards through both doors, its page and its API operation: the same
outcome and audit row for an allowed person, the same audited 403 for a refused one. Writes
with one door are named with the reason."""

import datetime
import io
from dataclasses import dataclass
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from openpyxl import Workbook

from onsite.core.tests.parity import audit_rows, post_api, post_page
from onsite.dashboards import actions
from onsite.dashboards.models import CitizenRating, ReportJob

API = "/api/v1/dashboards"
YESTERDAY = timezone.localdate() - datetime.timedelta(days=1)


@dataclass
class Door:
    page: str
    page_data: Any
    api: str
    api_json: dict[str, Any]
    state: Any


def _workbook(rows):
    book = Workbook()
    book.active.append(["日期", "窗口", "评价", "评价维度"])
    for row in rows:
        book.active.append(list(row))
    out = io.BytesIO()
    book.save(out)
    return SimpleUploadedFile("好差评.xlsx", out.getvalue())


def import_ratings(n):
    rating = 5 - n  # each door its own batch: the same batch twice is "already imported"
    before = CitizenRating.objects.count()
    return Door(
        "/dashboards/ratings/import/",
        lambda: {"file": _workbook([(YESTERDAY, "w01", rating, "服务态度")])},
        "/ratings",
        {
            "ratings": [
                {"date": f"{YESTERDAY}", "window": "w01", "rating": rating, "dimension": "服务态度"}
            ]
        },
        state=lambda: CitizenRating.objects.count() - before,
    )


def request_report(n):
    month = f"{timezone.localdate():%Y-%m}"
    before = ReportJob.objects.count()

    def state():
        latest = ReportJob.objects.order_by("-pk").first()
        made = ReportJob.objects.count() - before
        return made, latest.kind if made else None, latest.unit.code if made else None

    return Door(
        "/dashboards/reports/report/",
        lambda: {"month": month, "unit": "w01", "submission_key": f"parity-{n}"},
        "/jobs",
        {"kind": "unit_report", "month_from": month, "unit": "w01"},
        state=state,
    )


# name: (make, allowed, refused, audit action)
ACTIONS = {
    "import ratings": (import_ratings, "office_user", "leader", "dashboards.ratings_imported"),
    "request a report": (request_report, "leader", "staff_user", "dashboards.job_requested"),
}
ONE_DOOR = {
    "set the index weights": "a page only: the API reads the weights with the ranking, sets none",
    "set the rating dimensions": "a page only: a list changed a few times a year by the office, "
    "which the API's importers read (a refused row names the list in force)",
    "export at once": "a page only: the API asks for the same workbook as a job (POST /jobs, "
    "the 'request a report' act, which the page's big exports also become)",
}
WRITES = {
    "do_import_rating_file": ["import ratings"],
    "do_import_rating_rows": ["import ratings"],
    "do_request_job": ["request a report"],
    "do_save_weights": ["set the index weights"],
    "do_save_dimensions": ["set the rating dimensions"],
    "do_export": ["export at once"],
}


def _page(user, door):
    return post_page(user, door.page, door.page_data())


def _api(user, door):
    return post_api(user, API + door.api, door.api_json)


_rows = audit_rows


def test_every_write_is_driven_or_named_with_its_reason():
    own = {
        n
        for n in dir(actions)
        if getattr(getattr(actions, n), "__module__", "") == actions.__name__
    }
    assert set(WRITES) == {name for name in own if name.startswith("do_")}
    driven = {name for names in WRITES.values() for name in names}
    assert driven == {*ACTIONS, *ONE_DOOR}


@pytest.mark.parametrize("name", ACTIONS)
def test_an_allowed_person_gets_the_same_outcome_through_both_doors(request, the_hall, name):
    make, allowed, _refused, action = ACTIONS[name]
    user = request.getfixturevalue(allowed)
    outcomes = []
    for n, door in enumerate([_page, _api]):
        act = make(n)
        before = _rows(action, user)
        response = door(user, act)
        assert response.status_code in {200, 302}, (door.__name__, response.content[:300])
        assert "Onsite-Refusal" not in response
        assert _rows(action, user) == before + 1, door.__name__
        outcomes.append(act.state())
    assert outcomes[0] == outcomes[1]


@pytest.mark.parametrize("name", ACTIONS)
def test_a_refused_person_gets_the_same_audited_403_through_both_doors(request, the_hall, name):
    make, _allowed, refused, action = ACTIONS[name]
    user = request.getfixturevalue(refused)
    for n, door in enumerate([_page, _api]):
        act = make(n)
        state = act.state()
        denied = _rows("access.denied", user)
        response = door(user, act)
        assert response.status_code == 403, door.__name__
        code = response["Onsite-Refusal"] if door is _page else response.json()["code"]
        assert code == "not_allowed"
        assert _rows("access.denied", user) == denied + 1, door.__name__
        assert _rows(action, user) == 0
        assert act.state() == state


def test_a_report_without_its_unit_is_invalid_input(leader, the_hall):
    """The page's form cannot send one (no unit means the center's report); the API says why."""
    body = {"kind": "unit_report", "month_from": f"{timezone.localdate():%Y-%m}"}
    response = _api(leader, Door("", None, "/jobs", body, None))
    assert (response.status_code, response.json()["code"]) == (422, "unit_required")
    assert not ReportJob.objects.exists()
