"""A real `openindustry serve` over a fresh, seeded database, for concurrency tests over HTTP.

The database is migrated and seeded directly through the services (an industry, an enterprise, a
program and a few hundred participants who consented, some with companions); slots are added per
test. The server runs as a subprocess with one or several worker processes, as in production;
the tests talk to it over real sockets and read the outcome straight from the database.
"""

from __future__ import annotations

import asyncio
import itertools
import os
import socket
import subprocess
import sys
import time
from collections import Counter
from collections.abc import AsyncIterator, Iterator, Sequence
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from pydantic import SecretStr
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from openindustry.accounts.consent import CONSENT_VERSION
from openindustry.accounts.providers.base import Provider, VerifiedIdentity
from openindustry.accounts.schemas import CompanionInput, UserUpdate
from openindustry.accounts.service import AccountsService
from openindustry.catalog.schemas import (
    EnterpriseCreate,
    IndustryCreate,
    ProgramCreate,
    RegistrationWindowInput,
    SlotCreate,
)
from openindustry.catalog.service import CatalogService
from openindustry.config import Settings
from openindustry.db import migrate
from openindustry.kit import db
from tests.conftest import create_postgres_database, drop_postgres_database, in_own_thread

BIN = Path(sys.executable).parent
# Shared by the seeding (tokens, ticket keys) and the served app, as in one deployment.
SECRET = "concurrency-test-secret-key-0123456789abcdef"
SEED_CONCURRENCY = 8


@dataclass(frozen=True)
class Person:
    user_id: int
    token: str
    companions: tuple[int, ...]

    @property
    def auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


@dataclass(frozen=True)
class Booking:
    """One POST /slots/{id}/registrations as a participant would send it."""

    person: Person
    slot_id: int
    key: str
    waitlist_ok: bool

    @property
    def party_size(self) -> int:
        return 1 + len(self.person.companions)


@dataclass(frozen=True)
class Answer:
    booking: Booking
    status: int
    body: dict[str, Any]

    @property
    def code(self) -> str | None:
        error = self.body.get("error")
        return error.get("code") if isinstance(error, dict) else None


@dataclass(frozen=True)
class Row:
    id: int
    user_id: int
    status: str
    party_size: int
    idempotency_key: str | None


@dataclass(frozen=True)
class SlotState:
    capacity: int
    seats_taken: int
    rows: tuple[Row, ...]

    @property
    def confirmed_people(self) -> int:
        return sum(r.party_size for r in self.rows if r.status == "confirmed")

    @property
    def people_holding_seats(self) -> int:
        return sum(r.party_size for r in self.rows if r.status in ("confirmed", "offered"))


@dataclass
class LiveApp:
    backend: str
    workers: int
    base_url: str
    database_url: str
    people: list[Person]
    log: Path
    _days: Iterator[int] = field(default_factory=lambda: itertools.count(3))

    def settings(self) -> Settings:
        return app_settings(self.database_url)

    @asynccontextmanager
    async def session(self) -> AsyncIterator[AsyncSession]:
        engine = db.create_engine(self.database_url)
        try:
            async with db.create_sessionmaker(engine)() as session:
                yield session
        finally:
            await engine.dispose()

    async def create_slots(self, *capacities: int) -> list[int]:
        """Open slots, each on its own day so that nobody's bookings ever overlap in time."""
        async with self.session() as session:
            catalog = CatalogService(session, self.settings().tz)
            program_id = (await catalog.programs(limit=1)).items[0].id
            ids = []
            for capacity in capacities:
                ids.append(await _open_slot(catalog, program_id, capacity, next(self._days)))
            return ids

    async def slot_state(self, slot_id: int) -> SlotState:
        async with self.session() as session:
            return await read_slot_state(session, slot_id)

    @asynccontextmanager
    async def client(self, connections: int = 64) -> AsyncIterator[httpx.AsyncClient]:
        limits = httpx.Limits(max_connections=connections, max_keepalive_connections=connections)
        timeout = httpx.Timeout(60.0, pool=120.0)
        async with httpx.AsyncClient(
            base_url=self.base_url, limits=limits, timeout=timeout
        ) as client:
            yield client

    async def send(self, client: httpx.AsyncClient, booking: Booking) -> Answer:
        response = await client.post(
            f"/api/v1/slots/{booking.slot_id}/registrations",
            json={
                "companions": list(booking.person.companions),
                "waitlist_ok": booking.waitlist_ok,
            },
            headers=booking.person.auth | {"Idempotency-Key": booking.key},
        )
        try:
            body = response.json()
        except ValueError:
            body = {"raw": response.text[:500]}
        return Answer(booking, response.status_code, body)

    async def burst(self, bookings: Sequence[Booking]) -> list[Answer]:
        """Send every booking at once (bounded only by the client's connection pool)."""
        async with self.client() as client:
            return list(await asyncio.gather(*(self.send(client, b) for b in bookings)))

    def server_log_tail(self, lines: int = 40) -> str:
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])


async def read_slot_state(session: AsyncSession, slot_id: int) -> SlotState:
    """The slot's seat counter and every registration row, read in one transaction."""
    async with session.begin():
        capacity, taken = (
            await session.execute(
                text("SELECT capacity, seats_taken FROM slot WHERE id = :id"), {"id": slot_id}
            )
        ).one()
        rows = (
            await session.execute(
                text(
                    "SELECT id, user_id, status, party_size, idempotency_key "
                    "FROM registration WHERE slot_id = :id ORDER BY id"
                ),
                {"id": slot_id},
            )
        ).all()
    return SlotState(capacity, taken, tuple(Row(*r) for r in rows))


def app_settings(database_url: str) -> Settings:
    return Settings(
        database_url=database_url,
        environment="test",
        secret_key=SecretStr(SECRET),
        rate_limit_enabled=False,
    )


def server_env(database_url: str) -> dict[str, str]:
    return os.environ | {
        "OPENINDUSTRY_DATABASE_URL": database_url,
        "OPENINDUSTRY_ENVIRONMENT": "test",
        "OPENINDUSTRY_SECRET_KEY": SECRET,
        "OPENINDUSTRY_RATE_LIMIT_ENABLED": "false",
    }


# Seeding -----------------------------------------------------------------------------------------


def companions_of(n: int) -> list[CompanionInput]:
    """A mix of parties: most come alone, one in six with a companion, one in twelve with two."""
    count = 2 if n % 12 == 5 else 1 if n % 6 == 1 else 0
    return [
        CompanionInput(name=f"Спутник {n}-{i}", birth_date=date(1980 + i, 1, 1))
        for i in range(count)
    ]


async def _open_slot(catalog: CatalogService, program_id: int, capacity: int, day: int) -> int:
    now = datetime.now(UTC)
    starts_at = now + timedelta(days=day)
    slot = await catalog.create_slot(
        SlotCreate(
            program_id=program_id,
            starts_at=starts_at,
            ends_at=starts_at + timedelta(minutes=90),
            capacity=capacity,
            registration=RegistrationWindowInput(
                opens_at=now - timedelta(hours=1), closes_at=starts_at - timedelta(hours=2)
            ),
        )
    )
    return slot.id


async def _seed(database_url: str, people: int) -> list[Person]:
    settings = app_settings(database_url)
    engine = db.create_engine(database_url)
    sessions = db.create_sessionmaker(engine)
    try:
        async with sessions() as session:
            catalog = CatalogService(session, settings.tz)
            await catalog.create_industry(
                IndustryCreate(slug="machines", name="Машиностроение", name_en="Machinery")
            )
            enterprise = await catalog.create_enterprise(
                EnterpriseCreate(
                    slug="load-test-plant",
                    name="Завод нагрузочных испытаний",
                    industry="machines",
                    short_description="Производство",
                    address="Москва, улица Примерная, 1",
                )
            )
            await catalog.create_program(
                ProgramCreate(
                    enterprise_id=enterprise.id,
                    title="Экскурсия по цеху",
                    format="excursion",  # type: ignore[arg-type]
                    duration_minutes=90,
                )
            )

        gate = asyncio.Semaphore(SEED_CONCURRENCY)

        async def participant(n: int) -> Person:
            async with gate, sessions() as session:
                accounts = AccountsService(session, settings)
                signed = await accounts.sign_in(
                    VerifiedIdentity(Provider.TELEGRAM, str(7_000_000 + n), first_name=f"Гость {n}")
                )
                user_id = signed.user.id
                await accounts.give_consent(user_id, CONSENT_VERSION)
                companions: tuple[int, ...] = ()
                if wanted := companions_of(n):
                    profile = await accounts.update_me(user_id, UserUpdate(companions=wanted))
                    companions = tuple(c.id for c in profile.companions)
                return Person(user_id, signed.token, companions)

        return list(await asyncio.gather(*(participant(n) for n in range(people))))
    finally:
        await engine.dispose()


# The server --------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def _wait_healthy(base_url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server exited with {process.returncode}:\n{log.read_text()}")
        try:
            if httpx.get(f"{base_url}/healthz", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"the server did not become healthy in 30 s:\n{log.read_text()}")


@contextmanager
def database(backend: str, workdir: Path, admin_url: str | None) -> Iterator[str]:
    """A fresh, migrated database of this backend; PostgreSQL ones are dropped afterwards."""
    if backend == "sqlite":
        url = f"sqlite+aiosqlite:///{workdir / 'live.db'}"
        in_own_thread(lambda: migrate.upgrade(url))
        yield url
        return
    assert admin_url is not None
    name, url = create_postgres_database(admin_url)
    try:
        in_own_thread(lambda: migrate.upgrade(url))
        yield url
    finally:
        drop_postgres_database(admin_url, name)


@contextmanager
def live_app(
    backend: str, workdir: Path, admin_url: str | None, *, workers: int, people: int
) -> Iterator[LiveApp]:
    with database(backend, workdir, admin_url) as url:
        port = free_port()
        base_url = f"http://127.0.0.1:{port}"
        log = workdir / "server.log"
        command = [str(BIN / "openindustry"), "serve", "--host", "127.0.0.1", "--port", str(port)]
        with log.open("wb") as output:
            # The server boots while the seeding runs; it reads nothing before the first request.
            process = subprocess.Popen(
                [*command, "--workers", str(workers)],
                env=server_env(url),
                stdout=output,
                stderr=subprocess.STDOUT,
            )
            try:
                seeded = in_own_thread(lambda: asyncio.run(_seed(url, people)))
                _wait_healthy(base_url, process, log)
                yield LiveApp(backend, workers, base_url, url, seeded, log)
            finally:
                process.terminate()
                try:
                    process.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()


# Checking ----------------------------------------------------------------------------------------


def statuses(answers: Sequence[Answer]) -> Counter[str]:
    """`201 confirmed`, `409 sold_out`, `503 database_unavailable`…: for messages and reports."""
    return Counter(f"{a.status} {a.body.get('status') or a.code or ''}".strip() for a in answers)


def booking_problems(
    state: SlotState, answers: Sequence[Answer], *, also_refused: Sequence[str] = ()
) -> list[str]:
    """Everything wrong with one slot after a burst; empty when invariants 1 and 2 hold.

    Refusals other than `sold_out` (to those who would not wait) count as problems unless named
    in `also_refused`."""
    return (
        _seat_problems(state)
        + _row_problems(state, answers)
        + _answer_problems(answers, also_refused)
    )


def _seat_problems(state: SlotState) -> list[str]:
    problems = []
    held = state.people_holding_seats
    if held > state.capacity:
        problems.append(f"oversold: {held} people hold seats, capacity {state.capacity}")
    if state.seats_taken != held:
        problems.append(f"seats_taken {state.seats_taken} != {held} people in offered/confirmed")
    return problems


def _row_problems(state: SlotState, answers: Sequence[Answer]) -> list[str]:
    """Every 201 (and a retry's 200) is a row with the announced status, and every row was
    answered 201 exactly once."""
    problems = []
    rows = {r.id: r for r in state.rows}
    for answer in answers:
        if answer.status not in (200, 201):
            continue
        row = rows.get(answer.body.get("id"))  # type: ignore[arg-type]
        if row is None:
            problems.append(f"lost: {answer.status} {answer.body} has no row")
            continue
        booking = answer.booking
        expected = (booking.person.user_id, booking.party_size, booking.key)
        if (row.user_id, row.party_size, row.idempotency_key) != expected:
            problems.append(f"{answer.body.get('id')} does not match its request: {row}")
        if row.status != answer.body.get("status"):
            problems.append(f"answered {answer.body.get('status')}, the row is {row.status}")
    created = [a for a in answers if a.status == 201]
    answered = Counter(a.body.get("id") for a in created)
    problems += [
        f"registration {i} was answered 201 {n} times" for i, n in answered.items() if n > 1
    ]
    problems += [
        f"{r.status} row {r.id} (user {r.user_id}) never got a 201"
        for r in state.rows
        if r.id not in answered
    ]
    return problems


def _answer_problems(answers: Sequence[Answer], also_refused: Sequence[str]) -> list[str]:
    """Only 201s, 200s for a request sent more than once, `sold_out` for those who would not
    wait, and 503s (counted and reported by the caller)."""
    problems = []
    sent = Counter(a.booking.key for a in answers)
    for answer in answers:
        if answer.status == 200 and sent[answer.booking.key] == 1:
            problems.append(f"200 for a request sent once: {answer.body}")
            continue
        if answer.status in (200, 201) or (answer.status, answer.code) == (
            503,
            "database_unavailable",
        ):
            continue
        if (answer.status, answer.code) == (409, "sold_out") and not answer.booking.waitlist_ok:
            continue
        if answer.status == 409 and answer.code in also_refused:
            continue
        problems.append(f"unexpected {answer.status}: {answer.body}")
    return problems
