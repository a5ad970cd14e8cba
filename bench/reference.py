"""The reference ceiling: the least a registration can cost on this machine.

A minimal Starlette app that does only the booking transaction — one conditional seat UPDATE and
one INSERT guarded by the same unique constraints as the real `registration` table (one active
registration per person and slot; one per person and Idempotency-Key) — and a trivial JSON
endpoint. No sign-in, no checks, no ORM: the caller's user id is the bearer token itself. The
project's figures are reported as ratios to this app measured in the same run, which is what
stays comparable from one machine to another.

Served by uvicorn (`uvicorn bench.reference:app --workers N`) with the same number of processes
as the project. BENCH_REF_BACKEND picks the database access:
- `asyncpg`: PostgreSQL through an asyncpg pool, an explicit transaction (BENCH_REF_DSN);
- `sqlite`: the sqlite3 module called straight on the event loop (one connection, one process);
- `aiosqlite`: the same transaction through aiosqlite (one connection, serialised by a lock).
"""

from __future__ import annotations

import asyncio
import json
import os
import sqlite3
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

import aiosqlite
import asyncpg
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

ACTIVE = "('applied', 'waitlisted', 'offered', 'confirmed')"

POSTGRES_SCHEMA = f"""
CREATE TABLE ref_slot (
    id integer PRIMARY KEY,
    capacity integer NOT NULL,
    seats_taken integer NOT NULL DEFAULT 0,
    status varchar(32) NOT NULL DEFAULT 'scheduled'
);
CREATE TABLE ref_registration (
    id bigserial PRIMARY KEY,
    slot_id integer NOT NULL REFERENCES ref_slot (id),
    user_id integer NOT NULL,
    status varchar(32) NOT NULL,
    party_size integer NOT NULL,
    companions jsonb NOT NULL DEFAULT '[]',
    idempotency_key varchar(128),
    confirmed_at double precision,
    UNIQUE (user_id, idempotency_key)
);
CREATE UNIQUE INDEX ref_registration_active ON ref_registration (user_id, slot_id)
    WHERE status IN {ACTIVE};
CREATE INDEX ref_registration_slot_status ON ref_registration (slot_id, status);
"""

SQLITE_SCHEMA = POSTGRES_SCHEMA.replace("bigserial", "integer").replace("jsonb", "text")

TAKE_SEAT = (
    "UPDATE ref_slot SET seats_taken = seats_taken + {n} "
    "WHERE id = {slot} AND status = 'scheduled' AND seats_taken + {n} <= capacity"
)
INSERT = (
    "INSERT INTO ref_registration (slot_id, user_id, status, party_size, companions, "
    "idempotency_key, confirmed_at) VALUES ({slot}, {user}, 'confirmed', {n}, {companions}, {key}, "
    "{at}) RETURNING id"
)
EARLIER = (
    "SELECT id, slot_id FROM ref_registration WHERE user_id = {user} AND idempotency_key = {key}"
)


def _pg(sql: str) -> str:
    return sql.format(n="$1", slot="$2", user="$3", companions="$4", key="$5", at="$6")


def _lite(sql: str) -> str:
    return sql.format(n="?", slot="?", user="?", companions="?", key="?", at="?")


class SoldOut(Exception):
    pass


def _json(payload: dict[str, Any], status: int) -> Response:
    return Response(json.dumps(payload), status_code=status, media_type="application/json")


def _booked(registration_id: int, slot_id: int, status: int) -> Response:
    payload = {"id": registration_id, "slot_id": slot_id, "status": "confirmed", "party_size": 1}
    return _json(payload, status)


def _refused(code: str) -> Response:
    return _json({"error": {"code": code, "message": code}}, 409)


Book = Callable[[int, int, str | None, list[Any]], Awaitable[Response]]


def _postgres(dsn: str, pool_size: int) -> tuple[Book, Callable[[], Awaitable[None]]]:
    pool: asyncpg.Pool | None = None
    take, insert = _pg(TAKE_SEAT), _pg(INSERT)
    earlier = EARLIER.format(user="$1", key="$2")

    async def start() -> None:
        nonlocal pool
        pool = await asyncpg.create_pool(dsn, min_size=pool_size, max_size=pool_size)

    async def book(slot: int, user: int, key: str | None, companions: list[Any]) -> Response:
        assert pool is not None
        async with pool.acquire() as connection:
            try:
                async with connection.transaction():
                    if await connection.execute(take, 1, slot) == "UPDATE 0":
                        raise SoldOut
                    registration_id = await connection.fetchval(
                        insert,
                        1,
                        slot,
                        user,
                        json.dumps(companions),
                        key,
                        time.time(),
                    )
            except SoldOut:
                return _refused("sold_out")
            except asyncpg.UniqueViolationError:
                row = await connection.fetchrow(earlier, user, key)
                if row is None:
                    return _refused("already_registered")
                return _booked(row["id"], row["slot_id"], 200)
        return _booked(registration_id, slot, 201)

    return book, start


def _sqlite_sync(path: str) -> tuple[Book, Callable[[], Awaitable[None]]]:
    connection = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    for pragma in ("journal_mode=WAL", "synchronous=NORMAL", "busy_timeout=15000"):
        connection.execute(f"PRAGMA {pragma}")
    take, insert = _lite(TAKE_SEAT), _lite(INSERT)
    earlier = EARLIER.format(user="?", key="?")

    async def book(slot: int, user: int, key: str | None, companions: list[Any]) -> Response:
        # Blocking calls on the event loop: nothing else runs meanwhile, so no lock is needed.
        try:
            connection.execute("BEGIN IMMEDIATE")
            try:
                if connection.execute(take, (1, slot, 1)).rowcount == 0:
                    raise SoldOut
                registration_id = connection.execute(
                    insert, (slot, user, 1, json.dumps(companions), key, time.time())
                ).fetchone()[0]
                connection.execute("COMMIT")
            except BaseException:
                connection.execute("ROLLBACK")
                raise
        except SoldOut:
            return _refused("sold_out")
        except sqlite3.IntegrityError:
            row = connection.execute(earlier, (user, key)).fetchone()
            return _booked(row[0], row[1], 200) if row else _refused("already_registered")
        return _booked(registration_id, slot, 201)

    async def start() -> None:
        return None

    return book, start


def _aiosqlite(path: str) -> tuple[Book, Callable[[], Awaitable[None]]]:
    holder: dict[str, aiosqlite.Connection] = {}
    lock = asyncio.Lock()
    take, insert = _lite(TAKE_SEAT), _lite(INSERT)
    earlier = EARLIER.format(user="?", key="?")

    async def start() -> None:
        connection = await aiosqlite.connect(path, isolation_level=None)
        for pragma in ("journal_mode=WAL", "synchronous=NORMAL", "busy_timeout=15000"):
            await connection.execute(f"PRAGMA {pragma}")
        holder["c"] = connection

    async def book(slot: int, user: int, key: str | None, companions: list[Any]) -> Response:
        connection = holder["c"]
        async with lock:  # one connection: its transactions must not interleave
            try:
                await connection.execute("BEGIN IMMEDIATE")
                try:
                    cursor = await connection.execute(take, (1, slot, 1))
                    if cursor.rowcount == 0:
                        raise SoldOut
                    cursor = await connection.execute(
                        insert, (slot, user, 1, json.dumps(companions), key, time.time())
                    )
                    registration_id = (await cursor.fetchone())[0]  # type: ignore[index]
                    await connection.execute("COMMIT")
                except BaseException:
                    await connection.execute("ROLLBACK")
                    raise
            except SoldOut:
                return _refused("sold_out")
            except sqlite3.IntegrityError:
                cursor = await connection.execute(earlier, (user, key))
                row = await cursor.fetchone()
                return _booked(row[0], row[1], 200) if row else _refused("already_registered")
        return _booked(registration_id, slot, 201)

    return book, start


def _backend() -> tuple[Book, Callable[[], Awaitable[None]]]:
    backend = os.environ.get("BENCH_REF_BACKEND", "asyncpg")
    dsn = os.environ.get("BENCH_REF_DSN", "postgresql://postgres@127.0.0.1:5432/postgres")
    if backend == "asyncpg":
        return _postgres(dsn, int(os.environ.get("BENCH_REF_POOL", "10")))
    if backend == "sqlite":
        return _sqlite_sync(dsn)
    if backend == "aiosqlite":
        return _aiosqlite(dsn)
    raise SystemExit(f"unknown BENCH_REF_BACKEND {backend}")


_book, _start = _backend()


async def register(request: Request) -> Response:
    slot = int(request.path_params["slot_id"])
    user = int(request.headers["authorization"].removeprefix("Bearer "))
    body = json.loads(await request.body() or b"{}")
    return await _book(slot, user, request.headers.get("idempotency-key"), body["companions"])


async def trivial(_request: Request) -> Response:
    return _json({"status": "ok"}, 200)


@asynccontextmanager
async def lifespan(_app: Starlette) -> AsyncIterator[None]:
    await _start()
    yield


app = Starlette(
    routes=[
        Route("/api/v1/slots/{slot_id:int}/registrations", register, methods=["POST"]),
        Route("/trivial", trivial),
    ],
    lifespan=lifespan,
)


def schema(backend: str) -> str:
    """The DDL for this backend (the harness runs it once, before the servers start)."""
    return POSTGRES_SCHEMA if backend == "asyncpg" else SQLITE_SCHEMA
