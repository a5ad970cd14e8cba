"""Shared HTTP plumbing for the messenger channels."""

from __future__ import annotations

from typing import Any

import httpx

from openindustry.notifications.channels import Transient


async def call(
    client: httpx.AsyncClient, method: str, url: str, *, label: str, **kwargs: Any
) -> httpx.Response:
    try:
        response = await client.request(method, url, **kwargs)
    except httpx.TimeoutException as exc:
        raise Transient(f"{label}: timeout") from exc
    except httpx.HTTPError as exc:
        raise Transient(f"{label}: {type(exc).__name__}") from exc
    if response.status_code >= 500:
        raise Transient(f"{label}: HTTP {response.status_code}")
    return response


def json_of(response: httpx.Response) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}
