"""The plan SVG, the visual standard PDF (Chinese text layer) and the label sheet."""

import re
import shutil
import subprocess

import pytest
from weasyprint import HTML

from onsite.core.tests.factories import ZoneFactory
from onsite.standards.pdf import BASE_URL, StaticOnlyFetcher

pytestmark = pytest.mark.django_db


def _pdftotext(content, tmp_path):
    path = tmp_path / "doc.pdf"
    path.write_bytes(content)
    tool = shutil.which("pdftotext") or "pdftotext"
    # poppler's tool on a file this test wrote
    return subprocess.run(  # noqa: S603
        [tool, "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


def test_the_plan_shows_each_items_edge_distance(client_for, leader, published):
    _area, version = published
    svg = client_for(leader).get(f"/standards/versions/{version.pk}/plan.svg")
    assert svg["Content-Type"] == "image/svg+xml"
    body = svg.content.decode()
    slots = re.findall(r'data-item="([^"]+)" data-distance="(\d+)" data-min="(\d+)"', body)
    # phone: 80 mm from the back edge, default minimum 50; cup: 110 mm from the front, min 80
    assert sorted(slots) == [("cup", "110", "80"), ("phone", "80", "50")]
    assert "80 mm (≥50)" in body
    assert "110 mm (≥80)" in body
    assert body.count("<line") == 2


def test_the_visual_standard_pdf_has_chinese_text(client_for, leader, published, tmp_path):
    _area, version = published
    response = client_for(leader).get(f"/standards/versions/{version.pk}/visual.pdf")
    assert response["Content-Type"] == "application/pdf"
    text = _pdftotext(response.content, tmp_path)
    for word in ["电话", "水杯", "台面整洁", "前台"]:
        assert word in text
    path = tmp_path / "visual.pdf"
    path.write_bytes(response.content)
    tool = shutil.which("pdfinfo") or "pdfinfo"
    info = subprocess.run([tool, str(path)], capture_output=True, text=True, check=True)  # noqa: S603
    assert re.search(r"^Pages:\s+1$", info.stdout, re.MULTILINE)


def test_the_label_sheet_has_a_label_per_item_and_zone(
    client_for, leader, center, published, tmp_path
):
    area, version = published
    ZoneFactory(center=center, code="w01-c", name="市场监管前台", area_type=area)
    ZoneFactory(center=center, code="w02-c", name="烟草前台", area_type=area)
    response = client_for(leader).get(f"/standards/versions/{version.pk}/labels.pdf")
    text = _pdftotext(response.content, tmp_path)
    assert text.count("w01-c") == 2
    assert text.count("w02-c") == 2
    one = _pdftotext(
        client_for(leader).get(f"/standards/versions/{version.pk}/labels.pdf?zone=w02-c").content,
        tmp_path,
    )
    assert "w01-c" not in one
    assert "烟草前台" in one


def test_the_pdf_fetcher_refuses_everything_but_static_files_and_data():
    fetcher = StaticOnlyFetcher()
    for url in [
        "http://example.com/x.png",
        "file:///etc/passwd",
        f"{BASE_URL}media/x.png",
        f"{BASE_URL}static/../../etc/passwd",
    ]:
        with pytest.raises(ValueError, match="refused"):
            fetcher.fetch(url)
    assert fetcher.fetch(f"{BASE_URL}static/standards/print.css").read().startswith(b"/*")
    assert fetcher.fetch("data:text/plain;base64,aGk=").read() == b"hi"


def test_a_pdf_with_a_remote_image_renders_without_fetching_it():
    html = HTML(
        string='<p>前台</p><img src="http://127.0.0.1:9/x.png">',
        base_url=BASE_URL,
        url_fetcher=StaticOnlyFetcher(),
    )
    assert html.write_pdf().startswith(b"%PDF")


def test_many_labels_are_made_in_the_background(client_for, leader, center, published, settings):
    from onsite.core.models import FileJob

    settings.STANDARDS_INLINE_LABELS = 3
    area, version = published
    for n in range(2):
        ZoneFactory(center=center, code=f"w0{n}-c", name=f"前台{n}", area_type=area)
    client = client_for(leader)
    url = f"/standards/versions/{version.pk}/labels.pdf"
    offer = client.get(url)
    assert 'data-testid="job-request"' in offer.content.decode()
    assert not FileJob.objects.exists()
    response = client.post(url)
    job = FileJob.objects.get()
    assert response["Location"] == f"/jobs/{job.pk}/"
    job.refresh_from_db()
    assert (job.status, job.kind) == ("done", "standard_labels")
    download = client.get(f"/jobs/{job.pk}/download/")
    assert b"".join(download.streaming_content).startswith(b"%PDF")
    # one zone stays at once
    assert client.get(f"{url}?zone=w00-c")["Content-Type"] == "application/pdf"


def test_background_labels_stay_in_their_center(
    client_for, leader, other_admin, center, published, settings
):
    settings.STANDARDS_INLINE_LABELS = 0
    _area, version = published
    ZoneFactory(center=center, code="w01-c", name="前台", area_type=_area)
    client_for(leader).post(f"/standards/versions/{version.pk}/labels.pdf")
    from onsite.core.models import FileJob

    job = FileJob.objects.get()
    assert client_for(other_admin).get(f"/jobs/{job.pk}/download/").status_code == 404
