"""A frozen clock for lockout, expiry, timeout and retention tests: no sleeps, no timing.

Onsite reads the time only through django.utils.timezone.now (as does Django's session
store), so replacing that one function moves every clock the code under test looks at."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone


class FrozenClock:
    def __init__(self, start: dt.datetime) -> None:
        self.now = start

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, **delta: float) -> dt.datetime:
        self.now += dt.timedelta(**delta)
        return self.now

    def set(self, moment: dt.datetime) -> None:
        self.now = moment


@pytest.fixture
def clock(monkeypatch):
    frozen = FrozenClock(dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC))
    monkeypatch.setattr(timezone, "now", frozen)
    return frozen
