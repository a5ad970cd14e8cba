"""Page tests run with messenger secrets and a real SMTP server (aiosmtpd), as in production."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from typing import Any

import httpx
import pytest
from pydantic import SecretStr

from openindustry.app import create_app
from openindustry.config import Settings
from tests.smtp import Inbox, start_smtp

VK_SECRET = "vk-page-test-secret"
TELEGRAM_TOKEN = "123456:telegram-page-test-token"
MAX_TOKEN = "max-page-test-token"


@pytest.fixture(scope="session")
def smtp() -> Iterator[tuple[str, Inbox]]:
    controller, inbox = start_smtp()
    yield f"smtp://{controller.hostname}:{controller.port}?from=noreply@openindustry.test", inbox
    controller.stop()


@pytest.fixture
def inbox(smtp: tuple[str, Inbox]) -> Inbox:
    _, inbox = smtp
    inbox.messages.clear()
    return inbox


@pytest.fixture
def settings(db_url: str, smtp: tuple[str, Inbox]) -> Settings:
    return Settings(
        database_url=db_url,
        environment="test",
        vk_app_secret=SecretStr(VK_SECRET),
        telegram_bot_token=SecretStr(TELEGRAM_TOKEN),
        max_bot_token=SecretStr(MAX_TOKEN),
        smtp_url=SecretStr(smtp[0]),
    )


ClientFactory = Callable[..., Awaitable[httpx.AsyncClient]]


@pytest.fixture
async def make_client(settings: Settings, engine: object) -> AsyncIterator[ClientFactory]:
    """Another client, on an app built with some settings changed (same database)."""
    opened: list[tuple[Any, httpx.AsyncClient]] = []

    async def make(**changes: Any) -> httpx.AsyncClient:
        app = create_app(settings.model_copy(update=changes))
        client = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://testserver"
        )
        opened.append((app, client))
        return client

    yield make
    for app, client in opened:
        await client.aclose()
        await app.state.engine.dispose()
