import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from onsite.core import images


def picture(fmt="JPEG", size=(64, 48), exif=None):
    buffer = io.BytesIO()
    kwargs = {"exif": exif} if exif is not None else {}
    Image.new("RGB", size, (200, 30, 30)).save(buffer, format=fmt, **kwargs)
    return buffer.getvalue()


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP"])
def test_real_photos_are_accepted_and_re_encoded(fmt):
    photo = images.clean_photo(SimpleUploadedFile("a.bin", picture(fmt)))
    assert photo.image.read(3) == b"\xff\xd8\xff"
    assert (photo.width, photo.height) == (64, 48)


def test_exif_is_dropped_and_orientation_applied():
    exif = Image.Exif()
    exif[0x0112] = 6  # rotated 90° clockwise
    exif[0x010F] = "SecretCam"
    photo = images.clean_photo(SimpleUploadedFile("a.jpg", picture("JPEG", (64, 48), exif)))
    stored = Image.open(photo.image)
    assert stored.size == (48, 64)
    assert not stored.getexif()


def test_a_script_after_a_png_header_is_refused():
    payload = b"\x89PNG\r\n\x1a\n<script>alert(1)</script>" + b"x" * 100
    with pytest.raises(ValidationError) as caught:
        images.clean_photo(SimpleUploadedFile("a.png", payload))
    assert caught.value.code == "unreadable"


def test_a_renamed_executable_is_refused():
    with pytest.raises(ValidationError) as caught:
        images.clean_photo(SimpleUploadedFile("photo.jpg", b"MZ\x90\x00" + b"\x00" * 200))
    assert caught.value.code == "not_image"


def test_a_file_over_the_size_limit_is_refused(monkeypatch):
    monkeypatch.setattr(images, "MAX_BYTES", 1000)
    with pytest.raises(ValidationError) as caught:
        images.clean_photo(SimpleUploadedFile("a.jpg", picture("PNG", (400, 400))))
    assert caught.value.code == "too_large"


def test_a_pixel_bomb_is_refused_before_decoding(monkeypatch):
    monkeypatch.setattr(images, "MAX_PIXELS", 10_000)
    with pytest.raises(ValidationError) as caught:
        images.clean_photo(SimpleUploadedFile("a.png", picture("PNG", (1000, 1000))))
    assert caught.value.code == "too_many_pixels"


def test_the_error_is_in_the_users_language():
    from django.utils import translation

    with translation.override("zh-hans"), pytest.raises(ValidationError) as caught:
        images.clean_photo(SimpleUploadedFile("a.txt", b"hello world, not a photo"))
    assert "不是照片" in caught.value.messages[0]
