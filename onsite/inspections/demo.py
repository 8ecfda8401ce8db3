"""Demo inspections: four weeks of weekly self-checks and fortnightly supervision checks on
the pilot windows (w01–w05, front counter and back office) and the supervision section (s1),
and a few checks of other windows; findings with photos, and their rectifications played
forward into every state (verified, waiting for verification, returned, open, overdue and
escalated). Runs through the same services as the pages. Idempotent: a zone, kind and date
that already has an inspection is skipped."""

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
from onsite.inspections import services
from onsite.inspections.models import Answer, Inspection, Severity
from onsite.inspections.services import AnswerInput, InspectionError
from onsite.org.models import Zone
from onsite.rectification import services as rectification_services
from onsite.rectification.models import Rectification, Transition

PILOT_ZONES = [f"w{n:02d}-{kind}" for n in range(1, 6) for kind in ("c", "b")] + ["s1-k", "s1-o"]
OTHER_ZONES = ["w06-c", "w07-c", "w08-c", "w09-c", "w10-c", "p1"]
NOTES = ["台面有多余物品", "物品未按定位摆放", "标识脱落", "桌面有灰尘", "线缆杂乱", "资料未归档"]


def _photo(colour: tuple[int, int, int], label: str) -> SimpleUploadedFile:
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
    except InspectionError:
        return None  # the area type has no published standard
    answers = list(inspection.answers.all())
    items = []
    for answer in answers:
        failed = rng.random() < fail_rate
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
            )
        )
        if failed and (with_photos or answer.photo_required):
            services.add_photo(answer=answer, by=inspector, upload=_photo((160, 60, 60), "before"))
        elif answer.photo_required:
            services.add_photo(answer=answer, by=inspector, upload=_photo((60, 120, 60), "ok"))
    inspection = services.save_answers(
        inspection=inspection, by=inspector, expected_version=inspection.version, answers=items
    )
    return services.submit_inspection(inspection=inspection, by=inspector)


def _play(rectification: Rectification, *, today: datetime.date, rng: random.Random,
          verifier: User) -> None:  # fmt: skip
    """Moves a demo rectification forward according to its age."""
    fixer = rectification.assignee
    if fixer is None:
        return
    age = (today - rectification.finding.found_on).days
    roll = rng.random()
    if age <= 2 and roll < 0.6:
        return  # still open, not due yet
    if roll < 0.06 and age > 5:
        return  # never fixed: overdue
    rectification_services.add_after_photo(
        rectification=rectification, by=fixer, upload=_photo((60, 120, 160), "after")
    )
    rectification_services.submit_rectification(
        rectification=rectification,
        by=fixer,
        note="已按标准整改。",
        expected_version=rectification.version,
    )
    if age <= 4:
        return  # waiting for verification
    if roll < 0.2:
        rectification_services.return_rectification(
            rectification=rectification,
            by=verifier,
            reason="整改不到位，物品仍未归位。",
            expected_version=rectification.version,
        )
        if roll < 0.14:
            return  # returned: open again
        rectification_services.add_after_photo(
            rectification=rectification, by=fixer, upload=_photo((60, 140, 170), "after-2")
        )
        rectification_services.submit_rectification(
            rectification=rectification,
            by=fixer,
            note="已重新整改并拍照。",
            expected_version=rectification.version,
        )
    rectification_services.verify_rectification(
        rectification=rectification, by=verifier, expected_version=rectification.version
    )


def _backdate_hand_in(
    rectification: Rectification, *, today: datetime.date, rng: random.Random
) -> None:
    """The services stamp a hand-in with the time of seeding; in the demo's history it came
    in on one of the days after the finding, most before the due date (so the dashboards'
    on-time rate is about 85 %, not 0 %). Its hand-in step in the history moves too; one
    that was returned keeps its times, so its history stays in order."""
    hand_ins = list(rectification.transitions.filter(to_status=Rectification.Status.SUBMITTED))
    if len(hand_ins) != 1:
        return
    found, due = rectification.finding.found_on, rectification.due_on
    if rng.random() < 0.85:
        day = found + datetime.timedelta(days=rng.randint(0, max(0, (due - found).days)))
    else:
        day = due + datetime.timedelta(days=rng.randint(1, 3))
    day = min(day, today)
    at = timezone.make_aware(
        datetime.datetime.combine(day, datetime.time(rng.randint(9, 16), rng.randint(0, 59)))
    )
    Rectification.objects.filter(pk=rectification.pk).update(submitted_at=at)
    Transition.objects.filter(pk=hand_ins[0].pk).update(at=at)


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
    created: list[Inspection] = []
    for week in range(4, 0, -1):
        day = today - datetime.timedelta(days=7 * week - 1)
        pilot_rate = 0.04 + 0.04 * week  # the pilots improve week by week
        for code in PILOT_ZONES:
            zone = zones.get(code)
            if zone is None or zone.owner is None:
                continue
            done = _inspect(zone=zone, kind=Inspection.Kind.SELF_CHECK, inspector=zone.owner,
                            day=day, fail_rate=pilot_rate, rng=rng, with_photos=False)  # fmt: skip
            created += [done] if done else []
            if week % 2 == 0:
                done = _inspect(zone=zone, kind=Inspection.Kind.SUPERVISION,
                                inspector=supervisor, day=day + datetime.timedelta(days=1),
                                fail_rate=pilot_rate + 0.05, rng=rng, with_photos=True)  # fmt: skip
                created += [done] if done else []
    for index, code in enumerate(OTHER_ZONES):
        zone = zones.get(code)
        if zone is not None:
            day = today - datetime.timedelta(days=3 + index * 3)
            done = _inspect(zone=zone, kind=Inspection.Kind.SUPERVISION, inspector=supervisor,
                            day=day, fail_rate=0.8 if index == 4 else 0.25, rng=rng,
                            with_photos=True)  # fmt: skip
            created += [done] if done else []
    fresh = (
        Rectification.objects.filter(finding__inspection__in=created)
        .select_related("assignee", "finding", "zone__center", "zone__owner")
        .order_by("finding__found_on", "pk")
    )
    for rectification in fresh:
        _play(rectification, today=today, rng=rng, verifier=supervisor)
    for rectification in fresh.filter(submitted_at__isnull=False):
        _backdate_hand_in(rectification, today=today, rng=rng)
    rectification_services.escalate_overdue(center=center, on=today)
