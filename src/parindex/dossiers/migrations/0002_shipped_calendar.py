"""Load the shipped calendar tables (2024–2026) and the officials' thresholds."""

from decimal import Decimal

from django.db import migrations


def load(apps, schema_editor):
    from parindex.dossiers.calendar import calendar_rows, load_days

    load_days(apps.get_model("dossiers", "CalendarDay"), calendar_rows())
    threshold = apps.get_model("dossiers", "OfficialThreshold")
    for year, percent in ((2024, Decimal("10")), (2025, Decimal("5"))):
        threshold.objects.get_or_create(year=year, defaults={"percent": percent})


class Migration(migrations.Migration):
    dependencies = [("dossiers", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
