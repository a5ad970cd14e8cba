"""Accounts tests run with messenger secrets and a real SMTP server configured."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator

import pytest
from pydantic import SecretStr
from sqlalchemy.ext.asyncio import AsyncSession

from openindustry.accounts.models import Role
from openindustry.accounts.providers.base import Provider, VerifiedIdentity
from openindustry.accounts.schemas import StaffCreate
from openindustry.accounts.service import AccountsService
from openindustry.config import Settings
from tests.smtp import Inbox, start_smtp

VK_SECRET = "vk-test-secret"
TELEGRAM_TOKEN = "123456:telegram-test-token"
MAX_TOKEN = "max-test-token"


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


TokenFor = Callable[..., Awaitable[str]]


@pytest.fixture
async def token_for(session: AsyncSession, settings: Settings) -> TokenFor:
    """Make an account with a role (and enterprises) and return a bearer token for it."""
    accounts = AccountsService(session, settings)
    counter = iter(range(1, 10_000))

    async def make(role: Role = Role.PARTICIPANT, enterprise_ids: list[int] | None = None) -> str:
        n = next(counter)
        if role is Role.PARTICIPANT:
            identity = VerifiedIdentity(Provider.TELEGRAM, str(900_000 + n), first_name="Гость")
            return (await accounts.sign_in(identity)).token
        email = f"{role.value}{n}@example.org"
        await accounts.create_staff(
            StaffCreate(email=email, role=role, enterprise_ids=enterprise_ids or [])
        )
        return (await accounts.issue_token(email)).token

    return make
