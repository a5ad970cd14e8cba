"""Pure catalog decisions: registration windows and states, search normalisation. No I/O."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from openindustry.catalog.models import AllocationMode, SlotStatus


class RegistrationState(StrEnum):
    NOT_OPEN = "not_open"
    OPEN = "open"
    LOTTERY = "lottery"
    WAITLIST = "waitlist"
    CLOSED = "closed"


@dataclass(frozen=True)
class WindowPolicy:
    """How a series derives each slot's window: N days before at a local time, M hours before."""

    opens_days_before: int = 3
    opens_at_time: time = time(10, 0)
    closes_hours_before: int = 24
    mode: AllocationMode = AllocationMode.FCFS


@dataclass(frozen=True)
class Window:
    mode: AllocationMode
    opens_at: datetime
    closes_at: datetime


def registration_window(
    starts_at: datetime,
    policy: WindowPolicy,
    tz: ZoneInfo,
    *,
    opens_at: datetime | None = None,
    closes_at: datetime | None = None,
    mode: AllocationMode | None = None,
) -> Window:
    """The slot's window: its own overrides where set, else derived from the series policy.

    "Opens 3 days before at 10:00" is read on the Moscow calendar, so a 10:00 opening stays 10:00
    local time whatever the slot's hour.
    """
    if opens_at is None:
        local_day = starts_at.astimezone(tz).date() - timedelta(days=policy.opens_days_before)
        opens_at = datetime.combine(local_day, policy.opens_at_time, tzinfo=tz)
    if closes_at is None:
        closes_at = starts_at - timedelta(hours=policy.closes_hours_before)
    # A window can never close after the tour has started.
    closes_at = min(closes_at, starts_at)
    return Window(mode=mode or policy.mode, opens_at=opens_at, closes_at=closes_at)


def registration_state(
    window: Window, *, now: datetime, seats_left: int, status: SlotStatus
) -> RegistrationState:
    """What a participant can do with the slot right now."""
    if status is SlotStatus.CANCELLED or now >= window.closes_at:
        return RegistrationState.CLOSED
    if now < window.opens_at:
        return RegistrationState.NOT_OPEN
    if window.mode is AllocationMode.LOTTERY:
        return RegistrationState.LOTTERY
    return RegistrationState.OPEN if seats_left > 0 else RegistrationState.WAITLIST


def normalize_search_text(*parts: str | None) -> str:
    """Casefold and fold ё into е, so «Ёлочные игрушки» is found by «елочные»."""
    text = " ".join(p for p in parts if p)
    return " ".join(text.casefold().replace("ё", "е").split())


def age_rating_label(age_rating: int) -> str:
    return f"{age_rating}+"
