"""Load the national expanded-immunisation schedule (data/epi_schedule.csv)."""

from django.db import migrations


def load(apps, schema_editor):
    from treem.registry.services import load_epi_schedule

    load_epi_schedule(apps)


class Migration(migrations.Migration):

    dependencies = [
        ("registry", "0002_import_options"),
    ]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
