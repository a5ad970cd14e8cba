"""Rate limits (the `limits` library): in memory by default, shared through Redis when configured.

Each limited action (a `Scope`) has a limit per participant and one per network address, both
from Settings. The check is one moving-window hit per key: some 20 µs in memory, one Redis round
trip when shared (docs/security.md).

If Redis is configured but unreachable, limiting falls back to this process's memory: requests keep
being served (the program must not stop because a cache is down) and each process still limits its
own share, so with N processes a person gets up to N times the limit until Redis is back. Redis is
tried again every few seconds by a single request; the others stay in memory meanwhile, so an
outage costs no request more than one short timeout.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Annotated, Any, TypeVar

from coredis.retry import NoRetryPolicy
from fastapi import Depends, Request, Response
from limits import RateLimitItem, parse
from limits.aio.storage import Storage
from limits.aio.strategies import MovingWindowRateLimiter
from limits.storage import storage_from_string

from openindustry.config import Settings
from openindustry.kit.errors import RateLimited
from openindustry.kit.ratelimit_memory import PrunedMemoryStorage

log = logging.getLogger(__name__)

CODE = "rate_limited"
# A Redis that does not answer must not hold a request up for long.
SHARED_TIMEOUT_SECONDS = 0.5
# After a failure, Redis is tried again this much later (by one request).
SHARED_RETRY_SECONDS = 5.0

R = TypeVar("R", bound=Response)


class Scope(StrEnum):
    """What is being limited; also the prefix of the counters' keys."""

    REGISTRATION = "registration"
    SIGN_IN = "sign-in"  # per messenger identity and per address, across all sign-in doors
    EMAIL_START = "email-start"  # per e-mail address: codes sent
    EMAIL_VERIFY = "email-verify"  # per e-mail address: codes tried
    ATTEMPT = "attempt"  # quiz attempts, code words, feedback
    CLAIM = "claim"  # prize claims


@dataclass(frozen=True)
class Policy:
    per_participant: RateLimitItem
    per_ip: RateLimitItem | None = None


def policies_from(settings: Settings) -> dict[Scope, Policy]:
    s = settings
    return {
        Scope.REGISTRATION: Policy(
            parse(s.rate_limit_registration_per_participant),
            parse(s.rate_limit_registration_per_ip),
        ),
        Scope.SIGN_IN: Policy(
            parse(s.rate_limit_sign_in_per_identity), parse(s.rate_limit_sign_in_per_ip)
        ),
        Scope.EMAIL_START: Policy(parse(s.rate_limit_email_start_per_address)),
        Scope.EMAIL_VERIFY: Policy(parse(s.rate_limit_email_verify_per_address)),
        Scope.ATTEMPT: Policy(
            parse(s.rate_limit_attempt_per_participant), parse(s.rate_limit_attempt_per_ip)
        ),
        Scope.CLAIM: Policy(
            parse(s.rate_limit_claim_per_participant), parse(s.rate_limit_claim_per_ip)
        ),
    }


class RateLimiter:
    def __init__(
        self,
        redis_url: str | None = None,
        *,
        enabled: bool = True,
        policies: Mapping[Scope, Policy] | None = None,
    ) -> None:
        self.enabled = enabled
        # Without policies (tests, tools): the defaults of Settings, not the environment.
        self.policies = dict(policies or policies_from(Settings.model_construct()))
        # Not limits' own MemoryStorage: its sweeps cost O(keys) per hit (see ratelimit_memory).
        self._memory = MovingWindowRateLimiter(PrunedMemoryStorage())
        self._shared: MovingWindowRateLimiter | None = None
        self._shared_down_until = 0.0  # monotonic time; 0 while Redis answers
        if redis_url:
            self._shared = MovingWindowRateLimiter(_redis_storage(redis_url))

    @classmethod
    def from_settings(cls, settings: Settings) -> RateLimiter:
        return cls(
            settings.redis_url,
            enabled=settings.rate_limit_enabled,
            policies=policies_from(settings),
        )

    async def check(
        self, scope: Scope, *, participant: object = None, ip: str | None = None
    ) -> None:
        """Count one request of `participant` and/or from `ip`; refuse (429) when over a limit.

        The person's own limit is counted first: a flood refused by it does not use up the
        allowance of everyone else behind the same address (a school, an office, a mobile NAT).
        """
        policy = self.policies[scope]
        if participant is not None:
            await self.hit(policy.per_participant, scope.value, "p", str(participant))
        if ip is not None and policy.per_ip is not None:
            await self.hit(policy.per_ip, scope.value, "ip", ip)

    async def hit(self, limit: str | RateLimitItem, *keys: str) -> None:
        """Count one request against `limit` (e.g. "5/10 minutes") for `keys`; refuse when over."""
        if not self.enabled:
            return
        item = parse(limit) if isinstance(limit, str) else limit
        limiter = self._current()
        try:
            allowed = await limiter.hit(item, *keys)
        except Exception as exc:  # any storage failure: fall back to memory, never stop serving
            if limiter is self._memory:
                raise
            self._shared_failed(exc)
            limiter = self._memory
            allowed = await limiter.hit(item, *keys)
        else:
            if limiter is not self._memory and self._shared_down_until:
                self._shared_down_until = 0.0
                log.info("shared rate-limit storage is back; limits are shared again")
        if not allowed:
            raise _refusal(await _retry_after(limiter, item, keys))

    def _current(self) -> MovingWindowRateLimiter:
        if self._shared is None:
            return self._memory
        if not self._shared_down_until:
            return self._shared
        now = time.monotonic()
        if now < self._shared_down_until:
            return self._memory
        # This request probes Redis; the others keep to memory until it has answered.
        self._shared_down_until = now + SHARED_RETRY_SECONDS
        return self._shared

    def _shared_failed(self, exc: Exception) -> None:
        if not self._shared_down_until:
            # The exception's type only: its text may carry the Redis address and password.
            log.warning(
                "shared rate-limit storage unavailable (%s); limiting in this process's memory",
                type(exc).__name__,
            )
        self._shared_down_until = time.monotonic() + SHARED_RETRY_SECONDS


def _redis_storage(redis_url: str) -> Storage:
    uri = redis_url.replace("redis://", "async+redis://", 1).replace(
        "rediss://", "async+rediss://", 1
    )
    options: dict[str, Any] = {
        "connect_timeout": SHARED_TIMEOUT_SECONDS,
        "stream_timeout": SHARED_TIMEOUT_SECONDS,
        # No client-side retries: the fallback to memory is the retry.
        "retry_policy": NoRetryPolicy(),
    }
    storage = storage_from_string(uri, **options)
    if not isinstance(storage, Storage):
        raise TypeError("an async storage was expected")
    return storage


async def _retry_after(
    limiter: MovingWindowRateLimiter, item: RateLimitItem, keys: tuple[str, ...]
) -> int:
    try:
        stats = await limiter.get_window_stats(item, *keys)
    except Exception:  # the storage failed between the two calls: the whole window is safe
        return item.get_expiry()
    return max(math.ceil(stats.reset_time - time.time()), 1)


def _refusal(retry_after: int) -> RateLimited:
    wait = f"{retry_after} с" if retry_after <= 60 else f"{math.ceil(retry_after / 60)} мин"
    return RateLimited(
        f"Слишком много запросов подряд. Повторите через {wait}.",
        retry_after=retry_after,
        code=CODE,
    )


def with_retry_after(response: R, exc: BaseException) -> R:
    """A page that shows a rate-limit refusal next to its form tells when to come back."""
    if isinstance(exc, RateLimited):
        response.headers["Retry-After"] = str(exc.retry_after)
    return response


async def get_rate_limiter(request: Request) -> RateLimiter:
    # async: a plain function would cost every request a hop to FastAPI's thread pool.
    limiter: RateLimiter = request.app.state.rate_limiter
    return limiter


Limiter = Annotated[RateLimiter, Depends(get_rate_limiter)]


def client_ip(request: Request) -> str:
    # Uvicorn's proxy_headers has already put the real client address here for trusted proxies.
    return request.client.host if request.client else "unknown"
