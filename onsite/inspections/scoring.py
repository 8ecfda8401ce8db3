"""Scoring: weight × points per check, N/A and unanswered checks left out, as a percentage,
overall and per pillar; the band and pass mark come from the center's settings."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from onsite.inspections.models import Answer, InspectionSettings
from onsite.standards.models import Pillar

ONE_PLACE = Decimal("0.1")


def default_deduction(max_points: int) -> Decimal:
    """What a failed check loses when the inspector enters no deduction: half its points,
    rounded up, so a repeat (doubled) costs the whole check."""
    return Decimal((max_points + 1) // 2)


def deduction_of(answer: Answer) -> Decimal:
    """The deduction this answer costs now: what submit applied, else what was entered (or
    the default for a failed check)."""
    if answer.result != Answer.Result.FAIL:
        return Decimal(0)
    if answer.applied_deduction is not None:
        return answer.applied_deduction
    return answer.deduction if answer.deduction > 0 else default_deduction(answer.max_points)


def repeat_deduction(answer: Answer, *, factor: int) -> Decimal:
    """A repeat finding's deduction: multiplied, but never more than the check is worth."""
    return min(deduction_of(answer) * factor, Decimal(answer.max_points))


@dataclass
class Score:
    earned: Decimal
    possible: Decimal
    percent: Decimal | None  # None: nothing scorable answered yet
    pillars: dict[str, float] = field(default_factory=dict)
    band: str = ""
    passed: bool | None = None
    answered: int = 0
    total: int = 0

    @property
    def pillar_rows(self) -> list[tuple[str, str, float]]:
        return [(p.value, str(p.label), self.pillars[p.value]) for p in Pillar if p in self.pillars]


def _percent(earned: Decimal, possible: Decimal) -> Decimal | None:
    if possible <= 0:
        return None
    return (earned * 100 / possible).quantize(ONE_PLACE, rounding=ROUND_HALF_UP)


def score_answers(answers: Iterable[Answer], settings: InspectionSettings) -> Score:
    earned = possible = Decimal(0)
    per_pillar: dict[str, list[Decimal]] = {}
    answered = total = 0
    for answer in answers:
        total += 1
        if not answer.result:
            continue
        answered += 1
        if answer.result == Answer.Result.NOT_APPLICABLE:
            continue
        worth = answer.possible
        got = answer.weight * (answer.max_points - deduction_of(answer))
        earned += got
        possible += worth
        sums = per_pillar.setdefault(answer.pillar, [Decimal(0), Decimal(0)])
        sums[0] += got
        sums[1] += worth
    percent = _percent(earned, possible)
    pillars = {
        pillar: float(value)
        for pillar, (got, worth) in per_pillar.items()
        if (value := _percent(got, worth)) is not None
    }
    return Score(
        earned=earned,
        possible=possible,
        percent=percent,
        pillars=pillars,
        band=settings.band_for(percent),
        passed=None if percent is None else percent >= settings.pass_mark,
        answered=answered,
        total=total,
    )
