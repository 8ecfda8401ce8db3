"""Handing in a fix: the note typed before the after-photos is never lost. With JavaScript
photos upload in place (htmx answers the photo strip only); without it the note is posted
along with the photos and shown again, and photos chosen but not uploaded go with the
hand-in."""

import io
from pathlib import Path

import pytest
from django.urls import reverse
from PIL import Image

from onsite.core.tests.browser import sign_in
from onsite.inspections.tests.conftest import image_upload
from onsite.rectification.models import Rectification

UPLOAD = "rectification:photo-upload"


def detail(r):
    return reverse("rectification:rectification-detail", args=[r.pk])


@pytest.mark.django_db
def test_without_javascript_the_note_posted_with_the_photos_comes_back(
    client_for, rectification, owner
):
    client = client_for(owner)
    response = client.post(
        reverse(UPLOAD, args=[rectification.pk]), {"photo": image_upload(), "note": "已清理台面"}
    )
    assert response.status_code == 302
    page = client.get(detail(rectification)).content.decode()
    assert "已清理台面</textarea>" in page
    assert rectification.photos.count() == 1


@pytest.mark.django_db
def test_htmx_upload_answers_the_photo_strip_only(client_for, rectification, owner):
    response = client_for(owner).post(
        reverse(UPLOAD, args=[rectification.pk]),
        {"photo": image_upload(), "note": "x"},
        headers={"HX-Request": "true"},
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in body
    assert 'data-testid="after-photos"' in body
    assert body.count("<img") == 1


@pytest.mark.django_db
def test_a_refused_photo_says_why_in_the_strip(client_for, rectification, owner):
    from django.core.files.uploadedfile import SimpleUploadedFile

    fake = SimpleUploadedFile("x.png", b"not an image", content_type="image/png")
    response = client_for(owner).post(
        reverse(UPLOAD, args=[rectification.pk]), {"photo": fake}, headers={"HX-Request": "true"}
    )
    assert 'data-testid="photo-error"' in response.content.decode()
    assert not rectification.photos.exists()


@pytest.mark.django_db
def test_photos_chosen_but_not_uploaded_go_with_the_hand_in(client_for, rectification, owner):
    response = client_for(owner).post(
        reverse("rectification:rectification-submit", args=[rectification.pk]),
        {
            "photo": image_upload(),
            "note": "已清理",
            "row_version": rectification.version,
            "submission_key": "k-1",
        },
    )
    assert response.status_code == 302
    rectification.refresh_from_db()
    assert rectification.is_submitted
    assert rectification.photos.count() == 1


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_on_a_phone_the_typed_note_stays_while_photos_upload(phone_page, rectification, tmp_path):
    page = phone_page
    page.set_default_timeout(60_000)
    sign_in(page, "owner1")
    page.goto(detail(rectification))
    page.fill("#id_note", "桌面零食已收走，抽屉已整理")
    path = tmp_path / "after.png"
    buffer = io.BytesIO()
    Image.new("RGB", (800, 600), (40, 160, 40)).save(buffer, format="PNG")
    Path(path).write_bytes(buffer.getvalue())
    page.locator("[data-testid=after-input]").set_input_files(str(path))
    page.locator("[data-testid=after-photos] img").first.wait_for(timeout=15_000)
    assert page.input_value("#id_note") == "桌面零食已收走，抽屉已整理"
    assert page.locator("[data-testid=upload-after]").is_hidden(), "uploads at once"
    page.click("[data-testid=submit-fix]")
    page.wait_for_url(f"**{detail(rectification)}")
    rectification = Rectification.objects.get(pk=rectification.pk)
    assert rectification.is_submitted
    assert rectification.note == "桌面零食已收走，抽屉已整理"
    assert rectification.photos.count() == 1
