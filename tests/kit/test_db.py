"""Portable types behave the same on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from openindustry.kit.db import UTCDateTime


class _Dialect:
    def __init__(self, name: str) -> None:
        self.name = name


@given(
    moment=st.datetimes(
        min_value=datetime(1971, 1, 1),
        max_value=datetime(2100, 1, 1),
        timezones=st.sampled_from([UTC, ZoneInfo("Europe/Moscow"), timezone(timedelta(hours=-7))]),
        allow_imaginary=False,
    ),
    backend=st.sampled_from(["sqlite", "postgresql"]),
)
@settings(max_examples=200)
def test_utc_datetime_round_trips_the_instant(moment: datetime, backend: str) -> None:
    column = UTCDateTime()
    dialect = _Dialect(backend)
    stored = column.process_bind_param(moment, dialect)  # type: ignore[arg-type]
    loaded = column.process_result_value(stored, dialect)  # type: ignore[arg-type]
    # Compare instants: PEP 495 makes times in a DST fold unequal to any other zone's datetime.
    assert loaded is not None
    assert loaded.timestamp() == moment.timestamp()
    assert loaded.utcoffset() == timedelta(0)


def test_naive_datetimes_are_refused() -> None:
    with pytest.raises(ValueError, match="naive"):
        UTCDateTime().process_bind_param(datetime(2026, 1, 1), _Dialect("sqlite"))  # type: ignore[arg-type]
