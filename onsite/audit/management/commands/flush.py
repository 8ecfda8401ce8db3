"""Django's flush, able to empty the append-only audit tables.

The audit triggers refuse DELETE and TRUNCATE unless the audit gate is open in the same
transaction (migration 0003). Wiping a whole database (the test runner between transactional
tests, `restore` before loading a backup) is the one legitimate reason besides archiving, so
this command opens the gate, empties the audit tables and then runs Django's own flush, all in
one transaction."""

from typing import Any

from django.core.management.commands.flush import Command as DjangoFlush
from django.db import connections, transaction

from onsite.audit.services import audit_gate

AUDIT_TABLES = ("audit_auditevent", "audit_auditarchive")


class Command(DjangoFlush):
    def handle(self, **options: Any) -> None:
        database = options["database"]
        connection = connections[database]
        if options["interactive"]:
            answer = input(
                f'This will IRREVERSIBLY DESTROY all data in the "{connection.settings_dict["NAME"]}" '
                "database, the audit trail included.\nType 'yes' to continue, or 'no' to cancel: "
            )
            if answer != "yes":
                self.stdout.write("Flush cancelled.")
                return
        options["interactive"] = False
        existing = set(connection.introspection.table_names())
        if "audit_auditgate" not in existing:
            super().handle(**options)
            return
        with transaction.atomic(using=database), audit_gate(reason="flush", using=database):
            with connection.cursor() as cursor:
                for table in AUDIT_TABLES:
                    if table in existing:
                        cursor.execute(f"DELETE FROM {connection.ops.quote_name(table)}")  # noqa: S608 - fixed table names
            super().handle(**options)
