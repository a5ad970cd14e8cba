"""Pure statistics rules: age groups on the slot day, rates, Moscow day bounds."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from openindustry.stats import rules

DAY = date(2024, 12, 12)


@pytest.mark.parametrize(
    ("born", "group"),
    [
        (date(2024, 12, 12), "0–6"),
        (date(2017, 12, 13), "0–6"),  # 6, turns 7 tomorrow
        (date(2017, 12, 12), "7–11"),
        (date(2012, 12, 13), "7–11"),
        (date(2012, 12, 12), "12–15"),
        (date(2008, 12, 12), "16–17"),
        (date(2006, 12, 13), "16–17"),
        (date(2006, 12, 12), "18–35"),
        (date(1988, 12, 13), "18–35"),
        (date(1988, 12, 12), "36–59"),
        (date(1964, 12, 13), "36–59"),
        (date(1964, 12, 12), "60+"),
        (date(1920, 1, 1), "60+"),
        (None, "unknown"),
        (date(2025, 1, 1), "unknown"),  # born after the slot: bad data, not a newborn
    ],
)
def test_age_group(born: date | None, group: str) -> None:
    assert rules.age_group(born, DAY) == group


def test_rate() -> None:
    assert rules.rate(8, 15) == 0.5333
    assert rules.rate(0, 5) == 0.0
    assert rules.rate(3, 0) is None


def test_day_bounds_are_moscow_days() -> None:
    start, end = rules.day_bounds(date(2024, 12, 10), date(2024, 12, 10), ZoneInfo("Europe/Moscow"))
    assert start is not None
    assert end is not None
    assert start.astimezone(UTC) == datetime(2024, 12, 9, 21, tzinfo=UTC)
    assert end.astimezone(UTC) == datetime(2024, 12, 10, 21, tzinfo=UTC)
    assert rules.day_bounds(None, None, ZoneInfo("Europe/Moscow")) == (None, None)
