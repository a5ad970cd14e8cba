"""Registration windows and states, exhaustively and by property, without a database."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from openindustry.catalog.models import AllocationMode, SlotStatus
from openindustry.catalog.rules import (
    RegistrationState,
    Window,
    WindowPolicy,
    normalize_search_text,
    registration_state,
    registration_window,
)

MSK = ZoneInfo("Europe/Moscow")


def test_window_opens_three_days_before_at_ten_moscow_time() -> None:
    starts = datetime(2026, 12, 11, 14, 30, tzinfo=MSK)
    window = registration_window(starts, WindowPolicy(), MSK)
    assert window.opens_at == datetime(2026, 12, 8, 10, 0, tzinfo=MSK)
    assert window.closes_at == starts - timedelta(hours=24)
    assert window.mode is AllocationMode.FCFS


def test_opening_is_on_the_moscow_calendar_even_late_at_night_utc() -> None:
    # 00:30 on 11 December in Moscow is still 10 December in UTC.
    starts = datetime(2026, 12, 10, 21, 30, tzinfo=UTC)
    window = registration_window(starts, WindowPolicy(opens_days_before=1), MSK)
    assert window.opens_at == datetime(2026, 12, 10, 10, 0, tzinfo=MSK)


def test_slot_overrides_win_over_the_series_policy() -> None:
    starts = datetime(2026, 12, 20, 12, 0, tzinfo=MSK)
    opens = datetime(2026, 11, 1, 9, 0, tzinfo=MSK)
    closes = datetime(2026, 12, 19, 18, 0, tzinfo=MSK)
    window = registration_window(
        starts, WindowPolicy(), MSK, opens_at=opens, closes_at=closes, mode=AllocationMode.LOTTERY
    )
    assert (window.opens_at, window.closes_at, window.mode) == (
        opens,
        closes,
        AllocationMode.LOTTERY,
    )


def test_window_never_closes_after_the_start() -> None:
    starts = datetime(2026, 12, 20, 12, 0, tzinfo=MSK)
    window = registration_window(starts, WindowPolicy(), MSK, closes_at=starts + timedelta(days=1))
    assert window.closes_at == starts


OPENS = datetime(2026, 12, 8, 10, 0, tzinfo=MSK)
CLOSES = datetime(2026, 12, 10, 14, 0, tzinfo=MSK)


@pytest.mark.parametrize(
    ("now", "mode", "seats_left", "status", "expected"),
    [
        (OPENS - timedelta(seconds=1), AllocationMode.FCFS, 5, SlotStatus.SCHEDULED, "not_open"),
        (OPENS, AllocationMode.FCFS, 5, SlotStatus.SCHEDULED, "open"),
        (OPENS, AllocationMode.FCFS, 0, SlotStatus.SCHEDULED, "waitlist"),
        (OPENS, AllocationMode.LOTTERY, 0, SlotStatus.SCHEDULED, "lottery"),
        (CLOSES - timedelta(seconds=1), AllocationMode.LOTTERY, 5, SlotStatus.SCHEDULED, "lottery"),
        (CLOSES, AllocationMode.FCFS, 5, SlotStatus.SCHEDULED, "closed"),
        (OPENS, AllocationMode.FCFS, 5, SlotStatus.CANCELLED, "closed"),
        (OPENS - timedelta(days=1), AllocationMode.FCFS, 5, SlotStatus.CANCELLED, "closed"),
    ],
)
def test_registration_state(
    now: datetime, mode: AllocationMode, seats_left: int, status: SlotStatus, expected: str
) -> None:
    window = Window(mode=mode, opens_at=OPENS, closes_at=CLOSES)
    state = registration_state(window, now=now, seats_left=seats_left, status=status)
    assert state == RegistrationState(expected)


moments = st.datetimes(
    min_value=datetime(2020, 1, 1), max_value=datetime(2035, 1, 1), timezones=st.just(UTC)
)


@given(
    starts=moments,
    now=moments,
    days=st.integers(0, 30),
    hour=st.integers(0, 23),
    closes_hours=st.integers(0, 24 * 7),
    seats_left=st.integers(0, 30),
    mode=st.sampled_from(AllocationMode),
)
def test_state_follows_the_window(
    starts: datetime,
    now: datetime,
    days: int,
    hour: int,
    closes_hours: int,
    seats_left: int,
    mode: AllocationMode,
) -> None:
    policy = WindowPolicy(days, time(hour), closes_hours, mode)
    window = registration_window(starts, policy, MSK)
    assert window.closes_at <= starts
    state = registration_state(window, now=now, seats_left=seats_left, status=SlotStatus.SCHEDULED)
    if now >= window.closes_at or now >= starts:
        assert state is RegistrationState.CLOSED
    elif now < window.opens_at:
        assert state is RegistrationState.NOT_OPEN
    else:
        assert state in {
            RegistrationState.OPEN,
            RegistrationState.WAITLIST,
            RegistrationState.LOTTERY,
        }
        assert (state is RegistrationState.OPEN) == (mode is AllocationMode.FCFS and seats_left > 0)


def test_search_normalisation_folds_case_and_yo() -> None:
    assert normalize_search_text("Ёлочные  ИГРУШКИ", None, "Фабрика") == "елочные игрушки фабрика"
    assert normalize_search_text("   ") == ""
