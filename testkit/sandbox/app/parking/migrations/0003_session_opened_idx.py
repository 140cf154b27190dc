"""v3: an index on opened_at, built without blocking writes (CREATE INDEX CONCURRENTLY)."""
from django.contrib.postgres.operations import AddIndexConcurrently
from django.db import migrations, models


class Migration(migrations.Migration):
    atomic = False
    dependencies = [("parking", "0002_session_zone")]

    operations = [
        AddIndexConcurrently(model_name="parkingsession", index=models.Index(fields=["opened_at"], name="session_opened_idx")),
    ]
