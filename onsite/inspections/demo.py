"""Demo inspections: four weeks of weekly self-checks and fortnightly supervision checks on
the pilot windows (w01–w05, front counter and back office) and the supervision section (s1),
and a few checks of other windows; findings with photos (their rectifications are played
forward by `onsite.rectification.demo`, the next step). Runs through the same services as
the pages. Idempotent: a zone, kind and date that already has an inspection is skipped."""

from __future__ import annotations

import datetime
import io
import random

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone
from PIL import Image, ImageDraw

from onsite.accounts.models import Role, User
from onsite.core.models import Center
from onsite.core.refusals import Refusal
from onsite.inspections import services
from onsite.inspections.models import Answer, Inspection, InspectionSettings, Severity
from onsite.inspections.queries import people_of
from onsite.inspections.services import AnswerInput
from onsite.org.models import Zone

PILOT_ZONES = [f"w{n:02d}-{kind}" for n in range(1, 6) for kind in ("c", "b")] + ["s1-k", "s1-o"]
OTHER_ZONES = ["w06-c", "w07-c", "w08-c", "w09-c", "w10-c", "p1"]
NOTES = ["台面有多余物品", "物品未按定位摆放", "标识脱落", "桌面有灰尘", "线缆杂乱", "资料未归档"]


def demo_photo(colour: tuple[int, int, int], label: str) -> SimpleUploadedFile:
    picture = Image.new("RGB", (640, 480), colour)
    ImageDraw.Draw(picture).rectangle((200, 140, 440, 340), outline=(255, 255, 255), width=8)
    ImageDraw.Draw(picture).text((24, 24), label, fill=(255, 255, 255))
    out = io.BytesIO()
    picture.save(out, format="JPEG", quality=80)
    return SimpleUploadedFile(f"{label}.jpg", out.getvalue(), content_type="image/jpeg")


def _inspect(
    *,
    zone: Zone,
    kind: str,
    inspector: User,
    day: datetime.date,
    fail_rate: float,
    rng: random.Random,
    with_photos: bool,
) -> Inspection | None:
    if Inspection.objects.filter(zone=zone, kind=kind, inspected_on=day).exists():
        return None
    try:
        inspection = services.start_inspection(
            zone=zone, kind=kind, inspector=inspector, on=day, resume=False
        )
    except Refusal:
        return None  # the area type has no published standard
    answers = list(inspection.answers.all())
    people = list(people_of(zone).values_list("pk", flat=True))
    # A failed person check names someone on post: the zone's owner, else one of its unit.
    on_post = zone.owner_id if zone.owner_id in people else (people[0] if people else None)
    items = []
    for answer in answers:
        failed = rng.random() < fail_rate and (on_post is not None or not answer.is_about_a_person)
        items.append(
            AnswerInput(
                answer.pk,
                Answer.Result.FAIL if failed else Answer.Result.PASS,
                deduction=str(rng.choice([2, 3, 5] if fail_rate < 0.5 else [6, 8, 10]))
                if failed
                else None,
                severity=rng.choice([Severity.GENERAL, Severity.GENERAL, Severity.SERIOUS])
                if failed
                else Severity.GENERAL,
                note=rng.choice(NOTES) if failed else "",
                person=on_post if failed and answer.is_about_a_person else None,
            )
        )
        if failed and (with_photos or answer.photo_required):
            services.add_photo(
                answer=answer, by=inspector, upload=demo_photo((160, 60, 60), "before")
            )
        elif answer.photo_required:
            services.add_photo(answer=answer, by=inspector, upload=demo_photo((60, 120, 60), "ok"))
    inspection = services.save_answers(
        inspection=inspection, by=inspector, expected_version=inspection.version, answers=items
    )
    return services.submit_inspection(inspection=inspection, by=inspector)


@transaction.atomic
def seed(center: Center) -> None:
    rng = random.Random(f"onsite-inspections-demo-{center.code}")  # noqa: S311 - reproducible demo
    supervisor = (
        User.objects.filter(center=center, role_grants__role=Role.SUPERVISOR)
        .order_by("username")
        .first()
    )
    if supervisor is None:
        return
    zones = {
        z.code: z
        for z in Zone.objects.filter(
            center=center, code__in=PILOT_ZONES + OTHER_ZONES
        ).select_related("owner", "area_type")
    }
    today = timezone.localdate()
    for week in range(4, 0, -1):
        day = today - datetime.timedelta(days=7 * week - 1)
        pilot_rate = 0.04 + 0.04 * week  # the pilots improve week by week
        for code in PILOT_ZONES:
            zone = zones.get(code)
            if zone is None or zone.owner is None:
                continue
            _inspect(zone=zone, kind=Inspection.Kind.SELF_CHECK, inspector=zone.owner,
                     day=day, fail_rate=pilot_rate, rng=rng, with_photos=False)  # fmt: skip
            if week % 2 == 0:
                _inspect(zone=zone, kind=Inspection.Kind.SUPERVISION,
                         inspector=supervisor, day=day + datetime.timedelta(days=1),
                         fail_rate=pilot_rate + 0.05, rng=rng, with_photos=True)  # fmt: skip
    for index, code in enumerate(OTHER_ZONES):
        zone = zones.get(code)
        if zone is not None:
            day = today - datetime.timedelta(days=3 + index * 3)
            _inspect(zone=zone, kind=Inspection.Kind.SUPERVISION, inspector=supervisor,
                     day=day, fail_rate=0.8 if index == 4 else 0.25, rng=rng,
                     with_photos=True)  # fmt: skip
    # The photo check is on in the demo from now on: the history above was made without it
    # (its photos are plain colour cards), the demo's new photos are checked.
    InspectionSettings.objects.update_or_create(center=center, defaults={"photo_check": True})
