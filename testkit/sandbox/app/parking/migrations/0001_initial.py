import django.db.models.deletion
from django.db import migrations, models


def seed_lots(apps, schema_editor):
    Lot = apps.get_model("parking", "Lot")
    Spot = apps.get_model("parking", "Spot")
    for name, capacity in (("north", 20), ("south", 30), ("river", 10)):
        lot = Lot.objects.create(name=name, capacity=capacity)
        Spot.objects.bulk_create(Spot(lot=lot, number=n) for n in range(1, capacity + 1))


class Migration(migrations.Migration):
    initial = True
    dependencies: list[tuple[str, str]] = []

    operations = [
        migrations.CreateModel(
            name="Lot",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("name", models.CharField(max_length=64, unique=True)),
                ("capacity", models.PositiveIntegerField()),
            ],
        ),
        migrations.CreateModel(
            name="Spot",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("number", models.PositiveIntegerField()),
                ("lot", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="spots", to="parking.lot")),
            ],
            options={"constraints": [models.UniqueConstraint(fields=("lot", "number"), name="spot_unique_number")]},
        ),
        migrations.CreateModel(
            name="ParkingSession",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("request_id", models.UUIDField(unique=True)),
                ("opened_at", models.DateTimeField(auto_now_add=True)),
                ("opened_by", models.CharField(max_length=32)),
                ("lot", models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, to="parking.lot")),
            ],
        ),
        migrations.CreateModel(
            name="Price",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("cents", models.PositiveIntegerField()),
                ("priced_by", models.CharField(max_length=32)),
                ("session", models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, to="parking.parkingsession")),
            ],
        ),
        migrations.CreateModel(
            name="TaskRun",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("session_id", models.BigIntegerField(db_index=True)),
                ("hostname", models.CharField(max_length=255)),
                ("ran_at", models.DateTimeField(auto_now_add=True)),
            ],
        ),
        migrations.CreateModel(
            name="Tick",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("interval", models.BigIntegerField(unique=True)),
                ("ticked_at", models.DateTimeField(auto_now_add=True)),
            ],
        ),
        migrations.CreateModel(
            name="DuplicateTick",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("interval", models.BigIntegerField()),
                ("seen_at", models.DateTimeField(auto_now_add=True)),
            ],
        ),
        migrations.CreateModel(
            name="TickLog",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("interval", models.BigIntegerField()),
                ("beat", models.CharField(max_length=255)),
            ],
        ),
        migrations.RunPython(seed_lots, migrations.RunPython.noop),
    ]
