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


# --- a corpus of hostile uploads ----------------------------------------------------------
# Each is either refused with a clear code or accepted and neutralised: what is stored is
# our own JPEG re-encoding, which carries none of the payload.

import gzip  # noqa: E402 - grouped with the corpus below
import struct  # noqa: E402
import zipfile  # noqa: E402
import zlib  # noqa: E402

SCRIPT = b"<script>alert(document.cookie)</script>"


def png_chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png_declaring(width, height, extra=b""):
    """A PNG header claiming any size: a few hundred bytes that would decode to gigabytes."""
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + png_chunk(b"IHDR", header)
        + extra
        + png_chunk(b"IDAT", zlib.compress(b"\x00" * 64))
        + png_chunk(b"IEND", b"")
    )


def jpeg_declaring(width, height):
    data = bytearray(picture("JPEG", (16, 16)))
    sof = data.index(b"\xff\xc0")
    data[sof + 5 : sof + 9] = struct.pack(">HH", height, width)
    return bytes(data)


def jpeg_with_comment(comment):
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (10, 120, 30)).save(buffer, format="JPEG", comment=comment)
    return buffer.getvalue()


def zip_of(name, content):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(name, content)
    return buffer.getvalue()


def stored_bytes(photo):
    photo.image.seek(0)
    photo.thumbnail.seek(0)
    return photo.image.read() + photo.thumbnail.read()


SVG = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
REFUSED = {
    "svg with script": (SVG, "not_image"),
    "svg with xml prolog": (b'<?xml version="1.0"?>' + SVG, "not_image"),
    "svgz": (gzip.compress(SVG), "not_image"),
    "html renamed .jpg": (b"<!doctype html><html>" + SCRIPT, "not_image"),
    "gif with script (GIFAR)": (b"GIF89a\x01\x00\x01\x00\x00\x00\x00;" + SCRIPT, "not_image"),
    "windows executable": (b"MZ\x90\x00\x03" + b"\x00" * 200, "not_image"),
    "linux executable": (b"\x7fELF\x02\x01\x01" + b"\x00" * 200, "not_image"),
    "mach-o executable": (b"\xcf\xfa\xed\xfe" + b"\x00" * 200, "not_image"),
    "shell script": (b"#!/bin/sh\nrm -rf /\n", "not_image"),
    "pdf with javascript": (b"%PDF-1.7\n1 0 obj<</JS(app.alert(1))>>endobj", "not_image"),
    "zip archive": (zip_of("index.html", SCRIPT), "not_image"),
    "office document": (zip_of("[Content_Types].xml", b"<Types/>"), "not_image"),
    "tiff": (picture("TIFF"), "not_image"),
    "bmp": (picture("BMP"), "not_image"),
    "empty file": (b"", "not_image"),
    "png header then html": (b"\x89PNG\r\n\x1a\n" + SCRIPT * 4, "unreadable"),
    "jpeg header then html": (b"\xff\xd8\xff\xe0" + SCRIPT * 4, "unreadable"),
    "truncated jpeg": (picture("JPEG", (256, 256))[:300], "unreadable"),
    "webp content behind a png signature": (
        b"\x89PNG\r\n\x1a\n" + picture("WEBP")[8:],
        "unreadable",
    ),
    "png bomb: 100000 x 100000 declared": (png_declaring(100_000, 100_000), "too_many_pixels"),
    "png bomb: 9000 x 9000 declared": (png_declaring(9_000, 9_000), "too_many_pixels"),
    "png just over the cap: 7000 x 7000": (png_declaring(7_000, 7_000), "too_many_pixels"),
    "jpeg bomb: 65500 x 65500 declared": (jpeg_declaring(65_500, 65_500), "too_many_pixels"),
    "png text-chunk bomb": (
        png_declaring(
            8, 8, png_chunk(b"zTXt", b"Comment\x00\x00" + zlib.compress(b"A" * 8_000_000))
        ),
        "unreadable",
    ),
}


@pytest.fixture(params=["strict", "lenient"])
def decoding(request, monkeypatch):
    """WeasyPrint sets Pillow's LOAD_TRUNCATED_IMAGES when it is imported (as it is in a
    running site), and Pillow then pads a truncated image and skips an oversized text chunk
    instead of failing. Every hostile upload must be harmless either way."""
    from PIL import ImageFile

    monkeypatch.setattr(ImageFile, "LOAD_TRUNCATED_IMAGES", request.param == "lenient")
    return request.param


# Refused in both modes: never reaches the decoder, or fails before any pixel is decoded.
ALWAYS_REFUSED = {"not_image", "too_many_pixels", "mismatch"}


@pytest.mark.filterwarnings("ignore::PIL.Image.DecompressionBombWarning")
@pytest.mark.parametrize("name", REFUSED)
def test_hostile_uploads_are_refused_or_neutralised(name, decoding):
    payload, code = REFUSED[name]
    upload = SimpleUploadedFile("photo.jpg", payload, content_type="image/jpeg")
    if decoding == "strict" or code in ALWAYS_REFUSED:
        with pytest.raises(ValidationError) as caught:
            images.clean_photo(upload)
        assert caught.value.code == code
        return
    try:
        photo = images.clean_photo(upload)
    except ValidationError as refused:
        outcome = refused.code
    else:  # padded and re-encoded: only our own JPEG is kept
        stored = stored_bytes(photo)
        assert stored.startswith(b"\xff\xd8\xff")
        assert b"<script" not in stored
        assert b"Comment" not in stored
        outcome = code
    assert outcome == code


def exif_with_script():
    exif = Image.Exif()
    exif[0x010E] = SCRIPT.decode()  # ImageDescription
    exif[0x8825] = {2: (30.0, 15.0, 0.0), 4: (120.0, 10.0, 0.0)}  # GPS position
    return picture("JPEG", exif=exif)


NEUTRALISED = {
    "jpeg + zip polyglot": picture("JPEG") + zip_of("index.html", SCRIPT),
    "jpeg + html appended": picture("JPEG") + SCRIPT,
    "png + html appended": picture("PNG") + SCRIPT,
    "script in a jpeg comment": jpeg_with_comment(SCRIPT),
    "script and gps in exif": exif_with_script(),
}


def png_with_text():
    buffer = io.BytesIO()
    from PIL import PngImagePlugin

    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", SCRIPT.decode())
    info.add_itxt("XML:com.adobe.xmp", SCRIPT.decode())
    Image.new("RGB", (40, 30), (1, 2, 3)).save(buffer, format="PNG", pnginfo=info)
    return buffer.getvalue()


NEUTRALISED["script in a png text chunk"] = png_with_text()


@pytest.mark.parametrize("name", NEUTRALISED)
def test_payloads_riding_on_real_images_are_dropped(name):
    assert SCRIPT in NEUTRALISED[name] or b"PK\x03\x04" in NEUTRALISED[name] or "exif" in name
    photo = images.clean_photo(SimpleUploadedFile("photo.jpg", NEUTRALISED[name]))
    stored = stored_bytes(photo)
    assert stored.startswith(b"\xff\xd8\xff")
    for marker in (b"<script", b"PK\x03\x04", b"GPS", b"Exif", b"\xff\xfe"):
        assert marker not in stored, f"{marker!r} survived"
    photo.image.seek(0)
    reopened = Image.open(photo.image)
    assert not reopened.getexif()
    assert "comment" not in reopened.info


def test_the_stored_name_is_ours_whatever_the_upload_was_called():
    photo = images.clean_photo(SimpleUploadedFile("../../etc/passwd.php.jpg", picture("PNG")))
    assert (photo.image.name, photo.thumbnail.name) == ("photo.jpg", "thumb.jpg")


def test_an_animated_webp_keeps_only_a_still_frame():
    frames = [Image.new("RGB", (32, 32), (n * 40, 0, 0)) for n in range(4)]
    buffer = io.BytesIO()
    frames[0].save(buffer, format="WEBP", save_all=True, append_images=frames[1:], duration=100)
    photo = images.clean_photo(SimpleUploadedFile("a.webp", buffer.getvalue()))
    stored = Image.open(photo.image)
    assert getattr(stored, "n_frames", 1) == 1


# --- serving private files ----------------------------------------------------------------


@pytest.fixture
def stored(settings, tmp_path):
    from django.core.files.storage import FileSystemStorage
    from django.db.models import FileField
    from django.db.models.fields.files import FieldFile

    settings.MEDIA_ROOT = tmp_path
    storage = FileSystemStorage(location=tmp_path)
    field = FileField(storage=storage)
    field.name = "file"

    def make(name, content):
        saved = storage.save(name, io.BytesIO(content))
        return FieldFile(None, field, saved)

    return make


def body_of(response):
    return b"".join(response.streaming_content) if response.streaming else response.content


def test_a_photo_is_served_inline_with_safe_headers(rf, stored):
    data = picture()
    response = images.serve_protected_file(rf.get("/x"), stored("zones/p.jpg", data))
    assert response["Content-Type"] == "image/jpeg"
    assert response["Content-Disposition"] == 'inline; filename="p.jpg"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cache-Control"] == "private, no-store"
    assert "sandbox" in response["Content-Security-Policy"]
    assert "default-src 'none'" in response["Content-Security-Policy"]
    assert body_of(response) == data


@pytest.mark.parametrize("name", ["evil.html", "evil.svg", "evil.js", "noext", "evil.xml"])
def test_a_file_that_could_run_in_the_browser_is_only_ever_downloaded(rf, stored, name):
    response = images.serve_protected_file(rf.get("/x"), stored(name, SCRIPT))
    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Disposition"].startswith("attachment;")


def test_a_chinese_file_name_survives(rf, stored):
    response = images.serve_protected_file(
        rf.get("/x"), stored("r/report.pdf", b"%PDF-1.7"), filename="月度报告.pdf"
    )
    assert response["Content-Type"] == "application/pdf"
    assert "filename*=utf-8''%E6%9C%88" in response["Content-Disposition"]


def test_exports_are_attachments(rf, stored):
    response = images.serve_protected_file(rf.get("/x"), stored("e/a.xlsx", b"PK"))
    assert response["Content-Disposition"].startswith("attachment;")


def test_a_missing_file_is_a_404(rf, stored):
    from django.http import Http404

    photo = stored("p.jpg", b"x")
    photo.storage.delete(photo.name)
    with pytest.raises(Http404):
        images.serve_protected_file(rf.get("/x"), photo)


def test_nginx_can_send_the_bytes(rf, stored, settings):
    settings.PROTECTED_MEDIA_ACCEL_PREFIX = "/protected/"
    response = images.serve_protected_file(rf.get("/x"), stored("zones/p.jpg", picture()))
    assert response["X-Accel-Redirect"] == "/protected/zones/p.jpg"
    assert response.content == b""
    assert response["Cache-Control"] == "private, no-store"
