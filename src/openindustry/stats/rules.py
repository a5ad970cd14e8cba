"""Pure statistics decisions: age groups, rates, Moscow calendar bounds. No I/O."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from openindustry.accounts.rules import age_on

# (label, lowest age, highest age); ages on the day of the slot.
AGE_GROUPS: tuple[tuple[str, int, int], ...] = (
    ("0–6", 0, 6),
    ("7–11", 7, 11),
    ("12–15", 12, 15),
    ("16–17", 16, 17),
    ("18–35", 18, 35),
    ("36–59", 36, 59),
    ("60+", 60, 10_000),
)
UNKNOWN_AGE = "unknown"
AGE_GROUP_LABELS: tuple[str, ...] = (*(g[0] for g in AGE_GROUPS), UNKNOWN_AGE)


def age_group(birth_date: date | None, day: date) -> str:
    """The group of someone born on `birth_date` on `day`; unknown when the date is not given."""
    if birth_date is None:
        return UNKNOWN_AGE
    age = age_on(birth_date, day)
    for label, low, high in AGE_GROUPS:
        if low <= age <= high:
            return label
    return UNKNOWN_AGE  # born after the slot day: a data error, not a newborn


def rate(part: int, whole: int) -> float | None:
    """A share rounded to 4 places; None when there is nothing to divide by."""
    return round(part / whole, 4) if whole else None


def day_bounds(
    date_from: date | None, date_to: date | None, tz: ZoneInfo
) -> tuple[datetime | None, datetime | None]:
    """Half-open UTC-comparable bounds [start of date_from, start of the day after date_to)."""
    start = datetime.combine(date_from, time(0), tzinfo=tz) if date_from else None
    end = datetime.combine(date_to + timedelta(days=1), time(0), tzinfo=tz) if date_to else None
    return start, end
