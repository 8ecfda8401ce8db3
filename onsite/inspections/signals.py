"""What inspections tells the apps above it (they listen in their AppConfig.ready; this app
imports none of them)."""

from __future__ import annotations

from django.dispatch import Signal

inspection_submitted = Signal()
"""Sent inside the submit's transaction with `inspection`, `findings` (the new findings, their
zones selected with owner and center; none for an acceptance inspection), `by`, `settings`
(the center's InspectionSettings) and `request`. Rectification opens one per finding."""
