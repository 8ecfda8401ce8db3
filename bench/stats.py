"""Latency and throughput figures from recorded requests (no Django, no locust)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass

from bench.server import Sample


def percentile(values: Sequence[float], q: float) -> float:
    """Linear interpolation between closest ranks (numpy's default)."""
    if not values:
        return math.nan
    ordered = sorted(values)
    position = (len(ordered) - 1) * q / 100
    low = math.floor(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


@dataclass
class Figures:
    requests: int
    errors: int
    p50_ms: float
    p95_ms: float
    p99_ms: float
    max_ms: float
    rps: float
    seconds: float

    def as_dict(self) -> dict[str, float | int]:
        return {k: (round(v, 2) if isinstance(v, float) else v) for k, v in asdict(self).items()}


def figures(samples: Sequence[Sample], *, name: str | None = None, warmup: float = 0.0) -> Figures:
    """Figures of the requests named `name` (all when None) after the first `warmup` seconds
    of the run; throughput over the window from then to the last answer."""
    if not samples:
        return Figures(0, 0, math.nan, math.nan, math.nan, math.nan, 0.0, 0.0)
    start = min(s.start for s in samples) + warmup
    chosen = [s for s in samples if s.start >= start and (name is None or s.name == name)]
    if not chosen:
        return Figures(0, 0, math.nan, math.nan, math.nan, math.nan, 0.0, 0.0)
    end = max(s.start + s.ms / 1000 for s in chosen)
    window = max(end - start, 1e-6)
    times = [s.ms for s in chosen]
    return Figures(
        requests=len(chosen),
        errors=sum(not s.ok for s in chosen),
        p50_ms=percentile(times, 50),
        p95_ms=percentile(times, 95),
        p99_ms=percentile(times, 99),
        max_ms=max(times),
        rps=len(chosen) / window,
        seconds=window,
    )


def growth_exponent(small: float, large: float, *, factor: float = 10.0) -> float:
    """k in latency ∝ size^k between two sizes `factor` apart: 0 is flat, 1 is linear."""
    if not (small > 0 and large > 0):
        return math.nan
    return math.log(large / small) / math.log(factor)
