"""Back office page tests: staff signed in by session cookie, forms posted with their token."""

from __future__ import annotations

import html
import re
from collections.abc import Awaitable, Callable

import httpx
import pytest

from openindustry.accounts.models import Role
from tests.conftest import TokenFor

SESSION = "oi_session"
SignIn = Callable[..., Awaitable[httpx.AsyncClient]]


def text_of(response: httpx.Response) -> str:
    body = re.sub(r"<(script|style)\b.*?</\1>", " ", response.text, flags=re.S)
    body = html.unescape(re.sub(r"<[^>]+>", " ", body)).replace("\u00a0", " ")
    return " ".join(body.split())


def csrf_of(response: httpx.Response) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', response.text)
    assert found, "the page has no CSRF field"
    return found.group(1)


@pytest.fixture
def sign_in(client: httpx.AsyncClient, token_for: TokenFor) -> SignIn:
    """Give the test client a staff session of the given role (cookie, as the sign-in sets it)."""

    async def make(
        role: Role = Role.ORGANIZER, enterprise_ids: list[int] | None = None
    ) -> httpx.AsyncClient:
        client.cookies.set(SESSION, await token_for(role, enterprise_ids))
        return client

    return make


async def post_form(
    client: httpx.AsyncClient, page: str, action: str, data: dict[str, object]
) -> httpx.Response:
    """Open the page, take its CSRF token, submit the form as a browser would."""
    opened = await client.get(page)
    assert opened.status_code == 200, (page, opened.status_code, text_of(opened)[:300])
    return await client.post(action, data={"csrf_token": csrf_of(opened), **data})
