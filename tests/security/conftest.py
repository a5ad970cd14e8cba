"""Security tests: apps built with chosen settings, callers from chosen network addresses, page
sessions and the forms' hidden fields."""

from __future__ import annotations

import html
import re
import time
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncSession

from openindustry.accounts.consent import CONSENT_VERSION
from openindustry.accounts.providers.vk import sign_vk_launch_params
from openindustry.app import create_app
from openindustry.catalog.schemas import RegistrationWindowInput, SlotRead
from openindustry.config import Settings
from tests import factories
from tests.conftest import VK_SECRET

SESSION = "oi_session"
MakeApp = Callable[..., FastAPI]


@pytest.fixture
async def make_app(settings: Settings, engine: object) -> AsyncIterator[MakeApp]:
    """An app on the test database with some settings changed (e.g. small rate limits)."""
    made: list[FastAPI] = []

    def make(**changes: Any) -> FastAPI:
        app = create_app(settings.model_copy(update=changes))
        made.append(app)
        return app

    yield make
    for app in made:
        await app.state.engine.dispose()


def client_of(app: FastAPI, ip: str = "203.0.113.10", **kwargs: Any) -> httpx.AsyncClient:
    """A client whose requests come from `ip` (as Uvicorn reports the peer address)."""
    transport = httpx.ASGITransport(app=app, client=(ip, 50_000))
    kwargs.setdefault("base_url", "http://testserver")
    return httpx.AsyncClient(transport=transport, **kwargs)


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def give_consent(client: httpx.AsyncClient, token: str) -> None:
    response = await client.post(
        "/api/v1/me/consent", json={"version": CONSENT_VERSION}, headers=bearer(token)
    )
    assert response.status_code == 200, response.text


def hidden_fields(page: httpx.Response, action: str) -> dict[str, str]:
    """The hidden fields (CSRF token, form key) of the form posting to `action`."""
    for form in re.findall(r"<form\b[^>]*>.*?</form>", page.text, flags=re.S):
        if f'action="{action}"' in form.split(">", 1)[0]:
            found = re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', form)
            return {name: html.unescape(value) for name, value in found}
    raise AssertionError(f"no form posting to {action}")


def csrf_token(page: httpx.Response) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert found, "the page has no CSRF field"
    return found.group(1)


def vk_launch(user_id: int) -> str:
    params = {
        "vk_user_id": str(user_id),
        "vk_app_id": "51000000",
        "vk_platform": "mobile_android",
        "vk_language": "ru",
        "vk_ts": str(int(time.time())),
    }
    return sign_vk_launch_params(params, VK_SECRET)


async def open_slot(session: AsyncSession, capacity: int = 25) -> SlotRead:
    now = datetime.now(UTC)
    return await factories.slot(
        session,
        capacity=capacity,
        starts_at=now + timedelta(days=5),
        registration=RegistrationWindowInput(
            opens_at=now - timedelta(hours=1), closes_at=now + timedelta(days=4)
        ),
    )


def assert_rate_limited(response: httpx.Response, *, window: int = 60) -> None:
    """429 with the stable code (JSON) or the page, and a Retry-After within the window."""
    assert response.status_code == 429, (response.status_code, response.text[:300])
    retry_after = int(response.headers["Retry-After"])
    assert 1 <= retry_after <= window
    if response.headers["content-type"].startswith("application/json"):
        error = response.json()["error"]
        assert error["code"] == "rate_limited"
        wait = f"{retry_after} с" if retry_after <= 60 else f"{-(-retry_after // 60)} мин"
        assert f"Повторите через {wait}." in error["message"]
    else:
        assert "Слишком много попыток подряд" in html.unescape(response.text)
