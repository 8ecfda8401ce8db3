"""What the organisation tells the apps above it (they connect in their AppConfig.ready; org
never imports them). Sent inside the writing transaction, after the audit row."""

from django.dispatch import Signal

person_placed = Signal()
"""A person was added to the center or moved to a unit (`user`): what they work with changed."""

zone_changed = Signal()
"""A zone was created, or got another owner, unit or area type (`zone`)."""
