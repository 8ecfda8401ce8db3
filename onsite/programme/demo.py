"""Demo programme of the source document: the pilot (督查科 and the 市场监管, 烟草, 卫健,
商务, 统计 windows) went through sort, set in order, shine and standardize and is accepted
(now sustaining); the rollout to every other unit is under way. One acceptance round of the
rollout's sort phase is closed (scores, ranking, the red flag and a yellow card, phases
accepted) and one is open (some raters have submitted, others not yet). Cards for overdue
rectifications and repeated findings of the inspections demo are issued.

The rounds run through the same services as the pages. Keyed by the programme's name: if it
exists, nothing changes."""

from __future__ import annotations

import datetime
import io
import random
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from PIL import Image

from onsite.accounts.models import Role, User
from onsite.core.models import Center
from onsite.core.refusals import Refusal
from onsite.inspections import services as inspection_services
from onsite.inspections.models import Answer, Inspection
from onsite.inspections.services import AnswerInput
from onsite.org.models import Unit
from onsite.programme import services
from onsite.programme.gates import ACCEPTANCE, NO_OVERDUE, RED_TAGS, SCORE
from onsite.programme.models import (
    PHASES,
    AcceptanceRound,
    Card,
    Phase,
    PhaseProgress,
    PhaseTransition,
    Programme,
    ProgressStatus,
    RatingSheet,
    Wave,
)

NAME = "标准化现场管理建设"
PILOT_UNITS = ["s1", "w01", "w02", "w03", "w04", "w05"]
ROUND_SIZE = 6
# Days before today: when each pilot phase started and was accepted (shine ran late).
PILOT_HISTORY = [(178, 150), (149, 121), (120, 88), (87, 64)]
ROLLOUT_START = 55
CLOSED_ROUND_DAYS = (24, 20)  # opened, closed


def _day(days_ago: int) -> datetime.date:
    return timezone.localdate() - datetime.timedelta(days=days_ago)


def _moment(days_ago: int) -> datetime.datetime:
    return timezone.now() - datetime.timedelta(days=days_ago)


@transaction.atomic
def seed(center: Center) -> None:
    if Programme.objects.filter(center=center, name=NAME).exists():
        return
    office = (
        User.objects.filter(center=center, role_grants__role=Role.OFFICE)
        .order_by("username")
        .first()
    )
    if office is None:
        return
    units = list(Unit.objects.filter(center=center).order_by("kind", "position", "code"))
    pilot = [u for u in units if u.code in PILOT_UNITS]
    rollout = [u for u in units if u.code not in PILOT_UNITS]
    if not pilot:
        return
    programme = services.create_programme(
        center=center,
        by=office,
        name=NAME,
        starts_on=_day(180),
        ends_on=_day(-180),
        note="以督查科及市场监管、烟草、卫健、商务、统计5个窗口为试点，分整理、整顿、清扫、清洁4个阶段"
        "实施，再对照标准全面推行。",
    )
    Programme.objects.filter(pk=programme.pk).update(
        status=Programme.Status.RUNNING, created_at=_moment(181)
    )
    waves = {w.kind: w for w in programme.waves.all()}
    _set_wave(waves[Wave.Kind.PILOT], office, name="试点", start=180, end=61, units=pilot)
    _set_wave(waves[Wave.Kind.ROLLOUT], office, name="全面推行", start=60, end=-180, units=rollout)
    _pilot_history(programme, pilot, office)
    _rollout_start(programme, rollout, office)
    rng = random.Random(f"onsite-programme-demo-{center.code}")  # noqa: S311 - reproducible demo
    windows = [u for u in rollout if u.kind == Unit.Kind.WINDOW]
    if len(windows) < 2 * ROUND_SIZE:  # a small center: sections take part too
        windows = rollout
    closed_units = windows[:ROUND_SIZE]
    open_units = windows[ROUND_SIZE : 2 * ROUND_SIZE]
    if len(closed_units) >= 3:
        _closed_round(programme, closed_units, office, rng)
    if len(open_units) >= 3:
        _open_round(programme, open_units, office, rng)
    services.issue_finding_cards(center=center, by=office)


def _set_wave(
    wave: Wave, office: User, *, name: str, start: int, end: int, units: list[Unit]
) -> None:
    services.update_wave(
        wave=wave,
        by=office,
        name=name,
        planned_start=_day(start),
        planned_end=_day(end),
        units=units,
        expected_version=wave.version,
    )


def _gate_snapshot(phase: str, on: datetime.date, score: str) -> dict[str, Any]:
    conditions = [
        {"code": SCORE, "holds": True, "params": {"weeks": 4, "min": 80, "average": score,
                                                  "zones": 2, "of": 2}},
        {"code": NO_OVERDUE, "holds": True, "params": {"overdue": 0}},
        {"code": ACCEPTANCE, "holds": True, "params": {"round": "试点成果验收", "score": score}},
    ]  # fmt: skip
    if phase == Phase.SORT:
        conditions.append({"code": RED_TAGS, "holds": True, "params": {}})
    return {"phase": phase, "evaluated_on": on.isoformat(), "passes": True,
            "conditions": conditions}  # fmt: skip


def _pilot_history(programme: Programme, pilot: list[Unit], office: User) -> None:
    """The pilot's four phases, accepted on the days the pilot took, and sustain since."""
    rows = {
        (p.unit_id, p.phase): p
        for p in PhaseProgress.objects.filter(programme=programme, unit__in=pilot)
    }
    transitions = []
    for index, unit in enumerate(pilot):
        for phase, (started, accepted) in zip(PHASES, PILOT_HISTORY, strict=False):
            progress = rows[(unit.pk, phase)]
            started_on, accepted_on = _day(started - index), _day(accepted - index % 3)
            score = f"{88 + (index * 3 + PHASES.index(phase) * 2) % 10}.5"
            PhaseProgress.objects.filter(pk=progress.pk).update(
                status=ProgressStatus.ACCEPTED,
                started_on=started_on,
                submitted_on=accepted_on - datetime.timedelta(days=5),
                accepted_on=accepted_on,
                gate=_gate_snapshot(phase, accepted_on, score),
            )
            transitions += [
                PhaseTransition(center_id=programme.center_id, progress=progress,
                                from_status=ProgressStatus.NOT_STARTED,
                                to_status=ProgressStatus.IN_PROGRESS, by=office,
                                at=_moment(started - index)),
                PhaseTransition(center_id=programme.center_id, progress=progress,
                                from_status=ProgressStatus.IN_PROGRESS,
                                to_status=ProgressStatus.AWAITING, by=office,
                                at=_moment(accepted - index % 3 + 5)),
                PhaseTransition(center_id=programme.center_id, progress=progress,
                                from_status=ProgressStatus.AWAITING,
                                to_status=ProgressStatus.ACCEPTED, by=office,
                                at=_moment(accepted - index % 3), note="试点成果验收通过。"),
            ]  # fmt: skip
        sustain = rows[(unit.pk, Phase.SUSTAIN)]
        since = PILOT_HISTORY[-1][1] - index % 3
        PhaseProgress.objects.filter(pk=sustain.pk).update(
            status=ProgressStatus.IN_PROGRESS, started_on=_day(since)
        )
        transitions.append(
            PhaseTransition(center_id=programme.center_id, progress=sustain,
                            from_status=ProgressStatus.NOT_STARTED,
                            to_status=ProgressStatus.IN_PROGRESS, by=office, at=_moment(since),
                            note="清洁阶段验收通过，转入素养（长效保持）。")
        )  # fmt: skip
    PhaseTransition.objects.bulk_create(transitions)


def _rollout_start(programme: Programme, rollout: list[Unit], office: User) -> None:
    wave = programme.waves.get(kind=Wave.Kind.ROLLOUT)
    services.start_wave(wave=wave, by=office)
    started = PhaseProgress.objects.filter(programme=programme, unit__in=rollout, phase=Phase.SORT)
    started.update(started_on=_day(ROLLOUT_START))
    PhaseTransition.objects.filter(progress__in=started).update(at=_moment(ROLLOUT_START))


def _photo() -> SimpleUploadedFile:
    out = io.BytesIO()
    Image.new("RGB", (320, 240), (90, 130, 90)).save(out, format="JPEG", quality=70)
    return SimpleUploadedFile("counter.jpg", out.getvalue(), content_type="image/jpeg")


def _rate(
    assignment: Any, *, fail_rate: float, rng: random.Random, submit: bool = True
) -> list[Inspection]:
    """The rater inspects every zone of the unit; each check fails with `fail_rate`."""
    done = []
    for zone in services.rateable_zones([assignment.unit])[assignment.unit_id]:
        try:
            inspection = services.start_sheet(assignment=assignment, zone=zone, by=assignment.rater)
        except Refusal:
            continue
        answers = list(inspection.answers.all())
        items = []
        for answer in answers:
            failed = rng.random() < fail_rate
            items.append(
                AnswerInput(
                    answer.pk,
                    Answer.Result.FAIL if failed else Answer.Result.PASS,
                    deduction=str(rng.choice([2, 3, 5])) if failed else None,
                    note="复查时发现" if failed else "",
                )
            )
            if answer.photo_required:
                inspection_services.add_photo(answer=answer, by=assignment.rater, upload=_photo())
        inspection = inspection_services.save_answers(
            inspection=inspection,
            by=assignment.rater,
            expected_version=inspection.version,
            answers=items,
        )
        if submit:
            try:
                inspection = inspection_services.submit_inspection(
                    inspection=inspection, by=assignment.rater
                )
            except Refusal:
                continue
        done.append(inspection)
    return done


def _closed_round(
    programme: Programme, units: list[Unit], office: User, rng: random.Random
) -> None:
    try:
        round_ = services.open_round(
            programme=programme,
            phase=Phase.SORT,
            units=units,
            by=office,
            min_raters=3,
            seed=2025,
            name="第1轮成果验收 · 整理（全面推行）",
        )
    except Refusal:
        return
    quality = {u.pk: rng.choice([0.04, 0.08, 0.12, 0.18, 0.3, 0.45]) for u in units}
    # One unit is not ready: it fails the round, so the demo shows a yellow card (a last place
    # that passed gets none).
    quality[units[-1].pk] = 0.95
    harsh = None
    for assignment in round_.assignments.select_related("unit", "rater").order_by("pk"):
        rate = quality[assignment.unit_id]
        if harsh is None and quality[assignment.unit_id] < 0.1:
            harsh = assignment.pk  # one rater is far stricter than the others: an outlier
            rate = 0.7
        _rate(assignment, fail_rate=rate, rng=rng)
    services.close_round(round_=round_, by=office)
    _backdate(round_, opened=CLOSED_ROUND_DAYS[0], closed=CLOSED_ROUND_DAYS[1])


def _backdate(round_: AcceptanceRound, *, opened: int, closed: int) -> None:
    """The round ran three weeks ago: move its dates (and what closing it did) back."""
    today = timezone.localdate()
    AcceptanceRound.objects.filter(pk=round_.pk).update(
        opened_at=_moment(opened), closed_at=_moment(closed), due_on=_day(closed)
    )
    inspections = RatingSheet.objects.filter(assignment__round=round_).values("inspection_id")
    Inspection.objects.filter(pk__in=inspections).update(
        inspected_on=_day(closed + 1),
        started_at=_moment(closed + 1),
        submitted_at=_moment(closed + 1),
    )
    units = round_.entries.values("unit_id")
    PhaseProgress.objects.filter(
        programme_id=round_.programme_id, unit__in=units, accepted_on=today
    ).update(accepted_on=_day(closed))
    PhaseProgress.objects.filter(
        programme_id=round_.programme_id, unit__in=units, started_on=today
    ).update(started_on=_day(closed))
    PhaseProgress.objects.filter(
        programme_id=round_.programme_id, unit__in=units, submitted_on=today
    ).update(submitted_on=_day(opened))
    PhaseTransition.objects.filter(
        progress__programme_id=round_.programme_id,
        progress__unit__in=units,
        at__date=today,
    ).filter(Q(to_status=ProgressStatus.AWAITING)).update(at=_moment(opened))
    PhaseTransition.objects.filter(
        progress__programme_id=round_.programme_id, progress__unit__in=units, at__date=today
    ).exclude(to_status=ProgressStatus.AWAITING).update(at=_moment(closed))
    Card.objects.filter(round=round_).update(issued_on=_day(closed))


def _open_round(programme: Programme, units: list[Unit], office: User, rng: random.Random) -> None:
    try:
        round_ = services.open_round(
            programme=programme,
            phase=Phase.SORT,
            units=units,
            by=office,
            min_raters=2,
            seed=2026,
            name="第2轮成果验收 · 整理（全面推行）",
            due_on=_day(-7),
        )
    except Refusal:
        return
    AcceptanceRound.objects.filter(pk=round_.pk).update(opened_at=_moment(2))
    for index, assignment in enumerate(
        round_.assignments.select_related("unit", "rater").order_by("pk")
    ):
        if index % 3 == 0:
            _rate(assignment, fail_rate=0.15, rng=rng)
        elif index % 3 == 1:
            _rate(assignment, fail_rate=0.15, rng=rng, submit=False)  # a draft, not sent yet
