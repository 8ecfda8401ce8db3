"""What rectification tells the apps above it (they listen in their AppConfig.ready; this app
imports none of them)."""

from __future__ import annotations

from django.dispatch import Signal

rectification_closed = Signal()
"""Sent inside the verify's transaction with `rectification` (closed, its zone selected) and
`request`. The programme lifts an overdue yellow card once every item it was issued for is
closed."""
