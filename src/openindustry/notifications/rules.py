"""Pure outbox decisions: how long to wait before a retry, what of an address may be shown."""

from __future__ import annotations


def backoff_ceiling(attempt: int, base: float, maximum: float) -> float:
    """The longest wait after the `attempt`-th failure: base, 2·base, 4·base, … up to maximum.

    The dispatcher waits a random time in [ceiling / 2, ceiling] (jitter), so rows that failed
    together do not all come back at the same second.
    """
    return float(min(maximum, base * 2.0 ** max(attempt - 1, 0)))


def mask_address(address: str) -> str:
    """An e-mail address as organizers may see it: «iv•••@example.org»; anything else: «•••»."""
    local, at, domain = address.partition("@")
    if not at or not local or not domain:
        return "•••"
    return f"{local[:2]}•••@{domain}"
