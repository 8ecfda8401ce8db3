"""Monthly PDF reports: Chinese text, server-drawn charts, photos through a fetcher that
refuses everything but our own files."""

import io
import shutil
import subprocess

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from django.utils.translation import override
from PIL import Image

from onsite.dashboards import reports, rollups, svgcharts
from onsite.dashboards.jobs import run_job
from onsite.dashboards.models import ReportJob
from onsite.dashboards.tests.factories import (
    record_finding,
    record_inspection,
    record_ratings,
    record_rectification,
)
from onsite.inspections.models import AnswerPhoto
from onsite.rectification.models import RectificationPhoto

TODAY = timezone.localdate


def pdf_text(content: bytes) -> str:
    return subprocess.run(  # noqa: S603 - our fixed command line, a PDF we made on stdin
        [shutil.which("pdftotext") or "/usr/bin/pdftotext", "-layout", "-", "-"],
        input=content,
        capture_output=True,
        check=True,
    ).stdout.decode()


def jpeg(colour):
    out = io.BytesIO()
    Image.new("RGB", (32, 24), colour).save(out, format="JPEG")
    return SimpleUploadedFile("p.jpg", out.getvalue(), content_type="image/jpeg")


# --- the fetcher -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "http://example.com/x.png",
        "https://example.com/static/dashboards/report.css",
        "file:///etc/passwd",
        "data:image/svg+xml;base64,PHN2Zy8+",
        "https://onsite.invalid/static/../../config/settings.py",
        "https://onsite.invalid/static/dashboards/%2e%2e/%2e%2e/etc/passwd",
        "https://onsite.invalid/media/inspections/1/other.jpg",
        "https://onsite.invalid/etc/passwd",
        "ftp://onsite.invalid/static/dashboards/report.css",
    ],
)
def test_the_fetcher_refuses_anything_but_our_files(url):
    fetcher = reports.OwnFilesFetcher()
    with pytest.raises(reports.FetchRefusedError):
        fetcher.fetch(url)
    assert fetcher.refused == [url]


@pytest.mark.django_db
def test_the_fetcher_serves_our_static_files_and_the_media_it_was_given(tmp_path, settings):
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    settings.MEDIA_ROOT = tmp_path
    name = default_storage.save("inspections/1/photo.jpg", ContentFile(b"\xff\xd8jpeg"))
    fetcher = reports.OwnFilesFetcher()
    css = fetcher.fetch(reports.static_url("dashboards/report.css"))
    assert b"@page" in css.read()
    url = fetcher.media_url(name)
    assert fetcher.fetch(url).read() == b"\xff\xd8jpeg"
    other = default_storage.save("inspections/2/secret.jpg", ContentFile(b"secret"))
    with pytest.raises(reports.FetchRefusedError):
        fetcher.fetch(url.replace(name, other))


# --- charts ------------------------------------------------------------------------------------


def test_the_svg_charts_escape_labels_and_keep_values_as_text():
    svg = svgcharts.bar_chart(["<script>alert(1)</script>", "窗口&二"], [91.5, None], title="排名")
    assert "<script>" not in svg
    assert "&lt;script&gt;" in svg
    assert "窗口&amp;二" in svg
    assert ">91.5<" in svg
    assert ">—<" in svg
    line = svgcharts.line_chart(["01", "02", "03"], [svgcharts.Series("分数", [80.0, None, 90.0])])
    assert line.count("<circle") == 2  # the missing month leaves a gap
    assert ">90<" in line
    pareto = svgcharts.pareto_chart([5, 3, 2], [50.0, 80.0, 100.0])
    assert pareto.count("<rect") == 3
    assert "<polyline" in pareto


def test_a_line_is_drawn_at_its_values():
    svg = svgcharts.line_chart(["a", "b"], [svgcharts.Series("s", [0.0, 100.0])], height=140)
    # top 12, bottom 40: y=100 is at the top of the plot, y=0 at its bottom.
    assert 'cy="100"' in svg
    assert 'cy="12"' in svg


# --- the reports -----------------------------------------------------------------------------


@pytest.fixture
def month_data(center, the_hall, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    first, second = the_hall.zones[0], the_hall.zones[2]
    good = record_inspection(first, on=TODAY(), score=96, inspector=the_hall.inspector)
    record_inspection(second, on=TODAY(), score=72, inspector=the_hall.inspector)
    finding = record_finding(good, text="台面有私人物品")
    rectification = record_rectification(finding, due_on=TODAY(), status="closed",
                                         submitted_on=TODAY(), closed_on=TODAY())  # fmt: skip
    AnswerPhoto.objects.create(center=center, answer=finding.answer, image=jpeg((200, 0, 0)),
                               thumbnail=jpeg((200, 0, 0)))  # fmt: skip
    RectificationPhoto.objects.create(center=center, rectification=rectification,
                                      image=jpeg((0, 0, 200)), thumbnail=jpeg((0, 0, 200)))  # fmt: skip
    record_ratings(center, the_hall.units[0], on=TODAY(), ratings=[5, 5, 4])
    rollups.refresh(center)
    return the_hall


@pytest.mark.django_db
def test_the_center_report_has_the_name_the_ranking_and_the_photos(
    center, month_data, tmp_path, settings
):
    fetcher = reports.OwnFilesFetcher()
    with override("zh-hans"):
        pdf = reports.center_report(center, TODAY().replace(day=1), fetcher=fetcher)
    assert pdf.startswith(b"%PDF")
    text = pdf_text(pdf)
    assert center.name in text
    assert "月度现场管理报告" in text
    ranking = text[text.index("月度评比排名") :]
    assert ranking.index("窗口1") < ranking.index("窗口2")  # 96 before 72
    assert "台面有私人物品" in text
    assert "w01-1" in text  # the heat map's zones are text in the PDF
    assert fetcher.refused == []
    assert len([url for url in fetcher.served if "/media/" in url]) == 2  # before and after


@pytest.mark.django_db
def test_the_unit_report(center, month_data):
    with override("en"):
        pdf = reports.unit_report(center, month_data.units[0], TODAY().replace(day=1))
    text = pdf_text(pdf)
    assert "窗口1" in text
    assert "Monthly on-site management report" in text
    assert "rank 1 of 2" in text


@pytest.mark.django_db
def test_a_report_is_requested_made_and_downloaded(client_for, leader, center, month_data):
    client = client_for(leader)
    response = client.post(
        "/dashboards/reports/report/",
        {"month": f"{TODAY():%Y-%m}", "unit": "", "submission_key": "r1"},
    )
    job = ReportJob.objects.get(center=center)
    assert response["Location"] == f"/dashboards/jobs/{job.pk}/"
    assert (job.kind, job.status, job.progress) == ("center_report", "done", 100)
    download = client.get(f"/dashboards/jobs/{job.pk}/download/")
    assert download["Content-Type"] == "application/pdf"
    assert center.name in pdf_text(b"".join(download.streaming_content))
    # A double click does not make a second report.
    client.post(
        "/dashboards/reports/report/",
        {"month": f"{TODAY():%Y-%m}", "unit": "", "submission_key": "r1"},
    )
    assert ReportJob.objects.count() == 1


@pytest.mark.django_db
def test_a_job_left_running_by_a_dead_worker_is_made_when_its_task_runs_again(
    center, leader, month_data
):
    month = TODAY().replace(day=1)
    job = ReportJob.objects.create(center=center, kind="center_report", month_from=month,
                                   month_to=month, requested_by=leader, status="running")  # fmt: skip
    assert run_job(job.pk) == "done"
    job.refresh_from_db()
    assert job.file
    assert run_job(job.pk) == "done", "a finished job is not made again"


@pytest.mark.django_db
def test_a_unit_report_of_a_deleted_unit_fails_with_a_reason(center, leader, the_hall):
    job = ReportJob.objects.create(center=center, kind="unit_report", month_from=TODAY().replace(day=1),
                                   month_to=TODAY().replace(day=1), requested_by=leader)  # fmt: skip
    assert run_job(job.pk) == "failed"
    job.refresh_from_db()
    assert job.status == "failed"
    assert "unit" in job.error
    assert run_job(job.pk) == "failed"  # a second delivery does nothing


@pytest.mark.django_db
@pytest.mark.parametrize("persona", ["staff_user", "member", "auditor"])
def test_reports_are_refused_to_other_roles(request, client_for, persona, center):
    client = client_for(request.getfixturevalue(persona))
    assert (
        client.post("/dashboards/reports/report/", {"month": f"{TODAY():%Y-%m}"}).status_code == 403
    )
    assert not ReportJob.objects.exists()


@pytest.mark.django_db
def test_a_report_request_needs_a_sign_in_a_post_and_a_valid_month(
    client, client_for, leader, center
):
    assert client.post("/dashboards/reports/report/", {"month": "2025-01"}).status_code == 302
    signed_in = client_for(leader)
    assert signed_in.get("/dashboards/reports/report/").status_code == 405
    assert signed_in.post("/dashboards/reports/report/", {"month": "2999-01"}).status_code == 400
    assert (
        signed_in.post(
            "/dashboards/reports/report/", {"month": "2025-01", "unit": "nope"}
        ).status_code
        == 400
    )
    assert not ReportJob.objects.exists()
