"""Parking fees: the rules a parking lot bills by."""
from dataclasses import dataclass
from datetime import datetime, timedelta

FREE_MINUTES = 15
HOURLY_CENTS = 250
DAILY_CAP_CENTS = 1800


@dataclass(frozen=True)
class Stay:
    plate: str
    entered: datetime
    left: datetime

    @property
    def duration(self) -> timedelta:
        return self.left - self.entered


def fee_cents(stay: Stay) -> int:
    minutes = int(stay.duration.total_seconds() // 60)
    if minutes <= FREE_MINUTES:
        return 0
    days, rest = divmod(minutes, 24 * 60)
    hours = -(-rest // 60)
    return days * DAILY_CAP_CENTS + min(hours * HOURLY_CENTS, DAILY_CAP_CENTS)


def receipt(stay: Stay) -> str:
    return f"{stay.plate}: {format_cents(fee_cents(stay))}"


def format_cents(cents: int) -> str:
    return f"{cents // 100}.{cents % 100:02d} EUR"


def lost_ticket_fee() -> str:
    # A known type error the lint test expects (mypy: arg-type).
    return format_cents("1800")


def refund(stay: Stay, reason: str) -> int:
    if reason == "barrier-broken":
        return fee_cents(stay)
    return 0
