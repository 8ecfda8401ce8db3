"""The handbook (执行标准汇编): every current published standard of the reader's center in one
PDF, with a cover, contents with page numbers and page numbers in the footer."""

import re
import shutil
import subprocess

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from onsite.core.tests.factories import AreaTypeFactory, UserFactory
from onsite.standards.access import READERS
from onsite.standards.services import publish_version, start_revision
from onsite.standards.tests.factories import ClauseFactory, ItemFactory, ItemRuleFactory

pytestmark = pytest.mark.django_db
URL = "/standards/handbook.pdf"


def _pdftotext(content, tmp_path):
    path = tmp_path / "handbook.pdf"
    path.write_bytes(content)
    tool = shutil.which("pdftotext") or "pdftotext"
    # poppler's tool on a file this test wrote
    return subprocess.run(  # noqa: S603
        [tool, "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


def _standard(center, by, code, name, *, clause, item):
    """An area type whose standard is published with one clause and one item rule."""
    area = AreaTypeFactory(center=center, code=code, name=name)
    draft = start_revision(area_type=area, by=by, note="first")
    ClauseFactory(standard_version=draft, code="C1", text=clause)
    ItemRuleFactory(
        standard_version=draft, item=ItemFactory(center=center, code=f"{code}-i", name=item)
    )
    draft.refresh_from_db()
    return area, publish_version(version=draft, by=by, expected_version=draft.version)


def _revise(area, by, clause):
    draft = start_revision(area_type=area, by=by, note="revise")
    ClauseFactory(standard_version=draft, code="C2", text=clause)
    draft.refresh_from_db()
    return publish_version(version=draft, by=by, expected_version=draft.version)


@pytest.fixture
def standards(center, admin_user):
    counter, _v1 = _standard(
        center, admin_user, "counter", "窗口前台", clause="台面整洁", item="电话"
    )
    office, _ = _standard(
        center, admin_user, "office", "后台办公室", clause="文件归档", item="文件柜"
    )
    _revise(counter, admin_user, "桌牌摆正")  # v2 published, v1 retired
    start_revision(area_type=office, by=admin_user, note="draft only")  # v2 of office: a draft
    return counter, office


def test_the_handbook_holds_every_current_standard_with_contents_and_page_numbers(
    client_for, leader, standards, tmp_path
):
    response = client_for(leader).get(URL)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith('inline; filename="standards-handbook-')
    text = _pdftotext(response.content, tmp_path)
    pages = text.split("\f")
    cover, contents = pages[0], pages[1]
    assert "XX市行政服务中心" in cover
    assert "现场管理执行标准汇编" in cover
    # the contents, grouped by area type, give each standard's first page
    assert "目录" in contents
    entries = re.findall(r"(窗口前台|后台办公室)\s+\1 v(\d+).*?\.{3,}\s*(\d+)", contents)
    assert entries == [("窗口前台", "2", "3"), ("后台办公室", "1", "4")]
    assert "窗口前台 v2" in pages[2]
    assert "桌牌摆正" in pages[2]  # the current version's clause
    assert "后台办公室 v1" in pages[3]
    assert "文件柜" in pages[3]
    # retired and draft versions stay out
    assert "窗口前台 v1" not in text
    assert "后台办公室 v2" not in text
    # the footer numbers every page but the cover
    assert "第 2 页，共 4 页" in contents
    assert "第 4 页，共 4 页" in pages[3]
    assert "第 1 页" not in cover


def test_the_handbook_is_in_the_readers_language(client, leader, standards, tmp_path):
    client.force_login(leader)
    client.cookies["django_language"] = "en"
    text = _pdftotext(client.get(URL).content, tmp_path)
    assert "On-site management standards handbook" in text
    assert "Contents" in text
    assert "Page 2 of 4" in text
    assert "窗口前台 v2" in text  # the center's own words stay as written


def test_the_handbook_shows_only_the_readers_center(
    client_for, leader, other_admin, other_center, standards, tmp_path
):
    _standard(
        other_center, other_admin, "hall", "他们的大厅", clause="他们的条款", item="他们的物品"
    )
    text = _pdftotext(client_for(leader).get(URL).content, tmp_path)
    for word in ["他们的大厅", "他们的条款", "他们的物品", "YY市行政服务中心"]:
        assert word not in text
    theirs = _pdftotext(client_for(other_admin).get(URL).content, tmp_path)
    assert "他们的大厅" in theirs
    assert "窗口前台" not in theirs


def test_a_center_without_published_standards_gets_a_handbook_saying_so(
    client_for, leader, tmp_path
):
    text = _pdftotext(client_for(leader).get(URL).content, tmp_path)
    assert "还没有已发布的标准" in text


@pytest.mark.parametrize("role", sorted(set(READERS) - {"viewer"}))
def test_everyone_shown_the_link_may_open_the_handbook(client_for, center, standards, role):
    client = client_for(UserFactory(center=center, roles=[role]))
    assert 'data-testid="handbook"' in client.get("/standards/").content.decode()
    assert client.get(URL)["Content-Type"] == "application/pdf"


def test_the_cross_center_viewer_reads_the_granted_centers_handbook(
    client_for, viewer, standards, tmp_path
):
    client = client_for(viewer)
    assert 'data-testid="handbook"' in client.get("/standards/").content.decode()
    assert "窗口前台" in _pdftotext(client.get(URL).content, tmp_path)


def test_the_auditor_and_anonymous_visitors_are_refused(client, client_for, auditor, standards):
    assert client.get(URL).status_code == 302
    assert client_for(auditor).get(URL).status_code == 403


def test_the_handbook_costs_the_same_queries_for_one_standard_or_many(
    client_for, center, leader, admin_user
):
    client = client_for(leader)
    _standard(center, admin_user, "a", "甲", clause="一", item="物一")
    client.get(URL)  # session and caches warm
    with CaptureQueriesContext(connection) as one:
        assert client.get(URL).status_code == 200
    for code in ["b", "c", "d"]:
        _standard(center, admin_user, code, f"区{code}", clause="条款", item=f"物{code}")
    with CaptureQueriesContext(connection) as four:
        assert client.get(URL).status_code == 200
    assert len(four) == len(one)
    assert len(one) <= 12


def test_a_center_with_many_standards_gets_its_handbook_from_the_task_worker(
    client_for, leader, standards, settings, tmp_path
):
    from onsite.core.models import FileJob

    settings.STANDARDS_INLINE_HANDBOOK = 1
    client = client_for(leader)
    offer = client.get(URL)
    assert 'data-testid="job-request"' in offer.content.decode()
    assert not FileJob.objects.exists()
    response = client.post(URL)
    job = FileJob.objects.get()
    assert response["Location"] == f"/jobs/{job.pk}/"
    job.refresh_from_db()
    assert (job.status, job.kind, job.center_id) == ("done", "standards_handbook", leader.center_id)
    download = client.get(f"/jobs/{job.pk}/download/")
    text = _pdftotext(b"".join(download.streaming_content), tmp_path)
    assert "窗口前台 v2" in text
    assert "后台办公室 v1" in text


def test_a_background_handbook_stays_in_its_center_and_from_the_auditor(
    client_for, leader, auditor, other_admin, standards, settings
):
    from onsite.core.models import FileJob

    settings.STANDARDS_INLINE_HANDBOOK = 0
    client_for(leader).post(URL)
    job = FileJob.objects.get()
    assert client_for(other_admin).get(f"/jobs/{job.pk}/download/").status_code == 404
    assert client_for(auditor).post(URL).status_code == 403
    assert client_for(auditor).get(f"/jobs/{job.pk}/download/").status_code == 403
    assert FileJob.objects.count() == 1
