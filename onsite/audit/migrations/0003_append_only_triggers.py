"""The database itself refuses to edit or delete audit rows.

UPDATE is always refused. DELETE (and TRUNCATE on PostgreSQL) only passes while a row exists
in audit_auditgate, which only the archive command (and flush/restore) inserts inside its own
transaction and removes before commit. Someone with the database owner's password can still
drop the triggers; the hash chain is what makes that visible."""

from django.db import migrations

TABLES = ("audit_auditevent", "audit_auditarchive")

POSTGRES_FUNCTION = """
CREATE OR REPLACE FUNCTION onsite_audit_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('DELETE', 'TRUNCATE') AND EXISTS (SELECT 1 FROM audit_auditgate) THEN
        IF TG_OP = 'DELETE' THEN
            RETURN OLD;
        END IF;
        RETURN NULL;
    END IF;
    RAISE EXCEPTION 'audit rows are append-only: % on % refused', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END
$$;
"""


def forwards(apps, schema_editor):
    execute = schema_editor.execute
    if schema_editor.connection.vendor == "postgresql":
        execute(POSTGRES_FUNCTION, params=None)  # its % are RAISE placeholders
        for table in TABLES:
            execute(
                f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                "FOR EACH ROW EXECUTE FUNCTION onsite_audit_append_only()"
            )
            execute(
                f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
                "FOR EACH STATEMENT EXECUTE FUNCTION onsite_audit_append_only()"
            )
    elif schema_editor.connection.vendor == "sqlite":
        for table in TABLES:
            execute(
                f"CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table} "
                f"BEGIN SELECT RAISE(ABORT, 'audit rows are append-only: UPDATE on {table} refused'); END"
            )
            execute(
                f"CREATE TRIGGER {table}_no_delete BEFORE DELETE ON {table} "
                "WHEN NOT EXISTS (SELECT 1 FROM audit_auditgate) "
                f"BEGIN SELECT RAISE(ABORT, 'audit rows are append-only: DELETE on {table} refused'); END"
            )


def backwards(apps, schema_editor):
    execute = schema_editor.execute
    if schema_editor.connection.vendor == "postgresql":
        for table in TABLES:
            execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")
            execute(f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table}")
        execute("DROP FUNCTION IF EXISTS onsite_audit_append_only()")
    elif schema_editor.connection.vendor == "sqlite":
        for table in TABLES:
            execute(f"DROP TRIGGER IF EXISTS {table}_no_update")
            execute(f"DROP TRIGGER IF EXISTS {table}_no_delete")


class Migration(migrations.Migration):
    dependencies = [("audit", "0002_archive_and_gate")]

    operations = [migrations.RunPython(forwards, backwards)]
