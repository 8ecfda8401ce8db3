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


def deduction_for(*, result: str, deduction: Decimal, max_points: int) -> Decimal:
    """What a check loses: nothing unless failed; what was entered, else the default."""
    if result != Answer.Result.FAIL:
        return Decimal(0)
    return deduction if deduction > 0 else default_deduction(max_points)


def repeated(deduction: Decimal, *, factor: int, max_points: int) -> Decimal:
    """A repeat finding's deduction: multiplied, but never more than the check is worth."""
    return min(deduction * factor, Decimal(max_points))


def deduction_of(answer: Answer) -> Decimal:
    """The deduction this answer costs now: what submit applied, else what was entered (or
    the default for a failed check)."""
    if answer.result == Answer.Result.FAIL and answer.applied_deduction is not None:
        return answer.applied_deduction
    return deduction_for(
        result=answer.result, deduction=answer.deduction, max_points=answer.max_points
    )


def repeat_deduction(answer: Answer, *, factor: int) -> Decimal:
    """A repeat finding's deduction: multiplied, but never more than the check is worth."""
    return repeated(deduction_of(answer), factor=factor, max_points=answer.max_points)


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


class Tally:
    """The running sums of a score, one check at a time: what `score_answers` adds up for an
    inspection and the generator for the rows it writes."""

    def __init__(self) -> None:
        self.earned = self.possible = Decimal(0)
        self.per_pillar: dict[str, list[Decimal]] = {}
        self.answered = self.total = 0

    def add(self, *, result: str, weight: int, max_points: int, lost: Decimal, pillar: str) -> None:
        """One check: `lost` is its deduction (`deduction_of`); N/A and unanswered checks
        count as checks only."""
        self.total += 1
        if not result:
            return
        self.answered += 1
        if result == Answer.Result.NOT_APPLICABLE:
            return
        worth = Decimal(weight * max_points)
        got = weight * (max_points - lost)
        self.earned += got
        self.possible += worth
        sums = self.per_pillar.setdefault(pillar, [Decimal(0), Decimal(0)])
        sums[0] += got
        sums[1] += worth

    def score(self, settings: InspectionSettings) -> Score:
        percent = _percent(self.earned, self.possible)
        pillars = {
            pillar: float(value)
            for pillar, (got, worth) in self.per_pillar.items()
            if (value := _percent(got, worth)) is not None
        }
        return Score(
            earned=self.earned,
            possible=self.possible,
            percent=percent,
            pillars=pillars,
            band=settings.band_for(percent),
            passed=None if percent is None else percent >= settings.pass_mark,
            answered=self.answered,
            total=self.total,
        )


def score_answers(answers: Iterable[Answer], settings: InspectionSettings) -> Score:
    tally = Tally()
    for answer in answers:
        tally.add(
            result=answer.result,
            weight=answer.weight,
            max_points=answer.max_points,
            lost=deduction_of(answer) if answer.result else Decimal(0),
            pillar=answer.pillar,
        )
    return tally.score(settings)
