"""Printed red tags: Chinese text, a QR code that opens the entry, and a PDF engine that
fetches nothing but our own static files and data: URIs."""

import shutil
import subprocess

import pytest
from weasyprint import HTML

from onsite.redtags import actions
from onsite.redtags.pdf import PDF_BASE_URL, StaticOnlyFetcher, render_tags_pdf

needs_poppler = pytest.mark.skipif(
    not all(shutil.which(tool) for tool in ("pdftotext", "pdftoppm", "pdfinfo", "zbarimg")),
    reason="poppler-utils and zbar-tools are needed to read the PDF back",
)


def run(*command, check=True):
    """poppler-utils and zbar-tools, found on PATH like any test tool."""
    return subprocess.run(command, capture_output=True, text=True, check=check)  # noqa: S603


def hang(zone, by, **data):
    values = {"item_name": "过期办事指南", "quantity": 60, "reason": "not_used",
              "proposal": "return_to_store"}  # fmt: skip
    values.update(data)
    return actions.do_tag(center=zone.center, zone=zone, by=by, data=values)


@needs_poppler
def test_a_printed_tag_has_chinese_text_and_a_qr_to_its_entry(
    client_for, staff_user, zone, tmp_path, photo
):
    tag = actions.do_tag(
        center=zone.center, zone=zone, by=staff_user, photo=photo,
        data={"item_name": "过期办事指南", "quantity": 60, "reason": "not_used",
              "proposal": "return_to_store"},
    )  # fmt: skip
    response = client_for(staff_user).get(f"/redtags/print.pdf?id={tag.pk}")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    pdf = tmp_path / "tags.pdf"
    pdf.write_bytes(response.content)
    text = run("pdftotext", str(pdf), "-").stdout
    assert tag.number in text
    assert "过期办事指南" in text
    assert "红" in text
    assert "暂存至" in text
    run("pdftoppm", "-r", "200", "-png", "-f", "1", "-l", "1", str(pdf), str(tmp_path / "page"))
    image = next(tmp_path.glob("page*.png"))
    decoded = run("zbarimg", "--raw", "-q", str(image), check=False).stdout
    assert decoded.strip() == f"http://testserver/redtags/{tag.pk}/"


def test_the_print_follows_the_list_filters_and_the_center(
    client_for, staff_user, zone, other_admin
):
    tags = [hang(zone, staff_user, item_name=f"物品{n}") for n in range(5)]
    client = client_for(staff_user)
    response = client.get("/redtags/print.pdf?show=held")
    assert response.status_code == 200
    assert response.content.startswith(b"%PDF")
    assert client_for(other_admin).get(f"/redtags/print.pdf?id={tags[0].pk}").status_code == 302, (
        "another center's tags are not printed: there is nothing to print"
    )


def test_the_fetcher_refuses_files_and_urls_but_serves_our_static_files():
    fetcher = StaticOnlyFetcher()
    for url in ["file:///etc/passwd", "http://example.com/x.png", "https://onsite.invalid/media/x.jpg",
                f"{PDF_BASE_URL}static/../../config/settings.py"]:  # fmt: skip
        with pytest.raises(ValueError, match="Refused"):
            fetcher.fetch(url)
    served = fetcher.fetch(f"{PDF_BASE_URL}static/redtags/redtags.css")
    assert b"redtag-thumb" in served.read()
    assert fetcher.fetch("data:text/plain;base64,aGk=").read() == b"hi"


def test_a_tag_note_cannot_make_the_pdf_read_a_local_file(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET")
    html = f'<p>x</p><img src="file://{secret}"><link rel="stylesheet" href="file://{secret}">'
    pdf = HTML(string=html, base_url=PDF_BASE_URL, url_fetcher=StaticOnlyFetcher()).write_pdf()
    assert b"TOP-SECRET" not in pdf


@needs_poppler
def test_render_many_tags_four_to_a_page(zone, staff_user, tmp_path):
    tags = [hang(zone, staff_user, item_name=f"物品{n}") for n in range(5)]
    pdf = tmp_path / "five.pdf"
    pdf.write_bytes(render_tags_pdf(tags, site_url="https://onsite.example.cn/"))
    info = run("pdfinfo", str(pdf)).stdout
    assert "Pages:           2" in info


def test_many_tags_print_in_the_background(client_for, staff_user, zone, other_admin, settings):
    from onsite.core.models import FileJob

    settings.REDTAGS_INLINE_TAGS = 2
    for n in range(3):
        hang(zone, staff_user, item_name=f"物品{n}")
    client = client_for(staff_user)
    offer = client.get("/redtags/print.pdf?show=held")
    assert 'data-testid="job-request"' in offer.content.decode()
    assert not FileJob.objects.exists()
    response = client.post("/redtags/print.pdf?show=held")
    job = FileJob.objects.get()
    assert response["Location"] == f"/jobs/{job.pk}/"
    job.refresh_from_db()
    assert (job.status, len(job.params["tags"])) == ("done", 3)
    download = client.get(f"/jobs/{job.pk}/download/")
    assert b"".join(download.streaming_content).startswith(b"%PDF")
    assert client_for(other_admin).get(f"/jobs/{job.pk}/download/").status_code == 404
