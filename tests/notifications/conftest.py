"""Notification tests: fake messenger APIs, people with identities, dispatchers pointed at them."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from pydantic import SecretStr
from sqlalchemy.ext.asyncio import AsyncSession

from openindustry.accounts.models import Identity, User
from openindustry.accounts.providers.base import Provider
from openindustry.config import Settings
from openindustry.kit import db
from openindustry.notifications.dispatcher import Dispatcher
from openindustry.worker.jobs import build_dispatcher
from tests.notifications.fake_apis import FakeApis, start_fake_apis
from tests.registration.conftest import open_slot, participant  # noqa: F401

VK_COMMUNITY_TOKEN = "vk-community-token"


@pytest.fixture(scope="session")
def _fake_server() -> Iterator[FakeApis]:
    server, apis = start_fake_apis()
    yield apis
    server.shutdown()


@pytest.fixture
def apis(_fake_server: FakeApis) -> FakeApis:
    _fake_server.reset()
    return _fake_server


@pytest.fixture
def settings(settings: Settings, apis: FakeApis) -> Settings:
    return settings.model_copy(
        update={
            "vk_community_token": SecretStr(VK_COMMUNITY_TOKEN),
            "vk_api_base_url": f"{apis.base_url}/vk",
            "telegram_api_base_url": f"{apis.base_url}/telegram",
            "max_api_base_url": f"{apis.base_url}/max",
            "channel_timeout_seconds": 1.0,
            "notification_max_attempts": 3,
            "notification_backoff_seconds": 10.0,
            "notification_lease_seconds": 60.0,
            "notification_batch_size": 10,
        }
    )


@pytest.fixture
async def http() -> Any:
    async with httpx.AsyncClient(timeout=1.0) as client:
        yield client


MakeDispatcher = Callable[..., Dispatcher]


@pytest.fixture
def dispatcher_for(engine: Any, settings: Settings, http: httpx.AsyncClient) -> MakeDispatcher:
    def make(**overrides: Any) -> Dispatcher:
        chosen = settings.model_copy(update=overrides) if overrides else settings
        return build_dispatcher(db.create_sessionmaker(engine), chosen, http)

    return make


@dataclass(frozen=True)
class Person:
    id: int


MakePerson = Callable[..., Awaitable[Person]]


@pytest.fixture
def person(session: AsyncSession) -> MakePerson:
    counter = iter(range(1, 100_000))

    async def make(
        *doors: tuple[Provider, str],
        email: str | None = None,
        channels: list[str] | None = None,
        locale: str = "ru",
    ) -> Person:
        n = next(counter)
        user = User(
            name=f"Гость {n}",
            email=email,
            locale=locale,
            notification_channels=channels
            if channels is not None
            else [d[0].value for d in doors[:1]],
        )
        session.add(user)
        await session.flush()
        for provider, subject in doors:
            session.add(Identity(user_id=user.id, provider=provider, subject=subject))
        await session.commit()
        return Person(user.id)

    return make
