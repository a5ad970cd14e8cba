"""Probing the sign-in rate limit per address (set low for these tests) over HTTP."""

from __future__ import annotations

import random

import httpx

from tests.faults.conftest import SIGN_IN_PER_IP


def an_address() -> str:
    # Addresses of this run only, so that no counter from another test or run mixes in.
    return f"198.18.{random.randrange(256)}.{random.randrange(1, 255)}"


async def sign_ins_until_refused(targets: list[httpx.AsyncClient], ip: str) -> int:
    """Bad sign-ins from one address, to the targets in turn; how many passed before a 429."""
    for n in range(4 * SIGN_IN_PER_IP):
        response = await targets[n % len(targets)].post(
            "/api/v1/auth/telegram", json={"init_data": "hash=0"}, headers={"X-Forwarded-For": ip}
        )
        if response.status_code == 429:
            assert response.json()["error"]["code"] == "rate_limited"
            assert int(response.headers["Retry-After"]) >= 1
            return n
        assert response.status_code == 401, response.text
    raise AssertionError(f"{4 * SIGN_IN_PER_IP} sign-ins from one address, none refused")
