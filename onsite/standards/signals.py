"""What the standards app tells the apps above it (they connect in their AppConfig.ready;
standards never imports them). Sent inside the publishing transaction."""

from django.dispatch import Signal

standard_published = Signal()
"""A version of a standard was published (`version`); the previous one is retired."""
