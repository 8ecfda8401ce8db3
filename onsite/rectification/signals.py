"""What rectification tells the apps above it (they listen in their AppConfig.ready; this app
imports none of them)."""

from __future__ import annotations

from django.dispatch import Signal

rectification_closed = Signal()
"""Sent inside the verify's transaction with `rectification` (closed, its zone selected) and
`request`. The programme lifts an overdue yellow card once every item it was issued for is
closed."""

daily_run = Signal()
"""Sent by the daily run (`manage.py escalate_overdue` and its task) after rectifications were
escalated, with `on` (the day). Apps above escalate their own overdue work on the same run
(complaint cases); a receiver returns how many it escalated."""


def send_daily_run(on: object = None) -> int:
    """Sends `daily_run`; the number the receivers escalated."""
    count = 0
    for _receiver, answer in daily_run.send(sender=None, on=on):
        count += answer if isinstance(answer, int) else 0
    return count
