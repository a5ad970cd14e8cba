"""Fault tests: real `openindustry serve` / `worker` processes over one fresh PostgreSQL database.

They need PostgreSQL (OPENINDUSTRY_TEST_POSTGRES_URL) and skip cleanly without it. One database is
created, migrated and seeded (an enterprise, a program, a few hundred participants who consented)
for the whole folder; each test opens its own slots and starts the processes it needs.
"""

from __future__ import annotations

import asyncio
import itertools
import secrets
import shutil
import time
from collections.abc import AsyncIterator, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import pytest
from pydantic import SecretStr
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncSession

from openindustry.accounts.consent import CONSENT_VERSION
from openindustry.accounts.providers.base import Provider, VerifiedIdentity
from openindustry.accounts.service import AccountsService
from openindustry.catalog.schemas import RegistrationWindowInput
from openindustry.config import Settings
from openindustry.db import migrate
from openindustry.kit import db
from tests import factories
from tests.conftest import (
    POSTGRES_ENV,
    _postgres_admin_url,
    create_postgres_database,
    drop_postgres_database,
    in_own_thread,
)
from tests.faults.cluster import AppProcess, RedisProcess, app_process, redis_process, running
from tests.faults.rush import Person
from tests.faults.tcp_proxy import TcpProxy

PEOPLE = 305  # 300 for the rushes, a few more for the tests of single requests
# Shared by the seeding (tokens, ticket keys) and the served apps, as in one deployment.
SECRET_KEY = secrets.token_urlsafe(32)
TELEGRAM_BOT_TOKEN = f"{secrets.randbelow(10**9)}:{secrets.token_urlsafe(24)}"
SIGN_IN_PER_IP = 6  # a low sign-in limit per address, so the shared limit test is quick


@dataclass
class FaultDb:
    url: str
    name: str
    # The seeding runs while the app processes start; the first test to need it waits for it.
    seeded: Future[tuple[int, list[Person]]]
    _days: Iterator[int] = field(default_factory=lambda: itertools.count(3))

    @property
    def program_id(self) -> int:
        return self.seeded.result()[0]

    @property
    def people(self) -> list[Person]:
        return self.seeded.result()[1]

    def app_config(self, *, database_url: str | None = None, **settings: str) -> dict[str, str]:
        """Environment for an app process: this database, the shared secret, no sweeper."""
        config = {
            "DATABASE_URL": database_url or self.url,
            "ENVIRONMENT": "test",
            "SECRET_KEY": SECRET_KEY,
            "RUN_SWEEPER": "false",
            "TELEGRAM_BOT_TOKEN": TELEGRAM_BOT_TOKEN,
        } | settings
        return {f"OPENINDUSTRY_{k.upper()}": v for k, v in config.items()}

    @asynccontextmanager
    async def session(self) -> AsyncIterator[AsyncSession]:
        engine = db.create_engine(self.url)
        try:
            async with db.create_sessionmaker(engine)() as session:
                yield session
        finally:
            await engine.dispose()

    async def open_slots(self, *capacities: int) -> list[int]:
        """Slots open for booking now, each on its own day so no two bookings overlap in time."""
        now = datetime.now(UTC)
        ids = []
        async with self.session() as session:
            for capacity in capacities:
                starts_at = now + timedelta(days=next(self._days))
                window = RegistrationWindowInput(
                    opens_at=now - timedelta(hours=1), closes_at=starts_at - timedelta(hours=2)
                )
                slot = await factories.slot(
                    session,
                    program_id=self.program_id,
                    starts_at=starts_at,
                    capacity=capacity,
                    registration=window,
                )
                ids.append(slot.id)
        return ids

    async def scalar(self, sql: str, **params: object) -> object:
        async with self.session() as session, session.begin():
            return (await session.execute(text(sql), params)).scalar()


async def _seed(url: str, people: int) -> tuple[int, list[Person]]:
    settings = Settings(database_url=url, environment="test", secret_key=SecretStr(SECRET_KEY))
    started = time.monotonic()
    engine = db.create_engine(url)
    sessions = db.create_sessionmaker(engine)
    try:
        async with sessions() as session:
            program_id = (await factories.program(session)).id
        gate = asyncio.Semaphore(8)

        async def participant(n: int) -> Person:
            async with gate, sessions() as session:
                accounts = AccountsService(session, settings)
                identity = VerifiedIdentity(
                    Provider.TELEGRAM, str(5_100_000 + n), first_name="Гость"
                )
                signed = await accounts.sign_in(identity)
                await accounts.give_consent(signed.user.id, CONSENT_VERSION)
                # Each participant comes from an address of their own (through the trusted
                # proxy header), so per-address limits see many people, not one test machine.
                return Person(signed.user.id, signed.token, f"10.1.{n // 250}.{n % 250 + 1}")

        seeded = list(await asyncio.gather(*(participant(n) for n in range(people))))
        print(f"\n{people} participants seeded in {time.monotonic() - started:.1f} s")
        return program_id, seeded
    finally:
        await engine.dispose()


@pytest.fixture(scope="package")
def fault_db() -> Iterator[FaultDb]:
    admin_url = _postgres_admin_url()
    if admin_url is None:
        pytest.skip(f"the fault tests run app processes on PostgreSQL: set {POSTGRES_ENV}")
    started = time.monotonic()
    name, url = create_postgres_database(admin_url)
    try:
        with ThreadPoolExecutor(max_workers=1) as seeding:
            in_own_thread(lambda: migrate.upgrade(url))
            print(f"\nfault database migrated in {time.monotonic() - started:.1f} s")
            yield FaultDb(url, name, seeding.submit(lambda: asyncio.run(_seed(url, PEOPLE))))
    finally:
        drop_postgres_database(admin_url, name)


@dataclass
class Apps:
    """Two app processes sharing the database and a Redis: `direct` talks to PostgreSQL itself,
    `proxied` through a TCP proxy that a test can switch off."""

    direct: AppProcess
    proxied: AppProcess
    redis: RedisProcess
    proxy: TcpProxy

    @property
    def both(self) -> tuple[AppProcess, AppProcess]:
        return self.direct, self.proxied

    def logs(self) -> str:
        return "\n".join(p.log_tail() for p in self.both)


@pytest.fixture(scope="package")
def _apps(fault_db: FaultDb, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Apps]:
    if shutil.which("redis-server") is None:
        pytest.skip("the fault tests start a Redis of their own: redis-server is not installed")
    workdir = tmp_path_factory.mktemp("faults")
    database = make_url(fault_db.url)
    proxy = TcpProxy(database.host or "127.0.0.1", database.port or 5432)
    try:
        proxy.start()
        redis = redis_process(workdir)
        behind_proxy = database.set(host="127.0.0.1", port=proxy.port)
        shared = {"redis_url": redis.url, "rate_limit_sign_in_per_ip": f"{SIGN_IN_PER_IP}/minute"}
        direct = app_process("app-a", workdir, fault_db.app_config(**shared))
        proxied = app_process(
            "app-b",
            workdir,
            fault_db.app_config(
                database_url=behind_proxy.render_as_string(hide_password=False), **shared
            ),
        )
        started = time.monotonic()
        with running(redis, direct, proxied):
            print(f"\ntwo app processes and Redis up in {time.monotonic() - started:.1f} s")
            fault_db.seeded.result()
            yield Apps(direct, proxied, redis, proxy)
    finally:
        proxy.close()


@pytest.fixture
def apps(_apps: Apps) -> Apps:
    """The two app processes, the proxy and Redis all up: what an earlier test stopped or
    killed is started again."""
    if not _apps.proxy.listening:
        _apps.proxy.start()
    if not _apps.redis.alive:
        _apps.redis.start()
        _apps.redis.wait_ready()
    for process in _apps.both:
        if not process.alive:
            process.start()
            process.wait_healthy()
    return _apps
