"""The reference app's tables: made before its servers start, reset and read around each rush."""

from __future__ import annotations

import asyncio
import sqlite3
import uuid

import asyncpg

from bench import reference
from bench.seed import PARTICIPANTS, SEATS, SLOTS, Outcome, Rush, plan_lines


def create(backend: str, dsn: str) -> None:
    if backend == "asyncpg":

        async def run() -> None:
            connection = await asyncpg.connect(dsn)
            try:
                await connection.execute(reference.schema(backend))
            finally:
                await connection.close()

        asyncio.run(run())
        return
    with sqlite3.connect(dsn) as connection:
        connection.execute("PRAGMA journal_mode=WAL")
        connection.executescript(reference.schema(backend))


def rush(backend: str, dsn: str, *, run: int, hot: bool) -> Rush:
    """Empty tables, 36 slots × 25 seats, and 5,000 participants whose token is their id."""
    slots = [(n, SEATS) for n in range(1, SLOTS + 1)]
    if backend == "asyncpg":

        async def reset() -> None:
            connection = await asyncpg.connect(dsn)
            try:
                await connection.execute("TRUNCATE ref_registration, ref_slot RESTART IDENTITY")
                await connection.executemany(
                    "INSERT INTO ref_slot (id, capacity) VALUES ($1, $2)", slots
                )
                await connection.execute("VACUUM ANALYZE ref_slot")
            finally:
                await connection.close()

        asyncio.run(reset())
    else:
        with sqlite3.connect(dsn) as connection:
            connection.execute("DELETE FROM ref_registration")
            connection.execute("DELETE FROM ref_slot")
            connection.executemany("INSERT INTO ref_slot (id, capacity) VALUES (?, ?)", slots)
    users = [str(n) for n in range(1, PARTICIPANTS + 1)]
    slot_ids = [n for n, _ in slots]
    return Rush(None, slot_ids, SEATS, plan_lines(users, slot_ids, hot=hot, seed=run))


def outcome(backend: str, dsn: str) -> Outcome:
    confirmed_sql = (
        "SELECT id, slot_id, party_size, confirmed_at FROM ref_registration "
        "WHERE status = 'confirmed'"
    )
    counters_sql = "SELECT id, seats_taken FROM ref_slot"
    if backend == "asyncpg":

        async def read() -> tuple[list[tuple[int, ...]], list[tuple[int, ...]]]:
            connection = await asyncpg.connect(dsn)
            try:
                rows = [tuple(r) for r in await connection.fetch(confirmed_sql)]
                counters = [tuple(r) for r in await connection.fetch(counters_sql)]
            finally:
                await connection.close()
            return rows, counters

        rows, counters = asyncio.run(read())
    else:
        with sqlite3.connect(dsn) as connection:
            rows = connection.execute(confirmed_sql).fetchall()
            counters = connection.execute(counters_sql).fetchall()
    per_slot = {slot_id: 0 for slot_id, _ in counters}
    confirmed: dict[int, float] = {}
    for registration_id, slot_id, party_size, confirmed_at in rows:
        per_slot[slot_id] += party_size
        confirmed[registration_id] = float(confirmed_at)
    return Outcome(per_slot, dict(counters), confirmed)


def sqlite_path(directory: str) -> str:
    return f"{directory}/reference-{uuid.uuid4().hex[:6]}.db"
