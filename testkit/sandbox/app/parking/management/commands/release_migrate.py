"""`migrate`, and a row per run in parking_migrate_run (so a deploy that migrates twice is visible)."""
import socket

from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import connection

from parking.release import VERSION


class Command(BaseCommand):
    help = "Records this run, then applies the release's migrations."

    def handle(self, *args: object, **options: object) -> None:
        with connection.cursor() as cursor:
            cursor.execute(
                "CREATE TABLE IF NOT EXISTS parking_migrate_run ("
                " id bigserial PRIMARY KEY, version text NOT NULL, hostname text NOT NULL,"
                " ran_at timestamptz NOT NULL DEFAULT now())"
            )
            cursor.execute("INSERT INTO parking_migrate_run (version, hostname) VALUES (%s, %s)", [VERSION, socket.gethostname()])
        call_command("migrate", interactive=False, verbosity=1)
