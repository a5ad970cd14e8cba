"""Rate limits: counted in memory, shared through Redis when it is there, and still enforced
(per process) when Redis is configured but down."""

from __future__ import annotations

import socket
import uuid

import pytest

from openindustry.kit.errors import RateLimited
from openindustry.kit.ratelimit import RateLimiter

REDIS = ("127.0.0.1", 6379)


def _redis_up() -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex(REDIS) == 0


async def _hits_until_refused(limiter: RateLimiter, key: str, limit: str = "3/minute") -> int:
    allowed = 0
    while allowed < 10:
        try:
            await limiter.hit(limit, "test", key)
        except RateLimited as refused:
            retry_after = refused.retry_after
            break
        allowed += 1
    else:
        return 0
    assert retry_after >= 1
    return allowed + 1


async def test_memory_limits_refuse_the_fourth_of_three() -> None:
    limiter = RateLimiter()
    assert await _hits_until_refused(limiter, "a") == 4
    assert await _hits_until_refused(limiter, "b") == 4  # another key has its own count


@pytest.mark.skipif(not _redis_up(), reason="Redis is not running on 127.0.0.1:6379")
async def test_redis_limits_are_shared_between_processes() -> None:
    key = uuid.uuid4().hex
    first, second = RateLimiter("redis://127.0.0.1:6379"), RateLimiter("redis://127.0.0.1:6379")
    await first.hit("3/minute", "test", key)
    await first.hit("3/minute", "test", key)
    await second.hit("3/minute", "test", key)
    # Two app processes, one count: the fourth request is refused whichever process gets it.
    with pytest.raises(RateLimited):
        await second.hit("3/minute", "test", key)


async def test_an_unreachable_redis_falls_back_to_limiting_in_memory() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # nothing listens here once the socket closes
    limiter = RateLimiter(f"redis://127.0.0.1:{port}")
    assert await _hits_until_refused(limiter, "c") == 4
