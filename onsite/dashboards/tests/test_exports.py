"""Excel exports: the rows, the formula-injection guard, small ones at once and big ones in
the background."""

import datetime
import io

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from onsite.audit.models import AuditEvent
from onsite.core import excel
from onsite.core.tests.excel_checks import assert_table_sheet
from onsite.dashboards.models import ReportJob
from onsite.dashboards.tests.factories import (
    record_finding,
    record_inspection,
    record_ratings,
    record_rectification,
)

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate
RISKY = ['=HYPERLINK("http://evil.example","点我")', "+1+1", "-2+3", "@SUM(A1)", "\tcmd"]


def post_export(client, kind, **extra):
    month = f"{TODAY():%Y-%m}"
    data = {"kind": kind, "month_from": month, "month_to": month, "unit": "", **extra}
    return client.post("/dashboards/reports/export/", data)


def sheet_of(response):
    book = load_workbook(io.BytesIO(response.content))
    return book.worksheets[0]


def test_a_cell_starting_with_an_equals_sign_comes_out_as_text(
    client_for, leader, center, the_hall
):
    inspection = record_inspection(
        the_hall.zones[0], on=TODAY(), score=60, inspector=the_hall.inspector
    )
    for text in RISKY:
        record_finding(inspection, text=text)
    response = post_export(client_for(leader), "findings")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = sheet_of(response)
    cells = {row[6].value: row[6] for row in sheet.iter_rows(min_row=3)}
    for text in RISKY:
        cell = cells[text]
        assert cell.data_type == "s"  # a string, not a formula
        assert cell.quotePrefix is True  # Excel keeps it text even when edited
    assert not any(c.data_type == "f" for row in sheet.iter_rows() for c in row)
    assert AuditEvent.objects.filter(action="dashboards.exported", detail__rows=len(RISKY)).exists()


def test_the_writer_marks_only_risky_text():
    assert [excel.is_risky(v) for v in ["=1", "+", "-x", "@a", "\tx", "\rx", "a=1", 5, None, ""]] == [
        True, True, True, True, True, True, False, False, False, False,
    ]  # fmt: skip


@pytest.mark.parametrize(
    "kind", ["inspections", "findings", "rectifications", "ranking", "ratings"]
)
def test_each_export_has_its_rows(client_for, office_user, center, the_hall, kind):
    from onsite.dashboards import rollups

    inspection = record_inspection(
        the_hall.zones[0], on=TODAY(), score=88, inspector=the_hall.inspector
    )
    record_rectification(record_finding(inspection, text="地面有纸屑"), due_on=TODAY())
    record_ratings(center, the_hall.units[0], on=TODAY(), ratings=[5, 2])
    rollups.refresh(center)
    response = post_export(client_for(office_user), kind)
    assert response.status_code == 200
    assert "Excel" not in response["Content-Disposition"]
    sheet = sheet_of(response)
    assert center.name in sheet["A1"].value
    assert "Excel" not in sheet["A1"].value
    assert "Excel" not in sheet.title
    assert_table_sheet(sheet, header_row=2)
    body = [[c.value for c in row] for row in sheet.iter_rows(min_row=3)]
    expected = {"inspections": 1, "findings": 1, "rectifications": 1, "ranking": 3, "ratings": 2}
    assert len(body) == expected[kind]
    flat = [v for row in body for v in row]
    if kind in ("findings", "rectifications"):
        assert "地面有纸屑" in flat
    if kind == "ratings":
        assert sorted(row[4] for row in body) == [2, 5]


def test_an_export_for_one_unit(client_for, office_user, center, the_hall):
    for zone in the_hall.zones:
        record_inspection(zone, on=TODAY(), score=90, inspector=the_hall.inspector)
    response = post_export(client_for(office_user), "inspections", unit=the_hall.units[1].code)
    body = list(sheet_of(response).iter_rows(min_row=3, values_only=True))
    assert {row[3] for row in body} == {the_hall.units[1].code}


def test_a_big_export_goes_to_the_worker_and_downloads_when_ready(
    client_for, leader, center, the_hall, settings
):
    settings.DASHBOARDS_INLINE_EXPORT_ROWS = 2
    for zone in the_hall.zones[:3]:
        record_inspection(zone, on=TODAY(), score=90, inspector=the_hall.inspector)
    client = client_for(leader)
    response = post_export(client, "inspections", submission_key="k-1")
    job = ReportJob.objects.get(center=center)
    assert response.status_code == 302
    assert response["Location"] == f"/dashboards/jobs/{job.pk}/"
    # The test settings run tasks at once: the job is done, its rows counted.
    assert (job.status, job.progress, job.rows) == ("done", 100, 3)
    page = client.get(response["Location"]).content.decode()
    assert 'data-testid="job-download"' in page
    download = client.get(f"/dashboards/jobs/{job.pk}/download/")
    assert download.status_code == 200
    assert "attachment" in download["Content-Disposition"]
    content = b"".join(download.streaming_content)
    assert len(list(load_workbook(io.BytesIO(content)).worksheets[0].iter_rows(min_row=3))) == 3
    # The same form sent twice (a double click): one job.
    post_export(client, "inspections", submission_key="k-1")
    assert ReportJob.objects.count() == 1


def test_an_export_over_the_limit_fails_and_says_why(
    client_for, leader, center, the_hall, settings
):
    settings.DASHBOARDS_INLINE_EXPORT_ROWS = 0
    settings.DASHBOARDS_EXPORT_MAX_ROWS = 1
    for zone in the_hall.zones[:2]:
        record_inspection(zone, on=TODAY(), score=90, inspector=the_hall.inspector)
    response = post_export(client_for(leader), "inspections")
    job = ReportJob.objects.get(center=center)
    assert job.status == "failed"
    page = client_for(leader).get(response["Location"]).content.decode()
    assert "1" in page
    assert 'data-testid="job-error"' in page
    assert "更少的月份" in page or "fewer months" in page


@pytest.mark.parametrize(
    "data",
    [
        {"kind": "inspections", "month_from": "2025-05", "month_to": "2025-01"},
        {"kind": "nonsense", "month_from": "2025-01", "month_to": "2025-01"},
        {"kind": "inspections", "month_from": "2019-01", "month_to": "2023-01"},
        {"kind": "inspections", "month_from": "2999-01", "month_to": "2999-01"},
    ],
)
def test_a_bad_export_request_is_explained(client_for, leader, center, data):
    response = client_for(leader).post("/dashboards/reports/export/", {**data, "unit": ""})
    assert response.status_code == 400
    assert response.context["export_form"].errors
    assert not ReportJob.objects.exists()


@pytest.mark.parametrize("persona", ["staff_user", "member", "auditor"])
def test_exports_are_refused_to_other_roles(request, client_for, persona, center):
    response = post_export(client_for(request.getfixturevalue(persona)), "inspections")
    assert response.status_code == 403


def test_exports_need_a_sign_in_and_a_post(client, client_for, leader, center):
    assert post_export(client, "inspections").status_code == 302
    assert client_for(leader).get("/dashboards/reports/export/").status_code == 405


def test_an_unknown_unit_of_another_center_is_refused(client_for, leader, center, other_hall):
    response = post_export(client_for(leader), "inspections", unit="y01")
    assert response.status_code == 400


def test_old_jobs_and_their_files_are_pruned(center, leader, the_hall):
    from django.core.files.base import ContentFile

    from onsite.dashboards.jobs import prune_jobs

    job = ReportJob.objects.create(center=center, kind="inspections", month_from=TODAY().replace(day=1),
                                   month_to=TODAY().replace(day=1), requested_by=leader)  # fmt: skip
    job.file.save("x.xlsx", ContentFile(b"PK"), save=True)
    name = job.file.name
    assert prune_jobs() == 0
    ReportJob.objects.filter(pk=job.pk).update(
        requested_at=timezone.now() - datetime.timedelta(days=8)
    )
    assert prune_jobs() == 1
    assert not ReportJob.objects.exists()
    assert not job.file.storage.exists(name)


@pytest.mark.parametrize(
    ("language", "sheet_name", "first_header"),
    [("en", "Findings", "Found on"), ("zh-hans", "问题", "发现日期")],
)
def test_export_headers_are_in_the_readers_language(
    client_for, leader, the_hall, language, sheet_name, first_header
):
    inspection = record_inspection(
        the_hall.zones[0], on=TODAY(), score=60, inspector=the_hall.inspector
    )
    record_finding(inspection, text="地面有纸屑")
    client = client_for(leader)
    client.cookies["django_language"] = language
    sheet = sheet_of(post_export(client, "findings"))
    assert sheet.title == sheet_name
    assert assert_table_sheet(sheet, header_row=2)[0] == first_header


def test_a_background_export_is_in_the_language_of_who_asked(
    client_for, leader, center, the_hall, settings
):
    settings.DASHBOARDS_INLINE_EXPORT_ROWS = 0
    record_inspection(the_hall.zones[0], on=TODAY(), score=90, inspector=the_hall.inspector)
    client = client_for(leader)
    client.cookies["django_language"] = "en"
    post_export(client, "inspections")
    job = ReportJob.objects.get(center=center)
    assert job.language == "en"
    with job.file.open("rb") as handle:
        sheet = load_workbook(io.BytesIO(handle.read())).worksheets[0]
    assert assert_table_sheet(sheet, header_row=2)[:2] == ["Date", "Zone code"]
