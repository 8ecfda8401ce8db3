import io
import shutil
import subprocess

import pytest
from PIL import Image

from onsite.core.tests.factories import ZoneFactory
from onsite.org.cards import BASE_URL, RefusedURLError, StaticOnlyFetcher
from onsite.org.models import StaffPhoto


def tool(name, *args, check=True):
    """Runs a poppler or zbar tool on a file this test wrote."""
    path = shutil.which(name)
    assert path, f"{name} is not installed"
    return subprocess.run([path, *map(str, args)], capture_output=True, text=True, check=check)  # noqa: S603


needs_poppler = pytest.mark.skipif(
    not (shutil.which("pdftoppm") and shutil.which("zbarimg")),
    reason="poppler-utils and zbar-tools",
)


def decode_qr_codes(pdf: bytes, tmp_path) -> list[str]:
    """Renders every page and reads every QR code on it, as a phone camera would."""
    source = tmp_path / "cards.pdf"
    source.write_bytes(pdf)
    tool("pdftoppm", "-r", "150", "-png", source, tmp_path / "page")
    found = []
    for png in sorted(tmp_path.glob("page*.png")):
        result = tool("zbarimg", "--quiet", "--raw", png, check=False)
        found += result.stdout.split()
    return found


def pdf_text(pdf: bytes, tmp_path) -> str:
    source = tmp_path / "text.pdf"
    source.write_bytes(pdf)
    return tool("pdftotext", source, "-").stdout


@needs_poppler
def test_each_card_qr_opens_the_zone_page(client_for, office_user, org, tmp_path):
    response = client_for(office_user).get("/org/cards.pdf", {"zone": "w01-c"})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "attachment" in response["Content-Disposition"]
    assert decode_qr_codes(response.content, tmp_path) == ["http://testserver/z/w01-c/"]
    text = pdf_text(response.content, tmp_path)
    assert "市场监管前台" in text
    assert "w01-c" in text
    assert "市场监管窗口2号" in text


@needs_poppler
def test_a_floor_sheet_has_a_card_for_every_zone_and_pages_of_eight(
    client_for, admin_user, org, center, tmp_path
):
    for n in range(9):
        ZoneFactory(center=center, code=f"z{n}", name=f"区域{n}", floor=org.floor)
    response = client_for(admin_user).get("/org/cards.pdf", {"floor": "1"})
    urls = decode_qr_codes(response.content, tmp_path)
    assert sorted(urls) == sorted(
        [f"http://testserver/z/z{n}/" for n in range(9)] + ["http://testserver/z/w01-c/"]
    )
    assert len(list(tmp_path.glob("page*.png"))) == 2


@needs_poppler
def test_the_owner_photo_is_on_the_card(client_for, admin_user, org, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    picture = io.BytesIO()
    Image.new("RGB", (300, 400), (30, 90, 200)).save(picture, format="JPEG")
    picture.seek(0)
    picture.name = "owner.jpg"
    client = client_for(admin_user)
    client.post("/org/staff/w01-2/photo/upload/", {"photo": picture})
    assert StaffPhoto.objects.filter(user=org.zone.owner).exists()
    response = client.get("/org/cards.pdf", {"zone": "w01-c"})
    source = tmp_path / "photo.pdf"
    source.write_bytes(response.content)
    listing = tool("pdfimages", "-list", source).stdout
    assert "jpeg" in listing or "dct" in listing


def test_cards_need_the_admin_or_the_office(client_for, staff_user, supervisor, org, client):
    assert client_for(staff_user).get("/org/cards.pdf").status_code == 403
    assert client_for(supervisor).get("/org/cards.pdf").status_code == 403
    client.logout()
    assert client.get("/org/cards.pdf").status_code == 302


def test_another_centers_zones_are_never_printed(client_for, admin_user, org, tmp_path):
    response = client_for(admin_user).get("/org/cards.pdf", {"zone": "y01-c"})
    assert response.status_code == 200
    assert shutil.which("pdftotext") is None or "别家前台" not in pdf_text(
        response.content, tmp_path
    )


def test_the_pdf_fetcher_serves_only_our_static_files_and_data_uris():
    fetcher = StaticOnlyFetcher()
    css = fetcher.fetch(BASE_URL + "static/org/cards.css")
    assert b"@page" in css.read()
    assert fetcher.fetch("data:text/plain;base64,aGk=").read() == b"hi"
    for url in [
        "http://127.0.0.1:8000/static/org/cards.css",
        "file:///etc/passwd",
        BASE_URL + "static/../../config/settings.py",
        BASE_URL + "media/anything.jpg",
        BASE_URL + "static/org/missing.css",
        "https://example.com/x.png",
    ]:
        with pytest.raises(RefusedURLError):
            fetcher.fetch(url)


# --- many cards: a background file -------------------------------------------------------


@pytest.fixture
def many_cards(settings, org, center):
    settings.ORG_INLINE_CARDS = 2
    for n in range(3):
        ZoneFactory(center=center, code=f"m{n}", name=f"区域{n}", floor=org.floor)
    return org


def make_cards_job(client):
    from onsite.core.models import FileJob

    asked = client.get("/org/cards.pdf", {"floor": "1"})
    assert asked.status_code == 200
    assert 'data-testid="job-request"' in asked.content.decode()
    assert not FileJob.objects.exists(), "a GET makes nothing"
    response = client.post("/org/cards.pdf?floor=1")
    job = FileJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/jobs/{job.pk}/"
    return job


def test_many_cards_are_made_in_the_background_and_downloaded(client_for, office_user, many_cards):
    from onsite.audit.models import AuditEvent

    client = client_for(office_user)
    job = make_cards_job(client)
    job.refresh_from_db()
    # The test settings run tasks at once.
    assert (job.status, job.progress, job.kind) == ("done", 100, "zone_cards")
    assert len(job.params["zones"]) == 4
    page = client.get(f"/jobs/{job.pk}/").content.decode()
    assert 'data-testid="job-progress"' in page
    assert 'data-testid="job-download"' in page
    download = client.get(f"/jobs/{job.pk}/download/")
    assert download.status_code == 200
    assert b"".join(download.streaming_content).startswith(b"%PDF")
    assert AuditEvent.objects.filter(action="org.cards_printed", actor=office_user).exists()


def test_a_waiting_job_shows_its_progress(client_for, admin_user, center):
    from onsite.core.models import FileJob

    job = FileJob.objects.create(center=center, kind="zone_cards", requested_by=admin_user)
    client = client_for(admin_user)
    client.cookies["django_language"] = "en"
    page = client.get(f"/jobs/{job.pk}/", HTTP_HX_REQUEST="true").content.decode()
    assert 'hx-trigger="every 1s"' in page
    assert "Waiting for the task worker" in page
    assert 'data-testid="job-download"' not in page
    assert client.get(f"/jobs/{job.pk}/download/").status_code == 404


@needs_poppler
def test_the_background_cards_read_like_the_inline_ones(
    client_for, admin_user, many_cards, tmp_path
):
    client = client_for(admin_user)
    job = make_cards_job(client)
    content = b"".join(client.get(f"/jobs/{job.pk}/download/").streaming_content)
    assert sorted(decode_qr_codes(content, tmp_path)) == sorted(
        [f"http://testserver/z/m{n}/" for n in range(3)] + ["http://testserver/z/w01-c/"]
    )


@pytest.mark.parametrize("persona", ["supervisor", "staff_user", "leader"])
def test_other_roles_of_the_center_cannot_open_the_cards(
    request, client_for, office_user, persona, many_cards
):
    job = make_cards_job(client_for(office_user))
    other = client_for(request.getfixturevalue(persona))
    assert other.get(f"/jobs/{job.pk}/").status_code == 403
    assert other.get(f"/jobs/{job.pk}/download/").status_code == 403
    assert other.post("/org/cards.pdf?floor=1").status_code == 403


def test_another_center_cannot_see_the_cards(client_for, office_user, other_admin, many_cards):
    from django.test import Client

    job = make_cards_job(client_for(office_user))
    other = client_for(other_admin)
    assert other.get(f"/jobs/{job.pk}/").status_code == 404
    assert other.get(f"/jobs/{job.pk}/download/").status_code == 404
    anonymous = Client().get(f"/jobs/{job.pk}/download/")
    assert anonymous.status_code == 302
    assert anonymous["Location"].startswith("/accounts/login/")


def test_background_cards_are_made_in_the_language_of_who_asked(client_for, admin_user, many_cards):
    client = client_for(admin_user)
    client.cookies["django_language"] = "en"
    job = make_cards_job(client)
    job.refresh_from_db()
    assert job.language == "en"
    assert "QR cards of zones" in client.get(f"/jobs/{job.pk}/").content.decode()
