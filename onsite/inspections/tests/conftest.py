import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from onsite.core.tests.factories import UnitFactory, UserFactory
from onsite.inspections import services
from onsite.inspections.services import AnswerInput
from onsite.inspections.tests.factories import zone_with_standard


def image_upload(name="photo.png", size=(64, 48), fmt="PNG", colour=(200, 30, 30)):
    buffer = io.BytesIO()
    Image.new("RGB", size, colour).save(buffer, format=fmt)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type=f"image/{fmt.lower()}")


def answer(inspection, by, *, fail=(), severity="general", deduction=None, note="问题"):
    """Answers every check: `fail` keys fail, the rest pass. Returns the saved inspection."""
    return services.save_answers(
        inspection=inspection,
        by=by,
        expected_version=inspection.version,
        answers=[
            AnswerInput(
                a.pk,
                "fail" if a.key in fail else "pass",
                deduction=deduction,
                severity=severity,
                note=note if a.key in fail else "",
            )
            for a in inspection.answers.all()
        ],
    )


def inspect(zone, by, *, fail=("clause:C01",), on=None, kind="supervision", **kwargs):
    inspection = services.start_inspection(zone=zone, kind=kind, inspector=by, on=on, resume=False)
    inspection = answer(inspection, by, fail=fail, **kwargs)
    return services.submit_inspection(inspection=inspection, by=by)


@pytest.fixture
def owner(center):
    return UserFactory(
        center=center, username="owner1", roles=["staff"], unit=UnitFactory(center=center)
    )


@pytest.fixture
def zone(center, owner):
    return zone_with_standard(center, owner=owner)[0]


@pytest.fixture
def other_zone(other_center):
    owner = UserFactory(center=other_center, username="owner-yy", roles=["staff"])
    return zone_with_standard(other_center, owner=owner)[0]


@pytest.fixture
def other_supervisor(other_center):
    return UserFactory(center=other_center, username="sup-yy", roles=["supervisor"])
