"""Rate limits (the `limits` library): in memory by default, shared through Redis when configured.

If Redis is configured but unreachable, limiting falls back to this process's memory: requests keep
being served (the program must not stop because a cache is down) and each process still limits its
own share.
"""

from __future__ import annotations

import logging
import time

from fastapi import Request
from limits import RateLimitItem, parse
from limits.aio.storage import MemoryStorage, Storage
from limits.aio.strategies import MovingWindowRateLimiter
from limits.storage import storage_from_string

from openindustry.kit.errors import RateLimited

log = logging.getLogger(__name__)


class RateLimiter:
    def __init__(self, redis_url: str | None = None, *, enabled: bool = True) -> None:
        self.enabled = enabled
        self._memory = MovingWindowRateLimiter(MemoryStorage())
        self._shared: MovingWindowRateLimiter | None = None
        if redis_url:
            uri = redis_url.replace("redis://", "async+redis://", 1)
            storage = storage_from_string(uri)
            if not isinstance(storage, Storage):
                raise TypeError("an async storage was expected")
            self._shared = MovingWindowRateLimiter(storage)

    async def hit(self, limit: str, *keys: str) -> None:
        """Count one request against `limit` (e.g. "5/10 minutes") for `keys`; refuse when over."""
        if not self.enabled:
            return
        item: RateLimitItem = parse(limit)
        limiter = self._shared or self._memory
        try:
            allowed = await limiter.hit(item, *keys)
        except Exception:  # any storage failure: fall back to memory, never stop serving
            log.warning("shared rate-limit storage unavailable; limiting in memory")
            limiter = self._memory
            allowed = await limiter.hit(item, *keys)
        if not allowed:
            stats = await limiter.get_window_stats(item, *keys)
            raise RateLimited(
                "Слишком много попыток, повторите позже.",
                retry_after=int(stats.reset_time - time.time()) + 1,
            )


def get_rate_limiter(request: Request) -> RateLimiter:
    limiter: RateLimiter = request.app.state.rate_limiter
    return limiter


def client_ip(request: Request) -> str:
    # Uvicorn's proxy_headers has already put the real client address here for trusted proxies.
    return request.client.host if request.client else "unknown"
