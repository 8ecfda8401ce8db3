from django.db import migrations


def fill_codes(apps, schema_editor):
    # AddField gave every existing group the same generated code; give each its own.
    Group = apps.get_model("org", "Group")
    for group in Group.objects.all().only("pk"):
        Group.objects.filter(pk=group.pk).update(code=f"g{group.pk}")


class Migration(migrations.Migration):
    dependencies = [("org", "0002_group_code_versions_staff_photo")]

    operations = [migrations.RunPython(fill_codes, migrations.RunPython.noop)]
