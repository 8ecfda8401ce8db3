import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from onsite.core.tests.factories import ZoneFactory
from onsite.supplies.tests.factories import SupplyFactory


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def png_bytes(colour="red", size=(64, 48)):
    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, format="PNG")
    return out.getvalue()


@pytest.fixture
def photo():
    return SimpleUploadedFile("tag.png", png_bytes(), content_type="image/png")


@pytest.fixture
def zone(center, staff_user):
    return ZoneFactory(
        center=center, code="w01-c", name="市场监管前台", unit=staff_user.unit, owner=staff_user
    )


@pytest.fixture
def pens(center):
    return SupplyFactory(center=center, code="pen", name="签字笔", measure="支", unit_price="2.00",
                         on_hand=100, min_level=10, max_level=800)  # fmt: skip


@pytest.fixture
def tag_data():
    return {"item_name": "多余签字笔", "quantity": 12, "reason": "excess",
            "proposal": "return_to_store", "footprint": "0.05", "note": "抽屉里"}  # fmt: skip


@pytest.fixture
def english():
    """Service messages compared in English (the catalogue is Chinese by default)."""
    from django.utils import translation

    with translation.override("en"):
        yield
