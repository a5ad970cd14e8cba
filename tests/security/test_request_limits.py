"""Request size limits and characters no field may hold: refused before routing (kit/guard.py),
with the usual error shape and never a 500 — in the JSON API and on the pages."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from tests.conftest import TokenFor
from tests.security.conftest import SESSION

MIB = 1024 * 1024


@pytest.fixture
def db_url(migrated_databases: dict[str, str]) -> str:
    # The guard answers before any handler or database is reached.
    return migrated_databases["sqlite"]


async def test_a_body_over_one_mebibyte_is_refused(
    client: httpx.AsyncClient, token_for: TokenFor
) -> None:
    token = await token_for()
    response = await client.patch(
        "/api/v1/me",
        content=b'{"name": "' + b"x" * MIB + b'"}',
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "payload_too_large"


async def test_a_streamed_body_is_cut_off_at_the_limit(client: httpx.AsyncClient) -> None:
    sent = 0

    async def chunks() -> AsyncIterator[bytes]:
        nonlocal sent
        for _ in range(64):  # 4 MiB offered in 64 KiB pieces, without a Content-Length
            sent += 64 * 1024
            yield b"a" * (64 * 1024)

    response = await client.post("/api/v1/auth/email/start", content=chunks())
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "payload_too_large"


async def test_a_huge_form_on_the_pages_is_refused_too(
    client: httpx.AsyncClient, token_for: TokenFor
) -> None:
    client.cookies.set(SESSION, await token_for())
    response = await client.post("/profile", data={"name": "x" * (2 * MIB)})
    assert response.status_code == 413
    assert "Слишком большой запрос." in response.text


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/api/v1/slots?industry=a%00b", None),
        ("/api/v1/auth/email/start", b'{"email": "a\\u0000@example.org"}'),
    ],
)
async def test_nul_characters_are_refused(
    client: httpx.AsyncClient, path: str, body: bytes | None
) -> None:
    if body is None:
        response = await client.get(path)
    else:
        response = await client.post(
            path, content=body, headers={"Content-Type": "application/json"}
        )
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "invalid_characters"
