"""Handing in a fix: the note typed before the after-photos is never lost. With JavaScript
photos upload in place (htmx answers the photo strip only); without it the note is posted
along with the photos and shown again, and photos chosen but not uploaded go with the
hand-in."""

import io
from pathlib import Path

import pytest
from django.urls import reverse
from PIL import Image

from onsite.core.tests.browser import fail_first, outbox_empty, phone_context, sign_in, until_kept
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
    page.locator("[data-testid=fix]").wait_for(state="detached")  # the page shows it handed in
    rectification = Rectification.objects.get(pk=rectification.pk)
    assert rectification.is_submitted
    assert rectification.note == "桌面零食已收走，抽屉已整理"
    assert rectification.photos.count() == 1


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_hand_in_made_offline_arrives_once(chromium, live_server, rectification, tmp_path):
    """No network in the corner of the hall: the owner photographs the fix and hands it in;
    the page (from the phone's cache after a reload) says it waits; back online, exactly one
    hand-in with its photos arrives, although the first answer from the server was lost."""
    context = phone_context(chromium, live_server)
    page = context.new_page()
    sign_in(page, "owner1")
    page.goto(detail(rectification))
    until_kept(page)
    context.set_offline(True)
    photos = []
    for n, colour in enumerate([(40, 160, 40), (40, 40, 160)]):
        path = tmp_path / f"after{n}.jpg"
        Image.new("RGB", (3000, 2000), colour).save(path, format="JPEG")
        photos.append(str(path))
    page.locator("[data-testid=after-input]").set_input_files(photos)
    page.locator("[data-testid=photo-waiting]").nth(1).wait_for()
    page.fill("#id_note", "桌面零食已收走")
    page.click("[data-testid=submit-fix]")
    page.locator("[data-testid=fix-queued]").wait_for()
    page.reload()  # offline: from the phone's cache, with what waits
    page.locator("[data-testid=fix-queued]").wait_for()
    assert page.locator("[data-testid=photo-waiting]").count() == 2
    rectification.refresh_from_db()
    assert not rectification.is_submitted
    assert rectification.photos.count() == 0

    fail_first(page, "**/api/v1/rectification/**", "lost-answer")
    context.set_offline(False)
    page.evaluate("window.OnsiteOutbox.flush()")
    outbox_empty(page)
    rectification = Rectification.objects.get(pk=rectification.pk)
    assert rectification.is_submitted
    assert rectification.note == "桌面零食已收走"
    assert rectification.photos.count() == 2
    assert all(max(p.width, p.height) <= 2048 for p in rectification.photos.all())
    context.close()


@pytest.mark.django_db
def test_an_after_photo_resent_with_its_key_is_stored_once(client_for, rectification, owner):
    """The phone's outbox resends a photo whose answer it never heard: one photo, the same
    answer. Another key is another photo."""
    client = client_for(owner)
    url = reverse("api:rectification_upload_photo", args=[rectification.pk])
    first = client.post(url, {"photo": image_upload()}, headers={"Idempotency-Key": "k-1"})
    again = client.post(url, {"photo": image_upload()}, headers={"Idempotency-Key": "k-1"})
    assert first.status_code == again.status_code == 200
    assert first.json()["id"] == again.json()["id"]
    assert rectification.photos.count() == 1
    other = client.post(url, {"photo": image_upload()}, headers={"Idempotency-Key": "k-2"})
    assert other.status_code == 200
    assert rectification.photos.count() == 2


@pytest.mark.django_db
def test_someone_else_s_key_does_not_answer_for_them(client_for, rectification, owner, center):
    from onsite.core.tests.factories import UserFactory

    url = reverse("api:rectification_upload_photo", args=[rectification.pk])
    client_for(owner).post(url, {"photo": image_upload()}, headers={"Idempotency-Key": "k-1"})
    stranger = UserFactory(center=center, roles=["staff"])
    refused = client_for(stranger).post(
        url, {"photo": image_upload()}, headers={"Idempotency-Key": "k-1"}
    )
    assert refused.status_code in {403, 404}
    assert rectification.photos.count() == 1
