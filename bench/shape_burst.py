"""The burst's load shape (passed to locust only for that scenario): BENCH_LOW users for the
first quarter of the run, then BENCH_HIGH at once, until BENCH_SECONDS."""

from __future__ import annotations

import os
import time

from locust import LoadTestShape


class BurstShape(LoadTestShape):
    low = int(os.environ.get("BENCH_LOW", "10"))
    high = int(os.environ.get("BENCH_HIGH", "60"))
    seconds = float(os.environ.get("BENCH_SECONDS", "120"))

    def tick(self) -> tuple[int, float] | None:
        elapsed = time.perf_counter() - self.start_time
        if elapsed >= self.seconds:
            return None
        if elapsed < self.seconds / 4:
            return self.low, float(self.low)
        return self.high, float(self.high)  # everyone arrives within a second
