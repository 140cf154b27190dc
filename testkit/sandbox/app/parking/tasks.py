"""Celery tasks. A task that runs twice fails loudly: the second Price for a session violates its key."""
import socket
import time

from celery import shared_task
from django.db import IntegrityError, transaction

from .release import VERSION


@shared_task(name="parking.tasks.price_session")
def price_session(session_id: int) -> None:
    from .models import ParkingSession, Price, TaskRun

    TaskRun.objects.create(session_id=session_id, hostname=socket.gethostname())
    with transaction.atomic():
        session = ParkingSession.objects.get(pk=session_id)
        Price.objects.create(session=session, cents=250, priced_by=VERSION)


@shared_task(name="parking.tasks.tick")
def tick(interval: int | None = None, beat: str = "unknown") -> None:
    """`interval` and `beat` are stamped by beat as it publishes (parking.celery); a tick sent by hand has none.

    A beat that restarts within an interval ticks that interval again (its schedule starts afresh):
    a DuplicateTick, but not two beats alive at once, which TickLog shows (both tick in the same intervals).
    """
    from django.conf import settings

    from .models import DuplicateTick, Tick, TickLog

    if interval is None:
        interval = int(time.time() // settings.TICK_SECONDS)
    TickLog.objects.create(interval=interval, beat=beat)

    try:
        with transaction.atomic():
            Tick.objects.create(interval=interval)
    except IntegrityError:
        DuplicateTick.objects.create(interval=interval)
        raise
