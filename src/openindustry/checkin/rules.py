"""Pure check-in rules: ages, masks, the wording of the gate's answers."""

from __future__ import annotations

from datetime import date, datetime, tzinfo


def age_on(birth_date: date | None, day: date) -> int | None:
    if birth_date is None:
        return None
    years = day.year - birth_date.year
    if (day.month, day.day) < (birth_date.month, birth_date.day):
        years -= 1
    return years


def same_day(a: datetime, b: datetime, tz: tzinfo) -> bool:
    """Whether two instants fall on the same calendar day in the program's time zone."""
    return a.astimezone(tz).date() == b.astimezone(tz).date()


def already_message(first: datetime, tz: tzinfo) -> str:
    return f"Уже отмечен в {first.astimezone(tz):%H:%M}."
