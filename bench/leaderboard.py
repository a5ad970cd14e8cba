"""Leaderboard at a million participants, on PostgreSQL.

Creates a fresh database (`OPENINDUSTRY_BENCH_POSTGRES_URL` names the server), applies the
migrations, COPYs a generated ledger of a million participants into `points_entry` (and their
accounts into `user_account`), derives the balances and leaderboard scores from it in SQL, then
times the two queries the leaderboard page makes — the top 20, and "my place" for a random
participant — through the same repository functions the service uses. Prints the figures and
writes them into docs/benchmarks.md. Run: `python -m bench leaderboard` (BENCH_PARTICIPANTS to
change the size).
"""

from __future__ import annotations

import asyncio
import os
import platform
import random
import re
import statistics
import time
import uuid
from collections.abc import Awaitable, Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import asyncpg
import sqlalchemy
from sqlalchemy.engine import make_url

from bench import report
from openindustry.db import migrate
from openindustry.kit import db
from openindustry.rewards import repository as repo
from openindustry.rewards.models import ALL_TIME

DEFAULT_URL = "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"
REPORT = report.REPORT
SERIES = 1
RUNS = 200
AMOUNTS = (10, 10, 20, 20, 30, 50)
START = datetime(2026, 11, 1, tzinfo=UTC)


def _dsn(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def _users(n: int) -> Iterator[tuple[object, ...]]:
    for user_id in range(1, n + 1):
        yield (user_id, f"Участник {user_id}", "participant", "ru", "[]", START)


def _ledger(n: int, rng: random.Random) -> Iterator[tuple[object, ...]]:
    """1–8 earning entries a person (most have few), amounts that tie often, over 30 days."""
    entry_id = 0
    for user_id in range(1, n + 1):
        for ref in range(1 + int(rng.expovariate(0.6)) % 8):
            entry_id += 1
            series = SERIES if rng.random() < 0.4 else None
            at = START + timedelta(seconds=rng.randrange(30 * 86_400))
            yield (entry_id, user_id, rng.choice(AMOUNTS), "task", "task", ref + 1, series, at)


async def _generate(url: str, participants: int) -> dict[str, float]:
    timings: dict[str, float] = {}
    connection = await asyncpg.connect(_dsn(url))
    try:
        started = time.perf_counter()
        await connection.copy_records_to_table(
            "user_account",
            records=_users(participants),
            columns=["id", "name", "role", "locale", "notification_channels", "created_at"],
        )
        timings["copy accounts"] = time.perf_counter() - started
        started = time.perf_counter()
        await connection.copy_records_to_table(
            "points_entry",
            records=_ledger(participants, random.Random(20261126)),
            columns=[
                "id",
                "user_id",
                "amount",
                "reason",
                "ref_type",
                "ref_id",
                "series_id",
                "created_at",
            ],
        )
        timings["copy ledger"] = time.perf_counter() - started
        started = time.perf_counter()
        # The derivatives the service keeps entry by entry, computed here in bulk from the ledger;
        # with room to group two million rows in memory instead of sorting them on disk.
        await connection.execute("SET work_mem = '256MB'")
        await connection.execute(
            "INSERT INTO points_balance (user_id, balance, earned_total) "
            "SELECT user_id, sum(amount), sum(amount) FROM points_entry GROUP BY user_id"
        )
        await connection.execute(
            "INSERT INTO leaderboard_score (scope, user_id, points, reached_at) "
            "SELECT $1::int, user_id, sum(amount), max(created_at) FROM points_entry "
            "GROUP BY user_id",
            ALL_TIME,
        )
        await connection.execute(
            "INSERT INTO leaderboard_score (scope, user_id, points, reached_at) "
            "SELECT series_id, user_id, sum(amount), max(created_at) FROM points_entry "
            "WHERE series_id IS NOT NULL GROUP BY series_id, user_id"
        )
        timings["derive balances and scores"] = time.perf_counter() - started
        started = time.perf_counter()
        await connection.execute("VACUUM ANALYZE")
        timings["vacuum analyze"] = time.perf_counter() - started
    finally:
        await connection.close()
    return timings


async def _counts(url: str) -> dict[str, int]:
    connection = await asyncpg.connect(_dsn(url))
    try:
        return {
            "participants": await connection.fetchval("SELECT count(*) FROM points_balance"),
            "ledger entries": await connection.fetchval("SELECT count(*) FROM points_entry"),
            "all-time scores": await connection.fetchval(
                "SELECT count(*) FROM leaderboard_score WHERE scope = 0"
            ),
            f"series {SERIES} scores": await connection.fetchval(
                "SELECT count(*) FROM leaderboard_score WHERE scope = $1", SERIES
            ),
            "distinct all-time totals": await connection.fetchval(
                "SELECT count(DISTINCT points) FROM leaderboard_score WHERE scope = 0"
            ),
        }
    finally:
        await connection.close()


async def _time(runs: int, query: Callable[[int], Awaitable[object]]) -> dict[str, float]:
    for n in range(10):  # warm the cache and the connection
        await query(n)
    samples = []
    for n in range(runs):
        started = time.perf_counter()
        await query(n)
        samples.append((time.perf_counter() - started) * 1000)
    quantiles = statistics.quantiles(samples, n=100)
    return {"p50": quantiles[49], "p95": quantiles[94], "max": max(samples)}


async def _measure(url: str, participants: int) -> tuple[dict[str, dict[str, float]], str]:
    engine = db.create_engine(url)
    rng = random.Random(7)
    users = [rng.randrange(1, participants + 1) for _ in range(RUNS + 10)]
    results: dict[str, dict[str, float]] = {}
    try:
        async with db.create_sessionmaker(engine)() as session:

            async def top(_: int, scope: int = ALL_TIME) -> object:
                return await repo.top(session, scope, 20)

            async def place(n: int, scope: int = ALL_TIME) -> object:
                mine = await repo.score(session, scope, users[n])
                session.expunge_all()  # a fresh read each time, as a new request would do
                return await repo.ahead_of(session, mine) if mine else None

            async def last_place(_: int) -> object:
                return await place(0)

            results["top 20, all time"] = await _time(RUNS, top)
            results["my place, all time (random participant)"] = await _time(RUNS, place)
            results[f"top 20, series {SERIES}"] = await _time(RUNS, lambda n: top(n, scope=SERIES))
            results[f"my place, series {SERIES} (random participant)"] = await _time(
                RUNS, lambda n: place(n, scope=SERIES)
            )
            worst = await session.scalar(
                sqlalchemy.text(
                    "SELECT user_id FROM leaderboard_score WHERE scope = 0 "
                    "ORDER BY points, reached_at DESC, user_id DESC LIMIT 1"
                )
            )
            users[0] = int(worst)
            results["my place, all time (the very last)"] = await _time(50, last_place)
            plans = []
            for label, sql in (
                (
                    "top 20",
                    "SELECT * FROM leaderboard_score WHERE scope = 0 AND points > 0 "
                    "ORDER BY points DESC, reached_at, user_id LIMIT 20",
                ),
                (
                    "my place (the very last)",
                    "SELECT (SELECT count(*) FROM leaderboard_score"
                    " WHERE scope = 0 AND points > s.points)"
                    " + (SELECT count(*) FROM leaderboard_score"
                    " WHERE scope = 0 AND points = s.points"
                    " AND reached_at <= s.reached_at AND (reached_at < s.reached_at OR"
                    " (reached_at = s.reached_at AND user_id < s.user_id)))"
                    " FROM leaderboard_score s WHERE scope = 0 AND user_id = :worst",
                ),
            ):
                explain = sqlalchemy.text("EXPLAIN (ANALYZE, COSTS OFF, SUMMARY OFF) " + sql)
                rows = await session.execute(explain, {"worst": int(worst)})
                plans.append(f"{label}:\n" + "\n".join(r[0] for r in rows))
    finally:
        await engine.dispose()
    return results, "\n\n".join(plans)


async def _server_version(url: str) -> str:
    connection = await asyncpg.connect(_dsn(url))
    try:
        return str(await connection.fetchval("SHOW server_version"))
    finally:
        await connection.close()


async def _ddl(admin_url: str, statement: str) -> None:
    connection = await asyncpg.connect(_dsn(admin_url))
    try:
        await connection.execute(statement)
    finally:
        await connection.close()


def _machine(pg_version: str) -> str:
    cpu = "unknown CPU"
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        found = re.search(r"model name\s*:\s*(.+)", cpuinfo.read_text())
        cpu = found.group(1).strip() if found else cpu
    memory = "unknown"
    meminfo = Path("/proc/meminfo")
    if meminfo.exists():
        found = re.search(r"MemTotal:\s*(\d+) kB", meminfo.read_text())
        memory = f"{int(found.group(1)) / 1024 / 1024:.1f} GiB" if found else memory
    return (
        f"- Machine: {os.cpu_count()} cores, {cpu}, {memory} RAM, {platform.system()} "
        f"{platform.release()}\n"
        f"- PostgreSQL {pg_version} (default settings, same machine), Python "
        f"{platform.python_version()}, SQLAlchemy {sqlalchemy.__version__}, asyncpg "
        f"{asyncpg.__version__}\n"
    )


def _write_section(name: str, machine: str, body: str) -> None:
    report.write_section(name, body, machine)


def main() -> None:
    admin_url = os.environ.get("OPENINDUSTRY_BENCH_POSTGRES_URL", DEFAULT_URL)
    admin_url = make_url(admin_url).set(drivername="postgresql+asyncpg")
    participants = int(os.environ.get("BENCH_PARTICIPANTS", "1000000"))
    name = f"openindustry_bench_{uuid.uuid4().hex[:8]}"
    admin = admin_url.render_as_string(hide_password=False)
    url = admin_url.set(database=name).render_as_string(hide_password=False)
    asyncio.run(_ddl(admin, f'CREATE DATABASE "{name}"'))
    try:
        migrate.upgrade(url)
        started = time.perf_counter()
        timings = asyncio.run(_generate(url, participants))
        generated = time.perf_counter() - started
        counts = asyncio.run(_counts(url))
        results, plans = asyncio.run(_measure(url, participants))
        pg_version = asyncio.run(_server_version(url))
    finally:
        asyncio.run(_ddl(admin, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))

    lines = [
        "## Leaderboard (`bench/leaderboard.py`)",
        "",
        f"A generated ledger of {counts['participants']:,} participants "
        f"({counts['ledger entries']:,} entries; {counts['all-time scores']:,} all-time scores, "
        f"{counts[f'series {SERIES} scores']:,} in a series; "
        f"{counts['distinct all-time totals']} distinct totals, so ties are everywhere) "
        f"generated in {generated:.0f} s with COPY ("
        + ", ".join(f"{k} {v:.0f} s" for k, v in timings.items())
        + f"). Each query timed {RUNS} times through the repository functions the service uses"
        " (the very last place: 50 times), milliseconds:",
        "",
        "| query | p50 | p95 | max |",
        "|---|---:|---:|---:|",
        *(
            f"| {label} | {r['p50']:.2f} | {r['p95']:.2f} | {r['max']:.2f} |"
            for label, r in results.items()
        ),
        "",
        "The top 20 is a range scan of `ix_leaderboard_score_rank` (scope, points DESC, "
        "reached_at, user_id); a place is two counts over ranges of the same index (more points; "
        "tied and earlier), index-only after VACUUM, so it grows with the place, not the ledger.",
        "",
        "```",
        plans,
        "```",
        "",
    ]
    body = "\n".join(lines)
    print(body)
    _write_section("leaderboard", _machine(pg_version), body)
    report.write_json(
        "leaderboard",
        {
            "machine": report.machine(),
            "postgresql": pg_version,
            "counts": counts,
            "generation_seconds": {k: round(v, 1) for k, v in timings.items()},
            "query_ms": {k: {q: round(v, 2) for q, v in r.items()} for k, r in results.items()},
        },
    )
    print(f"written to {REPORT}")


if __name__ == "__main__":
    main()
