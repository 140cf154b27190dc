"""v2: ParkingSession.zone, nullable (v1 still inserts during the rollout), backfilled from the lot."""
from django.db import migrations, models


def backfill_zone(apps, schema_editor):
    ParkingSession = apps.get_model("parking", "ParkingSession")
    for lot_id, name in apps.get_model("parking", "Lot").objects.values_list("id", "name"):
        ParkingSession.objects.filter(lot_id=lot_id, zone__isnull=True).update(zone=f"zone-{name}")


class Migration(migrations.Migration):
    dependencies = [("parking", "0001_initial")]

    operations = [
        migrations.AddField(model_name="parkingsession", name="zone", field=models.CharField(blank=True, max_length=32, null=True)),
        migrations.RunPython(backfill_zone, migrations.RunPython.noop),
    ]
