"""A round's figures from its raters' scores: pure functions, no database.

- **Unit score**: the mean of its raters' scores; with 4 or more raters the highest and the
  lowest are dropped first (trimmed mean).
- **Spread**: highest − lowest score.
- **Agreement** (per unit, 0–1): r_wg = 1 − s² / σ²_EU, the raters' sample variance against
  the variance of scores drawn uniformly from 0–100 (σ²_EU = 100²/12 ≈ 833); 1 means the raters
  agree exactly, 0 means they agree no better than chance. Needs 2 raters.
- **Reliability** (per round): ICC(1), the one-way random-effects intraclass correlation over
  all units of the round (unequal numbers of raters allowed): how much of the variation of
  the scores lies between units rather than between raters of one unit. Needs 2 units and
  more ratings than units.
- **Outlier**: with 3 or more raters, a score more than `OUTLIER_POINTS` from the median of its
  unit's scores.
- **Rank**: competition ranking (1, 2, 2, 4) by score, highest first."""

from __future__ import annotations

import statistics
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

OUTLIER_POINTS = Decimal(15)
TRIM_FROM = 4
UNIFORM_VARIANCE = 100.0**2 / 12
ONE_PLACE = Decimal("0.1")
TWO_PLACES = Decimal("0.01")


def one_place(value: Decimal | float) -> Decimal:
    return Decimal(str(value)).quantize(ONE_PLACE, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class UnitFigures:
    score: Decimal | None
    ratings: int
    trimmed: bool
    spread: Decimal | None
    agreement: Decimal | None
    outliers: tuple[int, ...]  # rater ids


def trimmed_mean(values: Sequence[Decimal]) -> tuple[Decimal | None, bool]:
    if not values:
        return None, False
    ordered = sorted(values)
    trimmed = len(ordered) >= TRIM_FROM
    kept = ordered[1:-1] if trimmed else ordered
    return one_place(sum(kept) / len(kept)), trimmed


def agreement(values: Sequence[Decimal]) -> Decimal | None:
    if len(values) < 2:
        return None
    variance = statistics.variance(float(v) for v in values)
    value = max(0.0, min(1.0, 1 - variance / UNIFORM_VARIANCE))
    return Decimal(str(value)).quantize(TWO_PLACES, rounding=ROUND_HALF_UP)


def outliers(scores: Mapping[int, Decimal]) -> tuple[int, ...]:
    if len(scores) < 3:
        return ()
    middle = Decimal(str(statistics.median(scores.values())))
    return tuple(sorted(r for r, s in scores.items() if abs(s - middle) > OUTLIER_POINTS))


def unit_figures(scores: Mapping[int, Decimal]) -> UnitFigures:
    """`scores`: rater id → that rater's score of the unit (%)."""
    values = list(scores.values())
    score, trimmed = trimmed_mean(values)
    return UnitFigures(
        score=score,
        ratings=len(values),
        trimmed=trimmed,
        spread=one_place(max(values) - min(values)) if values else None,
        agreement=agreement(values),
        outliers=outliers(scores),
    )


def reliability(table: Mapping[int, Sequence[Decimal]]) -> Decimal | None:
    """ICC(1) over units (`table`: unit id → its raters' scores)."""
    groups = [[float(v) for v in values] for values in table.values() if values]
    a = len(groups)
    n = sum(len(g) for g in groups)
    if a < 2 or n <= a:
        return None
    grand = sum(sum(g) for g in groups) / n
    between = sum(len(g) * (statistics.fmean(g) - grand) ** 2 for g in groups) / (a - 1)
    within = sum((x - statistics.fmean(g)) ** 2 for g in groups for x in g) / (n - a)
    k0 = (n - sum(len(g) ** 2 for g in groups) / n) / (a - 1)
    denominator = between + (k0 - 1) * within
    if denominator == 0:
        return None
    value = (between - within) / denominator
    return Decimal(str(max(-1.0, min(1.0, value)))).quantize(TWO_PLACES, rounding=ROUND_HALF_UP)


def weighted_score(parts: Sequence[tuple[Decimal | None, Decimal | None]]) -> Decimal | None:
    """One rater's score of a unit from their sheets of its zones: points earned over points
    possible, all zones together (`parts`: (earned, possible) per submitted sheet)."""
    earned = sum((e or Decimal(0) for e, _ in parts), Decimal(0))
    possible = sum((p or Decimal(0) for _, p in parts), Decimal(0))
    if possible <= 0:
        return None
    return one_place(earned * 100 / possible)
