"""What accounts tells the apps above it (they connect in their AppConfig.ready; accounts never
imports them). Sent inside the writing transaction, after the audit row."""

from django.dispatch import Signal

account_created = Signal()
"""An account was made (`user`) by the system admin's page or `manage.py create_account`; when
it has a unit, what that unit works with is theirs from now on (org's `person_placed` says the
same for the staff pages and the organisation import)."""
