"""The roll-ups written before 0004 have no counts by inspection kind and no acceptance
failures: forget when they were refreshed, so the next refresh rebuilds the whole history."""

from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps


def forget_refreshes(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    rollup_state = apps.get_model("dashboards", "RollupState")
    rollup_state.objects.update(refreshed_at=None)


class Migration(migrations.Migration):
    dependencies = [("dashboards", "0004_inspection_kinds_and_acceptance_failures")]

    operations = [migrations.RunPython(forget_refreshes, migrations.RunPython.noop)]
