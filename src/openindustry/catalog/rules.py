"""Pure catalog decisions: registration windows and states, search normalisation. No I/O."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from openindustry.catalog.errors import (
    InvalidDateRange,
    NothingToSchedule,
    PastDate,
    SlotOverlap,
    TooManySlots,
)
from openindustry.catalog.models import AllocationMode, SlotStatus

# A season is ~180 tours; anything far above is a typo in the dates, not a plan.
MAX_BULK_SLOTS = 500


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


@dataclass(frozen=True)
class PlannedSlot:
    """One slot the bulk scheduler would create: local (Moscow) start and end."""

    starts_at: datetime
    ends_at: datetime


def _overlaps(a: tuple[datetime, datetime], b: tuple[datetime, datetime]) -> bool:
    # Half-open intervals: a tour ending at 12:00 and one starting at 12:00 do not clash.
    return a[0] < b[1] and b[0] < a[1]


def _hhmm(value: datetime, tz: ZoneInfo) -> str:
    return value.astimezone(tz).strftime("%d.%m.%Y %H:%M")


def plan_slots(
    *,
    date_from: date,
    date_to: date,
    weekdays: Iterable[int],
    times: Iterable[time],
    duration_minutes: int,
    tz: ZoneInfo,
    now: datetime,
    existing: Sequence[tuple[datetime, datetime]] = (),
) -> list[PlannedSlot]:
    """Dates × weekdays × times as local datetimes, refused whole if any one of them is wrong.

    Weekdays are Python's (Monday 0 … Sunday 6) on the Moscow calendar; a time near midnight
    may end on the next day, and still must not clash with that day's first tour.
    """
    if date_to < date_from:
        raise InvalidDateRange("Дата «по» раньше даты «с».")
    if date_from < now.astimezone(tz).date():
        raise PastDate("Нельзя запланировать экскурсии на прошедшие дни.")
    days = set(weekdays)
    clock_times = sorted(set(times))
    duration = timedelta(minutes=duration_minutes)
    span = (date_to - date_from).days + 1
    matching_days = [
        date_from + timedelta(days=n)
        for n in range(span)
        if (date_from + timedelta(days=n)).weekday() in days
    ]
    total = len(matching_days) * len(clock_times)
    if total > MAX_BULK_SLOTS:
        raise TooManySlots(
            f"Слишком много экскурсий за раз: {total}, можно не больше {MAX_BULK_SLOTS}.",
            details={"count": total, "limit": MAX_BULK_SLOTS},
        )
    planned = [
        PlannedSlot(starts_at=start, ends_at=start + duration)
        for day in matching_days
        for start in (datetime.combine(day, t, tzinfo=tz) for t in clock_times)
    ]
    if not planned:
        raise NothingToSchedule("В эти даты нет ни одного выбранного дня недели.")
    past = [p for p in planned if p.starts_at <= now]
    if past:
        raise PastDate(
            "Это время уже прошло: " + ", ".join(_hhmm(p.starts_at, tz) for p in past[:10]) + ".",
            details={"times": [p.starts_at.isoformat() for p in past]},
        )
    conflicts: list[datetime] = []
    for i, slot in enumerate(planned):
        interval = (slot.starts_at, slot.ends_at)
        # Planned is sorted by start, so only the next ones can clash with this one.
        clash_new = i + 1 < len(planned) and _overlaps(
            interval, (planned[i + 1].starts_at, planned[i + 1].ends_at)
        )
        clash_prev = i > 0 and _overlaps(
            interval, (planned[i - 1].starts_at, planned[i - 1].ends_at)
        )
        if clash_new or clash_prev or any(_overlaps(interval, e) for e in existing):
            conflicts.append(slot.starts_at)
    if conflicts:
        raise SlotOverlap(
            "Экскурсии пересекаются по времени: "
            + ", ".join(_hhmm(c, tz) for c in conflicts[:10])
            + (" и другие." if len(conflicts) > 10 else "."),
            details={"times": [c.isoformat() for c in conflicts]},
        )
    return planned
