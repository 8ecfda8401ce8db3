"""Demo rectifications: the rectifications the demo inspections opened (the step before,
`onsite.inspections.demo`) played forward according to their age into every state —
verified, waiting for verification, returned, open, overdue and escalated — through the same
services as the pages. Idempotent: only rectifications opened today and never moved are
played, each with its own reproducible draw, so a second run the same day changes nothing."""

from __future__ import annotations

import datetime
import random

from django.db import transaction
from django.utils import timezone

from onsite.accounts.models import Role, User
from onsite.core.models import Center
from onsite.inspections.demo import demo_photo
from onsite.rectification import services
from onsite.rectification.models import Rectification, Transition


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
    services.add_after_photo(
        rectification=rectification, by=fixer, upload=demo_photo((60, 120, 160), "after")
    )
    services.submit_rectification(
        rectification=rectification,
        by=fixer,
        note="已按标准整改。",
        expected_version=rectification.version,
    )
    if age <= 4:
        return  # waiting for verification
    if roll < 0.2:
        services.return_rectification(
            rectification=rectification,
            by=verifier,
            reason="整改不到位，物品仍未归位。",
            expected_version=rectification.version,
        )
        if roll < 0.14:
            return  # returned: open again
        services.add_after_photo(
            rectification=rectification, by=fixer, upload=demo_photo((60, 140, 170), "after-2")
        )
        services.submit_rectification(
            rectification=rectification,
            by=fixer,
            note="已重新整改并拍照。",
            expected_version=rectification.version,
        )
    services.verify_rectification(
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


def _draw(center: Center, rectification: Rectification) -> random.Random:
    """One reproducible stream per rectification, keyed by what identifies its finding."""
    finding = rectification.finding
    key = f"{center.code}-{rectification.zone.code}-{finding.check_key}-{finding.found_on}"
    return random.Random(f"onsite-rectification-demo-{key}")  # noqa: S311 - reproducible demo


@transaction.atomic
def seed(center: Center) -> None:
    supervisor = (
        User.objects.filter(center=center, role_grants__role=Role.SUPERVISOR)
        .order_by("username")
        .first()
    )
    if supervisor is None:
        return
    today = timezone.localdate()
    fresh = list(
        Rectification.objects.filter(
            center=center,
            created_at__date=today,
            status=Rectification.Status.OPEN,
            times_returned=0,
            escalated_at__isnull=True,
        )
        .select_related("assignee", "finding", "zone__center", "zone__owner")
        .order_by("finding__found_on", "pk")
    )
    for rectification in fresh:
        rng = _draw(center, rectification)
        _play(rectification, today=today, rng=rng, verifier=supervisor)
        if rectification.submitted_at is not None:
            _backdate_hand_in(rectification, today=today, rng=rng)
    services.escalate_overdue(center=center, on=today)
