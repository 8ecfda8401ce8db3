"""Seeds the working-day calendar with every year the chinesecalendar package knows."""

from django.db import migrations


def load(apps, schema_editor):
    from onsite.rectification.calendar import package_days, package_years

    CalendarYear = apps.get_model("rectification", "CalendarYear")
    CalendarDay = apps.get_model("rectification", "CalendarDay")
    taken = set(CalendarDay.objects.values_list("day", flat=True))
    for year in package_years():
        if CalendarYear.objects.filter(year=year).exists():
            continue
        days = package_days(year) or []
        CalendarDay.objects.bulk_create(
            CalendarDay(day=d.day, is_working_day=d.is_working_day, name=d.name, source="package")
            for d in days
            if d.day not in taken
        )
        CalendarYear.objects.create(year=year, source="package", is_confirmed=True)


def unload(apps, schema_editor):
    apps.get_model("rectification", "CalendarDay").objects.filter(source="package").delete()
    apps.get_model("rectification", "CalendarYear").objects.filter(source="package").delete()


class Migration(migrations.Migration):
    dependencies = [("rectification", "0001_initial")]

    operations = [migrations.RunPython(load, unload)]
