# Index for the dashboards' data version: (count, last change) of the values under a unit.

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("reporting", "0001_initial"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="datavalue",
            index=models.Index(fields=["unit", "updated_at"], name="datavalue_unit_updated"),
        ),
    ]
