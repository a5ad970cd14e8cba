"""The ticket's .ics: parsed back with icalendar, instants, reminder and text survive."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar

from openindustry.registration.calendar import PRODID, ticket_ics

MSK = ZoneInfo("Europe/Moscow")
TITLE = "Экскурсия на завод «Тулачермет», цех №2; сбор у проходной"
DESCRIPTION = "Возьмите паспорт.\nСбор: 9:30, КПП-1; опоздавших не ждём, извините!\n\\ конец"
LOCATION = "Тула, ул. Пржевальского, 2; проходная"


def build(**overrides: object) -> Calendar:
    arguments: dict[str, object] = {
        "uid": "ticket-42@openindustry",
        "title": TITLE,
        "starts_at": datetime(2025, 6, 1, 10, 0),
        "ends_at": datetime(2025, 6, 1, 12, 30),
        "location": LOCATION,
        "description": DESCRIPTION,
        "url": "https://example.org/t/42?x=1,2;3",
        "tz": MSK,
    }
    arguments.update(overrides)
    data = ticket_ics(**arguments)
    assert isinstance(data, bytes)
    return Calendar.from_ical(data)


def test_calendar_headers() -> None:
    calendar = build()
    assert str(calendar["PRODID"]) == PRODID
    assert str(calendar["VERSION"]) == "2.0"
    assert str(calendar["METHOD"]) == "PUBLISH"
    assert len(calendar.walk("VEVENT")) == 1
    assert [str(tz["TZID"]) for tz in calendar.walk("VTIMEZONE")] == ["Europe/Moscow"]


def test_event_instants_and_text_round_trip() -> None:
    event = build().walk("VEVENT")[0]
    assert str(event["UID"]) == "ticket-42@openindustry"
    assert event.decoded("DTSTART") == datetime(2025, 6, 1, 7, 0, tzinfo=UTC)
    assert event.decoded("DTEND") == datetime(2025, 6, 1, 9, 30, tzinfo=UTC)
    assert event["DTSTART"].params["TZID"] == "Europe/Moscow"
    assert event.decoded("DTSTAMP").tzinfo is not None
    assert str(event["SUMMARY"]) == TITLE
    assert str(event["LOCATION"]) == LOCATION
    assert str(event["DESCRIPTION"]) == DESCRIPTION
    assert str(event["URL"]) == "https://example.org/t/42?x=1,2;3"


def test_aware_datetimes_are_converted_to_the_zone() -> None:
    event = build(
        starts_at=datetime(2025, 6, 1, 7, 0, tzinfo=UTC),
        ends_at=datetime(2025, 6, 1, 8, 0, tzinfo=UTC),
    ).walk("VEVENT")[0]
    assert event.decoded("DTSTART") == datetime(2025, 6, 1, 10, 0, tzinfo=MSK)
    assert event["DTSTART"].to_ical() == b"20250601T100000"


def test_zone_with_daylight_saving_across_a_transition() -> None:
    berlin = ZoneInfo("Europe/Berlin")
    event = build(
        starts_at=datetime(2025, 10, 26, 1, 0),
        ends_at=datetime(2025, 10, 26, 4, 0),
        tz=berlin,
    ).walk("VEVENT")[0]
    assert event.decoded("DTSTART") == datetime(2025, 10, 25, 23, 0, tzinfo=UTC)
    assert event.decoded("DTEND") == datetime(2025, 10, 26, 3, 0, tzinfo=UTC)


def test_alarm_defaults_to_a_day_before() -> None:
    alarms = build().walk("VALARM")
    assert len(alarms) == 1
    assert str(alarms[0]["ACTION"]) == "DISPLAY"
    assert alarms[0].decoded("TRIGGER") == -timedelta(hours=24)
    assert str(alarms[0]["DESCRIPTION"]) == TITLE
    custom = build(alarm_before=timedelta(hours=2)).walk("VALARM")[0]
    assert custom.decoded("TRIGGER") == -timedelta(hours=2)


def test_url_is_optional() -> None:
    assert "URL" not in build(url=None).walk("VEVENT")[0]


def test_refuses_an_event_ending_before_it_starts() -> None:
    with pytest.raises(ValueError, match="end after"):
        build(ends_at=datetime(2025, 6, 1, 9, 0))
