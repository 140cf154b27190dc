"""Lots, spots and parking sessions; task and beat bookkeeping that makes a double run visible."""
from django.db import models

from .release import LEVEL


class Lot(models.Model):
    name = models.CharField(max_length=64, unique=True)
    capacity = models.PositiveIntegerField()

    def __str__(self) -> str:
        return self.name


class Spot(models.Model):
    lot = models.ForeignKey(Lot, on_delete=models.CASCADE, related_name="spots")
    number = models.PositiveIntegerField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["lot", "number"], name="spot_unique_number")]


class ParkingSession(models.Model):
    #: chosen by the client; a POST sent twice cannot open two sessions
    request_id = models.UUIDField(unique=True)
    lot = models.ForeignKey(Lot, on_delete=models.PROTECT)
    opened_at = models.DateTimeField(auto_now_add=True)
    #: the release that opened it
    opened_by = models.CharField(max_length=32)
    if LEVEL >= 2:
        #: v2: the lot's zone (nullable: v1 keeps inserting without it during the rollout)
        zone = models.CharField(max_length=32, null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["opened_at"], name="session_opened_idx")] if LEVEL >= 3 else []


class Price(models.Model):
    """Written by the pricing task: one per session (a second run fails on the unique key)."""

    session = models.OneToOneField(ParkingSession, on_delete=models.CASCADE)
    cents = models.PositiveIntegerField()
    priced_by = models.CharField(max_length=32)


class TaskRun(models.Model):
    """One row per run of the pricing task, committed before it prices: a second run leaves a second row."""

    session_id = models.BigIntegerField(db_index=True)
    hostname = models.CharField(max_length=255)
    ran_at = models.DateTimeField(auto_now_add=True)


class Tick(models.Model):
    """One per beat schedule interval: two beats alive at once collide on `interval`."""

    interval = models.BigIntegerField(unique=True)
    ticked_at = models.DateTimeField(auto_now_add=True)


class DuplicateTick(models.Model):
    interval = models.BigIntegerField()
    seen_at = models.DateTimeField(auto_now_add=True)


class TickLog(models.Model):
    """Every tick with the beat process that sent it: two beats alive at once tick in the same intervals."""

    interval = models.BigIntegerField()
    beat = models.CharField(max_length=255)
