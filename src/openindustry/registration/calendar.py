"""An .ics file for a ticket: one event with a reminder, importable into common calendars."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from icalendar import Alarm, Calendar, Event

PRODID = "-//Открытая промышленность//openindustry//RU"


def _local(moment: datetime, tz: ZoneInfo) -> datetime:
    """A naive moment is read as wall time in `tz`; an aware one is converted to it."""
    return moment.replace(tzinfo=tz) if moment.tzinfo is None else moment.astimezone(tz)


def ticket_ics(
    *,
    uid: str,
    title: str,
    starts_at: datetime,
    ends_at: datetime,
    location: str,
    description: str,
    url: str | None,
    alarm_before: timedelta = timedelta(hours=24),
    tz: ZoneInfo,
) -> bytes:
    """A VCALENDAR (METHOD PUBLISH) with one VEVENT in `tz` (plus its VTIMEZONE) and a VALARM."""
    start, end = _local(starts_at, tz), _local(ends_at, tz)
    if end <= start:
        raise ValueError("an event must end after it starts")
    if alarm_before < timedelta(0):
        raise ValueError("alarm_before must not be negative")

    event = Event()
    event.add("uid", uid)
    event.add("dtstamp", datetime.now(UTC))
    event.add("dtstart", start)
    event.add("dtend", end)
    event.add("summary", title)
    event.add("location", location)
    event.add("description", description)
    if url:
        event.add("url", url)

    alarm = Alarm()
    alarm.add("action", "DISPLAY")
    alarm.add("trigger", -alarm_before)
    alarm.add("description", title)
    event.add_component(alarm)

    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add_component(event)
    # A VTIMEZONE covering just the event (and its reminder), not fifty years of history.
    calendar.add_missing_timezones(
        first_date=(start - alarm_before).date() - timedelta(days=1),
        last_date=end.date() + timedelta(days=1),
    )
    return bytes(calendar.to_ical())
