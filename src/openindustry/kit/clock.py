"""The one source of the current time, so tests can move it (time-machine) and code stays aware."""

from __future__ import annotations

from datetime import UTC, datetime


def now() -> datetime:
    """Current time as an aware UTC datetime."""
    return datetime.now(UTC)
