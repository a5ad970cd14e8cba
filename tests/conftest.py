"""Real databases: a SQLite file, and PostgreSQL when OPENINDUSTRY_TEST_POSTGRES_URL is set.

Each run creates its own databases, migrates them once, empties them after every test and drops
them at the end; nothing depends on what a previous run left.
"""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TypeVar

import httpx
import pytest
from pydantic import SecretStr
from sqlalchemy import delete
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncSession, create_async_engine

from openindustry.accounts.models import Role
from openindustry.accounts.providers.base import Provider, VerifiedIdentity
from openindustry.accounts.schemas import StaffCreate
from openindustry.accounts.service import AccountsService
from openindustry.app import create_app
from openindustry.config import Settings
from openindustry.db import migrate
from openindustry.db.registry import metadata
from openindustry.kit import db
from tests.smtp import Inbox, start_smtp

POSTGRES_ENV = "OPENINDUSTRY_TEST_POSTGRES_URL"
BACKENDS = ["sqlite", "postgres"]
T = TypeVar("T")


def _postgres_admin_url() -> str | None:
    url = os.environ.get(POSTGRES_ENV)
    if not url:
        return None
    parsed = make_url(url)
    return parsed.set(drivername="postgresql+asyncpg").render_as_string(hide_password=False)


async def _postgres_ddl(admin_url: str, statement: str) -> None:
    engine = create_async_engine(admin_url, isolation_level="AUTOCOMMIT")
    try:
        async with engine.connect() as connection:
            await connection.exec_driver_sql(statement)
    finally:
        await engine.dispose()


def in_own_thread(work: Callable[[], T]) -> T:
    """Run blocking set-up (which may start its own event loop) away from the test loop."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(work).result()


def create_postgres_database(admin_url: str) -> tuple[str, str]:
    name = f"openindustry_test_{uuid.uuid4().hex[:12]}"
    in_own_thread(lambda: asyncio.run(_postgres_ddl(admin_url, f'CREATE DATABASE "{name}"')))
    return name, make_url(admin_url).set(database=name).render_as_string(hide_password=False)


def drop_postgres_database(admin_url: str, name: str) -> None:
    statement = f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'
    in_own_thread(lambda: asyncio.run(_postgres_ddl(admin_url, statement)))


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # Browser tests last: Playwright's sync API holds an event loop in the main thread while
    # it runs, which async tests after it would trip over.
    items.sort(key=lambda item: item.get_closest_marker("browser") is not None)


@pytest.fixture(scope="session")
def migrated_databases(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    """One migrated database per backend for the whole run (migrations applied once)."""
    sqlite_path = tmp_path_factory.mktemp("db") / "test.db"
    urls = {"sqlite": f"sqlite+aiosqlite:///{sqlite_path}"}
    created: list[str] = []
    admin_url = _postgres_admin_url()
    if admin_url:
        name, urls["postgres"] = create_postgres_database(admin_url)
        created.append(name)
    for url in urls.values():
        in_own_thread(lambda url=url: migrate.upgrade(url))
    yield urls
    for name in created:
        assert admin_url is not None
        drop_postgres_database(admin_url, name)


@pytest.fixture(params=BACKENDS)
def db_url(request: pytest.FixtureRequest, migrated_databases: dict[str, str]) -> str:
    backend: str = request.param
    if backend not in migrated_databases:
        pytest.skip(
            f"PostgreSQL tests need {POSTGRES_ENV} (e.g. postgresql://postgres@127.0.0.1/postgres)"
        )
    return migrated_databases[backend]


@pytest.fixture
async def engine(settings: Settings) -> AsyncIterator[object]:
    engine = db.create_engine(settings.database_url)
    yield engine
    # Empty every table, children first, so the next test starts from a clean database.
    async with engine.begin() as connection:
        for table in reversed(metadata.sorted_tables):
            await connection.execute(delete(table))
    await engine.dispose()


@pytest.fixture
async def session(engine: object) -> AsyncIterator[AsyncSession]:
    async with db.create_sessionmaker(engine)() as session:  # type: ignore[arg-type]
        yield session


@pytest.fixture
async def app(settings: Settings, engine: object) -> AsyncIterator[object]:
    application = create_app(settings)
    yield application
    await application.state.engine.dispose()


@pytest.fixture
async def client(app: object) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app)  # type: ignore[arg-type]
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        yield client


@pytest.fixture(scope="session")
def artifacts_dir() -> Path:
    path = Path(__file__).resolve().parent.parent / "test-artifacts"
    path.mkdir(exist_ok=True)
    return path


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
