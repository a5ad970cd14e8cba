"""The bulk scheduler rule: dates × weekdays × times on the Moscow calendar, all or nothing."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from openindustry.catalog import rules
from openindustry.kit.errors import AppError

MSK = ZoneInfo("Europe/Moscow")
NOW = datetime(2030, 11, 20, 9, 0, tzinfo=UTC)  # Wednesday 20 November 2030, 12:00 in Moscow
MON, TUE, WED, THU, FRI, SAT, SUN = range(7)


def plan(**overrides: Any) -> list[rules.PlannedSlot]:
    args: dict[str, Any] = {
        "date_from": date(2030, 12, 1),
        "date_to": date(2030, 12, 31),
        "weekdays": [MON, TUE, WED, THU, FRI],
        "times": [time(11), time(15)],
        "duration_minutes": 90,
        "tz": MSK,
        "now": NOW,
        "existing": [],
    } | overrides
    return rules.plan_slots(**args)


def refusal(**overrides: Any) -> AppError:
    with pytest.raises(AppError) as caught:
        plan(**overrides)
    return caught.value


def test_december_weekdays_twice_a_day() -> None:
    slots = plan()
    # December 2030 has 22 weekdays (Sunday 1st … Tuesday 31st).
    assert len(slots) == 44
    assert all(s.starts_at.tzinfo == MSK for s in slots)
    assert slots[0].starts_at == datetime(2030, 12, 2, 11, 0, tzinfo=MSK)
    assert slots[0].ends_at == datetime(2030, 12, 2, 12, 30, tzinfo=MSK)
    assert slots[0].starts_at.astimezone(UTC).hour == 8  # Moscow is UTC+3 all year
    assert slots[-1].starts_at == datetime(2030, 12, 31, 15, 0, tzinfo=MSK)
    assert {s.starts_at.weekday() for s in slots} == {MON, TUE, WED, THU, FRI}
    assert [s.starts_at for s in slots] == sorted(s.starts_at for s in slots)


def test_the_december_series_of_36() -> None:
    # 11–22 December 2030, every day, at 11:00, 13:00 and 15:00: 12 days × 3 = 36 tours.
    slots = plan(
        date_from=date(2030, 12, 11),
        date_to=date(2030, 12, 22),
        weekdays=list(range(7)),
        times=[time(11), time(13), time(15)],
    )
    assert len(slots) == 36


def test_a_week_across_a_weekday_boundary() -> None:
    # Friday to the next Tuesday, Saturday to Monday only: the weekdays wrap over Sunday.
    slots = plan(
        date_from=date(2030, 12, 6),
        date_to=date(2030, 12, 10),
        weekdays=[SAT, SUN, MON],
        times=[time(10)],
    )
    assert [s.starts_at.date() for s in slots] == [
        date(2030, 12, 7),
        date(2030, 12, 8),
        date(2030, 12, 9),
    ]
    assert [s.starts_at.weekday() for s in slots] == [SAT, SUN, MON]


def test_weekdays_and_times_are_deduplicated_and_sorted() -> None:
    slots = plan(
        date_from=date(2030, 12, 2),
        date_to=date(2030, 12, 2),
        weekdays=[MON, MON],
        times=[time(15), time(11), time(15)],
    )
    assert [s.starts_at.hour for s in slots] == [11, 15]


def test_one_day_range() -> None:
    slots = plan(date_from=date(2030, 12, 2), date_to=date(2030, 12, 2), times=[time(11)])
    assert len(slots) == 1


def test_late_evening_ends_after_midnight() -> None:
    slots = plan(
        date_from=date(2030, 12, 6),
        date_to=date(2030, 12, 6),
        weekdays=[FRI],
        times=[time(23, 30)],
    )
    assert slots[0].starts_at == datetime(2030, 12, 6, 23, 30, tzinfo=MSK)
    assert slots[0].ends_at == datetime(2030, 12, 7, 1, 0, tzinfo=MSK)
    # 23:30 Moscow is still the same calendar day in Moscow but 20:30 UTC.
    assert slots[0].starts_at.astimezone(UTC).date() == date(2030, 12, 6)


def test_just_after_midnight_is_that_days_weekday() -> None:
    # 00:30 Moscow on Monday is 21:30 UTC on Sunday: the weekday is read in Moscow.
    slots = plan(
        date_from=date(2030, 12, 1),
        date_to=date(2030, 12, 3),
        weekdays=[MON],
        times=[time(0, 30)],
    )
    assert [s.starts_at.date() for s in slots] == [date(2030, 12, 2)]
    assert slots[0].starts_at.astimezone(UTC) == datetime(2030, 12, 1, 21, 30, tzinfo=UTC)


def test_late_tour_clashes_with_the_next_mornings_first() -> None:
    error = refusal(
        date_from=date(2030, 12, 6),
        date_to=date(2030, 12, 7),
        weekdays=[FRI, SAT],
        times=[time(0, 30), time(23, 30)],
    )
    assert error.code == "slot_overlap"
    assert error.details["times"] == [
        datetime(2030, 12, 6, 23, 30, tzinfo=MSK).isoformat(),
        datetime(2030, 12, 7, 0, 30, tzinfo=MSK).isoformat(),
    ]
    assert "06.12.2030 23:30" in error.message


def test_times_overlapping_among_themselves() -> None:
    error = refusal(times=[time(11), time(12)])  # 90-minute tours an hour apart
    assert error.code == "slot_overlap"
    assert len(error.details["times"]) == 44


def test_back_to_back_tours_do_not_overlap() -> None:
    slots = plan(times=[time(11), time(12, 30)])
    assert len(slots) == 44


def test_overlap_with_an_existing_slot_names_the_time() -> None:
    existing = [
        (
            datetime(2030, 12, 3, 11, 45, tzinfo=MSK).astimezone(UTC),
            datetime(2030, 12, 3, 13, 15, tzinfo=MSK).astimezone(UTC),
        )
    ]
    error = refusal(existing=existing)
    assert error.code == "slot_overlap"
    assert error.details["times"] == [datetime(2030, 12, 3, 11, tzinfo=MSK).isoformat()]
    assert "03.12.2030 11:00" in error.message


def test_existing_slot_touching_end_to_start_is_fine() -> None:
    existing = [
        (
            datetime(2030, 12, 3, 9, 30, tzinfo=MSK),
            datetime(2030, 12, 3, 11, 0, tzinfo=MSK),
        )
    ]
    assert len(plan(existing=existing)) == 44


def test_past_start_date_is_refused() -> None:
    assert refusal(date_from=date(2030, 11, 19)).code == "past_date"


def test_today_with_a_time_already_gone_is_refused() -> None:
    # It is 12:00 in Moscow: 11:00 today has passed, 15:00 has not.
    error = refusal(date_from=date(2030, 11, 20), date_to=date(2030, 11, 20), weekdays=[WED])
    assert error.code == "past_date"
    slots = plan(
        date_from=date(2030, 11, 20), date_to=date(2030, 11, 20), weekdays=[WED], times=[time(15)]
    )
    assert len(slots) == 1


def test_today_is_read_on_the_moscow_calendar() -> None:
    # 22:30 UTC on the 19th is already the 20th in Moscow: the 19th is in the past.
    late = datetime(2030, 11, 19, 22, 30, tzinfo=UTC)
    assert refusal(date_from=date(2030, 11, 19), now=late).code == "past_date"
    assert plan(date_from=date(2030, 11, 20), now=late)


def test_reversed_range_is_refused() -> None:
    error = refusal(date_from=date(2030, 12, 10), date_to=date(2030, 12, 9))
    assert error.code == "invalid_date_range"


def test_no_matching_weekday_is_nothing_to_schedule() -> None:
    # 7–8 December 2030 is a weekend; only weekdays are chosen.
    error = refusal(date_from=date(2030, 12, 7), date_to=date(2030, 12, 8))
    assert error.code == "nothing_to_schedule"


def test_no_weekdays_is_nothing_to_schedule() -> None:
    assert refusal(weekdays=[]).code == "nothing_to_schedule"


def test_too_many_slots() -> None:
    error = refusal(
        date_from=date(2030, 12, 1),
        date_to=date(2031, 12, 31),
        weekdays=list(range(7)),
        times=[time(9), time(11), time(13), time(15)],
    )
    assert error.code == "too_many_slots"
    assert error.details["limit"] == rules.MAX_BULK_SLOTS


def test_exactly_the_limit_is_allowed() -> None:
    start = date(2030, 12, 1)
    slots = plan(
        date_from=start,
        date_to=start + timedelta(days=249),
        weekdays=list(range(7)),
        times=[time(9), time(13)],
    )
    assert len(slots) == rules.MAX_BULK_SLOTS


@pytest.mark.parametrize("weekday", range(7))
def test_each_weekday_alone_gives_one_slot_a_week(weekday: int) -> None:
    slots = plan(
        date_from=date(2030, 12, 2),
        date_to=date(2030, 12, 29),
        weekdays=[weekday],
        times=[time(11)],
    )
    assert len(slots) == 4
    assert {s.starts_at.weekday() for s in slots} == {weekday}
    assert all((b.starts_at - a.starts_at).days == 7 for a, b in itertools.pairwise(slots))
