"""The bad-migrate release: changes the schema, then fails half way. PostgreSQL's transactional DDL
must leave the schema exactly as it was (the migration runs in one transaction)."""
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("parking", "0003_session_opened_idx")]

    operations = [
        migrations.AddField(model_name="lot", name="closed", field=models.BooleanField(default=False)),
        migrations.CreateModel(
            name="Audit",
            fields=[("id", models.BigAutoField(primary_key=True, serialize=False)), ("note", models.TextField())],
        ),
        migrations.RunSQL("SELECT 1 / 0", migrations.RunSQL.noop),
    ]
