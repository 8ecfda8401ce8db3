"""Tasks for the worker tests: they leave their trace in a file the test reads."""

from __future__ import annotations

import time
from pathlib import Path

from django_tasks import task


@task()
def slow_the_first_time(marker: str) -> int:
    """Writes a line each run; the first run then waits long enough to be killed."""
    path = Path(marker)
    with path.open("a") as trace:
        trace.write("run\n")
    runs = len(path.read_text().splitlines())
    if runs == 1:
        time.sleep(120)
    return runs


@task()
def note(marker: str, number: int) -> None:
    with Path(marker).open("a") as trace:  # one short append: whole lines, never mixed
        trace.write(f"{number}\n")
