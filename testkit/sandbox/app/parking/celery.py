"""Celery app: Redis broker, late acks (a task whose worker dies is delivered again)."""
import os
import socket
import time

from celery import Celery
from celery.signals import before_task_publish

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "parking.settings")

app = Celery("parking")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks(["parking"])


@before_task_publish.connect
def stamp_tick_interval(sender: str | None = None, body: object = None, **_: object) -> None:
    """beat publishes `tick`: stamp the schedule interval it belongs to, and which beat sent it."""
    if sender != "parking.tasks.tick" or not isinstance(body, tuple) or len(body) < 2:
        return
    kwargs = body[1]
    if isinstance(kwargs, dict) and "interval" not in kwargs:
        from django.conf import settings

        kwargs["interval"] = int(time.time() // settings.TICK_SECONDS)
        kwargs["beat"] = f"{socket.gethostname()}:{os.getpid()}"
