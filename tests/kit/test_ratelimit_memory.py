"""The in-memory moving window keeps limits' arithmetic and forgets idle people."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import time_machine
from limits import parse
from limits.aio.strategies import MovingWindowRateLimiter

from openindustry.kit.ratelimit_memory import SWEEP_SECONDS, PrunedMemoryStorage


async def test_a_moving_window_refuses_past_the_limit_and_frees_up_as_it_moves() -> None:
    storage = PrunedMemoryStorage()
    limiter = MovingWindowRateLimiter(storage)
    limit = parse("3/minute")
    start = datetime(2026, 12, 11, 10, 0, tzinfo=UTC)
    with time_machine.travel(start, tick=False) as clock:
        assert [await limiter.hit(limit, "anna") for _ in range(4)] == [True, True, True, False]
        assert await limiter.hit(limit, "boris")  # another key has its own window
        clock.shift(timedelta(seconds=59))
        assert not await limiter.hit(limit, "anna")
        clock.shift(timedelta(seconds=2))  # the first three hits have left the window
        assert await limiter.hit(limit, "anna")
        stats = await limiter.get_window_stats(limit, "anna")
        assert stats.remaining == 2


async def test_keys_nobody_hits_any_more_are_forgotten_by_the_sweep() -> None:
    storage = PrunedMemoryStorage()
    limiter = MovingWindowRateLimiter(storage)
    limit = parse("10/minute")
    start = datetime(2026, 12, 11, 10, 0, tzinfo=UTC)
    with time_machine.travel(start, tick=False) as clock:
        for person in range(1_000):
            assert await limiter.hit(limit, str(person))
        assert len(storage.events) == 1_000
        clock.shift(timedelta(seconds=SWEEP_SECONDS + 61))
        assert await limiter.hit(limit, "late")
        assert list(storage.events) == [limit.key_for("late")]
