"""What inspections tells the apps above it (they listen in their AppConfig.ready; this app
imports none of them)."""

from __future__ import annotations

from django.dispatch import Signal

inspection_submitted = Signal()
"""Sent inside the submit's transaction with `inspection`, `findings` (the new findings, their
zones selected with owner and center; none for an acceptance inspection), `by`, `settings`
(the center's InspectionSettings) and `request`. Rectification opens one per finding.
Sent again, with only the new finding, when a check of a submitted inspection fails later
(`fail_submitted_answer`: a photo check's draft finding accepted after the submit)."""

photo_added = Signal()
"""Sent inside the add's transaction with `photo` (the stored AnswerPhoto, its answer and
inspection selected) and `by`, once per stored photo (not for a replayed submission key). The
photo check queues its analysis from here (after the commit)."""
